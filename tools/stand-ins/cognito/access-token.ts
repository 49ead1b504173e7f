/** The pool's access tokens as the userInfo endpoint and the user pool API accept them. */
import { importJWK, jwtVerify, type JWTPayload } from 'jose';
import type { StandInState } from './state';
import type { TokenSigner } from './tokens';
import type { User } from './users';

/** The claims and user of a valid access token of the pool whose user exists and is enabled. */
export async function verifyAccessToken(s: StandInState, token: string | undefined): Promise<{ claims: JWTPayload; user: User } | undefined> {
  if (!token) return undefined;
  const jwks = createLocalJwks(s.signer);
  const r = await jwtVerify(token, jwks, { issuer: s.issuer }).catch(() => undefined);
  if (!r || r.payload.token_use !== 'access') return undefined;
  const user = s.users.get(String(r.payload.username));
  return user && user.enabled ? { claims: r.payload, user } : undefined;
}

/** The pool's own keys as a jose key set (no HTTP round trip to itself). */
function createLocalJwks(signer: TokenSigner) {
  return async (header: { kid?: string }) => {
    const jwk = signer.jwks.keys.find((k) => k.kid === header.kid);
    if (!jwk) throw new Error('unknown kid');
    return importJWK(jwk, 'RS256');
  };
}
