/**
 * Checks a request's AWS Signature Version 4 the way a local stand-in can: it signs the same
 * request again (aws4fetch) with the known credentials and compares the Authorization headers.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { AwsV4Signer } from 'aws4fetch';
import type { AwsCredentials } from '../../lambdas/shared/aws-json';

export async function sigV4Matches(o: { method: string; url: string; headers: IncomingHttpHeaders | Headers; body: string; credentials: AwsCredentials; service: string; region: string }): Promise<boolean> {
  const get = (k: string) => (o.headers instanceof Headers ? o.headers.get(k) ?? undefined : (o.headers[k] as string | undefined));
  const authorization = get('authorization');
  if (!authorization) return false;
  const signed = (/SignedHeaders=([^,]+)/.exec(authorization)?.[1] ?? '').split(';');
  const headers = Object.fromEntries(signed.filter((k) => k !== 'host').map((k) => [k, String(get(k) ?? '')]));
  const expected = await new AwsV4Signer({
    method: o.method, url: o.url, headers, body: o.body, ...o.credentials, service: o.service, region: o.region, datetime: String(get('x-amz-date')),
  }).sign();
  return authorization === expected.headers.get('authorization');
}
