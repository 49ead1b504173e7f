/** The IdP's redirect back to Cognito: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-oidc-flow.html */
import type { Hono } from 'hono';
import { federatedSignIn } from '../federation';
import { OAuthError, showError } from '../http';
import { levelRank, type Level } from '../pool-settings';
import { completeSignIn, errorRedirect, txOf } from '../session';
import type { StandInState } from '../state';
import { TriggerError } from '../triggers';
import type { User } from '../users';

export function idpResponseRoutes(app: Hono, s: StandInState): void {
  app.get('/oauth2/idpresponse', async (c) => {
    const q = c.req.query();
    const fed = q.state ? s.federations.get(q.state) : undefined;
    if (!fed || fed.expires < Date.now()) return showError(s, c, 'invalid_request', 'The identity provider answered with an unknown or expired state.');
    s.federations.delete(q.state!);
    const tx = txOf(s, c, fed.tx);
    if (!tx) return showError(s, c, 'invalid_request', 'This sign-in has expired. Start again from the app.');
    if (q.error) return c.redirect(errorRedirect(tx, q.error, q.error_description ?? q.error));
    if (!q.code) return c.redirect(errorRedirect(tx, 'invalid_request', 'The identity provider returned no code'));
    let user: User;
    let level: Level;
    try {
      ({ user, level } = await federatedSignIn(s, fed.provider, q.code, tx));
    } catch (e) {
      if (e instanceof OAuthError || e instanceof TriggerError) {
        s.log(`federation failed: ${e.message}`);
        return c.redirect(errorRedirect(tx, 'invalid_request', e.message));
      }
      throw e;
    }
    // Native levels: a federated sign-in below the level the app asked for is refused.
    if (tx.level && levelRank(level) < levelRank(tx.level)) return c.redirect(errorRedirect(tx, 'access_denied', 'The identity provider did not authenticate at the requested level'));
    return c.redirect(await completeSignIn(s, c, fed.tx, tx, user, `federated:${fed.provider.name}`, level), 302);
  });
}
