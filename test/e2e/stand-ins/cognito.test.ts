/**
 * The Cognito stand-in over real HTTP on localhost, configured from synthesized templates:
 * it follows the template, speaks the OAuth endpoints and the user pool API as Cognito does
 * (the real AWS SDK client against it), and runs a pool's trigger from its bundled code.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
  CognitoIdentityProviderClient,
  GetUserCommand,
  ListUsersCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { STAND_IN_CREDENTIALS } from '../../../tools/stand-ins/aws/aws-stand-in';
import { startCognitoStandIn, type RunningStandIn } from '../../../tools/stand-ins/cognito/stand-in';
import type { CfnTemplate } from '../../../tools/stand-ins/cognito/template';
import { b64url, browserCookieOf, passwordSignIn, PASSWORD } from '../../helpers/cognito';
import { minimalTenant, synthTenant, tempDir } from '../../helpers/tenants';

const local = { region: 'ap-northeast-1', account: '123456789012', functionUrl: () => 'http://127.0.0.1:9/', secret: () => 'local-secret' };

function tenant(change: (t: Record<string, any>) => void = () => undefined) {
  const t = minimalTenant();
  t.appClients = [
    { name: 'web', public: true, callbackUrls: ['http://localhost:5001/cb'], logoutUrls: ['http://localhost:5001/'] },
    { name: 'admin', callbackUrls: ['http://localhost:5002/cb'], scopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'] },
  ];
  change(t);
  return t;
}
const templateOf = (t: Record<string, any>) => synthTenant(t).template.toJSON() as CfnTemplate;

/** The template with email codes as a first factor (a tenant of this product needs SES for them). */
function withEmailOtp(template: CfnTemplate): CfnTemplate {
  const pool = Object.values(template.Resources).find((r) => r.Type === 'AWS::Cognito::UserPool')!;
  (pool.Properties!.Policies as { SignInPolicy: { AllowedFirstAuthFactors: string[] } }).SignInPolicy.AllowedFirstAuthFactors = ['PASSWORD', 'EMAIL_OTP'];
  return template;
}

async function standIn(template: CfnTemplate, assemblyDir?: string) {
  return startCognitoStandIn({ template, assemblyDir, local });
}

function confirmedUser(s: RunningStandIn, email: string) {
  const u = s.users.createNative(email, PASSWORD);
  u.status = 'CONFIRMED';
  u.attributes.set('email_verified', 'true');
  return u;
}

const sdk = (s: RunningStandIn, credentials = STAND_IN_CREDENTIALS) =>
  new CognitoIdentityProviderClient({ region: 'ap-northeast-1', endpoint: s.origin, credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken } });

