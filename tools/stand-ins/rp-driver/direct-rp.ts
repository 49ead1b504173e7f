/**
 * An RP that talks to the OP directly, as the Digital Agency requires (PKCE S256, nonce,
 * private_key_jwt): the baseline against which the proxy's added latency is measured.
 * It is openid-client with the private key in process.
 */
import { randomBytes } from 'node:crypto';
import { importJWK } from 'jose';
import * as oidc from 'openid-client';
import type { LocalSigner } from '../../../lambdas/federation-proxy/crypto/signer';
import { Browser, signInThroughTestPage, type TestChoice } from './browser';

export class DirectRp {
  private constructor(
    private readonly config: oidc.Configuration,
    private readonly redirectUri: string,
    private readonly scope: string,
  ) {}

  static async create(o: { issuer: string; clientId: string; redirectUri: string; signer: LocalSigner; scope: string }): Promise<DirectRp> {
    const server = await oidc.discovery(new URL(o.issuer), o.clientId, undefined, undefined, { execute: [oidc.allowInsecureRequests] });
    const key = (await importJWK(o.signer.exportPrivateJwk(), o.signer.alg)) as CryptoKey;
    const config = new oidc.Configuration(server.serverMetadata(), o.clientId, { token_endpoint_auth_signing_alg: o.signer.alg }, oidc.PrivateKeyJwt({ key, kid: (await o.signer.publicJwk()).kid }));
    oidc.allowInsecureRequests(config);
    return new DirectRp(config, o.redirectUri, o.scope);
  }

  async signIn(choice: TestChoice): Promise<Record<string, unknown>> {
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const state = randomBytes(24).toString('base64url');
    const url = oidc.buildAuthorizationUrl(this.config, {
      redirect_uri: this.redirectUri,
      scope: this.scope,
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const end = await signInThroughTestPage(new Browser(), url.toString(), choice, (u) => u.startsWith(this.redirectUri));
    const tokens = await oidc.authorizationCodeGrant(this.config, end, { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
    const claims = tokens.claims()!;
    return { ...(await oidc.fetchUserInfo(this.config, tokens.access_token, claims.sub)) };
  }
}
