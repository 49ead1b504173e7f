/** /logout: https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html */
import type { Hono } from 'hono';
import { deleteCookie, getCookie } from 'hono/cookie';
import { showError } from '../http';
import { SESSION_COOKIE } from '../session';
import { clientById, type StandInState } from '../state';

export function logoutRoutes(app: Hono, s: StandInState): void {
  app.get('/logout', (c) => {
    const q = c.req.query();
    const client = clientById(s, q.client_id);
    if (!client) return showError(s, c, 'invalid_request', 'client_id is missing or not a client of this user pool');
    const sid = getCookie(c, SESSION_COOKIE);
    if (q.logout_uri !== undefined) {
      if (!client.logoutUrls.includes(q.logout_uri)) return showError(s, c, 'invalid_request', 'logout_uri is not a sign-out URL of this app client');
      if (sid) s.sessions.delete(sid);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.redirect(q.logout_uri);
    }
    if (q.redirect_uri !== undefined && q.response_type === 'code') {
      if (sid) s.sessions.delete(sid);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      const u = new URL(`${s.origin}/oauth2/authorize`);
      for (const k of ['client_id', 'redirect_uri', 'response_type', 'scope', 'state']) if (q[k] !== undefined) u.searchParams.set(k, q[k]!);
      return c.redirect(u.toString());
    }
    return showError(s, c, 'invalid_request', 'logout needs logout_uri, or redirect_uri and response_type');
  });
}
