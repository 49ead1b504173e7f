/**
 * Checks a request's AWS Signature Version 4 as AWS does: rebuilds the canonical request from
 * the headers the request says it signed, derives the signing key from the known secret, and
 * compares signatures. (Re-signing with a client library does not work for every caller:
 * aws4fetch never signs content-length or user-agent, which the AWS SDKs sign.)
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AwsCredentials } from '../../lambdas/shared/aws-json';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

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
  if (!names.includes('host')) return false;
  const url = new URL(o.url);
  const canonicalUri = url.pathname.split('/').map((seg) => encode(decodeURIComponent(seg))).join('/') || '/';
  const canonicalQuery = [...url.searchParams].map(([k, v]) => [encode(k), encode(v)]).sort(([a, x], [b, y]) => (a! < b! ? -1 : a! > b! ? 1 : x! < y! ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('&');
  const canonicalHeaders = names.map((n) => `${n}:${String(get(n) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [o.method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, sha256(o.body)].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${o.credentials.secretAccessKey}`, date!), region!), service!), 'aws4_request');
  const expected = hmac(key, stringToSign);
  return timingSafeEqual(expected, Buffer.from(signature!, 'hex'));
}
