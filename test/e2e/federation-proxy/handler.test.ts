/**
 * The Lambda entry point with function URL events: configuration from the environment, keys
 * from KMS and secrets from Secrets Manager (aws-sdk-client-mock with real keys), the issuer
 * from the function URL's domain.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { tenantSchema } from '../../../lib/config/schema';
import { proxyConfigOf } from '../../../lib/jpki/proxy-config';
import { standInEnvironment, startAwsStandIn, type AwsStandIn } from '../../../tools/stand-ins/aws/aws-stand-in';
import { minimalTenant, repoRoot } from '../../helpers/tenants';

const DOMAIN = 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.ap-northeast-1.on.aws';
const CLIENT_SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:client';
const SEALING_SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:sealing';

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
let aws: AwsStandIn;

/** The environment Lambda gives the proxy, with KMS and Secrets Manager on the local stand-in. */
function lambdaEnvironment(): Record<string, string> {
  const tenant = tenantSchema.parse({ ...minimalTenant(), jpki: { environment: 'sandbox', clientId: 'RP00000002' } });
  return {
    PROXY_CONFIG: JSON.stringify(proxyConfigOf(tenant as typeof tenant & { jpki: NonNullable<typeof tenant.jpki> })),
    CLIENT_ASSERTION_KEY_ID: 'arn:aws:kms:ap-northeast-1:111122223333:key/client',
    TOKEN_SIGNING_KEY_ID: 'arn:aws:kms:ap-northeast-1:111122223333:key/token',
    CLIENT_SECRET_ARN,
    SEALING_SECRET_ARN,
    ...standInEnvironment(aws.endpoint),
  };
}

beforeAll(async () => {
  aws = await startAwsStandIn();
  aws.addKey('arn:aws:kms:ap-northeast-1:111122223333:key/client', 'RSA_2048');
  aws.addKey('arn:aws:kms:ap-northeast-1:111122223333:key/token', 'ECC_NIST_P256');
  aws.putSecret(SEALING_SECRET_ARN, 'sealing-secret-sealing-secret-sealing-secret-sealing-secret');
  // Rotated 30 minutes ago: within the default window of 60 minutes the previous one still works.
  aws.putSecret(CLIENT_SECRET_ARN, JSON.stringify({ client_secret: 'old-s3cret' }), new Date(Date.now() - 90 * 60_000));
  aws.putSecret(CLIENT_SECRET_ARN, JSON.stringify({ client_secret: 'new-s3cret' }), new Date(Date.now() - 30 * 60_000));
  // Security events are WARN lines: kept out of the test output (the cold-start test reads ERROR lines).
  Object.assign(process.env, lambdaEnvironment(), { LOG_LEVEL: 'ERROR' });
  ({ handler } = (await import('../../../lambdas/federation-proxy/handler')) as unknown as { handler: typeof handler });
});
afterAll(() => aws.close());

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
  expect(r.headers['referrer-policy']).toBe('no-referrer');
  // One transaction cookie per browser, bound to this origin (__Host-: Secure, Path=/, no Domain).
  const cookies = r.cookies ?? [r.headers['set-cookie']!];
  expect(cookies).toHaveLength(1);
  expect(cookies[0]).toMatch(/^__Host-myna_tx=[A-Za-z0-9_.-]+; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
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

test('a header the Fetch API refuses is a 400 for the request, not a crash of the function', async () => {
  const r = await handler(urlEvent('GET', '/authorize', '', { 'x-name': 'あいう' }), {});
  expect(r.statusCode).toBe(400);
  expect(JSON.parse(r.body)).toEqual({ error: 'invalid_request', error_description: 'the request has a malformed header or URL' });
  expect(r.body).not.toContain('あいう');
});

test('secrets are read once at cold start and cached between requests', async () => {
  const reads = () => aws.calls.filter((c) => c === 'secretsmanager secretsmanager.GetSecretValue').length;
  const before = reads();
  expect(before).toBe(4); // both secrets, AWSCURRENT and AWSPREVIOUS, once
  const body = new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: 'r', client_id: 'myna-idp-acme', client_secret: 'x' }).toString();
  await handler(urlEvent('POST', '/token', '', { 'content-type': 'application/x-www-form-urlencoded' }, body), {});
  expect(reads()).toBe(before);
});

test('a client secret stored as a plain string: a fixed message at cold start, no part of it in any log', () => {
  // A fresh Lambda process (a cold start) with the secret in the wrong form.
  const script = `
    const { startAwsStandIn } = await import(${JSON.stringify(path.join(repoRoot, 'tools/stand-ins/aws/aws-stand-in.ts'))});
    const aws = await startAwsStandIn();
    aws.addKey(process.env.CLIENT_ASSERTION_KEY_ID, 'RSA_2048');
    aws.addKey(process.env.TOKEN_SIGNING_KEY_ID, 'ECC_NIST_P256');
    aws.putSecret(process.env.SEALING_SECRET_ARN, 'sealing-secret-sealing-secret-sealing-secret');
    aws.putSecret(process.env.CLIENT_SECRET_ARN, 'Zq7-the-secret-itself-Zq7');
    process.env.AWS_ENDPOINT_URL_KMS = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = aws.endpoint;
    const { handler } = await import(${JSON.stringify(path.join(repoRoot, 'lambdas/federation-proxy/handler.ts'))});
    const event = ${JSON.stringify(urlEvent('POST', '/token', '', { 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=authorization_code&code=x&client_id=myna-idp-acme&client_secret=Zq7-the-secret-itself-Zq7'))};
    for (let i = 0; i < 2; i++) process.stderr.write('RESPONSE ' + JSON.stringify(await handler(event, {})) + '\\n');
    await aws.close();
  `;
  const env = { ...process.env, ...lambdaEnvironment() };
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, env, encoding: 'utf8' });
  expect(r.status).toBe(0);
  const responses = r.stderr.split('\n').filter((l) => l.startsWith('RESPONSE ')).map((l) => JSON.parse(l.slice(9)));
  expect(responses.map((x) => [x.statusCode, JSON.parse(x.body)])).toEqual([
    [500, { error: 'server_error', error_description: 'the sign-in could not be completed' }],
    [500, { error: 'server_error', error_description: 'the sign-in could not be completed' }],
  ]);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(lines.filter((l) => l.message === 'the proxy cannot serve: a secret is missing or in the wrong form').map((l) => [l.level, l.error.message])).toContainEqual([
    'ERROR',
    `the secret ${CLIENT_SECRET_ARN} is not a JSON object with a client_secret string (put-secret-value --secret-string '{"client_secret":"..."}')`,
  ]);
  // Not the secret, nor any piece of it, anywhere.
  for (const piece of ['Zq7', 'the-secret-itself']) expect(r.stdout + r.stderr.replace(/client_secret=Zq7-the-secret-itself-Zq7/g, '')).not.toContain(piece);
});

