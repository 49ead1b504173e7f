/**
 * AWS Signature Version 4 for the JSON APIs the Lambdas call (KMS, Secrets Manager, DynamoDB,
 * the user pool): the canonical request, the string to sign and the signature, with node:crypto.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 *
 * Written here rather than taken from aws4fetch: it is the one part of that library the
 * Lambdas use (what the library would cost the proxy's bundle: docs/proxy-bundle.md). The same
 * code checks signatures in the local AWS stand-ins (tools/stand-ins/aws/sigv4-check.ts), and a
 * test holds it to aws4fetch's signatures.
 */
import { createHash, createHmac } from 'node:crypto';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface SigningInput {
  readonly method: string;
  readonly url: URL;
  /** Lowercase names → values, `host` included. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly secretAccessKey: string;
  /** YYYYMMDDTHHMMSSZ */
  readonly amzDate: string;
  readonly region: string;
  readonly service: string;
}

/** The hex signature of a request over the given headers (their names sorted). */
export function signatureOf(i: SigningInput): { signature: string; signedHeaders: string; scope: string } {
  const names = Object.keys(i.headers).sort();
  const canonicalUri = i.url.pathname.split('/').map((seg) => encode(decodeURIComponent(seg))).join('/') || '/';
  const canonicalQuery = [...i.url.searchParams].map(([k, v]) => [encode(k), encode(v)] as const).sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('&');
  const canonicalHeaders = names.map((n) => `${n}:${i.headers[n]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [i.method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, sha256(i.body)].join('\n');
  const date = i.amzDate.slice(0, 8);
  const scope = `${date}/${i.region}/${i.service}/aws4_request`;
  const key = hmac(hmac(hmac(hmac(`AWS4${i.secretAccessKey}`, date), i.region), i.service), 'aws4_request');
  return { signature: hmac(key, ['AWS4-HMAC-SHA256', i.amzDate, scope, sha256(canonicalRequest)].join('\n')).toString('hex'), signedHeaders, scope };
}

/** The headers of a signed JSON API request (content-type and x-amz-target given by the caller). */
export function signedHeaders(o: {
  url: URL;
  body: string;
  headers: Readonly<Record<string, string>>;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region: string;
  service: string;
  now?: Date;
}): Record<string, string> {
  const amzDate = (o.now ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(o.headers).map(([k, v]) => [k.toLowerCase(), v])),
    host: o.url.host,
    'x-amz-date': amzDate,
    ...(o.credentials.sessionToken ? { 'x-amz-security-token': o.credentials.sessionToken } : {}),
  };
  const s = signatureOf({ method: 'POST', url: o.url, headers, body: o.body, secretAccessKey: o.credentials.secretAccessKey, amzDate, region: o.region, service: o.service });
  const { host: _host, ...rest } = headers;
  return { ...rest, authorization: `AWS4-HMAC-SHA256 Credential=${o.credentials.accessKeyId}/${s.scope}, SignedHeaders=${s.signedHeaders}, Signature=${s.signature}` };
}
