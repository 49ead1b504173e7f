/**
 * Sealed values: what must survive between the hops of a sign-in travels with it, encrypted
 * and authenticated, instead of in a server-side store.
 *
 * AES-256-GCM with a key derived (HKDF-SHA256) from a Secrets Manager secret, written here with
 * node:crypto rather than as a JWE through jose: jose's JWE code carries every key-management
 * algorithm (its cost to the proxy's bundle: docs/proxy-bundle.md), and one AEAD with a derived
 * key is all this needs. The form is `<kid>.<iv>.<ciphertext>.<tag>` (base64url): `kid` is
 * derived from the secret (HKDF, like the key), so a rotated secret gets a new id by itself; the purpose and the kid are
 * bound as additional authenticated data, so a value sealed for one purpose never opens as
 * another. Values are sealed with the current key and opened with the current or, for a
 * bounded time after a rotation, the previous one; every value expires within minutes.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { acceptedVersions, type SecretStore } from '../aws/secrets';

export type SealPurpose = 'transaction' | 'code' | 'access-token' | 'link';

export class SealedValueError extends Error {
  constructor(readonly reason: 'expired' | 'invalid') {
    super(reason === 'expired' ? 'the sealed value has expired' : 'the sealed value is not valid');
    this.name = 'SealedValueError';
  }
}

interface SealingKey { kid: string; key: Buffer }

/** Both the key and its id come from HKDF: the id names the secret without being a hash of it. */
function deriveKey(secret: string): SealingKey {
  const kid = Buffer.from(hkdfSync('sha256', secret, 'myna-idp', 'myna-idp sealing key id', 12)).toString('base64url');
  const key = Buffer.from(hkdfSync('sha256', secret, 'myna-idp', 'myna-idp sealing key A256GCM', 32));
  return { kid, key };
}

const B64U = /^[A-Za-z0-9_-]+$/;
const aad = (purpose: SealPurpose, kid: string) => Buffer.from(`myna-idp sealed v1|${purpose}|${kid}`);

/** The claims every sealed value carries, besides its payload. */
export interface SealedClaims { iat: number; exp: number }

export class Sealer {
  private readonly derived = new Map<string, SealingKey>();
  constructor(
    private readonly secrets: SecretStore,
    private readonly secretId: string,
    /** How long after a rotation values sealed with the previous secret still open. */
    private readonly previousWindowMs = 60 * 60_000,
    private readonly now = () => Date.now(),
  ) {}

  private keyOf(secret: string): SealingKey {
    let k = this.derived.get(secret);
    if (!k) {
      k = deriveKey(secret);
      this.derived.set(secret, k);
    }
    return k;
  }

  private async keys(): Promise<SealingKey[]> {
    // The injected clock also judges the previous secret's window, as it judges exp.
    return (await acceptedVersions(this.secrets, this.secretId, this.previousWindowMs, this.now())).map((s) => this.keyOf(s));
  }

  async seal(purpose: SealPurpose, payload: Record<string, unknown>, ttlSeconds: number): Promise<string> {
    const [current] = await this.keys();
    const iat = Math.floor(this.now() / 1000);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', current!.key, iv).setAAD(aad(purpose, current!.kid));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify({ ...payload, iat, exp: iat + ttlSeconds }), 'utf8'), cipher.final()]);
    return [current!.kid, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  async unseal<T extends object>(purpose: SealPurpose, value: string): Promise<T & SealedClaims> {
    if (typeof value !== 'string' || value.length === 0 || value.length > 8192) throw new SealedValueError('invalid');
    const parts = value.split('.');
    if (parts.length !== 4 || !parts.every((p) => B64U.test(p))) throw new SealedValueError('invalid');
    const [kid, iv, ciphertext, tag] = parts as [string, string, string, string];
    const key = (await this.keys()).find((k) => k.kid === kid);
    if (!key) throw new SealedValueError('invalid');
    let claims: Record<string, unknown>;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'), { authTagLength: 16 }).setAAD(aad(purpose, kid));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
      claims = JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new SealedValueError('invalid');
    }
    if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number') throw new SealedValueError('invalid');
    if (claims.exp <= Math.floor(this.now() / 1000)) throw new SealedValueError('expired');
    return claims as T & SealedClaims;
  }
}
