/** The proxy's RFC 7638 thumbprint (lambdas/federation-proxy/crypto/signer.ts) gives jose's for every kind of key it signs with. */
import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { jwkThumbprint, publicJwkOf } from '../../../lambdas/federation-proxy/crypto/signer';

test.each([
  ['RSA 2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, 'RS256'],
  ['EC P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey, 'ES256'],
] as const)('%s: the same thumbprint as jose, 20 keys each', async (_name, key, alg) => {
  for (let i = 0; i < 20; i++) {
    const k = key();
    const jwk = k.export({ format: 'jwk' }) as JWK;
    expect(jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk));
    expect((await publicJwkOf(k, alg)).kid).toBe(await calculateJwkThumbprint(jwk));
  }
});

test('a JWK without the members its thumbprint needs is refused', () => {
  expect(() => jwkThumbprint({ kty: 'RSA', e: 'AQAB' })).toThrow('the JWK lacks a member its thumbprint needs');
});
