/** The OP emulator keeps the Digital Agency's rules: a test of the test tool. */
import { LocalSigner } from '../../../lambdas/federation-proxy/crypto/signer';
import { startOpEmulator, type RunningEmulator } from '../../../tools/stand-ins/op-emulator/emulator';

let op: RunningEmulator;
const redirect = 'http://127.0.0.1:9/callback';
beforeAll(async () => {
  const signer = LocalSigner.generate('RS256');
  op = await startOpEmulator({ clients: [{ client_id: 'RP00000001', redirect_uris: [redirect], jwks: { keys: [await signer.publicJwk()] } }] });
});
afterAll(() => op.close());

const authorize = (params: Record<string, string>) => {
  const u = new URL(`${op.issuer}/protocol/openid-connect/auth`);
  u.search = new URLSearchParams({ response_type: 'code', client_id: 'RP00000001', redirect_uri: redirect, scope: 'openid name', state: 's', nonce: 'n', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', ...params }).toString();
  return fetch(u, { redirect: 'manual' });
};

test('discovery: Keycloak-style issuer and paths, code flow, S256, private_key_jwt, pairwise, the four scopes', async () => {
  const d = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  expect(d).toMatchObject({
    issuer: op.issuer,
    authorization_endpoint: `${op.issuer}/protocol/openid-connect/auth`,
    token_endpoint: `${op.issuer}/protocol/openid-connect/token`,
    userinfo_endpoint: `${op.issuer}/protocol/openid-connect/userinfo`,
    jwks_uri: `${op.issuer}/protocol/openid-connect/certs`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    subject_types_supported: ['pairwise'],
  });
  expect(d.scopes_supported).toEqual(expect.arrayContaining(['openid', 'name', 'address', 'birthdate', 'gender']));
  expect(op.issuer).toMatch(/^http:\/\/localhost:\d+\/api\/realms\/main$/);
});

test('a valid request reaches the test-response page', async () => {
  const res = await authorize({});
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toMatch(/^\/interaction\//);
});

test.each([
  ['no PKCE', { code_challenge: '', code_challenge_method: '' }],
  ['PKCE plain', { code_challenge_method: 'plain', code_challenge: 'x'.repeat(43) }],
  ['response_type token', { response_type: 'token' }],
])('%s is refused', async (_name, params) => {
  const res = await authorize(params);
  const location = res.headers.get('location') ?? '';
  const refused = res.status === 400 || /[?&#]error=/.test(location);
  expect(refused).toBe(true);
  expect(location).not.toMatch(/^\/interaction\//);
});

test.each(['state', 'nonce'])('a request without %s is refused', async (name) => {
  const res = await authorize({ [name]: '' });
  expect(res.status).toBe(400);
  expect(await res.text()).toContain(`${name} is required`);
});

test('client_secret_post is not accepted at the token endpoint', async () => {
  const res = await fetch(`${op.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: redirect, client_id: 'RP00000001', client_secret: 'secret' }),
  });
  expect(res.status).toBe(401);
  expect(((await res.json()) as { error: string }).error).toBe('invalid_client');
});

describe('the OP session: a second sign-in, prompt=login, switching person', () => {
  const signedInBrowser = async () => {
    const { Browser, signInThroughTestPage } = await import('../../../tools/stand-ins/rp-driver/browser');
    const browser = new Browser();
    const u = new URL(`${op.issuer}/protocol/openid-connect/auth`);
    u.search = new URLSearchParams({ response_type: 'code', client_id: 'RP00000001', redirect_uri: redirect, scope: 'openid name', state: 's', nonce: 'n', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }).toString();
    await signInThroughTestPage(browser, u.toString(), { person: 'test-0002' }, (url) => url.startsWith(redirect));
    /** Where the next authorization request of this browser leads first. */
    const next = async (extra: Record<string, string> = {}) => {
      const v = new URL(u);
      for (const [k, x] of Object.entries(extra)) v.searchParams.set(k, x);
      const r = await browser.follow(v.toString(), (url) => url.startsWith(redirect) || url.includes('/interaction/'));
      return r.url.includes('/interaction/') ? 'test-response page' : 'straight back with a code';
    };
    return { browser, next };
  };

  test('without prompt=login a second sign-in continues as the same test person (documented), with it the page comes back', async () => {
    const { next } = await signedInBrowser();
    expect(await next()).toBe('straight back with a code');
    expect(await next({ prompt: 'login' })).toBe('test-response page');
  });

  test('the emulator root shows whose session this browser holds, and "switch person" ends it', async () => {
    const { browser, next } = await signedInBrowser();
    const root = await browser.request(`${op.origin}/`);
    const html = await root.text();
    expect(root.status).toBe(200);
    expect(html).toContain('<meta name="viewport"');
    expect(html).toContain('番号 花子');
    const switched = await browser.request(`${op.origin}/switch-person`, { method: 'POST' });
    expect(switched.status).toBe(303);
    expect(await next()).toBe('test-response page');
    expect(await (await browser.request(`${op.origin}/`)).text()).toContain('このブラウザーに OP のセッションはありません');
  });

  test('an unknown path is a page that says what this is, with a 404', async () => {
    const res = await fetch(`${op.origin}/nothing-here`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('デジタル認証アプリ（エミュレーター）');
  });
});
