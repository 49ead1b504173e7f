/** /oauth2/authorize: https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html */
import type { Hono } from 'hono';
import { startFederation } from '../federation';
import { showError } from '../http';
import { levelRank } from '../pool-settings';
import { browserOf, currentSession, errorRedirect, redirectWithCode } from '../session';
import { clientById, newId, providerByName, type AuthorizeRequest, type StandInState } from '../state';

export function authorizeRoutes(app: Hono, s: StandInState): void {
  const { model, pool, settings } = s;
  app.get('/oauth2/authorize', (c) => {
    const q = c.req.query();
    const client = clientById(s, q.client_id);
    if (!client) return showError(s, c, 'invalid_request', 'client_id is missing or not a client of this user pool');
    if (!q.redirect_uri || !client.callbackUrls.includes(q.redirect_uri)) return showError(s, c, 'redirect_mismatch', 'redirect_uri is not a callback URL of this app client');
    const base = { redirectUri: q.redirect_uri, state: q.state };
    if (q.response_type !== 'code' || !client.allowedOAuthFlows.includes('code')) return c.redirect(errorRedirect(base, 'unsupported_response_type'));
    const scopes = (q.scope ?? client.allowedOAuthScopes.join(' ')).split(' ').filter(Boolean);
    if (scopes.some((x) => !client.allowedOAuthScopes.includes(x))) return c.redirect(errorRedirect(base, 'invalid_scope'));
    if (q.code_challenge !== undefined && q.code_challenge_method !== 'S256') return c.redirect(errorRedirect(base, 'invalid_request', 'code_challenge_method must be S256'));
    // acr_values name levels of the pool once native levels are set (Essentials or Plus; ignored otherwise).
    const level = settings.nativeLevels && pool.tier !== 'LITE' ? settings.requestedLevel(q.acr_values) : undefined;
    const tx: AuthorizeRequest = { client, redirectUri: q.redirect_uri, state: q.state, scopes, codeChallenge: q.code_challenge, nonce: q.nonce, prompt: q.prompt, loginHint: q.login_hint, ...(level ? { level } : {}), created: Date.now(), browser: browserOf(s, c) };
    const txId = newId();
    s.txs.set(txId, tx);
    const idpName = q.identity_provider ?? (q.idp_identifier ? model.identityProviders.find((p) => p.identifiers.includes(q.idp_identifier!))?.name : undefined);
    if (idpName && idpName !== 'COGNITO') {
      const provider = providerByName(s, idpName);
      if (!provider || !client.supportedIdentityProviders.includes(idpName)) return c.redirect(errorRedirect(base, 'invalid_request', 'identity_provider is not enabled for this app client'));
      return c.redirect(startFederation(s, txId, provider));
    }
    const session = currentSession(s, c);
    // max_age (OIDC Core 3.1.2.1): a session older than it signs in again. [U] for Cognito
    // without native authentication levels. A session below the level asked for signs in again.
    const maxAge = q.max_age !== undefined && /^\d+$/.test(q.max_age) ? Number(q.max_age) : undefined;
    const fresh = session && (maxAge === undefined || Math.floor(Date.now() / 1000) - session.authTime <= maxAge) && (!level || levelRank(session.level) >= levelRank(level));
    if (session && fresh && q.prompt !== 'login' && q.prompt !== 'select_account') {
      s.txs.delete(txId);
      return c.redirect(redirectWithCode(s, tx, session));
    }
    if (q.prompt === 'none') return c.redirect(errorRedirect(base, 'login_required'));
    return c.redirect(`/login?tx=${txId}`);
  });
}
