/**
 * An RP that behaves toward the proxy as Amazon Cognito does (its OIDC IdP documentation):
 * client_secret_post, no PKCE, no nonce, GET userinfo with the access token; it verifies the
 * ID token it receives against the issuer and JWKS it is configured with. It is openid-client,
 * a real RP, configured the way a user pool's OIDC IdP is (from ProviderDetails).
 */
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { Browser, signInThroughTestPage, type TestChoice } from './browser';

export type { TestChoice } from './browser';

/** What a user pool's OIDC identity provider is configured with (ProviderDetails). */
export interface CognitoIdpSettings {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly issuer: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly attributesUrl: string;
  readonly jwksUri: string;
  readonly scopes: string;
  /** https://<user pool domain>/oauth2/idpresponse */
  readonly redirectUri: string;
}

export interface SignInResult {
  readonly idTokenClaims: Record<string, unknown>;
  readonly userinfo: Record<string, unknown>;
  readonly browser: Browser;
}

/** The redirect at the end of a sign-in, as Cognito's idpresponse endpoint receives it. */
export interface IdpResponse { readonly url: URL; readonly state: string }

export class CognitoLikeRp {
  readonly config: oidc.Configuration;

  constructor(readonly settings: CognitoIdpSettings) {
    this.config = new oidc.Configuration(
      {
        issuer: settings.issuer,
        authorization_endpoint: settings.authorizeUrl,
        token_endpoint: settings.tokenUrl,
        userinfo_endpoint: settings.attributesUrl,
        jwks_uri: settings.jwksUri,
      },
      settings.clientId,
      { id_token_signed_response_alg: 'ES256' },
      oidc.ClientSecretPost(settings.clientSecret),
    );
    if (settings.issuer.startsWith('http:')) oidc.allowInsecureRequests(this.config);
  }

  /** The authorization request Cognito sends: no PKCE, no nonce. */
  authorizationUrl(state: string): URL {
    return oidc.buildAuthorizationUrl(this.config, { redirect_uri: this.settings.redirectUri, scope: this.settings.scopes, response_type: 'code', state });
  }

  /** Runs the browser part of a sign-in up to the redirect back to idpresponse. */
  async authorize(choice: TestChoice, browser = new Browser()): Promise<IdpResponse & { browser: Browser }> {
    const state = randomBytes(24).toString('base64url');
    const url = await signInThroughTestPage(browser, this.authorizationUrl(state).toString(), choice, (u) => u.startsWith(this.settings.redirectUri));
    return { url, state, browser };
  }

  /** What Cognito does at idpresponse: redeem the code, verify the ID token, fetch userinfo. */
  async complete(response: IdpResponse): Promise<{ idTokenClaims: Record<string, unknown>; userinfo: Record<string, unknown>; accessToken: string }> {
    const tokens = await oidc.authorizationCodeGrant(this.config, response.url, { expectedState: response.state, idTokenExpected: true });
    const claims = tokens.claims();
    if (!claims) throw new Error('no ID token');
    const userinfo = await oidc.fetchUserInfo(this.config, tokens.access_token, claims.sub);
    return { idTokenClaims: { ...claims }, userinfo: { ...userinfo }, accessToken: tokens.access_token };
  }

  async signIn(choice: TestChoice): Promise<SignInResult> {
    const r = await this.authorize(choice);
    return { ...(await this.complete(r)), browser: r.browser };
  }
}
