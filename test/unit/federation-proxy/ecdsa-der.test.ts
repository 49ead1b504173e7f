/** The DER to JWS conversion of ECDSA signatures, held to ecdsa-sig-formatter's and to node's own verification. */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { derToJose as libraryDerToJose } from 'ecdsa-sig-formatter';
import { DerSignatureError, derToJose } from '../../../lambdas/federation-proxy/crypto/ecdsa-der';

test('500 P-256 signatures: the same R || S as ecdsa-sig-formatter, verified by node as IEEE P1363', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  for (let i = 0; i < 500; i++) {
    const message = Buffer.from(`message ${i}`);
    const der = sign('sha256', message, privateKey);
    const jose = derToJose(der, 32);
    expect(Buffer.from(jose).toString('base64url')).toBe(libraryDerToJose(der, 'ES256'));
    expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(true);
  }
});

test.each([
  ['empty', Buffer.alloc(0)],
  ['not a sequence', Buffer.from([0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])],
  ['wrong length', Buffer.from([0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])],
  ['an integer too long', Buffer.from([0x30, 0x26, 0x02, 0x21, 0x01, ...Buffer.alloc(32, 1), 0x02, 0x01, 0x01])],
  ['trailing bytes', Buffer.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00])],
])('%s: a clear error, never a wrong signature', (_name, der) => {
  expect(() => derToJose(der, 32)).toThrow(DerSignatureError);
});
