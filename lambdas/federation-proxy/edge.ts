/**
 * The proxy behind CloudFront (the tenant's `jpki.edge`): a request is served only when it
 * carries the origin secret CloudFront adds (so the WAF in front cannot be bypassed through the
 * function URL), and the proxy's public origin is the host the viewer asked for, as the
 * CloudFront Function copied it (the function URL's own domain is not the issuer then).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const key = randomBytes(32);
const mac = (s: string) => createHmac('sha256', key).update(s).digest();
/** Equal in constant time, whatever the lengths. */
const same = (a: string, b: string) => timingSafeEqual(mac(a), mac(b));

/** Admits a request whose `header` holds one of the accepted secrets. */
export const admitThroughEdge = (header: string, accepted: () => Promise<readonly string[]>) => async (request: Request) => {
  const presented = request.headers.get(header);
  if (!presented) return false;
  return (await accepted()).map((s) => same(presented, s)).includes(true);
};

const HOST = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;

/** `https://<host>` from the viewer host header; only ever read from an admitted request. */
export function edgeOrigin(request: Request, hostHeader: string): string {
  const host = (request.headers.get(hostHeader) ?? '').toLowerCase();
  if (!HOST.test(host)) throw new Error('the viewer host header is missing or malformed');
  return `https://${host}`;
}
