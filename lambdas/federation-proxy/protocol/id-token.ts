/**
 * ID token validation, OpenID Connect Core 1.0 section 3.1.3.7, rule by rule (each check below names its rule).
 * Signature, algorithm allowlist, iss, aud and exp are jose's; the rest is checked here.
 */
import { createHash } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { JwksFetchError } from './op-keys';

export type IdTokenRejection =
  | 'malformed'
  | 'algorithm_not_allowed'
  | 'critical_header_unsupported'
  | 'signature_invalid'
  | 'unknown_key'
  | 'jwks_unavailable'
  | 'issuer_mismatch'
  | 'audience_mismatch'
  | 'azp_mismatch'
  | 'expired'
  | 'iat_invalid'
  | 'nonce_mismatch'
  | 'sub_invalid'
  | 'at_hash_mismatch'
  | 'at_hash_missing'
  | 'auth_time_missing'
  | 'auth_time_stale'
  | 'auth_time_invalid'
  | 'acr_not_accepted';

export class IdTokenError extends Error {
  constructor(readonly reason: IdTokenRejection) {
    super(`ID token rejected: ${reason}`);
    this.name = 'IdTokenError';
  }
}

export interface IdTokenExpectations {
  readonly issuer: string;
  readonly clientId: string;
  readonly algorithms: readonly string[];
  readonly nonce: string;
  /** The access token issued with the ID token, for at_hash. */
  readonly accessToken: string;
  readonly clockLeewaySeconds: number;
  /** Reject an ID token without at_hash. */
  readonly requireAtHash: boolean;
  /** How old `iat` may be, in seconds. */
  readonly maxAgeSeconds?: number;
  /**
   * How long ago the person may have authenticated at the OP (`auth_time`, required): a card
   * sign-in must be a fresh one, not an OP session reused (OIDC Core 3.1.2.1 max_age, 3.1.3.7
   * item 13).
   */
  readonly maxAuthenticationAgeSeconds: number;
  /** The `acr` values accepted (OIDC Core 3.1.3.7 item 12); undefined: not checked. */
  readonly acceptedAcr?: readonly string[];
  readonly now?: () => number;
}

const HASH_OF_ALG: Record<string, string> = { 256: 'sha256', 384: 'sha384', 512: 'sha512' };

/** at_hash: base64url of the left half of the hash of the access token (section 3.1.3.6). */
export function atHash(accessToken: string, alg: string): string {
  const hash = HASH_OF_ALG[alg.slice(-3)];
  if (!hash) throw new IdTokenError('algorithm_not_allowed');
  const digest = createHash(hash).update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** The rule an error from jose stands for; undefined for anything else (a bug is not an OP outage). */
function rejectionOf(e: unknown): IdTokenRejection | undefined {
  if (e instanceof IdTokenError) return e.reason;
  if (e instanceof JwksFetchError || e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid) return 'jwks_unavailable';
  if (e instanceof errors.JOSEAlgNotAllowed || e instanceof errors.JOSENotSupported) return 'algorithm_not_allowed';
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'signature_invalid';
  if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys) return 'unknown_key';
  if (e instanceof errors.JWTExpired) return 'expired';
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'iss') return 'issuer_mismatch';
    if (e.claim === 'aud') return 'audience_mismatch';
    if (e.claim === 'iat') return 'iat_invalid';
    if (e.claim === 'sub') return 'sub_invalid';
    if (e.claim === 'exp') return 'expired';
    return 'malformed';
  }
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid || e instanceof errors.JWKInvalid) return 'malformed';
  // jose's generic error: the JWKS answered, but not with 200 and a key set.
  if (e instanceof errors.JOSEError && e.code === 'ERR_JOSE_GENERIC') return 'jwks_unavailable';
  return undefined;
}

/** Validates an ID token and returns its claims, or throws IdTokenError naming the rule broken. */
export async function validateIdToken(idToken: string, keys: JWTVerifyGetKey, x: IdTokenExpectations): Promise<JWTPayload> {
  const nowSeconds = Math.floor((x.now?.() ?? Date.now()) / 1000);
  try {
    // RFC 7515 section 4.1.11: a recipient must reject what `crit` lists and it does not
    // understand; this one understands no extension at all.
    let header;
    try {
      header = decodeProtectedHeader(idToken);
    } catch {
      throw new IdTokenError('malformed');
    }
    if (header.crit !== undefined) throw new IdTokenError('critical_header_unsupported');
    const { payload, protectedHeader } = await jwtVerify(idToken, keys, {
      issuer: x.issuer, // rule 2
      audience: x.clientId, // rule 3
      algorithms: [...x.algorithms], // rule 4: never none, never HMAC
      clockTolerance: x.clockLeewaySeconds, // rule 5
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
      currentDate: new Date(nowSeconds * 1000),
      maxTokenAge: x.maxAgeSeconds ? x.maxAgeSeconds + x.clockLeewaySeconds : undefined,
    });
    // Rule 3: no audience we do not trust, and azp when there are several.
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (aud.some((a) => a !== x.clientId)) throw new IdTokenError('audience_mismatch');
    if (payload.azp !== undefined && payload.azp !== x.clientId) throw new IdTokenError('azp_mismatch');
    // Rule 5: iat not in the future beyond the leeway.
    if (typeof payload.iat !== 'number' || payload.iat > nowSeconds + x.clockLeewaySeconds) throw new IdTokenError('iat_invalid');
    // Rule 6.
    if (typeof payload.nonce !== 'string' || payload.nonce !== x.nonce) throw new IdTokenError('nonce_mismatch');
    // Rule 7: at most 255 ASCII characters.
    if (typeof payload.sub !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(payload.sub)) throw new IdTokenError('sub_invalid');
    // OIDC Core 3.1.3.7 item 13: a recent authentication, by the OP's clock, never ours.
    if (typeof payload.auth_time !== 'number' || !Number.isFinite(payload.auth_time)) throw new IdTokenError('auth_time_missing');
    if (payload.auth_time > nowSeconds + x.clockLeewaySeconds) throw new IdTokenError('auth_time_invalid');
    if (payload.auth_time < nowSeconds - x.maxAuthenticationAgeSeconds - x.clockLeewaySeconds) throw new IdTokenError('auth_time_stale');
    // OIDC Core 3.1.3.7 item 12: the level that was asked for, not a lower one, nor none.
    if (x.acceptedAcr && (typeof payload.acr !== 'string' || !x.acceptedAcr.includes(payload.acr))) throw new IdTokenError('acr_not_accepted');
    // Rule 8.
    if (payload.at_hash === undefined) {
      if (x.requireAtHash) throw new IdTokenError('at_hash_missing');
    } else if (payload.at_hash !== atHash(x.accessToken, protectedHeader.alg)) {
      throw new IdTokenError('at_hash_mismatch');
    }
    return payload;
  } catch (e) {
    const reason = rejectionOf(e);
    if (!reason) throw e;
    throw e instanceof IdTokenError ? e : new IdTokenError(reason);
  }
}
