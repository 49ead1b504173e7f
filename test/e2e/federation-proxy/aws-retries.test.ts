/**
 * The proxy's Lambda entry point on a throttled AWS (the local stand-in answers an operation's
 * first call with a ThrottlingException): each sign-in step still succeeds, one retry later, with
 * the client as the handler builds it (real waits: under a second each).
 */
import { tenantSchema } from '../../../lib/config/schema';
import { proxyConfigOf } from '../../../lib/jpki/proxy-config';
import { standInEnvironment, startAwsStandIn, type AwsStandIn } from '../../../tools/stand-ins/aws/aws-stand-in';
import { minimalTenant } from '../../helpers/tenants';

const DOMAIN = 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.ap-northeast-1.on.aws';
const CLIENT_SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:client';
const SEALING_SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:sealing';
const TOKEN_KEY = 'arn:aws:kms:ap-northeast-1:111122223333:key/token';

const urlEvent = (rawPath: string, query = '') => ({
  version: '2.0',
  routeKey: '$default',
  rawPath,
  rawQueryString: query,
  headers: { host: DOMAIN },
  requestContext: { domainName: DOMAIN, http: { method: 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' }, requestId: 'r', routeKey: '$default', stage: '$default', time: '', timeEpoch: 0, accountId: 'anonymous', apiId: 'x', domainPrefix: 'x' },
  isBase64Encoded: false,
});

let handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;
let aws: AwsStandIn;

beforeAll(async () => {
  aws = await startAwsStandIn();
  aws.addKey('arn:aws:kms:ap-northeast-1:111122223333:key/client', 'RSA_2048');
  aws.addKey(TOKEN_KEY, 'ECC_NIST_P256');
  aws.putSecret(SEALING_SECRET_ARN, 'sealing-secret-sealing-secret-sealing-secret-sealing-secret');
  aws.putSecret(CLIENT_SECRET_ARN, JSON.stringify({ client_secret: 's3cret' }));
  const tenant = tenantSchema.parse({ ...minimalTenant(), jpki: { environment: 'sandbox', clientId: 'RP00000002' } });
  Object.assign(process.env, {
    PROXY_CONFIG: JSON.stringify(proxyConfigOf(tenant as typeof tenant & { jpki: NonNullable<typeof tenant.jpki> })),
    CLIENT_ASSERTION_KEY_ID: 'arn:aws:kms:ap-northeast-1:111122223333:key/client',
    TOKEN_SIGNING_KEY_ID: TOKEN_KEY,
    CLIENT_SECRET_ARN,
    SEALING_SECRET_ARN,
    LOG_LEVEL: 'ERROR',
    ...standInEnvironment(aws.endpoint),
  });
  ({ handler } = (await import('../../../lambdas/federation-proxy/handler')) as unknown as { handler: typeof handler });
});
afterAll(() => aws.close());

const attempts = (target: string) => aws.calls.filter((c) => c.endsWith(` ${target}`)).length;

test('the first sign-in of a cold instance: the secrets are read although Secrets Manager throttles the first read', async () => {
  aws.failNext('secretsmanager.GetSecretValue', 429);
  const q = new URLSearchParams({ client_id: 'myna-idp-acme', redirect_uri: 'https://acme-login.auth.ap-northeast-1.amazoncognito.com/oauth2/idpresponse', response_type: 'code', scope: 'openid', state: 'st' });
  const r = await handler(urlEvent('/authorize', q.toString()), {});
  expect(r.statusCode).toBe(302);
  expect(new URL(r.headers.location!).searchParams.get('code_challenge_method')).toBe('S256');
  // Both secrets, AWSCURRENT and AWSPREVIOUS, once each, and the throttled read once more.
  expect(attempts('secretsmanager.GetSecretValue')).toBe(5);
});

test('the token key Cognito verifies ID tokens with: published although KMS throttles GetPublicKey once (HTTP 400, as KMS answers it)', async () => {
  aws.failNext('TrentService.GetPublicKey', { status: 400, type: 'ThrottlingException' });
  const r = await handler(urlEvent('/jwks'), {});
  expect(r.statusCode).toBe(200);
  expect(JSON.parse(r.body).keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256' })]);
  expect(attempts('TrentService.GetPublicKey')).toBe(2);
});
