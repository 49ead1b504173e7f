/**
 * Everything that must fail, over real HTTP: every ID token rule of OpenID Connect Core 1.0
 * section 3.1.3.7 that lambdas/federation-proxy/protocol/id-token.ts checks (the emulator serves
 * the bad tokens), tampered and expired sealed values, wrong client credentials, unregistered
 * redirect URIs, a replayed code, and an OP that is down, slow or answers garbage.
 * Each failure is a clean OAuth error (never a stack trace) and a security event.
 */
import { Sealer } from '../../../lambdas/federation-proxy/crypto/sealing';
import { MAX_NONCE, MAX_STATE } from '../../../lambdas/federation-proxy/authorize';
import { CLIENT_SECRET_ID, SEALING_SECRET_ID } from '../../../tools/stand-ins/aws/proxy-server';
import type { EmulatorFaults } from '../../../tools/stand-ins/op-emulator/emulator';
import { Browser } from '../../../tools/stand-ins/rp-driver/browser';
import { startFederation, type Federation } from '../../helpers/federation';

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
    f = await startFederation({ opAlg: 'RS256', jwksMinRefetchIntervalMs: 200 });
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
    // Rule 11: "verified now" means a card authentication now, by the OP's clock.
    ['auth_time missing', { idTokenClaims: { auth_time: undefined } }, 'auth_time_missing'],
    ['auth_time older than the allowed age (an OP session reused)', { idTokenClaims: { auth_time: now() - 3600 } }, 'auth_time_stale'],
    ['auth_time in the future', { idTokenClaims: { auth_time: now() + 3600 } }, 'auth_time_invalid'],
    // RFC 7515 section 4.1.11: an extension the proxy does not understand is not an algorithm problem.
    ['a crit header naming an unknown extension', { idTokenHeader: { crit: ['urn:example:unknown'], 'urn:example:unknown': true } }, 'critical_header_unsupported'],
  ];

  test.each(cases)('%s: rejected before anything reaches Cognito', async (_name, faults, reason) => {
    const code = await codeFor(f);
    f.op.faults = faults;
    const r = await redeem(f, code);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'invalid_grant', error_description: `the ID token of the My Number Card service was rejected (${reason})` });
    expect(lastEvent(f)).toEqual({ type: 'token.id_token_rejected', reason, severity: 'critical', tenantId: 'acme', correlationId: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) });
  });

  test.each([
    ['a lower acr than the one requested', { acr: 'aal1' }],
    ['no acr at all', { acr: undefined }],
  ])('%s is rejected when acr_values were sent', async (_name, idTokenClaims) => {
    const strict = await startFederation({ opAlg: 'RS256', jpki: { acrValues: 'aal3' } });
    try {
      const code = await codeFor(strict);
      strict.op.faults = { idTokenClaims };
      const r = await redeem(strict, code);
      expect(r.body).toEqual({ error: 'invalid_grant', error_description: 'the ID token of the My Number Card service was rejected (acr_not_accepted)' });
      strict.op.faults = {};
      expect((await redeem(strict, await codeFor(strict))).status).toBe(200); // aal3, as requested
    } finally {
      await strict.close();
    }
  });

  test('prompt: forward passes on what Cognito sends (never none); sendMaxAge adds max_age', async () => {
    const fwd = await startFederation({ jpki: { prompt: 'forward', sendMaxAge: true, maxAuthenticationAgeSeconds: 120 } });
    try {
      const toOp = async (prompt?: string) => {
        const u = new URL(fwd.rp.authorizationUrl('s'));
        if (prompt) u.searchParams.set('prompt', prompt);
        const res = await fetch(u, { redirect: 'manual' });
        return new URL(res.headers.get('location')!).searchParams;
      };
      expect((await toOp()).get('prompt')).toBeNull();
      expect((await toOp('login')).get('prompt')).toBe('login');
      expect((await toOp('none')).get('prompt')).toBeNull();
      expect((await toOp('login')).get('max_age')).toBe('120');
    } finally {
      await fwd.close();
    }
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

  test('auth_time at the edge: the allowed age plus the leeway passes (and a fraction is cut to whole seconds)', async () => {
    const code = await codeFor(f);
    f.op.faults = { idTokenClaims: { auth_time: now() - 300 - 50 + 0.5 } };
    const r = await redeem(f, code);
    expect(r.status).toBe(200);
    const { decodeJwt } = await import('jose');
    expect(Number.isInteger(decodeJwt((r.body as unknown as { id_token: string }).id_token).auth_time)).toBe(true);
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

  test('the OP rotates its key right after the proxy fetched the JWKS: the new kid is accepted at once', async () => {
    // (With a refetch cooldown of 30 s, as before, this sign-in failed as a critical event.)
    const f2 = await startFederation({ opAlg: 'RS256' });
    try {
      expect((await redeem(f2, await codeFor(f2))).status).toBe(200); // keys fetched just now
      const code = await codeFor(f2);
      f2.op.faults = { idTokenSigning: 'rotated-key' };
      const r = await redeem(f2, code);
      expect(r.status).toBe(200);
      expect(f2.proxy.events.filter((e) => e.type === 'token.id_token_rejected')).toEqual([]);
    } finally {
      await f2.close();
    }
  });

  test('an OP key rotation in the middle of 20 concurrent sign-ins fails none of them', async () => {
    const f2 = await startFederation({ opAlg: 'ES256' });
    try {
      const codes = await Promise.all(Array.from({ length: 20 }, () => codeFor(f2)));
      const results = await Promise.all(
        codes.map(async (code, i) => {
          if (i === 10) f2.op.faults = { idTokenSigning: 'rotated-key' };
          return (await redeem(f2, code)).status;
        }),
      );
      expect(results).toEqual(Array(20).fill(200));
    } finally {
      await f2.close();
    }
  });

  test('unknown kids from a misbehaving OP cost at most one JWKS fetch per interval', async () => {
    const codes = await Promise.all(Array.from({ length: 6 }, () => codeFor(f)));
    const before = f.op.hits.jwks ?? 0;
    f.op.faults = { idTokenSigning: 'unknown-kid' };
    const started = Date.now();
    const results = await Promise.all(codes.map((code) => redeem(f, code)));
    const elapsed = Date.now() - started;
    for (const r of results) expect(r.body.error_description).toMatch(/unknown_key/);
    const fetches = (f.op.hits.jwks ?? 0) - before;
    expect(fetches).toBeGreaterThanOrEqual(1);
    expect(fetches).toBeLessThanOrEqual(Math.floor(elapsed / 200) + 1);
  });

  test('a JWKS that never ends is cut off, reported as the OP keys being unavailable', async () => {
    const f2 = await startFederation({ opAlg: 'RS256' });
    try {
      const code = await codeFor(f2);
      f2.op.faults = { endlessBody: 'jwks' };
      const r = await redeem(f2, code);
      expect(r).toEqual({ status: 503, body: { error: 'temporarily_unavailable', error_description: 'the keys of the My Number Card service could not be fetched' } });
      // Not critical: the OP's keys being unreachable is an outage, not a forged token.
      expect(f2.proxy.events.at(-1)).toEqual({ type: 'token.id_token_rejected', reason: 'jwks_unavailable', severity: 'warning', tenantId: 'acme', correlationId: expect.any(String) });
      expect(f2.op.hits.endlessBytes ?? 0).toBeLessThan(32 * 1024 * 1024);
    } finally {
      await f2.close();
    }
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
    const { MemorySecretStore } = await import('../../../lambdas/federation-proxy/aws/secrets');
    const other = new Sealer(new MemorySecretStore({ s: 'another-key-entirely-another-key-entirely' }), 's');
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

  test('after an emergency rotation the previous sealing secret stops working: after the window, or at once when revoked', async () => {
    const sealer = new Sealer(f.proxy.secrets, SEALING_SECRET_ID);
    const leakedKeyCode = await sealer.seal('code', { c: 'op-code', v: 'v'.repeat(43), n: 'n' }, 60);
    // Rotated 61 minutes ago: past the default window of 60 minutes.
    f.proxy.secrets.rotate(SEALING_SECRET_ID, 'rotated-sealing-secret-4-rotated-sealing-secret-4', Date.now() - 61 * 60_000);
    expect((await redeem(f, leakedKeyCode)).body.error_description).toBe('the code is not valid');
    const code = await codeFor(f);
    f.proxy.secrets.rotate(SEALING_SECRET_ID, 'rotated-sealing-secret-5-rotated-sealing-secret-5');
    f.proxy.secrets.revokePrevious(SEALING_SECRET_ID);
    expect((await redeem(f, code)).body.error_description).toBe('the code is not valid');
  });

  test('the previous client secret authenticates Cognito only within the window, and not once revoked', async () => {
    const old = f.rp.settings.clientSecret;
    const rotateTo = (next: string, at?: number) => f.proxy.secrets.rotate(CLIENT_SECRET_ID, JSON.stringify({ client_secret: next }), at);
    rotateTo('client-secret-2');
    expect((await redeem(f, 'x', { client_secret: old })).body.error).toBe('invalid_grant'); // authenticated
    rotateTo('client-secret-3', Date.now() - 61 * 60_000);
    expect((await redeem(f, 'x', { client_secret: 'client-secret-2' })).status).toBe(401);
    rotateTo('client-secret-4');
    f.proxy.secrets.revokePrevious(CLIENT_SECRET_ID);
    expect((await redeem(f, 'x', { client_secret: 'client-secret-3' })).status).toBe(401);
    expect((await redeem(f, 'x', { client_secret: 'client-secret-4' })).body.error).toBe('invalid_grant');
    rotateTo(old); // back, for the tests after this one
  });

  test('the sealed code lives 30 seconds: what Cognito needs to redeem it at once', async () => {
    const code = await codeFor(f);
    const sealer = new Sealer(f.proxy.secrets, SEALING_SECRET_ID);
    const payload = await sealer.unseal<{ iat: number; exp: number }>('code', code);
    expect(payload.exp - payload.iat).toBe(30);
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

  test('an unknown client_id at /authorize: an error page for a phone, in Japanese and English, no redirect', async () => {
    const res = await fetch(authorizeUrl({ client_id: 'someone-else' }), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    const html = await res.text();
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('このサービスに登録されていないアプリからの要求です。');
    expect(html).toContain('The request comes from an application this service does not know.');
    expect(html).toContain('unauthorized_client / client_id_unknown');
    expect(lastEvent(f)).toMatchObject({ type: 'authorize.rejected', reason: 'client_id_unknown' });
    // A client_id that is not the tenant's is anyone's text: never passed on into an event.
    expect(lastEvent(f)?.clientId).toBeUndefined();
  });

  test('no client_id at all is called missing, not unknown', async () => {
    const res = await fetch(authorizeUrl({ client_id: undefined }), { redirect: 'manual' });
    const html = await res.text();
    expect(html).toContain('サインインの要求に client_id がありません。');
    expect(html).not.toContain('client_id_unknown');
    expect(lastEvent(f)).toEqual({ type: 'authorize.rejected', reason: 'client_id_missing', severity: 'warning', tenantId: 'acme' });
  });

  test('the root of the proxy is a page that says what it is, not a bare 404', async () => {
    const res = await fetch(`${f.proxy.origin}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('マイナンバーカード認証の中継');
    expect(html).toContain('<meta name="viewport"');
  });

  test('every redirect and page carries Referrer-Policy: no-referrer', async () => {
    const browser = new Browser();
    await browser.follow(authorizeUrl({}), (u) => u.startsWith(f.rp.settings.redirectUri));
    const responses = await Promise.all([fetch(authorizeUrl({}), { redirect: 'manual' }), fetch(`${f.proxy.origin}/callback?state=x`, { redirect: 'manual' }), fetch(`${f.proxy.origin}/`)]);
    for (const r of responses) expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    const signIn = await f.rp.authorize({ person: 'test-0001' });
    expect(signIn.url.searchParams.get('code')).toBeTruthy();
  });

  test.each([
    'https://evil.example/oauth2/idpresponse',
    'https://acme-login.auth.ap-northeast-1.amazoncognito.com/oauth2/idpresponse/../evil',
    'https://acme-login.auth.ap-northeast-1.amazoncognito.com/oauth2/idpresponse?x=1',
  ])('an unregistered redirect_uri (%s): an error page, never a redirect to it', async (redirectUri) => {
    const res = await fetch(authorizeUrl({ redirect_uri: redirectUri }), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(lastEvent(f)).toMatchObject({ type: 'authorize.rejected', reason: 'redirect_uri_mismatch' });
  });

  test.each([
    ['no state', { state: undefined }, 'invalid_request', 'state is required'],
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type', 'only response_type=code is supported'],
    ['no openid scope', { scope: 'profile' }, 'invalid_scope', 'scope must include openid'],
    [`a state over ${MAX_STATE} characters`, { state: 'x'.repeat(MAX_STATE + 1) }, 'invalid_request', `state is longer than ${MAX_STATE} characters`],
    [`a nonce over ${MAX_NONCE} characters`, { nonce: 'n'.repeat(MAX_NONCE + 1) }, 'invalid_request', `nonce is longer than ${MAX_NONCE} characters`],
    ['a state that is not printable ASCII', { state: 'ステート' }, 'invalid_request', 'state holds characters that are not printable ASCII'],
  ])('a bad authorization request (%s) goes back to Cognito as an OAuth error', async (_label, change, error, description) => {
    const res = await fetch(authorizeUrl(change), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(f.rp.settings.redirectUri);
    expect(back.searchParams.get('error')).toBe(error);
    expect(back.searchParams.get('error_description')).toBe(description);
  });

  test('the transaction cookie is one per browser, HttpOnly, SameSite=Lax, Path=/ and short-lived', async () => {
    const res = await fetch(authorizeUrl({}), { redirect: 'manual' });
    const cookies = res.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    // On plain-http localhost without the __Host- prefix (a deployed proxy is https: see handler.test).
    expect(cookies[0]).toMatch(/^myna_tx=[A-Za-z0-9_.-]+; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/);
    // Nothing readable in it: the verifier and nonce travel encrypted.
    const value = decodeURIComponent(cookies[0]!.split(';')[0]!.split('=')[1]!);
    const [kid, iv, ciphertext, tag] = value.split('.');
    expect([kid!.length, Buffer.from(iv!, 'base64url').length, Buffer.from(tag!, 'base64url').length]).toEqual([16, 12, 16]); // AES-256-GCM
    expect(Buffer.from(ciphertext!, 'base64url').toString('latin1')).not.toMatch(/"v"|"n"|"s"|cognito-state/);
  });

  test('the largest state and nonce Cognito may send still fit a cookie browsers keep (4,096 bytes)', async () => {
    const res = await fetch(authorizeUrl({ state: 's'.repeat(MAX_STATE), nonce: 'n'.repeat(MAX_NONCE) }), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const [pair] = res.headers.getSetCookie()[0]!.split(';');
    expect(Buffer.byteLength(pair!)).toBeLessThan(4096);
    // And the sign-in completes with that state returned to Cognito unchanged.
    const browser = new Browser();
    const { signInThroughTestPage } = await import('../../../tools/stand-ins/rp-driver/browser');
    const back = await signInThroughTestPage(browser, authorizeUrl({ state: 's'.repeat(MAX_STATE), nonce: 'n'.repeat(MAX_NONCE) }), { person: 'test-0001' }, (u) => u.startsWith(f.rp.settings.redirectUri));
    expect(back.searchParams.get('state')).toBe('s'.repeat(MAX_STATE));
    expect(back.searchParams.get('code')).toBeTruthy();
  });

  test('a state whose JSON escaping would grow the cookie past what browsers keep is refused, not dropped silently', async () => {
    const res = await fetch(authorizeUrl({ state: '"'.repeat(MAX_STATE), nonce: '\\'.repeat(MAX_NONCE) }), { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.getSetCookie()).toEqual([]);
    const back = new URL(res.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(f.rp.settings.redirectUri);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toBe('state and nonce are too long together');
  });

  test('unfinished sign-ins never pile up cookies: a new one replaces the last, which then cannot finish', async () => {
    const browser = new Browser();
    const { signInThroughTestPage } = await import('../../../tools/stand-ins/rp-driver/browser');
    // Ten sign-ins started and left at the OP: still one cookie.
    const opUrls: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await browser.request(authorizeUrl({ state: `cognito-state-${i}` }));
      opUrls.push(r.headers.get('location')!);
    }
    const sent = await browser.request(`${f.proxy.origin}/callback?state=x`);
    expect(sent.status).toBe(400);
    expect(browser.cookieNames(new URL(f.proxy.origin))).toEqual(['myna_tx']);
    // The newest one finishes; an older one is refused with a clear reason.
    const newest = await signInThroughTestPage(browser, opUrls[9]!, { person: 'test-0001' }, (u) => u.startsWith(f.rp.settings.redirectUri));
    expect(newest.searchParams.get('state')).toBe('cognito-state-9');
    await browser.request(authorizeUrl({ state: 'cognito-state-10' }));
    const older = await signInThroughTestPage(browser, opUrls[8]!, { person: 'test-0001' }, (u) => u.startsWith(f.rp.settings.redirectUri)).catch((e: Error) => e);
    expect(String(older)).toMatch(/HTTP 400/);
    expect(lastEvent(f)).toMatchObject({ type: 'callback.rejected', reason: 'state_mismatch' });
  });

  async function callbackWith(state: string, cookieValue: string | undefined, extra = '') {
    const headers: Record<string, string> = {};
    if (cookieValue) headers.cookie = `myna_tx=${cookieValue}`;
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
    expect(r.text).toContain('サインインに時間がかかりすぎました。');
    expect(r.text).toContain('The sign-in took too long.');
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

  test('an OP error of free text in a callback is reported as `other`, never as given (it would become a metric dimension)', async () => {
    const sealer = new Sealer(f.proxy.secrets, SEALING_SECRET_ID);
    const state = 'e'.repeat(43);
    const cookie = await sealer.seal('transaction', { s: state, n: 'n', v: 'v', cs: 'cs', x: 'corr-0123456789' }, 60);
    const res = await fetch(`${f.proxy.origin}/callback?state=${state}&error=attacker_chosen_${Date.now()}`, { headers: { cookie: `myna_tx=${cookie}` }, redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('server_error');
    expect(lastEvent(f)).toMatchObject({ type: 'callback.op_error', reason: 'other', opError: 'other', correlationId: 'corr-0123456789' });
  });

  test('a flood of refusals anyone can cause becomes at most 10 events a minute of each kind', async () => {
    const before = f.proxy.events.filter((e) => e.type === 'callback.rejected' && e.reason === 'state_missing').length;
    for (let i = 0; i < 25; i++) expect((await fetch(`${f.proxy.origin}/callback`, { redirect: 'manual' })).status).toBe(400);
    const after = f.proxy.events.filter((e) => e.type === 'callback.rejected' && e.reason === 'state_missing').length;
    expect(after - before).toBeLessThanOrEqual(10);
    expect(after - before).toBeGreaterThan(0);
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

  test.each(['token', 'userinfo'] as const)('a %s answer that never ends is cut off at its size limit', async (route) => {
    const code = await codeFor(f);
    f.op.faults = { endlessBody: route };
    const started = Date.now();
    const r = await redeem(f, code);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r).toEqual({ status: 502, body: { error: 'server_error', error_description: 'the My Number Card service answered with more than 262144 bytes' } });
    expect(lastEvent(f)).toMatchObject({ type: 'token.op_error', reason: route === 'token' ? 'op_too_large' : 'userinfo_op_too_large' });
    // The proxy stopped reading (and the OP stopped writing) after a few MiB, not 150.
    expect(f.op.hits.endlessBytes).toBeLessThan(32 * 1024 * 1024);
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

describe('what is not the OP\'s fault is not reported as the OP\'s', () => {
  test('a bug while validating (a TypeError) is an internal error, not "JWKS unavailable"', async () => {
    const { validateIdToken } = await import('../../../lambdas/federation-proxy/protocol/id-token');
    const token = `${Buffer.from('{"alg":"RS256","kid":"k"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.c2ln`;
    const keys = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    };
    const e = await validateIdToken(token, keys, { issuer: 'i', clientId: 'c', algorithms: ['RS256'], nonce: 'n', accessToken: 'a', clockLeewaySeconds: 0, requireAtHash: false, maxAuthenticationAgeSeconds: 300 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TypeError);
  });
});
