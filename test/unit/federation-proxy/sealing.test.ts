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

describe('the injected clock judges the previous secret’s window, as it judges exp', () => {
  const oldSecret = 'the-secret-before-the-rotation-0123456789';
  const newSecret = 'the-secret-after-the-rotation-0123456789';
  const windowMs = 60 * 60_000;

  /** GIVEN a value sealed at `t0` with `oldSecret`, then a rotation to `newSecret` at `rotatedAt`: does it open at `at`? */
  async function openedAfterRotation(t0: number, rotatedAt: number, at: number): Promise<string> {
    let now = t0;
    const secrets = new MemorySecretStore({ s: oldSecret });
    const sealer = new Sealer(secrets, 's', windowMs, () => now);
    const v = await sealer.seal('transaction', { step: 'authorize' }, 3 * 3600);
    secrets.rotate('s', newSecret, rotatedAt);
    now = at;
    return reasonOf(sealer.unseal('transaction', v));
  }

  test('a clock years behind the real time: the previous secret still opens within the window after the rotation', async () => {
    const t0 = Date.parse('2025-01-01T00:00:00Z');
    const rotatedAt = t0 + 5 * 60_000;
    expect(await openedAfterRotation(t0, rotatedAt, rotatedAt + 59 * 60_000)).toBe('opened');
    expect(await openedAfterRotation(t0, rotatedAt, rotatedAt + windowMs)).toBe('invalid');
  });

  test('a clock years ahead of the real time: the previous secret no longer opens once the window has passed', async () => {
    const t0 = Date.parse('2100-01-01T00:00:00Z');
    const rotatedAt = t0 + 5 * 60_000;
    expect(await openedAfterRotation(t0, rotatedAt, rotatedAt + 59 * 60_000)).toBe('opened');
    expect(await openedAfterRotation(t0, rotatedAt, rotatedAt + 61 * 60_000)).toBe('invalid');
  });
});
