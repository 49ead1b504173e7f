/**
 * The step-up library an app's API uses, against real Cognito-shaped tokens verified by
 * aws-jwt-verify (the user pool's JWKS preloaded: nothing leaves this machine).
 */
import { generateKeyPairSync } from 'node:crypto';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { exportJWK, SignJWT } from 'jose';
import { parseChallenge, requireAuthentication, stepUpAuthorizationUrl } from '../../packages/step-up/src/index';

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

  test.each([
    ['no token', undefined],
    ['not a bearer token', 'Basic dXNlcjpwYXNz'],
    ['a token signed with another key', 'forged'],
  ])('%s: 401 invalid_token', async (_name, header) => {
    const authorization = header === 'forged' ? `Bearer ${await accessToken({ jpki_acr: 'urn:myna-idp:jpki', jpki_auth_time: now() }, other.privateKey)}` : header;
    const d = await requireAuthentication(verifier, authorization, requirement);
    expect(d.ok).toBe(false);
    expect(!d.ok && d.body.error).toBe('invalid_token');
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
  });
});
