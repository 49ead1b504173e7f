/** /oauth2/userInfo: https://docs.aws.amazon.com/cognito/latest/developerguide/userinfo-endpoint.html */
import type { Context, Hono } from 'hono';
import { verifyAccessToken } from '../access-token';
import { clientById, readable, type StandInState } from '../state';

export function userInfoRoutes(app: Hono, s: StandInState): void {
  const userInfo = async (c: Context) => {
    c.header('cache-control', 'no-store');
    const token = /^Bearer (.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const v = await verifyAccessToken(s, token);
    if (!v) {
      c.header('www-authenticate', 'Bearer error="invalid_token"');
      return c.json({ error: 'invalid_token', error_description: 'Access token is expired, disabled, or deleted, or the user has globally signed out.' }, 401);
    }
    const scopes = String(v.claims.scope ?? '').split(' ');
    if (!scopes.includes('openid')) return c.json({ error: 'invalid_token', error_description: 'The access token lacks the openid scope' }, 401);
    const client = clientById(s, String(v.claims.client_id))!;
    const can = readable(client);
    const allowed = (name: string) => {
      if (!can(name)) return false;
      if (scopes.includes('profile')) return true;
      if (name.startsWith('email')) return scopes.includes('email');
      if (name.startsWith('phone_number')) return scopes.includes('phone');
      return !scopes.some((x) => x === 'email' || x === 'phone');
    };
    const out: Record<string, string> = { sub: v.user.attributes.get('sub')! };
    for (const [k, val] of v.user.attributes) if (k !== 'sub' && allowed(k)) out[k] = val;
    out.username = v.user.username;
    return c.json(out);
  };
  app.get('/oauth2/userInfo', userInfo);
  app.post('/oauth2/userInfo', userInfo);
}
