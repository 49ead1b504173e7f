/**
 * Known-answer vectors for sealed values (lambdas/federation-proxy/crypto/sealing.ts). A value
 * sealed by one deployment must open in the next while a sign-in is in flight, so the format is
 * pinned here: the HKDF salt and info strings, the AAD, the part order and encoding. The vector
 * was produced once and committed; it is checked against a derivation written here from the
 * documented construction, not only against what the code produces.
 *
 * The secret is a fake committed on purpose: it protects nothing.
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { Sealer, SealedValueError, type SealPurpose } from '../../../lambdas/federation-proxy/crypto/sealing';
import { MemorySecretStore } from '../../../lambdas/federation-proxy/aws/secrets';

const SECRET = 'test-vector-secret-not-a-real-secret';
const KID = 'oEXG9HuJ5PMzZI6W';
const KEY_HEX = '71a8a18a551546251ffd7f96ad51a82053c52e20c1a621fd7fee26aa16266146';
/** Sealed for 'code' at 2025-01-01T00:00:00Z with a TTL of 600 s. */
const SEALED_AT = Date.parse('2025-01-01T00:00:00Z');
const VECTOR =
  'oEXG9HuJ5PMzZI6W.2nGYvrLjg-1tsagR.FDlVEpDXL1j_O9sI3Wlz25SfniF5BXPRB29MTTx23TmPk4uNjX0fmadZ37vp2u1Qb4C-JZIu3REs8hUCjRuJb3Etmx_occhv.6pL9nRjNgu0YUSNjpsh4Kw';
const PAYLOAD = { c: 'op-code-vector', n: 'ノンス', iat: 1735689600, exp: 1735690200 };

/** The documented construction, written independently of the module. */
const independent = {
  kid: () => Buffer.from(hkdfSync('sha256', SECRET, 'myna-idp', 'myna-idp sealing key id', 12)).toString('base64url'),
  key: () => Buffer.from(hkdfSync('sha256', SECRET, 'myna-idp', 'myna-idp sealing key A256GCM', 32)),
  aad: (purpose: string, kid: string) => Buffer.from(`myna-idp sealed v1|${purpose}|${kid}`, 'utf8'),
  open(purpose: string, value: string): unknown {
    const [kid, iv, ciphertext, tag] = value.split('.') as [string, string, string, string];
    const d = createDecipheriv('aes-256-gcm', this.key(), Buffer.from(iv, 'base64url'), { authTagLength: 16 }).setAAD(this.aad(purpose, kid));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return JSON.parse(Buffer.concat([d.update(Buffer.from(ciphertext, 'base64url')), d.final()]).toString('utf8'));
  },
  seal(purpose: string, claims: object, iv: Buffer): string {
    const kid = this.kid();
    const c = createCipheriv('aes-256-gcm', this.key(), iv).setAAD(this.aad(purpose, kid));
    const ciphertext = Buffer.concat([c.update(JSON.stringify(claims), 'utf8'), c.final()]);
    return [kid, iv.toString('base64url'), ciphertext.toString('base64url'), c.getAuthTag().toString('base64url')].join('.');
  },
};

const sealerAt = (at: number) => new Sealer(new MemorySecretStore({ s: SECRET }), 's', 60 * 60_000, () => at);
const reasonOf = (p: Promise<unknown>) => p.then(() => 'opened', (e: unknown) => (e instanceof SealedValueError ? e.reason : `other: ${String(e)}`));

describe('the key and its id', () => {
  test('GIVEN the test secret WHEN derived by HKDF-SHA256 (salt "myna-idp", the fixed info strings) THEN the kid and key are the committed ones', () => {
    expect(independent.kid()).toBe(KID);
    expect(independent.key().toString('hex')).toBe(KEY_HEX);
  });
});

describe('the committed vector', () => {
  test('has the documented form: kid, 96-bit IV, ciphertext, 128-bit tag, base64url', () => {
    const [kid, iv, , tag] = VECTOR.split('.');
    expect(VECTOR.split('.')).toHaveLength(4);
    expect(kid).toBe(KID);
    expect(Buffer.from(iv!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag!, 'base64url')).toHaveLength(16);
  });

  test('opens by the documented construction (independent of the module) to the exact payload', () => {
    expect(independent.open('code', VECTOR)).toEqual(PAYLOAD);
  });

  test('GIVEN the clock one minute after it was sealed WHEN the Sealer opens it for "code" THEN it is the exact payload', async () => {
    expect(await sealerAt(SEALED_AT + 60_000).unseal('code', VECTOR)).toEqual(PAYLOAD);
  });

  test('does not open for any other purpose (the purpose is in the AAD)', async () => {
    for (const purpose of ['transaction', 'access-token', 'link'] satisfies SealPurpose[]) {
      expect(await reasonOf(sealerAt(SEALED_AT + 60_000).unseal(purpose, VECTOR))).toBe('invalid');
    }
  });

  test('is expired at its exp by the injected clock', async () => {
    expect(await reasonOf(sealerAt(SEALED_AT + 599_000).unseal('code', VECTOR))).toBe('opened');
    expect(await reasonOf(sealerAt(SEALED_AT + 600_000).unseal('code', VECTOR))).toBe('expired');
  });
});

describe('the format in both directions', () => {
  test('a value sealed by the documented construction opens in the Sealer', async () => {
    const claims = { tx: 'state-and-nonce', iat: 1735689600, exp: 1735689900 };
    const value = independent.seal('transaction', claims, Buffer.alloc(12, 7));
    expect(await sealerAt(SEALED_AT).unseal('transaction', value)).toEqual(claims);
    expect(await reasonOf(sealerAt(SEALED_AT).unseal('code', value))).toBe('invalid');
  });

  test('a value the Sealer seals opens by the documented construction, with iat and exp from the injected clock', async () => {
    const value = await sealerAt(SEALED_AT).seal('link', { sub: 'card-user' }, 300);
    expect(value.split('.')[0]).toBe(KID);
    expect(independent.open('link', value)).toEqual({ sub: 'card-user', iat: 1735689600, exp: 1735689900 });
  });
});
