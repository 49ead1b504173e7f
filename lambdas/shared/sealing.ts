/**
 * Sealed values: what must survive between the hops of a sign-in travels with it, encrypted
 * and authenticated (JWE, `dir` + A256GCM), instead of in a server-side store.
 *
 * The key is derived (HKDF-SHA256) from a Secrets Manager secret; its id (`kid`) is a hash of
 * the secret, so a rotated secret gets a new id by itself. Values are sealed with the current
 * key and opened with the current or, for a bounded time after a rotation, the previous one, so
 * a rotation does not break a sign-in in flight. Every value is bound to its purpose (as `aud`)
 * and expires within minutes.
 */
import { createHash, hkdfSync } from 'node:crypto';
import { EncryptJWT, errors, jwtDecrypt, type JWTPayload } from 'jose';
import { acceptedVersions, type SecretStore } from './secrets';

export type SealPurpose = 'transaction' | 'code' | 'access-token';

export class SealedValueError extends Error {
  constructor(readonly reason: 'expired' | 'invalid') {
    super(reason === 'expired' ? 'the sealed value has expired' : 'the sealed value is not valid');
    this.name = 'SealedValueError';
  }
}

interface SealingKey { kid: string; key: Uint8Array }

function deriveKey(secret: string): SealingKey {
  const kid = createHash('sha256').update(secret).digest('base64url').slice(0, 16);
  const key = new Uint8Array(hkdfSync('sha256', secret, 'myna-idp', 'myna-idp sealing key A256GCM', 32));
  return { kid, key };
}

export class Sealer {
  private readonly derived = new Map<string, SealingKey>();
  constructor(
    private readonly secrets: SecretStore,
    private readonly secretId: string,
    /** How long after a rotation values sealed with the previous secret still open. */
    private readonly previousWindowMs = 60 * 60_000,
    private readonly issuer = 'myna-idp',
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
    return (await acceptedVersions(this.secrets, this.secretId, this.previousWindowMs)).map((s) => this.keyOf(s));
  }

  async seal(purpose: SealPurpose, payload: Record<string, unknown>, ttlSeconds: number): Promise<string> {
    const [current] = await this.keys();
    return new EncryptJWT(payload)
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: current!.kid })
      .setIssuer(this.issuer)
      .setAudience(`myna-idp:${purpose}`)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .encrypt(current!.key);
  }

  async unseal<T extends JWTPayload>(purpose: SealPurpose, value: string): Promise<T> {
    if (typeof value !== 'string' || value.length === 0 || value.length > 8192) throw new SealedValueError('invalid');
    const keys = await this.keys();
    try {
      const { payload } = await jwtDecrypt(value, (header) => {
        const k = keys.find((x) => x.kid === header.kid);
        if (!k) throw new SealedValueError('invalid');
        return k.key;
      }, {
        issuer: this.issuer,
        audience: `myna-idp:${purpose}`,
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
        requiredClaims: ['exp', 'iat'],
      });
      return payload as T;
    } catch (e) {
      if (e instanceof SealedValueError) throw e;
      if (e instanceof errors.JWTExpired) throw new SealedValueError('expired');
      throw new SealedValueError('invalid');
    }
  }
}
