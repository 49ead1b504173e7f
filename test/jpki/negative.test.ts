/**
 * Everything that must fail, over real HTTP: every rule of oidc-rules.md (the emulator serves
 * the bad tokens), tampered and expired sealed values, wrong client credentials, unregistered
 * redirect URIs, a replayed code, and an OP that is down, slow or answers garbage.
 * Each failure is a clean OAuth error (never a stack trace) and a security event.
 */
import { createRemoteJWKSet } from 'jose';
import { Sealer } from '../../lambdas/shared/sealing';
import { SEALING_SECRET_ID } from '../../tools/local/proxy-server';
import type { EmulatorFaults } from '../../tools/op-emulator/emulator';
import { Browser } from '../../tools/rp-driver/browser';
import { startFederation, type Federation } from '../helpers/federation';

const now = () => Math.floor(Date.now() / 1000);

/** Cognito's token request to the proxy, raw. */
async function redeem(f: Federation, code: string, change: Record<string, string | undefined> = {}) {
  const s = f.rp.settings;
  const params: Record<string, string | undefined> = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: s.redirectUri,
    client_id: s.clientId,
    client_secret: s.clientSecret,
    ...change,
  };
  const body = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
  const res = await fetch(s.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const text = await res.text();
  expect(text).not.toMatch(/\n\s+at |Error: /); // never a stack trace
  return { status: res.status, body: JSON.parse(text) as Record<string, string> };
}

/** A browser sign-in up to idpresponse; returns the sealed code Cognito would redeem. */
async function codeFor(f: Federation, person = 'test-0001'): Promise<string> {
  const r = await f.rp.authorize({ person });
  const code = r.url.searchParams.get('code');
  if (!code) throw new Error(`no code: ${r.url}`);
  return code;
}

const lastEvent = (f: Federation) => f.proxy.events[f.proxy.events.length - 1];

describe('ID token validation (OIDC Core 3.1.3.7)', () => {
  let f: Federation;
  beforeAll(async () => {
    f = await startFederation({ opAlg: 'RS256', jwksCooldownMs: 200 });
  });
  afterAll(() => f.close());
  afterEach(() => {
    f.op.faults = {};
  });

  const cases: Array<[string, EmulatorFaults, string]> = [
    ['iss is another issuer', { idTokenClaims: { iss: 'https://evil.example/api/realms/main' } }, 'issuer_mismatch'],
    ['aud is another client', { idTokenClaims: { aud: 'RP99999999' } }, 'audience_mismatch'],
    ['aud holds an untrusted audience besides ours', { idTokenClaims: { aud: ['RP00000001', 'RP99999999'], azp: 'RP00000001' } }, 'audience_mismatch'],
    ['azp is another client', { idTokenClaims: { azp: 'RP99999999' } }, 'azp_mismatch'],
    ['signed with a key that is not the OP’s', { idTokenSigning: 'foreign-key' }, 'signature_invalid'],
    ['alg none', { idTokenSigning: 'none' }, 'algorithm_not_allowed'],
    ['HS256 keyed with the OP’s public key', { idTokenSigning: 'hs256-with-public-key' }, 'algorithm_not_allowed'],
    ['a kid the OP never published', { idTokenSigning: 'unknown-kid' }, 'unknown_key'],
    ['expired', { idTokenClaims: { exp: now() - 3600 } }, 'expired'],
    ['iat far in the future', { idTokenClaims: { iat: now() + 3600 } }, 'iat_invalid'],
    ['iat missing', { idTokenClaims: { iat: undefined } }, 'iat_invalid'],
    ['nonce of another request', { idTokenClaims: { nonce: 'not-the-nonce-we-sent' } }, 'nonce_mismatch'],
    ['nonce missing', { idTokenClaims: { nonce: undefined } }, 'nonce_mismatch'],
    ['sub longer than 255 characters', { idTokenClaims: { sub: 'x'.repeat(256) } }, 'sub_invalid'],
    ['sub not ASCII', { idTokenClaims: { sub: 'テスト利用者' } }, 'sub_invalid'],
    ['at_hash of another access token', { idTokenClaims: { at_hash: 'AAAAAAAAAAAAAAAAAAAAAA' } }, 'at_hash_mismatch'],
    ['at_hash missing although required', { idTokenClaims: { at_hash: undefined } }, 'at_hash_missing'],
  ];

  test.each(cases)('%s: rejected before anything reaches Cognito', async (_name, faults, reason) => {
    const code = await codeFor(f);
    f.op.faults = faults;
    const r = await redeem(f, code);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'invalid_grant', error_description: `the ID token of the My Number Card service was rejected (${reason})` });
    expect(lastEvent(f)).toEqual({ type: 'token.id_token_rejected', reason, severity: 'critical', tenantId: 'acme' });
  });

  test('an algorithm outside the configured allowlist is rejected', async () => {
    const strict = await startFederation({ opAlg: 'RS256', jpki: { idTokenAlgorithms: ['ES256'] } });
    try {
      const r = await redeem(strict, await codeFor(strict));
      expect(r.body.error_description).toBe('the ID token of the My Number Card service was rejected (algorithm_not_allowed)');
    } finally {
      await strict.close();
    }
  });

  test('unknown claims are ignored', async () => {
    const code = await codeFor(f);
    f.op.faults = { idTokenClaims: { 'https://example.jp/claims/unknown': { nested: [1, 2] }, x_custom: 'y' } };
    expect((await redeem(f, code)).status).toBe(200);
  });

  test('exp just past, within the clock leeway, is accepted', async () => {
    const code = await codeFor(f);
    f.op.faults = { idTokenClaims: { exp: now() - 20 } };
    expect((await redeem(f, code)).status).toBe(200);
  });

  test('userinfo of another subject is rejected', async () => {
    const code = await codeFor(f);
    f.op.faults = { userinfoClaims: { sub: 'someone-else' } };
    const r = await redeem(f, code);
    expect(r).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'the userinfo response belongs to another subject' } });
    expect(lastEvent(f)).toMatchObject({ type: 'token.userinfo_rejected', reason: 'sub_mismatch', severity: 'critical' });
  });

  test('an unknown kid triggers one JWKS refetch, not a loop', async () => {
    await new Promise((r) => setTimeout(r, 250)); // past the cooldown
    const before = f.op.hits.jwks ?? 0;
    const codes = [await codeFor(f), await codeFor(f), await codeFor(f)];
    f.op.faults = { idTokenSigning: 'unknown-kid' };
    for (const code of codes) expect((await redeem(f, code)).body.error_description).toMatch(/unknown_key/);
    expect((f.op.hits.jwks ?? 0) - before).toBe(1);
  });

  test('a rotated OP key is picked up by a refetch', async () => {
    expect((await redeem(f, await codeFor(f))).status).toBe(200); // keys cached
    await new Promise((r) => setTimeout(r, 250));
    const code = await codeFor(f);
    f.op.faults = { idTokenSigning: 'rotated-key' };
    const r = await redeem(f, code);
    expect(r.status).toBe(200);
  });
});

