/**
 * The KMS signer and the Secrets Manager store over real HTTP against the local AWS stand-in,
 * which checks each request's SigV4 signature and signs with local keys (DER for ECDSA, as KMS
 * does): what the signer produces must verify with jose against the public key KMS reports.
 */
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { AwsCallError } from '../../../lambdas/shared/aws-json';
import { KmsSigner } from '../../../lambdas/federation-proxy/crypto/kms-signer';
import { clientAssertion } from '../../../lambdas/federation-proxy/protocol/op-client';
import { ConfigurationError } from '../../../lambdas/shared/configuration-error';
import { acceptedVersions, clientSecretsOf, SecretsManagerStore } from '../../../lambdas/federation-proxy/aws/secrets';
import { signJwt, type JwsAlgorithm } from '../../../lambdas/federation-proxy/crypto/signer';
import { STAND_IN_CREDENTIALS, startAwsStandIn, type AwsStandIn } from '../../../tools/stand-ins/aws/aws-stand-in';
import { sandboxAssertionSettings } from '../../helpers/op-client-settings';

let aws: AwsStandIn;
beforeAll(async () => {
  aws = await startAwsStandIn();
  aws.addKey('alias/rsa', 'RSA_2048');
  aws.addKey('alias/ec', 'ECC_NIST_P256');
});
afterAll(() => aws.close());

const client = (service: string, credentials = STAND_IN_CREDENTIALS) => aws.client(service, credentials);

describe.each<[JwsAlgorithm, string]>([
  ['RS256', 'alias/rsa'],
  ['PS256', 'alias/rsa'],
  ['ES256', 'alias/ec'],
])('KmsSigner %s with %s', (alg, keyId) => {
  test('signs JWTs that verify against the public JWK from GetPublicKey', async () => {
    const signer = new KmsSigner(client('kms'), keyId, alg);
    const jwk = await signer.publicJwk();
    expect(jwk).toMatchObject({ alg, use: 'sig', kid: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(jwk).not.toHaveProperty('d');
    const jwt = await signJwt(signer, { hello: 'world' });
    const { payload, protectedHeader } = await jwtVerify(jwt, await importJWK(jwk, alg), { algorithms: [alg] });
    expect(payload.hello).toBe('world');
    expect(protectedHeader).toEqual({ alg, kid: jwk.kid, typ: 'JWT' });
    if (alg === 'ES256') expect(Buffer.from(jwt.split('.')[2]!, 'base64url')).toHaveLength(64); // R || S, not DER
  });

  test('a private_key_jwt client assertion has the claims the OP checks', async () => {
    const signer = new KmsSigner(client('kms'), keyId, alg);
    const settings = sandboxAssertionSettings;
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
  await expect(new KmsSigner(client('kms'), 'alias/rsa', 'ES256').publicJwk()).rejects.toThrow('KMS key alias/rsa cannot sign with ES256 (key spec RSA_2048)');
});

test('the public key is fetched once and cached', async () => {
  const before = aws.calls.length;
  const signer = new KmsSigner(client('kms'), 'alias/ec', 'ES256');
  await signJwt(signer, {});
  await signJwt(signer, {});
  expect(aws.calls.slice(before)).toEqual(['kms TrentService.GetPublicKey', 'kms TrentService.Sign', 'kms TrentService.Sign']);
});

test('AWS errors come back typed, and a request signed with other credentials is refused', async () => {
  await expect(new KmsSigner(client('kms'), 'alias/none', 'ES256').publicJwk()).rejects.toEqual(new AwsCallError('NotFoundException', 400));
  const forged = client('kms', { ...STAND_IN_CREDENTIALS, secretAccessKey: 'not-the-key' });
  await expect(new KmsSigner(forged, 'alias/ec', 'ES256').publicJwk()).rejects.toEqual(new AwsCallError('InvalidSignatureException', 403));
});

describe('Secrets Manager store', () => {
  const store = () => new SecretsManagerStore(client('secretsmanager'));

  test('the current and previous versions with their creation times; no previous is no error', async () => {
    aws.putSecret('one', 'first', new Date('2026-11-01T00:00:00Z'));
    expect(await store().get('one', 'AWSCURRENT')).toEqual({ value: 'first', createdAt: Date.parse('2026-11-01T00:00:00Z') });
    expect(await store().get('one', 'AWSPREVIOUS')).toBeUndefined();
    aws.putSecret('one', 'second', new Date('2026-11-02T00:00:00Z'));
    expect(await store().get('one', 'AWSPREVIOUS')).toEqual({ value: 'first', createdAt: Date.parse('2026-11-01T00:00:00Z') });
  });

  test('the previous version is accepted only within the window after the rotation', async () => {
    const rotatedAt = Date.parse('2026-11-02T00:00:00Z');
    expect(await acceptedVersions(store(), 'one', 60 * 60_000, rotatedAt + 59 * 60_000)).toEqual(['second', 'first']);
    expect(await acceptedVersions(store(), 'one', 60 * 60_000, rotatedAt + 61 * 60_000)).toEqual(['second']);
    expect(await acceptedVersions(store(), 'one', 0, rotatedAt)).toEqual(['second']);
  });

  test('a client secret in the wrong form is named with a fixed message, never its content', async () => {
    aws.putSecret('plain', 'abcd-this-is-the-secret-value');
    const e = await clientSecretsOf(store(), 'plain', 0).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as Error).message).toBe(`the secret plain is not a JSON object with a client_secret string (put-secret-value --secret-string '{"client_secret":"..."}')`);
    expect(JSON.stringify(e) + String((e as Error).stack)).not.toContain('abcd');
    aws.putSecret('json', JSON.stringify({ client_secret: 's3cret' }));
    expect(await clientSecretsOf(store(), 'json', 0)).toEqual(['s3cret']);
  });
});
