/**
 * The Lambda entry point with function URL events: configuration from the environment, keys
 * from KMS and secrets from Secrets Manager (aws-sdk-client-mock with real keys), the issuer
 * from the function URL's domain.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { tenantSchema } from '../../lib/config/schema';
import { proxyConfigOf } from '../../lib/jpki/proxy-config';
import { minimalTenant } from '../helpers/tenants';

const kms = mockClient(KMSClient);
const sm = mockClient(SecretsManagerClient);
const DOMAIN = 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.ap-northeast-1.on.aws';

function urlEvent(method: string, rawPath: string, query = '', headers: Record<string, string> = {}, body?: string) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: query,
    headers: { host: DOMAIN, ...headers },
    requestContext: { domainName: DOMAIN, http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' }, requestId: 'r', routeKey: '$default', stage: '$default', time: '', timeEpoch: 0, accountId: 'anonymous', apiId: 'x', domainPrefix: 'x' },
    body,
    isBase64Encoded: false,
  };
}

let handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; headers: Record<string, string>; body: string; cookies?: string[] }>;

beforeAll(async () => {
  const tenant = tenantSchema.parse({ ...minimalTenant(), jpki: { environment: 'sandbox', clientId: 'RP00000002' } });
  process.env.PROXY_CONFIG = JSON.stringify(proxyConfigOf(tenant as typeof tenant & { jpki: NonNullable<typeof tenant.jpki> }));
  process.env.CLIENT_ASSERTION_KEY_ID = 'arn:aws:kms:ap-northeast-1:111122223333:key/client';
  process.env.TOKEN_SIGNING_KEY_ID = 'arn:aws:kms:ap-northeast-1:111122223333:key/token';
  process.env.CLIENT_SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:client';
  process.env.SEALING_SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:sealing';
  process.env.AWS_REGION = 'ap-northeast-1';
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  kms.on(GetPublicKeyCommand).resolves({ PublicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })), KeySpec: 'ECC_NIST_P256', SigningAlgorithms: ['ECDSA_SHA_256'] });
  kms.on(SignCommand).callsFake((i: { Message: Uint8Array }) => ({ Signature: new Uint8Array(sign('sha256', i.Message, privateKey)) }));
  sm.on(GetSecretValueCommand, { SecretId: process.env.SEALING_SECRET_ARN, VersionStage: 'AWSCURRENT' }).resolves({ SecretString: 'sealing-secret-sealing-secret-sealing-secret-sealing-secret' });
  sm.on(GetSecretValueCommand, { SecretId: process.env.SEALING_SECRET_ARN, VersionStage: 'AWSPREVIOUS' }).rejects(new ResourceNotFoundException({ message: 'no previous', $metadata: {} }));
  sm.on(GetSecretValueCommand, { SecretId: process.env.CLIENT_SECRET_ARN, VersionStage: 'AWSCURRENT' }).resolves({ SecretString: JSON.stringify({ client_secret: 'new-s3cret' }) });
  sm.on(GetSecretValueCommand, { SecretId: process.env.CLIENT_SECRET_ARN, VersionStage: 'AWSPREVIOUS' }).resolves({ SecretString: JSON.stringify({ client_secret: 'old-s3cret' }) });
  ({ handler } = (await import('../../lambdas/federation-proxy/handler')) as unknown as { handler: typeof handler });
});

test('discovery and JWKS name the function URL as issuer and publish the KMS token key', async () => {
  const d = await handler(urlEvent('GET', '/.well-known/openid-configuration'), {});
  expect(JSON.parse(d.body)).toMatchObject({ issuer: `https://${DOMAIN}`, token_endpoint: `https://${DOMAIN}/token`, id_token_signing_alg_values_supported: ['ES256'] });
  const j = await handler(urlEvent('GET', '/jwks'), {});
  expect(JSON.parse(j.body).keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })]);
});

test('/authorize redirects to the Digital Agency sandbox OP with PKCE and a sealed transaction cookie', async () => {
  const q = new URLSearchParams({ client_id: 'myna-idp-acme', redirect_uri: 'https://acme-login.auth.ap-northeast-1.amazoncognito.com/oauth2/idpresponse', response_type: 'code', scope: 'openid', state: 'st' });
  const r = await handler(urlEvent('GET', '/authorize', q.toString()), {});
  expect(r.statusCode).toBe(302);
  const to = new URL(r.headers.location!);
  expect(to.origin + to.pathname).toBe('https://sb-auth-and-sign.go.jp/api/realms/main/protocol/openid-connect/auth');
  expect(to.searchParams.get('redirect_uri')).toBe(`https://${DOMAIN}/callback`);
  expect(to.searchParams.get('code_challenge_method')).toBe('S256');
  const cookie = (r.cookies ?? [r.headers['set-cookie']!])[0]!;
  expect(cookie).toMatch(/; Secure/);
});

test('/token with a wrong secret: invalid_client, the secret read from Secrets Manager', async () => {
  const body = new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://acme-login.auth.ap-northeast-1.amazoncognito.com/oauth2/idpresponse', client_id: 'myna-idp-acme', client_secret: 'wrong' }).toString();
  const r = await handler(urlEvent('POST', '/token', '', { 'content-type': 'application/x-www-form-urlencoded' }, body), {});
  expect(r.statusCode).toBe(401);
  expect(JSON.parse(r.body)).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
});

test('during a rotation both the current and the previous client secret authenticate Cognito', async () => {
  for (const secret of ['new-s3cret', 'old-s3cret']) {
    const body = new URLSearchParams({ grant_type: 'authorization_code', code: 'not-a-sealed-code', redirect_uri: 'https://acme-login.auth.ap-northeast-1.amazoncognito.com/oauth2/idpresponse', client_id: 'myna-idp-acme', client_secret: secret }).toString();
    const r = await handler(urlEvent('POST', '/token', '', { 'content-type': 'application/x-www-form-urlencoded' }, body), {});
    // Authenticated: the request gets as far as the code, which is not valid.
    expect(JSON.parse(r.body)).toEqual({ error: 'invalid_grant', error_description: 'the code is not valid' });
  }
});

test('secrets are cached between requests (one Secrets Manager call per cold start and TTL)', async () => {
  const before = sm.commandCalls(GetSecretValueCommand, { SecretId: process.env.CLIENT_SECRET_ARN }).length;
  expect(before).toBe(2); // AWSCURRENT and AWSPREVIOUS, once
  const body = new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: 'r', client_id: 'myna-idp-acme', client_secret: 'x' }).toString();
  await handler(urlEvent('POST', '/token', '', { 'content-type': 'application/x-www-form-urlencoded' }, body), {});
  expect(sm.commandCalls(GetSecretValueCommand, { SecretId: process.env.CLIENT_SECRET_ARN }).length).toBe(before);
});

test('an internal failure is a clean OAuth error and a critical event, not a stack trace', async () => {
  const { createFederationProxy } = await import('../../lambdas/federation-proxy/app');
  const { MemorySecurityEventSink } = await import('../../lambdas/shared/security-events');
  const { Sealer } = await import('../../lambdas/shared/sealing');
  const { MemorySecretStore } = await import('../../lambdas/shared/secrets');
  const { LocalSigner } = await import('../../lambdas/shared/signer');
  const events = new MemorySecurityEventSink();
  const app = createFederationProxy({
    config: JSON.parse(process.env.PROXY_CONFIG!),
    clientAssertionSigner: LocalSigner.generate('RS256'),
    tokenSigner: LocalSigner.generate('ES256'),
    sealer: new Sealer(new MemorySecretStore({ s: { AWSCURRENT: 'x'.repeat(40) } }), 's'),
    clientSecrets: async () => {
      throw new Error('AccessDeniedException: secretsmanager:GetSecretValue');
    },
    events,
    publicOrigin: () => 'https://proxy.example',
  });
  const body = new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: 'r', client_id: 'myna-idp-acme', client_secret: 'x' });
  const res = await app.request('/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  expect(res.status).toBe(500);
  expect(await res.json()).toEqual({ error: 'server_error', error_description: 'the sign-in could not be completed' });
  expect(events.events).toEqual([{ type: 'proxy.internal_error', reason: 'Error', severity: 'critical', tenantId: 'acme' }]);
});
