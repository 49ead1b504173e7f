/**
 * The ID token as the token endpoint returns it: oidc-provider's, with at_hash (as the Agency's
 * OP has it) and signed again, normally with the OP's key, else as the test's faults say.
 */
import { createHash, createPrivateKey, sign as nodeSign } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT } from 'jose';
import { publicOf, type EmulatorKeys } from './keys';
import type { EmulatorFaults } from './state';

export async function reissueIdToken(keys: EmulatorKeys, faults: EmulatorFaults, idToken: string, accessToken: string): Promise<string> {
  const header = decodeProtectedHeader(idToken);
  const claims: Record<string, unknown> = { ...decodeJwt(idToken), at_hash: atHash(accessToken, String(header.alg)) };
  for (const [k, v] of Object.entries(faults.idTokenClaims ?? {})) {
    if (v === undefined) delete claims[k];
    else claims[k] = v;
  }
  const mode = faults.idTokenSigning;
  if (mode === 'none') return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
  if (mode === 'hs256-with-public-key') {
    // The classic key-confusion attack: HMAC keyed with the OP's public key.
    const pub = keys.op.find((k) => k.kid === header.kid)!;
    const secret = new TextEncoder().encode(JSON.stringify(publicOf(pub)));
    return new SignJWT(claims as never).setProtectedHeader({ alg: 'HS256', kid: header.kid, typ: 'JWT' }).sign(secret);
  }
  const key = mode === 'foreign-key' ? keys.foreign : mode === 'unknown-kid' ? keys.unknownKid : mode === 'rotated-key' ? keys.rotated : keys.op.find((k) => k.kid === header.kid)!;
  const alg = String(header.alg);
  const extra = faults.idTokenHeader;
  if (extra) {
    // jose refuses to sign a `crit` it does not know, which is the point: assemble it by hand.
    const input = `${Buffer.from(JSON.stringify({ alg, kid: key.kid, typ: 'JWT', ...extra })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const privateKey = createPrivateKey({ key: key as never, format: 'jwk' });
    const signature = nodeSign('sha256', Buffer.from(input), alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey);
    return `${input}.${signature.toString('base64url')}`;
  }
  return new SignJWT(claims as never).setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' }).sign(await importJWK(key, alg));
}

function atHash(accessToken: string, alg: string): string {
  const digest = createHash(`sha${alg.slice(-3)}`).update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