/** The proxy app with local parts (no Lambda handler), for what the handler test cannot reach. */
async function localApp(change: Partial<import('../../../lambdas/federation-proxy/deps').FederationProxyDeps> = {}) {
  const { createFederationProxy } = await import('../../../lambdas/federation-proxy/app');
  const { MemorySecurityEventSink } = await import('../../../lambdas/shared/security-events');
  const { Sealer } = await import('../../../lambdas/federation-proxy/crypto/sealing');
  const { MemorySecretStore } = await import('../../../lambdas/federation-proxy/aws/secrets');
  const { LocalSigner } = await import('../../../lambdas/federation-proxy/crypto/signer');
  const events = new MemorySecurityEventSink();
  const app = createFederationProxy({
    config: JSON.parse(process.env.PROXY_CONFIG!),
    clientAssertionSigner: LocalSigner.generate('RS256'),
    tokenSigner: LocalSigner.generate('ES256'),
    sealer: new Sealer(new MemorySecretStore({ s: 'x'.repeat(40) }), 's'),
    clientSecrets: async () => ['x'],
    events,
    publicOrigin: () => 'https://proxy.example',
    ...change,
  });
  return { app, events };
}

test('an internal failure is a clean OAuth error and a critical event, not a stack trace', async () => {
  const { app, events } = await localApp({
    clientSecrets: async () => {
      throw new Error('AccessDeniedException: secretsmanager:GetSecretValue');
    },
  });
  const body = new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: 'r', client_id: 'myna-idp-acme', client_secret: 'x' });
  const res = await app(new Request('https://proxy.example/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }));
  expect(res.status).toBe(500);
  expect(await res.json()).toEqual({ error: 'server_error', error_description: 'the sign-in could not be completed' });
  expect(events.events).toEqual([{ type: 'proxy.internal_error', reason: 'Error', severity: 'critical', tenantId: 'acme' }]);
});

describe('behind CloudFront (jpki.edge)', () => {
  const build = async () => {
    const { admitThroughEdge, edgeOrigin } = await import('../../../lambdas/federation-proxy/edge');
    const { EDGE_HEADERS } = await import('../../../lib/jpki/proxy-edge');
    const clock = { now: Date.parse('2026-12-01T00:00:00Z') };
    // The same wiring as the Lambda handler with an edge section.
    const { app, events } = await localApp({
      admit: admitThroughEdge(EDGE_HEADERS.originHeader, async () => ['the-origin-secret']),
      publicOrigin: (request) => edgeOrigin(request, EDGE_HEADERS.hostHeader),
      now: () => clock.now,
    });
    const get = (headers: Record<string, string>) => app(new Request(`https://${DOMAIN}/.well-known/openid-configuration`, { headers }));
    return { get, events, EDGE_HEADERS, clock };
  };

  test('refused requests are reported once a minute with their count, not once each', async () => {
    const { get, events, clock } = await build();
    for (let i = 0; i < 50; i++) await get({});
    clock.now += 60_000;
    await get({});
    expect(events.events.map((e) => e.count)).toEqual([1, 50]);
  });

  test('a request that bypasses CloudFront (no origin secret, or a wrong one) is refused', async () => {
    const { get, events } = await build();
    for (const headers of [{}, { 'x-myna-origin-verify': 'guess' }] as Array<Record<string, string>>) {
      const res = await get(headers);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: 'access_denied', error_description: 'this proxy is reached only through its CloudFront distribution' });
    }
    expect(events.events).toEqual([{ type: 'proxy.request_refused', reason: 'not_through_edge', severity: 'warning', count: 1, tenantId: 'acme' }]);
  });

  test('through CloudFront the issuer is the distribution the viewer asked for, not the function URL', async () => {
    const { get, EDGE_HEADERS } = await build();
    const res = await get({ [EDGE_HEADERS.originHeader]: 'the-origin-secret', [EDGE_HEADERS.hostHeader]: 'd111111abcdef8.cloudfront.net' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ issuer: 'https://d111111abcdef8.cloudfront.net', token_endpoint: 'https://d111111abcdef8.cloudfront.net/token' });
    const bad = await get({ [EDGE_HEADERS.originHeader]: 'the-origin-secret', [EDGE_HEADERS.hostHeader]: 'evil.example/path' });
    expect(bad.status).toBe(500);
  });
});
