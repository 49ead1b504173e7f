/**
 * The OP's signing keys (its JWKS), cached, with what a key rotation needs.
 *
 * An ID token reaches the proxy only from the OP's own token endpoint (the back channel after
 * a code redemption): a `kid` the cache lacks means the OP has rotated, not an attack. So a
 * miss refetches at once, and a miss within `minRefetchIntervalMs` of the last fetch waits out
 * that interval and looks once more, instead of failing the sign-in: at most one JWKS fetch
 * per interval per instance, however a misbehaving OP labels its tokens, and a rotation never
 * fails a sign-in. jose does the caching, the refetch on a miss and the deduplication of
 * concurrent fetches; the JWKS body is read with a size limit.
 */
import { createRemoteJWKSet, customFetch, errors, type JWTVerifyGetKey } from 'jose';
import { readBounded, ResponseTooLargeError } from '../../shared/bounded-fetch';

/** The JWKS could not be fetched (network, HTTP status, size): the OP's problem, not the token's. */
export class JwksFetchError extends Error {
  constructor(readonly reason: 'unreachable' | 'too_large') {
    super(`the OP's JWKS could not be fetched (${reason})`);
    this.name = 'JwksFetchError';
  }
}

export interface OpKeySetOptions {
  readonly timeoutMs: number;
  /** Default: 1 second. */
  readonly minRefetchIntervalMs?: number;
  /** Default: 10 minutes. */
  readonly cacheMaxAgeMs?: number;
  /** Default: 64 KiB. */
  readonly maxBytes?: number;
}

export function opKeySet(jwksUri: string, o: OpKeySetOptions): JWTVerifyGetKey {
  const interval = o.minRefetchIntervalMs ?? 1000;
  const maxBytes = o.maxBytes ?? 64 * 1024;
  // Made at the first ID token, not when the module loads (it builds Fetch API objects).
  let made: ReturnType<typeof createRemoteJWKSet> | undefined;
  const remote = () => (made ??= createRemoteJWKSet(new URL(jwksUri), {
    timeoutDuration: o.timeoutMs,
    cooldownDuration: interval,
    cacheMaxAge: o.cacheMaxAgeMs ?? 10 * 60_000,
    [customFetch]: async (url: string, init: RequestInit) => {
      let res: Response;
      try {
        res = await fetch(url, init);
      } catch (e) {
        if ((e as Error)?.name === 'TimeoutError') throw e; // jose reports it as JWKSTimeout
        throw new JwksFetchError('unreachable');
      }
      try {
        return new Response(await readBounded(res, maxBytes), { status: res.status, headers: res.headers });
      } catch (e) {
        if (e instanceof ResponseTooLargeError) throw new JwksFetchError('too_large');
        // The timeout covers the body: jose reports a TimeoutError as JWKSTimeout.
        if ((e as Error)?.name === 'TimeoutError') throw e;
        throw new JwksFetchError('unreachable');
      }
    },
  }));
  return async (header, token) => {
    const jwks = remote();
    try {
      return await jwks(header, token);
    } catch (e) {
      if (!(e instanceof errors.JWKSNoMatchingKey) || !jwks.coolingDown) throw e;
      await new Promise((r) => setTimeout(r, interval));
      return jwks(header, token);
    }
  };
}
