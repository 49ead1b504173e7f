/**
 * JWS signers whose private key may live outside this process (AWS KMS), behind one small
 * interface so that tests and the local proxy use a local key.
 *
 * jose signs only with keys it holds; a KMS key never leaves KMS, so the compact JWS is
 * assembled here (RFC 7515 section 7.1) and only the signature comes from the signer.
 */
import { createHash, createPublicKey, generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { b64u } from './base64url';

export type JwsAlgorithm = 'RS256' | 'PS256' | 'ES256';

export interface JwsSigner {
  readonly alg: JwsAlgorithm;
  /** Signs the JWS signing input; returns the signature in JOSE form (ES256: R || S, 64 bytes). */
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
  /** The public key as a JWK with `kid`, `alg` and `use: sig`. */
  publicJwk(): Promise<JWK>;
}

/** A public JWK with its RFC 7638 thumbprint as kid. */
export async function publicJwkOf(key: KeyObject, alg: JwsAlgorithm): Promise<JWK> {
  const jwk = key.export({ format: 'jwk' }) as JWK;
  const pub: JWK = jwk.kty === 'RSA' ? { kty: 'RSA', n: jwk.n, e: jwk.e } : { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y };
  return { ...pub, kid: jwkThumbprint(pub), alg, use: 'sig' };
}

/**
 * RFC 7638 JWK thumbprint (SHA-256): the required members in lexicographic order, no spaces.
 * jose's calculateJwkThumbprint does the same (test/unit/federation-proxy/jwk-thumbprint.test.ts holds this to
 * it); written here for the proxy's bundle (what jose's would add: docs/proxy-bundle.md).
 */
export function jwkThumbprint(jwk: JWK): string {
  const members = jwk.kty === 'RSA' ? { e: jwk.e, kty: 'RSA', n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  if (Object.values(members).some((v) => typeof v !== 'string' || v === '')) throw new TypeError('the JWK lacks a member its thumbprint needs');
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** Signs a JWT (compact JWS) with `signer`; the header carries alg, kid and `typ`. */
export async function signJwt(signer: JwsSigner, payload: Record<string, unknown>, typ = 'JWT'): Promise<string> {
  const { kid } = await signer.publicJwk();
  const input = `${b64u.json({ alg: signer.alg, kid, typ })}.${b64u.json(payload)}`;
  const signature = await signer.sign(Buffer.from(input, 'ascii'));
  return `${input}.${b64u.encode(signature)}`;
}

/** A signer with a private key in this process (tests, the local proxy). */
export class LocalSigner implements JwsSigner {
  private jwk?: Promise<JWK>;
  constructor(
    readonly alg: JwsAlgorithm,
    private readonly privateKey: KeyObject,
  ) {}

  /** A fresh key pair of the kind `alg` needs (RSA 2048 or P-256). */
  static generate(alg: JwsAlgorithm): LocalSigner {
    const { privateKey } =
      alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
    return new LocalSigner(alg, privateKey);
  }

  async sign(signingInput: Uint8Array): Promise<Uint8Array> {
    if (this.alg === 'ES256') return nodeSign('sha256', signingInput, { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    if (this.alg === 'PS256') {
      return nodeSign('sha256', signingInput, { key: this.privateKey, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 });
    }
    return nodeSign('sha256', signingInput, this.privateKey);
  }

  publicJwk(): Promise<JWK> {
    this.jwk ??= publicJwkOf(createPublicKey(this.privateKey), this.alg);
    return this.jwk;
  }

  /** The private key as a JWK, to keep it on disk between local runs. */
  exportPrivateJwk(): JWK {
    return this.privateKey.export({ format: 'jwk' }) as JWK;
  }
}
