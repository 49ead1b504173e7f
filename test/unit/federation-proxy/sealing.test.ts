/** Sealed values (AES-256-GCM with an HKDF key): bound to their purpose and key, tamper-evident, short-lived. */
import { Sealer, SealedValueError } from '../../../lambdas/federation-proxy/crypto/sealing';
import { MemorySecretStore } from '../../../lambdas/federation-proxy/aws/secrets';

const store = () => new MemorySecretStore({ s: 'a-sealing-secret-of-enough-length-0123456789' });
const reasonOf = (p: Promise<unknown>) => p.then(() => 'opened', (e: unknown) => (e instanceof SealedValueError ? e.reason : `other: ${String(e)}`));

describe('Sealer', () => {
  test('opens what it sealed, with iat and exp, for the same purpose only', async () => {
    const sealer = new Sealer(store(), 's');
    const v = await sealer.seal('code', { c: 'op-code', n: 'ノンス' }, 30);
    const opened = await sealer.unseal<{ c: string; n: string }>('code', v);
    expect(opened).toMatchObject({ c: 'op-code', n: 'ノンス' });
    expect(opened.exp - opened.iat).toBe(30);
    expect(await reasonOf(sealer.unseal('access-token', v))).toBe('invalid');
    expect(await reasonOf(sealer.unseal('transaction', v))).toBe('invalid');
  });

  test('any change to any part is detected', async () => {
    const sealer = new Sealer(store(), 's');
    const v = await sealer.seal('code', { c: 'x' }, 30);
    const parts = v.split('.');
    for (let i = 0; i < 4; i++) {
      const changed = [...parts];
      const p = changed[i]!;
      changed[i] = (p[0] === 'A' ? 'B' : 'A') + p.slice(1);
      expect(await reasonOf(sealer.unseal('code', changed.join('.')))).toBe('invalid');
    }
    for (const bad of ['', 'a.b.c', `${v}.x`, 'x'.repeat(9000), `${parts[0]}.!!.${parts[2]}.${parts[3]}`]) {
      expect(await reasonOf(sealer.unseal('code', bad))).toBe('invalid');
    }
  });

  test('expires at exp exactly', async () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const sealer = new Sealer(store(), 's', 60_000, () => now);
    const v = await sealer.seal('transaction', {}, 600);
    now += 599_000;
    expect(await reasonOf(sealer.unseal('transaction', v))).toBe('opened');
    now += 1_000;
    expect(await reasonOf(sealer.unseal('transaction', v))).toBe('expired');
  });

  test('a value sealed with another secret does not open', async () => {
    const other = new Sealer(new MemorySecretStore({ s: 'another-secret-entirely-another-secret-entirely' }), 's');
    expect(await reasonOf(new Sealer(store(), 's').unseal('code', await other.seal('code', {}, 30)))).toBe('invalid');
  });
});
