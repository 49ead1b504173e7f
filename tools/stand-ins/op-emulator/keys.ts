/** The OP's signing keys, and the keys the ID token faults sign with instead. */
import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';

export interface EmulatorKeys {
  /** The OP's keys (RS256 and ES256), published at its JWKS URI. */
  readonly op: JWK[];
  /** Published next to the OP's keys only while the rotated-key fault is on. */
  readonly rotated: JWK;
  /** Another key under the kid of the OP's key of the ID token algorithm. */
  readonly foreign: JWK;
  /** A key under a kid the OP does not publish. */
  readonly unknownKid: JWK;
}

export async function createKeys(idTokenAlg: 'RS256' | 'ES256'): Promise<EmulatorKeys> {
  const op = [await signingKey('RS256'), await signingKey('ES256')];
  const rotated = await signingKey(idTokenAlg);
  const foreign = { ...(await signingKey(idTokenAlg)), kid: op.find((k) => k.alg === idTokenAlg)!.kid };
  const unknownKid = await signingKey(idTokenAlg);
  return { op, rotated, foreign, unknownKid };
}

async function signingKey(alg: 'RS256' | 'ES256'): Promise<JWK> {
  const { privateKey } = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const pub = jwk.kty === 'RSA' ? { kty: 'RSA', n: jwk.n, e: jwk.e } : { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y };
  return { ...jwk, kid: await calculateJwkThumbprint(pub as JWK), alg, use: 'sig' };
}

export const publicOf = (jwk: JWK): JWK => {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  return pub;
};
