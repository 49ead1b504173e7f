/**
 * The whole federation over real HTTP on localhost: a Cognito-like RP configured from the
 * synthesized ProviderDetails, the federation proxy, and the OP emulator, for an RS256 and an
 * ES256 OP and for RSA and P-256 client keys.
 */
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { startFederation, type Federation } from '../../helpers/federation';

const combos: Array<['RS256' | 'ES256', 'RS256' | 'ES256']> = [
  ['RS256', 'RS256'],
  ['RS256', 'ES256'],
  ['ES256', 'RS256'],
  ['ES256', 'ES256'],
];

describe.each(combos)('OP signing ID tokens with %s, proxy authenticating with %s', (opAlg, clientAlg) => {
  let f: Federation;
  beforeAll(async () => {
    f = await startFederation({ opAlg, clientAlg });
  });
  afterAll(() => f.close());

  test('a test person signs in; Cognito gets a verified ID token and the verified attributes', async () => {
    const person = f.op.persons[0]!;
    const r = await f.rp.signIn({ person: person.id });

    // The ID token Cognito receives: issued by the proxy, for Cognito's client, no personal data.
    expect(r.idTokenClaims).toMatchObject({ iss: f.proxy.origin, aud: 'myna-idp-acme', acr: 'aal3' });
    expect(r.idTokenClaims.sub).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.idTokenClaims).not.toHaveProperty('name');
    expect(r.idTokenClaims).not.toHaveProperty('nonce');

    // Userinfo: the four attributes, and what only the JPKI federation knows.
    expect(r.userinfo).toEqual({
      sub: r.idTokenClaims.sub,
      name: person.name,
      address: person.address,
      birthdate: person.birthdate,
      gender: person.gender,
      jpki_verified_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      jpki_issuer: f.op.issuer,
      jpki_acr: 'aal3',
    });

    // What went to the OP: PKCE S256, nonce, state, the configured scopes; nothing else of Cognito's.
    const toOp = new URL(r.browser.hops.find((h) => h.url.includes('/protocol/openid-connect/auth?'))!.url);
    expect(Object.fromEntries(toOp.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'RP00000001',
      redirect_uri: `${f.proxy.origin}/callback`,
      scope: 'openid name address birthdate gender',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
      // A card sign-in is a fresh card authentication, even within the OP's session; max_age makes
      // the OP ask again (and send auth_time) rather than the proxy refuse an older one.
      prompt: 'login',
      max_age: '300',
    });
    expect(f.proxy.events.map((e) => e.type)).toContain('federation.succeeded');

    // "Verified at" is when the card was used, by the OP's clock, and Cognito's auth_time is the same.
    expect(r.userinfo.jpki_verified_at).toBe(new Date((r.idTokenClaims.auth_time as number) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    expect(r.idTokenClaims.amr).toEqual(['hwk']);
  });

  test('a second card sign-in in the same browser asks for the card again (the OP session is not enough)', async () => {
    const pages = (b: { hops: readonly { url: string }[] }) => b.hops.filter((h) => h.url.includes('/interaction/')).length;
    const first = await f.rp.authorize({ person: 'test-0001' });
    const before = pages(first.browser);
    // Without prompt=login the OP answers from its session, without its page.
    const second = await f.rp.authorize({ person: 'test-0001' }, first.browser);
    expect(pages(second.browser)).toBeGreaterThan(before);
    expect((await f.rp.complete(second)).userinfo.name).toBe(f.op.persons.find((p) => p.id === 'test-0001')!.name);
  });

  test('the pairwise sub is stable for a person and differs between persons', async () => {
    const a1 = await f.rp.signIn({ person: 'test-0002' });
    const a2 = await f.rp.signIn({ person: 'test-0002' });
    const b = await f.rp.signIn({ person: 'test-0003' });
    expect(a1.idTokenClaims.sub).toBe(a2.idTokenClaims.sub);
    expect(b.idTokenClaims.sub).not.toBe(a1.idTokenClaims.sub);
    expect(b.userinfo.name).toBe('髙橋 﨑一郎');
  });
});

describe('abnormal results and what the OP sends', () => {
  let f: Federation;
  beforeAll(async () => {
    f = await startFederation({ emulator: { addressFormat: 'object', genderFormat: 'jis' } });
  });
  afterAll(() => f.close());

  test.each(['access_denied', 'server_error', 'temporarily_unavailable'] as const)('the OP answers %s: Cognito gets that error with its own state', async (error) => {
    const r = await f.rp.authorize({ error });
    expect(r.url.origin + r.url.pathname).toBe(f.rp.settings.redirectUri);
    expect(r.url.searchParams.get('error')).toBe(error);
    expect(r.url.searchParams.get('state')).toBe(r.state);
    expect(r.url.searchParams.get('code')).toBeNull();
    expect(f.proxy.events).toContainEqual(expect.objectContaining({ type: 'callback.op_error', opError: error }));
  });

  test('an address object and JIS gender codes become what OIDC and Cognito expect', async () => {
    const r = await f.rp.signIn({ person: 'test-0002' });
    expect(r.userinfo.address).toBe('大阪府大阪市北区梅田三丁目1番1号');
    expect(r.userinfo.gender).toBe('female'); // JIS X 0303 code 2
  });

  test('a name with a character outside the BMP and a compatibility ideograph arrives unaltered', async () => {
    const r = await f.rp.signIn({ person: 'test-0006' });
    expect(r.userinfo.name).toBe('\u{20BB7}野 \uFA1B子');
  });

  test('the ID token Cognito receives carries an ES256 signature from the proxy JWKS', async () => {
    const r = await f.rp.authorize({ person: 'test-0001' });
    const res = await fetch(f.rp.settings.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: r.url.searchParams.get('code')!, redirect_uri: f.rp.settings.redirectUri, client_id: f.rp.settings.clientId, client_secret: f.rp.settings.clientSecret }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { id_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(300);
    const claims = decodeJwt(body.id_token);
    expect((claims.exp as number) - (claims.iat as number)).toBe(300);
    const verified = await jwtVerify(body.id_token, createRemoteJWKSet(new URL(f.rp.settings.jwksUri)), {
      algorithms: ['ES256'],
      issuer: f.rp.settings.issuer,
      audience: f.rp.settings.clientId,
    });
    expect(verified.protectedHeader.alg).toBe('ES256');
    // And a token signed by anyone else does not verify against that JWKS.
    const [h, p] = body.id_token.split('.');
    const forged = `${h}.${p}.${Buffer.alloc(64, 1).toString('base64url')}`;
    await expect(jwtVerify(forged, createRemoteJWKSet(new URL(f.rp.settings.jwksUri)), { algorithms: ['ES256'] })).rejects.toThrow();
  });
});
