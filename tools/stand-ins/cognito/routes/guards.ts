/** What runs before and around every route: the error page, the body limit, and the origin check of form posts. */
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { OAuthError, showError } from '../http';
import type { StandInState } from '../state';
import { TriggerError } from '../triggers';

export function guards(app: Hono, s: StandInState): void {
  app.onError((e, c) => {
    if (e instanceof OAuthError) return showError(s, c, e.error, e.description, e.status);
    if (e instanceof TriggerError) return showError(s, c, 'UserLambdaValidationException', e.message);
    s.log(`internal error: ${e.message}`);
    return showError(s, c, 'server_error', 'The stand-in failed to handle this request (see its console).', 500);
  });

  // Form posts and the pages' own calls come from this origin only (a foreign page cannot post
  // a sign-in form in a person's browser); the token endpoint and the API are called by servers.
  app.use('*', bodyLimit({ maxSize: 1024 * 1024, onError: (c) => c.json({ error: 'invalid_request', error_description: 'request body too large' }, 413) }));
  app.use('*', async (c, next) => {
    const from = c.req.header('origin');
    const serverCall = c.req.path === '/' || c.req.path === '/oauth2/token' || c.req.path === '/oauth2/revoke' || c.req.path === '/oauth2/userInfo';
    if (c.req.method === 'POST' && !serverCall && from !== undefined && from !== s.origin) return showError(s, c, 'invalid_request', 'This form was posted from another site.', 403);
    await next();
    return undefined;
  });
}
