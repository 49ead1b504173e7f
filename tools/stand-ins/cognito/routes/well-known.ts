/** Discovery and keys, at the issuer (https://cognito-idp.<region>.amazonaws.com/<pool id>) and at the origin. */
import type { Context, Hono } from 'hono';
import type { StandInState } from '../state';

export function wellKnownRoutes(app: Hono, s: StandInState): void {
  const discovery = (c: Context) =>
    c.json({
      issuer: s.issuer,
      authorization_endpoint: `${s.origin}/oauth2/authorize`,
      token_endpoint: `${s.origin}/oauth2/token`,
      userinfo_endpoint: `${s.origin}/oauth2/userInfo`,
      end_session_endpoint: `${s.origin}/logout`,
      revocation_endpoint: `${s.origin}/oauth2/revoke`,
      jwks_uri: `${s.issuer}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      scopes_supported: ['openid', 'email', 'phone', 'profile'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
    });
  app.get(`/${s.pool.id}/.well-known/openid-configuration`, discovery);
  app.get('/.well-known/openid-configuration', discovery);
  app.get(`/${s.pool.id}/.well-known/jwks.json`, (c) => c.json(s.signer.jwks));
  app.get('/.well-known/jwks.json', (c) => c.json(s.signer.jwks));
}
