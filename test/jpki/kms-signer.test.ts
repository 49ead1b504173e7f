/**
 * The KMS signer against aws-sdk-client-mock, whose KMS answers with real signatures made by a
 * local key (DER-encoded for ECDSA, as KMS does): what the signer produces must verify with
 * jose against the public key KMS reports.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand, type SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { KmsSigner } from '../../lambdas/shared/kms-signer';
import { clientAssertion } from '../../lambdas/shared/op-client';
import { signJwt, type JwsAlgorithm } from '../../lambdas/shared/signer';

const kms = mockClient(KMSClient);
afterEach(() => kms.reset());

function fakeKms(keySpec: 'RSA_2048' | 'ECC_NIST_P256') {
  const { privateKey, publicKey } =
    keySpec === 'RSA_2048' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const algorithms: SigningAlgorithmSpec[] =
    keySpec === 'RSA_2048' ? ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'] : ['ECDSA_SHA_256'];
  kms.on(GetPublicKeyCommand).resolves({
    KeyId: 'arn:aws:kms:ap-northeast-1:111122223333:key/test',
    KeySpec: keySpec,
    KeyUsage: 'SIGN_VERIFY',
    PublicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
    SigningAlgorithms: algorithms,
  });
  kms.on(SignCommand).callsFake((input: { Message: Uint8Array; MessageType: string; SigningAlgorithm: SigningAlgorithmSpec }) => {
    if (input.MessageType !== 'RAW') throw new Error('expected a RAW message');
    const key = privateKey as KeyObject;
    const signature =
      input.SigningAlgorithm === 'RSASSA_PSS_SHA_256'
        ? sign('sha256', input.Message, { key, padding: 6, saltLength: 32 })
        : sign('sha256', input.Message, key); // ECDSA: DER, as KMS returns it
    return { Signature: new Uint8Array(signature), SigningAlgorithm: input.SigningAlgorithm };
  });
}

describe.each<[JwsAlgorithm, 'RSA_2048' | 'ECC_NIST_P256']>([
  ['RS256', 'RSA_2048'],
  ['PS256', 'RSA_2048'],
  ['ES256', 'ECC_NIST_P256'],
])('KmsSigner %s with a %s key', (alg, keySpec) => {
  test('signs JWTs that verify against the public JWK from GetPublicKey', async () => {
    fakeKms(keySpec);
    const signer = new KmsSigner(new KMSClient({ region: 'ap-northeast-1' }), 'alias/test', alg);
    const jwk = await signer.publicJwk();
    expect(jwk).toMatchObject({ alg, use: 'sig', kid: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(jwk).not.toHaveProperty('d');
    const jwt = await signJwt(signer, { hello: 'world' });
    const { payload, protectedHeader } = await jwtVerify(jwt, await importJWK(jwk, alg), { algorithms: [alg] });
    expect(payload.hello).toBe('world');
    expect(protectedHeader).toEqual({ alg, kid: jwk.kid, typ: 'JWT' });
    if (alg === 'ES256') expect(Buffer.from(jwt.split('.')[2]!, 'base64url')).toHaveLength(64); // R || S, not DER
    const calls = kms.commandCalls(SignCommand);
    expect(calls[0]!.args[0].input).toMatchObject({ KeyId: 'alias/test', MessageType: 'RAW' });
  });

  test('a private_key_jwt client assertion has the claims the OP checks', async () => {
    fakeKms(keySpec);
    const signer = new KmsSigner(new KMSClient({ region: 'ap-northeast-1' }), 'alias/test', alg);
    const settings = {
      issuer: 'https://sb-auth-and-sign.go.jp/api/realms/main',
      tokenEndpoint: 'https://sb-auth-and-sign.go.jp/api/realms/main/protocol/openid-connect/token',
      userinfoEndpoint: 'https://x/userinfo',
      clientId: 'RP00000001',
      requestTimeoutMs: 1000,
      assertionLifetimeSeconds: 60,
      assertionAudience: 'token-endpoint' as const,
    };
    const a = decodeJwt(await clientAssertion(signer, settings));
    const b = decodeJwt(await clientAssertion(signer, settings));
    expect(a).toMatchObject({ iss: 'RP00000001', sub: 'RP00000001', aud: settings.tokenEndpoint });
    expect((a.exp as number) - (a.iat as number)).toBe(60);
    expect(a.jti).not.toBe(b.jti);
    expect(decodeProtectedHeader(await clientAssertion(signer, { ...settings, assertionAudience: 'issuer' })).alg).toBe(alg);
    expect(decodeJwt(await clientAssertion(signer, { ...settings, assertionAudience: 'issuer' })).aud).toBe(settings.issuer);
  });
});

test('a KMS key that cannot sign with the configured algorithm is a clear error', async () => {
  fakeKms('RSA_2048');
  const signer = new KmsSigner(new KMSClient({ region: 'ap-northeast-1' }), 'alias/test', 'ES256');
  await expect(signer.publicJwk()).rejects.toThrow('KMS key alias/test cannot sign with ES256 (key spec RSA_2048)');
});

test('the public key is fetched once and cached', async () => {
  fakeKms('ECC_NIST_P256');
  const signer = new KmsSigner(new KMSClient({ region: 'ap-northeast-1' }), 'alias/test', 'ES256');
  await signJwt(signer, {});
  await signJwt(signer, {});
  expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
  expect(kms.commandCalls(SignCommand)).toHaveLength(2);
});
