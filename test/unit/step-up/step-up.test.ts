/**
 * The step-up library an app's API uses, against real Cognito-shaped tokens verified by
 * aws-jwt-verify (the user pool's JWKS preloaded: nothing leaves this machine).
 */
import { generateKeyPairSync } from 'node:crypto';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { exportJWK, SignJWT } from 'jose';
import { parseChallenge, requireAuthentication, stepUpAuthorizationUrl } from '../../../packages/step-up/src/index';

const POOL = 'ap-northeast-1_Test12345';
const ISSUER = `https://cognito-idp.ap-northeast-1.amazonaws.com/${POOL}`;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = () => Math.floor(Date.now() / 1000);

const makeVerifier = () => CognitoJwtVerifier.create({ userPoolId: POOL, tokenUse: 'access', clientId: 'app-client' });
let verifier: ReturnType<typeof makeVerifier>;
beforeAll(async () => {
  verifier = makeVerifier();
  verifier.cacheJwks({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] as never });
});

const accessToken = (claims: Record<string, unknown>, key = privateKey) =>
  new SignJWT({ token_use: 'access', client_id: 'app-client', scope: 'openid', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(ISSUER)
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key);

const requirement = { acrValues: ['urn:myna-idp:jpki'], maxAgeSeconds: 300, acrClaim: 'jpki_acr', authTimeClaim: 'jpki_auth_time' };

describe('session binding (sessionTimeClaim)', () => {
  const bound = { ...requirement, sessionTimeClaim: 'jpki_session_time', sessionBindingSeconds: 30 };
  test.each([
    ['the card sign-in is this session', 0, true],
    ['the session started 30 s after the card reached the issuer', 30, true],
    ['the session started a second before (clocks cut to seconds)', -1, true],
    ['the card reached the issuer after this session started (another browser)', -3, false],
    ['the session started long after the card (an older card sign-in)', 31, false],
  ])('%s: %s s → %s', async (_name, gap, ok) => {
    const t = now() - 60;
    const token = await accessToken({ jpki_acr: 'urn:myna-idp:jpki', jpki_auth_time: t - 5, jpki_session_time: t, auth_time: t + gap });
    const d = await requireAuthentication(verifier, `Bearer ${token}`, bound);
    expect(d.ok).toBe(ok);
    if (!d.ok) expect(d.body.error_description).toBe('the authentication level was not reached in this session');
  });

  test('without the session claim, or with auth_time missing, nothing passes', async () => {
    const t = now() - 60;
    for (const claims of [{ auth_time: t }, { jpki_session_time: t }, { jpki_session_time: String(t), auth_time: t }]) {
      const d = await requireAuthentication(verifier, `Bearer ${await accessToken({ jpki_acr: 'urn:myna-idp:jpki', jpki_auth_time: t, ...claims })}`, bound);
      expect(d.ok).toBe(false);
    }
  });
});

describe('requireAuthentication (RFC 9470)', () => {
  test('a recent card authentication passes, with the token claims', async () => {
    const d = await requireAuthentication(verifier, `Bearer ${await accessToken({ jpki_acr: 'urn:myna-idp:jpki', jpki_auth_time: now() - 60 })}`, requirement);
    expect(d).toMatchObject({ ok: true, claims: { sub: 'user-1' } });
  });

  test.each([
    ['no level at all', {}, 'a different authentication level is required'],
    ['another level', { jpki_acr: 'urn:cognito:password', jpki_auth_time: now() }, 'a different authentication level is required'],
    ['the level, but too long ago', { jpki_acr: 'urn:myna-idp:jpki', jpki_auth_time: now() - 3600 }, 'a more recent authentication is required'],
    ['the level, without its time', { jpki_acr: 'urn:myna-idp:jpki' }, 'a more recent authentication is required'],
  ])('%s: 401 with a step-up challenge', async (_name, claims, description) => {
    const d = await requireAuthentication(verifier, `Bearer ${await accessToken(claims)}`, requirement);
    expect(d).toEqual({
      ok: false,
      status: 401,
      headers: { 'www-authenticate': `Bearer error="insufficient_user_authentication", error_description="${description}", acr_values="urn:myna-idp:jpki", max_age="300"` },
      body: { error: 'insufficient_user_authentication', error_description: description },
    });
  });

  test.each([undefined, 'Basic dXNlcjpwYXNz'])('no bearer token (%s): 401 with a bare Bearer challenge (RFC 6750 section 3.1)', async (authorization) => {
    const d = await requireAuthentication(verifier, authorization, requirement);
    expect(d).toMatchObject({ ok: false, status: 401, headers: { 'www-authenticate': 'Bearer' } });
  });

  test('a token signed with another key: invalid_token, without step-up parameters', async () => {
    const d = await requireAuthentication(verifier, `Bearer ${await accessToken({ jpki_acr: 'urn:myna-idp:jpki', jpki_auth_time: now() }, other.privateKey)}`, requirement);
    expect(d).toMatchObject({ ok: false, headers: { 'www-authenticate': 'Bearer error="invalid_token", error_description="the token is not valid"' } });
  });

  test('the scheme is case-insensitive; any of several levels passes; the age is checked with its leeway, at the edge', async () => {
    const r = { ...requirement, acrValues: ['urn:myna-idp:jpki', 'urn:myna-idp:jpki-sign'], leewaySeconds: 10 };
    const at = (age: number, acr = 'urn:myna-idp:jpki-sign') => accessToken({ jpki_acr: acr, jpki_auth_time: now() - age });
    expect((await requireAuthentication(verifier, `bearer ${await at(60)}`, r)).ok).toBe(true);
    expect((await requireAuthentication(verifier, `Bearer ${await at(305)}`, r)).ok).toBe(true); // 300 + 10 leeway
    expect((await requireAuthentication(verifier, `Bearer ${await at(320)}`, r)).ok).toBe(false);
    expect((await requireAuthentication(verifier, `Bearer ${await at(-5)}`, r)).ok).toBe(true); // a clock a little ahead
    expect((await requireAuthentication(verifier, `Bearer ${await at(-60)}`, r)).ok).toBe(false);
  });

  test.each([
    [{ maxAgeSeconds: Number.NaN }, 'maxAgeSeconds must be a whole number of seconds, 0 or more'],
    [{ maxAgeSeconds: 5.5 }, 'maxAgeSeconds must be a whole number of seconds, 0 or more'],
    [{ maxAgeSeconds: -1 }, 'maxAgeSeconds must be a whole number of seconds, 0 or more'],
    [{ leewaySeconds: Number.POSITIVE_INFINITY }, 'leewaySeconds must be a whole number of seconds, 0 or more'],
    [{ acrValues: ['two words'] }, 'acr value "two words" has a space, a quote, a backslash or a control character'],
  ])('a requirement that cannot be checked is a programming error, never a pass: %j', async (bad, message) => {
    const token = await accessToken({ jpki_acr: 'urn:myna-idp:jpki', jpki_auth_time: 1 });
    await expect(requireAuthentication(verifier, `Bearer ${token}`, { ...requirement, ...bad })).rejects.toThrow(message);
  });
});

describe('the app side: from the challenge to the next authorization request', () => {
  test('acr_values and max_age from the challenge, prompt=login, PKCE, straight to the card', async () => {
    const d = await requireAuthentication(verifier, `Bearer ${await accessToken({})}`, requirement);
    if (d.ok) throw new Error('expected a challenge');
    const u = stepUpAuthorizationUrl(d.headers['www-authenticate'], {
      authorizeUrl: 'https://auth.example.co.jp/oauth2/authorize',
      clientId: 'app-client',
      redirectUri: 'https://www.example.co.jp/auth/callback',
      scope: 'openid profile',
      state: 'st',
      codeChallenge: 'c'.repeat(43),
      identityProvider: 'DigitalAuthApp',
    });
    expect(u.origin + u.pathname).toBe('https://auth.example.co.jp/oauth2/authorize');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      response_type: 'code', client_id: 'app-client', redirect_uri: 'https://www.example.co.jp/auth/callback', scope: 'openid profile', state: 'st',
      code_challenge: 'c'.repeat(43), code_challenge_method: 'S256', prompt: 'login', acr_values: 'urn:myna-idp:jpki', max_age: '300', identity_provider: 'DigitalAuthApp',
    });
  });

  test('a challenge that is not a step-up is refused; quoted values are read back exactly', () => {
    expect(() => stepUpAuthorizationUrl('Bearer error="invalid_token"', { authorizeUrl: 'https://x/oauth2/authorize', clientId: 'c', redirectUri: 'https://x/cb', scope: 'openid', state: 's', codeChallenge: 'c' })).toThrow(
      'not a step-up challenge (RFC 9470 insufficient_user_authentication)',
    );
    expect(parseChallenge('Bearer error="insufficient_user_authentication", error_description="say \\"hi\\"", max_age=5')).toEqual({
      error: 'insufficient_user_authentication', error_description: 'say "hi"', max_age: '5',
    });
    // Names are case-insensitive; the parameters of a later challenge are not this one's; a repeat spoils it.
    expect(parseChallenge('Bearer ERROR = "insufficient_user_authentication" , MAX_AGE="30"')).toEqual({ error: 'insufficient_user_authentication', max_age: '30' });
    expect(parseChallenge('Bearer error="invalid_token", DPoP error="insufficient_user_authentication", max_age=0')).toEqual({ error: 'invalid_token' });
    expect(parseChallenge('Bearer error="a", error="b"')).toEqual({});
  });
});
