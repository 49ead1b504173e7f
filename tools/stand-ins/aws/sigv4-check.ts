/**
 * Checks a request's AWS Signature Version 4 as AWS does: rebuilds the canonical request from
 * the headers the request says it signed (lambdas/shared/sigv4.ts), derives the signing key
 * from the known secret, and compares signatures. (Re-signing with a client library does not
 * work for every caller: aws4fetch never signs content-length or user-agent, which the AWS
 * SDKs sign.)
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AwsCredentials } from '../../../lambdas/shared/aws-json';
import { signatureOf } from '../../../lambdas/shared/sigv4';

export async function sigV4Matches(o: { method: string; url: string; headers: IncomingHttpHeaders | Headers; body: string; credentials: AwsCredentials; service: string; region: string }): Promise<boolean> {
  const get = (k: string) => {
    const v = o.headers instanceof Headers ? o.headers.get(k) ?? undefined : o.headers[k];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(get('authorization') ?? '');
  const amzDate = get('x-amz-date');
  if (!m || !amzDate) return false;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = m as unknown as string[];
  if (accessKeyId !== o.credentials.accessKeyId || region !== o.region || service !== o.service || !amzDate.startsWith(date!)) return false;
  if (o.credentials.sessionToken && get('x-amz-security-token') !== o.credentials.sessionToken) return false;
  const names = signedHeaders!.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) return false;
  const headers = Object.fromEntries(names.map((n) => [n, String(get(n) ?? '')]));
  const expected = signatureOf({ method: o.method, url: new URL(o.url), headers, body: o.body, secretAccessKey: o.credentials.secretAccessKey, amzDate, region: region!, service: service! });
  return expected.signedHeaders === signedHeaders && timingSafeEqual(Buffer.from(expected.signature, 'hex'), Buffer.from(signature!, 'hex'));
}