describe('configured from the template', () => {
  test('a client callback URL changed in the tenant file is the one the stand-in accepts', async () => {
    const s = await standIn(templateOf(tenant((t) => (t.appClients[0].callbackUrls = ['http://localhost:5009/changed']))));
    try {
      const id = s.clients.find((c) => c.name === 'web')!.id;
      const old = await fetch(`${s.origin}/oauth2/authorize?response_type=code&client_id=${id}&redirect_uri=${encodeURIComponent('http://localhost:5001/cb')}`, { redirect: 'manual' });
      expect(old.status).toBe(400);
      expect(await old.text()).toContain('redirect_mismatch');
      const now = await fetch(`${s.origin}/oauth2/authorize?response_type=code&client_id=${id}&redirect_uri=${encodeURIComponent('http://localhost:5009/changed')}`, { redirect: 'manual' });
      expect(now.status).toBe(302);
      expect(now.headers.get('location')).toMatch(/^\/login\?tx=/);
    } finally {
      await s.close();
    }
  });

  test('pool, clients and identity provider are read as CloudFormation resolves them', async () => {
    const t = tenant();
    t.jpki = { environment: 'sandbox', clientId: 'RP00000009' };
    const s = await standIn(templateOf(t));
    try {
      expect(s.model.pool.id).toMatch(/^ap-northeast-1_[0-9A-Za-z]{9}$/);
      expect(s.model.pool.passwordPolicy.minimumLength).toBe(12);
      const admin = s.model.clients.find((c) => c.name === 'admin')!;
      expect(admin.generateSecret).toBe(true);
      expect(s.clients.find((c) => c.name === 'admin')!.secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      expect(admin.validity).toEqual({ idToken: 3600, accessToken: 3600, refreshToken: 30 * 86400 });
      const idp = s.model.identityProviders[0]!;
      expect(idp.name).toBe('DigitalAuthApp');
      expect(idp.details.client_secret).toBe('local-secret'); // the dynamic reference, resolved
      expect(idp.details.token_url).toBe('http://127.0.0.1:9/token'); // the function URL, local
      expect(idp.attributeMapping.username).toBe('sub');
    } finally {
      await s.close();
    }
  });

  test('a template without exactly one user pool is refused with a message that says so', async () => {
    await expect(standIn({ Resources: {} })).rejects.toThrow('template: expected one AWS::Cognito::UserPool, found 0');
  });
});

describe('OAuth endpoints', () => {
  let s: RunningStandIn;
  beforeAll(async () => {
    s = await standIn(templateOf(tenant()));
    confirmedUser(s, 'ichiro@example.jp');
  });
  afterAll(() => s.close());

  test('code with PKCE → tokens with Cognito claim sets; the code works once', async () => {
    const r = await passwordSignIn(s, 'web', 'ichiro@example.jp');
    expect(r.status).toBe(200);
    expect(r.state).toBe('s1');
    const id = decodeJwt(r.tokens.id_token!);
    const access = decodeJwt(r.tokens.access_token!);
    const user = s.users.bySignInName('ichiro@example.jp')!;
    expect(id).toMatchObject({ iss: s.issuer, token_use: 'id', 'cognito:username': user.username, sub: user.attributes.get('sub'), email: 'ichiro@example.jp', email_verified: true, aud: s.clients[0]!.id });
    expect(access).toMatchObject({ iss: s.issuer, token_use: 'access', client_id: s.clients[0]!.id, username: user.username, scope: 'openid email profile', version: 2 });
    expect(id.auth_time).toBe(access.auth_time);
    expect(id.origin_jti).toBe(access.origin_jti);
    const again = await fetch(`${s.origin}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code: r.code, redirect_uri: 'http://localhost:5001/cb', client_id: s.clients[0]!.id, code_verifier: r.verifier }) });
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: 'invalid_grant' });
  });

  test('refresh keeps auth_time and origin_jti, and returns no new refresh token (no rotation)', async () => {
    const r = await passwordSignIn(s, 'web', 'ichiro@example.jp');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const t = await fetch(`${s.origin}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: r.tokens.refresh_token!, client_id: s.clients[0]!.id }) });
    const refreshed = (await t.json()) as Record<string, string>;
    expect(refreshed.refresh_token).toBeUndefined();
    const before = decodeJwt(r.tokens.id_token!);
    const after = decodeJwt(refreshed.id_token!);
    expect(after.auth_time).toBe(before.auth_time);
    expect(after.origin_jti).toBe(before.origin_jti);
    expect(after.iat).toBeGreaterThan(before.iat!);
  });

  test('a wrong PKCE verifier, a confidential client without its secret, and an unknown grant type are refused', async () => {
    const wrongVerifier = await passwordSignIn(s, 'web', 'ichiro@example.jp', { redeemWith: b64url(randomBytes(32)) });
    expect(wrongVerifier).toMatchObject({ status: 400, tokens: { error: 'invalid_grant' } });
    const noSecret = await fetch(`${s.origin}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', client_id: s.clients[1]!.id }) });
    expect(await noSecret.json()).toEqual({ error: 'invalid_client' });
    const grant = await fetch(`${s.origin}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', client_id: s.clients[0]!.id }) });
    expect(await grant.json()).toEqual({ error: 'unsupported_grant_type' });
  });

  test('userInfo answers for a valid access token and refuses a forged one', async () => {
    const r = await passwordSignIn(s, 'web', 'ichiro@example.jp');
    const ok = await fetch(`${s.origin}/oauth2/userInfo`, { headers: { authorization: `Bearer ${r.tokens.access_token}` } });
    expect(await ok.json()).toMatchObject({ email: 'ichiro@example.jp', email_verified: 'true' });
    const [h, p] = r.tokens.access_token!.split('.');
    const forged = await fetch(`${s.origin}/oauth2/userInfo`, { headers: { authorization: `Bearer ${h}.${p}.${'A'.repeat(342)}` } });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  test('authorize errors: unknown client (page), scope not allowed and prompt=none without a session (redirects)', async () => {
    const unknown = await fetch(`${s.origin}/oauth2/authorize?response_type=code&client_id=nope&redirect_uri=x`);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('client_id is missing or not a client of this user pool');
    const base = { response_type: 'code', client_id: s.clients[0]!.id, redirect_uri: 'http://localhost:5001/cb', state: 'z' };
    const scope = await fetch(`${s.origin}/oauth2/authorize?${new URLSearchParams({ ...base, scope: 'openid aws.cognito.signin.user.admin' })}`, { redirect: 'manual' });
    expect(scope.headers.get('location')).toBe('http://localhost:5001/cb?error=invalid_scope&state=z');
    const none = await fetch(`${s.origin}/oauth2/authorize?${new URLSearchParams({ ...base, prompt: 'none' })}`, { redirect: 'manual' });
    expect(none.headers.get('location')).toBe('http://localhost:5001/cb?error=login_required&state=z');
  });

  test('logout accepts only a sign-out URL of the client and ends the session', async () => {
    const id = s.clients[0]!.id;
    const bad = await fetch(`${s.origin}/logout?client_id=${id}&logout_uri=${encodeURIComponent('https://evil.example/')}`, { redirect: 'manual' });
    expect(bad.status).toBe(400);
    const ok = await fetch(`${s.origin}/logout?client_id=${id}&logout_uri=${encodeURIComponent('http://localhost:5001/')}`, { redirect: 'manual' });
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('http://localhost:5001/');
    expect(ok.headers.get('set-cookie')).toMatch(/^cognito=; Max-Age=0/);
  });
});

describe('user pool API through the AWS SDK', () => {
  let s: RunningStandIn;
  beforeAll(async () => {
    const t = tenant();
    t.jpki = { environment: 'sandbox', clientId: 'RP00000009' };
    // The identity provider is what these tests need; its trigger (synthesized here without
    // bundling, so without code to run) is tested with the sandbox.
    const template = templateOf(t);
    delete Object.values(template.Resources).find((r) => r.Type === 'AWS::Cognito::UserPool')!.Properties!.LambdaConfig;
    s = await standIn(template);
    confirmedUser(s, 'jiro@example.jp');
    confirmedUser(s, 'saburo@example.jp');
  });
  afterAll(() => s.close());

  test('GetUser and UpdateUserAttributes need the aws.cognito.signin.user.admin scope', async () => {
    const web = await passwordSignIn(s, 'web', 'jiro@example.jp');
    await expect(sdk(s).send(new GetUserCommand({ AccessToken: web.tokens.access_token }))).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Access Token does not have required scopes' });
    const admin = await passwordSignIn(s, 'admin', 'jiro@example.jp');
    const me = await sdk(s).send(new GetUserCommand({ AccessToken: admin.tokens.access_token }));
    expect(me.UserAttributes).toContainEqual({ Name: 'email', Value: 'jiro@example.jp' });
    await sdk(s).send(new UpdateUserAttributesCommand({ AccessToken: admin.tokens.access_token, UserAttributes: [{ Name: 'name', Value: '偽 太郎' }] }));
    expect(s.users.bySignInName('jiro@example.jp')!.attributes.get('name')).toBe('偽 太郎');
    await expect(sdk(s).send(new UpdateUserAttributesCommand({ AccessToken: admin.tokens.access_token, UserAttributes: [{ Name: 'custom:nope', Value: 'x' }] }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(sdk(s).send(new GetUserCommand({ AccessToken: 'not-a-token' }))).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Invalid Access Token' });
  });

  test('Admin actions need a valid SigV4 signature and the pool id', async () => {
    const wrong = { ...STAND_IN_CREDENTIALS, secretAccessKey: 'wrong' };
    await expect(sdk(s, wrong).send(new AdminGetUserCommand({ UserPoolId: s.model.pool.id, Username: 'jiro@example.jp' }))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    await expect(sdk(s).send(new AdminGetUserCommand({ UserPoolId: 'ap-northeast-1_other', Username: 'jiro@example.jp' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const u = await sdk(s).send(new AdminGetUserCommand({ UserPoolId: s.model.pool.id, Username: 'jiro@example.jp' }));
    expect(u.UserStatus).toBe('CONFIRMED');
    await expect(sdk(s).send(new AdminGetUserCommand({ UserPoolId: s.model.pool.id, Username: 'nobody@example.jp' }))).rejects.toMatchObject({ name: 'UserNotFoundException' });
    const list = await sdk(s).send(new ListUsersCommand({ UserPoolId: s.model.pool.id, Filter: 'email ^= "sab"' }));
    expect(list.Users?.map((x) => x.Attributes?.find((a) => a.Name === 'email')?.Value)).toEqual(['saburo@example.jp']);
    await expect(sdk(s).send(new ListUsersCommand({ UserPoolId: s.model.pool.id, Filter: 'address = "x"' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  test('AdminLinkProviderForUser: links an unused identity, refuses a used one, a second link and more than 5', async () => {
    const pool = s.model.pool.id;
    const jiro = s.users.bySignInName('jiro@example.jp')!;
    const link = (sub: string, username = jiro.username) =>
      sdk(s).send(new AdminLinkProviderForUserCommand({ UserPoolId: pool, DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: username }, SourceUser: { ProviderName: 'DigitalAuthApp', ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: sub } }));
    await link('pairwise-1');
    expect(s.users.byIdentity('DigitalAuthApp', 'pairwise-1').linkedTo?.username).toBe(jiro.username);
    expect(JSON.parse(jiro.attributes.get('identities')!)).toEqual([expect.objectContaining({ providerName: 'DigitalAuthApp', userId: 'pairwise-1', primary: 'false' })]);
    await expect(link('pairwise-1', s.users.bySignInName('saburo@example.jp')!.username)).rejects.toMatchObject({ name: 'AliasExistsException' });
    s.users.createFederated('DigitalAuthApp', 'OIDC', 'pairwise-used', {});
    await expect(link('pairwise-used')).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('has not been used to sign in') });
    for (const n of [2, 3, 4, 5]) await link(`pairwise-${n}`);
    await expect(link('pairwise-6')).rejects.toMatchObject({ name: 'LimitExceededException' });
  });

  test('bad requests get the protocol error shape, never a crash', async () => {
    const post = (target: string, body: string) => fetch(s.origin, { method: 'POST', headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' }, body });
    const unknown = await post('AWSCognitoIdentityProviderService.DeleteUserPool', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ __type: 'UnknownOperationException', message: 'The stand-in does not implement DeleteUserPool' });
    const bad = await post('AWSCognitoIdentityProviderService.GetUser', '{not json');
    expect(await bad.json()).toMatchObject({ __type: 'SerializationException' });
  });
});

describe('triggers from the cloud assembly', () => {
  /** A template whose pool has a pre token generation V2 trigger, with its "bundled" code in an assembly folder. */
  function withTrigger(code: string, timeout = 5) {
    const template = templateOf(tenant());
    const dir = tempDir('myna-idp-assembly-');
    fs.mkdirSync(path.join(dir, 'asset.trigger'));
    fs.writeFileSync(path.join(dir, 'asset.trigger', 'index.mjs'), code);
    template.Resources.TokenTrigger = { Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler', Runtime: 'nodejs22.x', Timeout: timeout, Code: { S3Bucket: 'b', S3Key: 'trigger.zip' }, Environment: { Variables: { CLAIM_VALUE: 'from-env' } } } };
    const pool = Object.values(template.Resources).find((r) => r.Type === 'AWS::Cognito::UserPool')!;
    pool.Properties!.LambdaConfig = { PreTokenGenerationConfig: { LambdaArn: { 'Fn::GetAtt': ['TokenTrigger', 'Arn'] }, LambdaVersion: 'V2_0' } };
    return { template, dir };
  }

  test('pre token generation V2 runs with the documented event and can add claims but not reserved ones', async () => {
    const { template, dir } = withTrigger(`
      export const handler = async (event) => {
        event.response = { claimsAndScopeOverrideDetails: {
          idTokenGeneration: { claimsToAddOrOverride: { seen: JSON.stringify({ v: event.version, src: event.triggerSource, pool: event.userPoolId, client: event.callerContext.clientId, scopes: event.request.scopes, email: event.request.userAttributes.email }), env: process.env.CLAIM_VALUE, acr: 'forged', auth_time: 1 } },
          accessTokenGeneration: { claimsToAddOrOverride: { tier: 'gold' }, scopesToAdd: ['extra'] },
        } };
        return event;
      };`);
    const s = await standIn(template, dir);
    try {
      confirmedUser(s, 'shiro@example.jp');
      const r = await passwordSignIn(s, 'web', 'shiro@example.jp');
      const id = decodeJwt(r.tokens.id_token!);
      expect(JSON.parse(String(id.seen))).toEqual({ v: '2', src: 'TokenGeneration_HostedAuth', pool: s.model.pool.id, client: s.clients[0]!.id, scopes: ['openid', 'email', 'profile'], email: 'shiro@example.jp' });
      expect(id.env).toBe('from-env');
      expect(id.acr).toBeUndefined();
      expect(id.auth_time).not.toBe(1);
      const access = decodeJwt(r.tokens.access_token!);
      expect(access.tier).toBe('gold');
      expect(access.scope).toBe('openid email profile extra');
    } finally {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('one slow invocation does not fail the others: each runs in its own execution environment', async () => {
    const { template, dir } = withTrigger(`export const handler = async (event) => { if (event.request.userAttributes.email.startsWith('slow')) await new Promise(r => setTimeout(r, 10000)); return event; };`, 30);
    const s = await standIn(template, dir);
    try {
      confirmedUser(s, 'slow2@example.jp');
      confirmedUser(s, 'quick@example.jp');
      const [slow, quick] = await Promise.all([passwordSignIn(s, 'web', 'slow2@example.jp'), passwordSignIn(s, 'web', 'quick@example.jp')]);
      expect(slow.tokens.error_description).toBe('PreTokenGeneration failed with error Task timed out after 5.00 seconds.');
      expect(quick.status).toBe(200);
    } finally {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a trigger that throws or runs past 5 seconds fails the token request with Cognito\'s message', async () => {
    const { template, dir } = withTrigger(`export const handler = async (event) => { if (event.request.userAttributes.email.startsWith('slow')) await new Promise(r => setTimeout(r, 10000)); throw new Error('no tokens today'); };`, 30);
    const s = await standIn(template, dir);
    try {
      confirmedUser(s, 'fail@example.jp');
      confirmedUser(s, 'slow@example.jp');
      const failed = await passwordSignIn(s, 'web', 'fail@example.jp');
      expect(failed.status).toBe(400);
      expect(failed.tokens).toEqual({ error: 'invalid_request', error_description: 'PreTokenGeneration failed with error no tokens today.' });
      const slow = await passwordSignIn(s, 'web', 'slow@example.jp');
      expect(slow.tokens.error_description).toBe('PreTokenGeneration failed with error Task timed out after 5.00 seconds.');
    } finally {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bad input and attacks', () => {
  let s: RunningStandIn;
  beforeAll(async () => {
    s = await standIn(withEmailOtp(templateOf(tenant())));
  });
  afterAll(() => s.close());

  test('a sign-up code is not a sign-in code: an unconfirmed user cannot sign in with it', async () => {
    const u = s.users.createNative('unconf@example.jp', PASSWORD);
    u.confirmationCode = { code: '123456', expires: Date.now() + 60_000 };
    const start = await fetch(`${s.origin}/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: s.clients[0]!.id, redirect_uri: 'http://localhost:5001/cb' })}`, { redirect: 'manual' });
    const tx = new URL(start.headers.get('location')!, s.origin).searchParams.get('tx')!;
    const r = await fetch(`${s.origin}/login/email-otp/verify`, { method: 'POST', body: new URLSearchParams({ tx, username: u.username, code: '123456' }), redirect: 'manual', headers: { cookie: browserCookieOf(start) } });
    expect(r.status).toBe(400);
  });

  test('a refresh token revoked at /oauth2/revoke no longer refreshes', async () => {
    confirmedUser(s, 'revoke@example.jp');
    const r = await passwordSignIn(s, 'web', 'revoke@example.jp');
    const id = s.clients[0]!.id;
    const revoked = await fetch(`${s.origin}/oauth2/revoke`, { method: 'POST', body: new URLSearchParams({ token: r.tokens.refresh_token!, client_id: id }) });
    expect(revoked.status).toBe(200);
    const refresh = await fetch(`${s.origin}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: r.tokens.refresh_token!, client_id: id }) });
    expect(await refresh.json()).toEqual({ error: 'invalid_grant' });
  });

  test('malformed client credentials, a form that is not one, a JSON null and a huge body get errors, never a crash', async () => {
    const token = (headers: Record<string, string>, body: string) => fetch(`${s.origin}/oauth2/token`, { method: 'POST', headers, body });
    const basic = await token({ authorization: `Basic ${Buffer.from('%zz:%').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=authorization_code');
    expect([basic.status, await basic.json()]).toEqual([400, { error: 'invalid_client' }]);
    const multipart = await token({ 'content-type': 'multipart/form-data; boundary=x' }, 'junk');
    expect([multipart.status, await multipart.json()]).toEqual([400, { error: 'invalid_request' }]);
    const api = await fetch(s.origin, { method: 'POST', headers: { 'x-amz-target': 'AWSCognitoIdentityProviderService.AdminGetUser' }, body: 'null' });
    expect(await api.json()).toMatchObject({ __type: 'SerializationException' });
    const huge = await token({ 'content-type': 'application/x-www-form-urlencoded' }, 'x'.repeat(2 * 1024 * 1024));
    expect(huge.status).toBe(413);
  });

});

describe('managed login sessions and email codes', () => {
  let s: RunningStandIn;
  beforeAll(async () => {
    s = await standIn(withEmailOtp(templateOf(tenant())));
    confirmedUser(s, 'goro@example.jp');
  });
  afterAll(() => s.close());

  const authorize = (extra: Record<string, string>, cookie = '') =>
    fetch(`${s.origin}/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: s.clients[0]!.id, redirect_uri: 'http://localhost:5001/cb', ...extra })}`, { redirect: 'manual', headers: { cookie } });

  test('an email code signs in; the session then returns a code without the page, unless max_age or prompt=login ask again', async () => {
    const start = await authorize({});
    const tx = new URL(start.headers.get('location')!, s.origin).searchParams.get('tx')!;
    const browser = browserCookieOf(start);
    const post = (path: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${s.origin}${path}`, { method: 'POST', body: new URLSearchParams(body), redirect: 'manual', headers: { cookie: browser, ...headers } });
    const sent = await post('/login/email-otp', { tx, email: 'goro@example.jp' });
    expect(sent.status).toBe(200);
    const mail = s.mailbox.at(-1)!;
    expect(mail).toMatchObject({ to: 'goro@example.jp', purpose: 'sign-in code' });
    const code = /\b(\d{8})\b/.exec(mail.body)![1]!;
    const username = s.users.bySignInName('goro@example.jp')!.username;
    const wrong = await post('/login/email-otp/verify', { tx, username, code: '00000000' === code ? '11111111' : '00000000' });
    expect(wrong.status).toBe(400);
    // The same form posted from another site, or in another browser (no binding cookie), signs nobody in.
    expect((await post('/login/email-otp/verify', { tx, username, code }, { origin: 'http://localhost:6666' })).status).toBe(403);
    expect((await fetch(`${s.origin}/login/email-otp/verify`, { method: 'POST', body: new URLSearchParams({ tx, username, code }), redirect: 'manual' })).status).toBe(400);
    const ok = await post('/login/email-otp/verify', { tx, username, code });
    expect(ok.headers.get('location')).toMatch(/^http:\/\/localhost:5001\/cb\?code=/);
    const cookie = ok.headers.get('set-cookie')!.split(';')[0]!;
    expect((await authorize({}, cookie)).headers.get('location')).toMatch(/^http:\/\/localhost:5001\/cb\?code=/);
    expect((await authorize({ prompt: 'login' }, cookie)).headers.get('location')).toMatch(/^\/login\?tx=/);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await authorize({ max_age: '0' }, cookie)).headers.get('location')).toMatch(/^\/login\?tx=/);
  });
});