describe('sealed values, client authentication, redirect URIs', () => {
  let f: Federation;
  beforeAll(async () => {
    f = await startFederation();
  });
  afterAll(() => f.close());

  test('a tampered code is rejected', async () => {
    const code = await codeFor(f);
    const i = Math.floor(code.length / 2);
    const tampered = code.slice(0, i) + (code[i] === 'A' ? 'B' : 'A') + code.slice(i + 1);
    expect(await redeem(f, tampered)).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'the code is not valid' } });
    expect(lastEvent(f)).toMatchObject({ type: 'token.code_rejected', reason: 'code_invalid' });
  });

  test('an expired code is rejected', async () => {
    const sealer = new Sealer(f.proxy.secrets, SEALING_SECRET_ID);
    const expired = await sealer.seal('code', { c: 'op-code', v: 'v'.repeat(43), n: 'n' }, -10);
    expect(await redeem(f, expired)).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'the code has expired' } });
    expect(lastEvent(f)).toMatchObject({ type: 'token.code_rejected', reason: 'code_expired' });
  });

  test('a sealed value made for another purpose is not a code', async () => {
    const sealer = new Sealer(f.proxy.secrets, SEALING_SECRET_ID);
    const accessToken = await sealer.seal('access-token', { sub: 'x' }, 60);
    expect((await redeem(f, accessToken)).body).toEqual({ error: 'invalid_grant', error_description: 'the code is not valid' });
  });

  test('a code sealed with a key the proxy does not hold is rejected', async () => {
    const { MemorySecretStore } = await import('../../lambdas/shared/secrets');
    const other = new Sealer(new MemorySecretStore({ s: { AWSCURRENT: 'another-key-entirely-another-key-entirely' } }), 's');
    expect((await redeem(f, await other.seal('code', { c: 'x', v: 'y', n: 'z' }, 60))).body.error_description).toBe('the code is not valid');
  });

  test('a code sealed before a rotation of the sealing secret still works; one from two rotations ago does not', async () => {
    const code = await codeFor(f);
    f.proxy.secrets.rotate(SEALING_SECRET_ID, 'rotated-sealing-secret-1-rotated-sealing-secret-1');
    expect((await redeem(f, code)).status).toBe(200);
    const code2 = await codeFor(f); // sealed with secret 1
    f.proxy.secrets.rotate(SEALING_SECRET_ID, 'rotated-sealing-secret-2-rotated-sealing-secret-2');
    f.proxy.secrets.rotate(SEALING_SECRET_ID, 'rotated-sealing-secret-3-rotated-sealing-secret-3');
    expect((await redeem(f, code2)).body.error_description).toBe('the code is not valid');
  });

  test('a wrong client secret', async () => {
    const r = await redeem(f, await codeFor(f), { client_secret: 'wrong' });
    expect(r).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } });
    expect(lastEvent(f)).toMatchObject({ type: 'token.client_authentication_failed', reason: 'wrong_secret' });
  });

  test('no client secret, or client_secret_basic instead of client_secret_post', async () => {
    const code = await codeFor(f);
    const r = await redeem(f, code, { client_secret: undefined });
    expect(r).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'client authentication (client_secret_post) is required' } });
  });

  test('an unknown client_id at the token endpoint', async () => {
    const r = await redeem(f, await codeFor(f), { client_id: 'someone-else' });
    expect(r.status).toBe(401);
    expect(lastEvent(f)).toMatchObject({ type: 'token.client_authentication_failed', reason: 'unknown_client' });
  });

  test('a redirect_uri at the token endpoint that is not the one of the request', async () => {
    const r = await redeem(f, await codeFor(f), { redirect_uri: 'https://evil.example/oauth2/idpresponse' });
    expect(r.body).toEqual({ error: 'invalid_grant', error_description: 'redirect_uri does not match the authorization request' });
  });

  test('another grant type', async () => {
    const r = await redeem(f, 'x', { grant_type: 'refresh_token' });
    expect(r).toEqual({ status: 400, body: { error: 'unsupported_grant_type', error_description: 'only authorization_code is supported' } });
  });

  test('a replayed code: the second redemption fails and is never retried', async () => {
    const code = await codeFor(f);
    expect((await redeem(f, code)).status).toBe(200);
    const hits = f.op.hits.token ?? 0;
    const r = await redeem(f, code);
    expect(r).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'the authorization code was rejected (expired or already used)' } });
    expect(f.op.hits.token).toBe(hits + 1);
    expect(lastEvent(f)).toMatchObject({ type: 'token.op_error', reason: 'op_rejected', opError: 'invalid_grant' });
  });

  test('a JSON body at the token endpoint', async () => {
    const res = await fetch(f.rp.settings.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_request', error_description: 'the body must be application/x-www-form-urlencoded' });
  });

  test('an oversized body', async () => {
    const res = await fetch(f.rp.settings.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `code=${'a'.repeat(20_000)}` });
    expect(res.status).toBe(413);
  });

  const authorizeUrl = (change: Record<string, string | undefined>) => {
    const u = new URL(f.rp.settings.authorizeUrl);
    const p: Record<string, string | undefined> = { client_id: f.rp.settings.clientId, redirect_uri: f.rp.settings.redirectUri, response_type: 'code', scope: 'openid', state: 'cognito-state', ...change };
    for (const [k, v] of Object.entries(p)) if (v !== undefined) u.searchParams.set(k, v);
    return u.toString();
  };

  test('an unknown client_id at /authorize: an error page, no redirect', async () => {
    const res = await fetch(authorizeUrl({ client_id: 'someone-else' }), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('unauthorized_client');
  });

  test.each([
    'https://evil.example/oauth2/idpresponse',
    'https://acme-login.auth.ap-northeast-1.amazoncognito.com/oauth2/idpresponse/../evil',
    'https://acme-login.auth.ap-northeast-1.amazoncognito.com/oauth2/idpresponse?x=1',
  ])('an unregistered redirect_uri (%s): an error page, never a redirect to it', async (redirectUri) => {
    const res = await fetch(authorizeUrl({ redirect_uri: redirectUri }), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(lastEvent(f)).toMatchObject({ type: 'authorize.rejected', reason: 'invalid_request' });
  });

  test.each([
    ['no state', { state: undefined }, 'invalid_request', 'state is required'],
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type', 'only response_type=code is supported'],
    ['no openid scope', { scope: 'profile' }, 'invalid_scope', 'scope must include openid'],
    ['a 5000-character state', { state: 'x'.repeat(5000) }, 'invalid_request', 'state is too long or holds characters that are not printable ASCII'],
  ])('a bad authorization request (%s) goes back to Cognito as an OAuth error', async (_label, change, error, description) => {
    const res = await fetch(authorizeUrl(change), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(f.rp.settings.redirectUri);
    expect(back.searchParams.get('error')).toBe(error);
    expect(back.searchParams.get('error_description')).toBe(description);
  });

  test('the transaction cookie is HttpOnly, SameSite=Lax, scoped to /callback and short-lived', async () => {
    const res = await fetch(authorizeUrl({}), { redirect: 'manual' });
    const cookie = res.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^myna_tx_[A-Za-z0-9_-]{16}=/);
    expect(cookie).toMatch(/Max-Age=600/);
    expect(cookie).toMatch(/Path=\/callback/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    // Nothing readable in it: the verifier and nonce travel encrypted.
    const value = decodeURIComponent(cookie.split(';')[0]!.split('=')[1]!);
    expect(value.split('.')).toHaveLength(5); // JWE compact
    expect(Buffer.from(value.split('.')[0]!, 'base64url').toString()).toMatch(/"alg":"dir","enc":"A256GCM"/);
  });

  async function callbackWith(state: string, cookieValue: string | undefined, extra = '') {
    const headers: Record<string, string> = {};
    if (cookieValue) headers.cookie = `myna_tx_${state.slice(0, 16)}=${cookieValue}`;
    const res = await fetch(`${f.proxy.origin}/callback?state=${encodeURIComponent(state)}&code=abc${extra}`, { headers, redirect: 'manual' });
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  }

  test('a callback without the transaction cookie (another browser, or expired)', async () => {
    const r = await callbackWith('s'.repeat(43), undefined);
    expect(r.status).toBe(400);
    expect(r.location).toBeNull();
    expect(lastEvent(f)).toMatchObject({ type: 'callback.rejected', reason: 'transaction_missing' });
  });

  test('a tampered transaction cookie', async () => {
    const res = await fetch(authorizeUrl({}), { redirect: 'manual' });
    const [pair] = res.headers.getSetCookie()[0]!.split(';');
    const value = pair!.split('=')[1]!;
    const state = new URL(res.headers.get('location')!).searchParams.get('state')!;
    const r = await callbackWith(state, `${value.slice(0, -3)}xyz`);
    expect(r.status).toBe(400);
    expect(lastEvent(f)).toMatchObject({ type: 'callback.rejected', reason: 'transaction_invalid' });
  });

  test('an expired transaction cookie', async () => {
    const sealer = new Sealer(f.proxy.secrets, SEALING_SECRET_ID);
    const state = 'e'.repeat(43);
    const expired = await sealer.seal('transaction', { s: state, n: 'n', v: 'v', cs: 'cs' }, -5);
    const r = await callbackWith(state, expired);
    expect(r.status).toBe(400);
    expect(r.text).toContain('this sign-in took too long; start again');
    expect(lastEvent(f)).toMatchObject({ type: 'callback.rejected', reason: 'transaction_expired' });
  });

  test('a transaction cookie presented with another state', async () => {
    const sealer = new Sealer(f.proxy.secrets, SEALING_SECRET_ID);
    const state = 'a'.repeat(16) + 'b'.repeat(27);
    const cookie = await sealer.seal('transaction', { s: 'a'.repeat(16) + 'c'.repeat(27), n: 'n', v: 'v', cs: 'cs' }, 60);
    const r = await callbackWith(state, cookie);
    expect(r.status).toBe(400);
    expect(lastEvent(f)).toMatchObject({ type: 'callback.rejected', reason: 'state_mismatch' });
  });

  test('the proxy access token: tampered or absent at /userinfo', async () => {
    const res = await fetch(f.rp.settings.attributesUrl, { headers: { authorization: 'Bearer not-a-token' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(await res.json()).toEqual({ error: 'invalid_token', error_description: 'the access token is not valid' });
    expect(lastEvent(f)).toMatchObject({ type: 'userinfo.token_rejected', reason: 'invalid' });
    const none = await fetch(f.rp.settings.attributesUrl);
    expect(none.status).toBe(401);
    expect(lastEvent(f)).toMatchObject({ type: 'userinfo.token_rejected', reason: 'missing' });
    const expired = await new Sealer(f.proxy.secrets, SEALING_SECRET_ID).seal('access-token', { sub: 'x' }, -5);
    const late = await fetch(f.rp.settings.attributesUrl, { headers: { authorization: `Bearer ${expired}` } });
    expect(await late.json()).toEqual({ error: 'invalid_token', error_description: 'the access token has expired' });
    expect(lastEvent(f)).toMatchObject({ type: 'userinfo.token_rejected', reason: 'expired' });
  });

  test('the attestation does not vouch for edited values', async () => {
    const { verifyAttestation } = await import('../../lambdas/shared/attestation');
    const r = await f.rp.signIn({ person: 'test-0001' });
    const keys = createRemoteJWKSet(new URL(`${f.proxy.origin}/jwks`));
    const u = r.userinfo as Record<string, string>;
    const expected = { issuer: f.proxy.origin, sub: u.sub!, verifiedAt: u.jpki_verified_at!, attributes: { name: u.name, address: u.address, birthdate: u.birthdate, gender: u.gender } };
    expect(await verifyAttestation(u.jpki_attestation!, keys, expected)).toBe(true);
    expect(await verifyAttestation(u.jpki_attestation!, keys, { ...expected, attributes: { ...expected.attributes, name: '別人 なりすまし' } })).toBe(false);
  });

  test('security events carry no personal data', async () => {
    await f.rp.signIn({ person: 'test-0002' });
    const text = JSON.stringify(f.proxy.events);
    for (const p of f.op.persons) {
      for (const value of [p.name, p.address, p.birthdate]) expect(text).not.toContain(value);
    }
    expect(text).not.toMatch(/eyJ/); // no token
  });
});

describe('an OP that is down, slow or answers garbage', () => {
  let f: Federation;
  beforeEach(async () => {
    f = await startFederation({ jpki: { requestTimeoutMs: 500 } });
  });
  afterEach(() => f.close());

  test('down: temporarily_unavailable, and the person can try again', async () => {
    const code = await codeFor(f);
    await f.op.close();
    const r = await redeem(f, code);
    expect(r).toEqual({ status: 503, body: { error: 'temporarily_unavailable', error_description: 'the My Number Card service did not answer in time; try again later' } });
    expect(lastEvent(f)).toMatchObject({ type: 'token.op_error', reason: 'op_unreachable' });
  });

  test('slow: the call times out and the code redemption is not retried', async () => {
    const code = await codeFor(f);
    f.op.faults = { tokenDelayMs: 1500 };
    const started = Date.now();
    const r = await redeem(f, code);
    expect(Date.now() - started).toBeLessThan(1400);
    expect(r.status).toBe(503);
    expect(lastEvent(f)).toMatchObject({ type: 'token.op_error', reason: 'op_timeout' });
    await new Promise((res) => setTimeout(res, 1200));
    expect(f.op.hits.token).toBe(1);
  });

  test.each([
    [{ status: 200, body: '<html>maintenance</html>' }, 502, 'op_garbage'],
    [{ status: 200, body: '{"access_token": 42}', contentType: 'application/json' }, 502, 'op_garbage'],
    [{ status: 400, body: '{"unexpected": true}', contentType: 'application/json' }, 502, 'op_garbage'],
    [{ status: 500, body: 'Internal Server Error' }, 503, 'op_server_error'],
    [{ status: 401, body: '{"error":"invalid_client"}', contentType: 'application/json' }, 502, 'op_rejected'],
  ])('token endpoint answers %j', async (tokenResponse, status, reason) => {
    const code = await codeFor(f);
    f.op.faults = { tokenResponse };
    const r = await redeem(f, code);
    expect(r.status).toBe(status);
    expect(['server_error', 'temporarily_unavailable']).toContain(r.body.error);
    expect(lastEvent(f)).toMatchObject({ type: 'token.op_error', reason });
  });

  test('userinfo failing: retried a bounded number of times, then temporarily_unavailable', async () => {
    const code = await codeFor(f);
    f.op.faults = { userinfoStatus: 500 };
    const r = await redeem(f, code);
    expect(r.status).toBe(503);
    expect(f.op.hits.userinfo).toBe(2);
    expect(lastEvent(f)).toMatchObject({ type: 'token.op_error', reason: 'userinfo_op_server_error' });
  });

  test('the OP rejects an authorization request that lacks the nonce (the emulator enforces the Agency rules)', async () => {
    const browser = new Browser();
    const u = new URL(`${f.op.issuer}/protocol/openid-connect/auth`);
    u.search = new URLSearchParams({ response_type: 'code', client_id: 'RP00000001', redirect_uri: `${f.proxy.origin}/callback`, scope: 'openid', state: 's', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }).toString();
    const res = await browser.request(u.toString());
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('nonce is required');
  });
});
