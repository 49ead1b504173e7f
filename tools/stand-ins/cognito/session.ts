/**
 * Managed login's session and the sign-ins in progress: the session cookie, the binding of a
 * sign-in to the browser that started it, and what a finished sign-in sends back to the app.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { levelOfMethod, type Level } from './pool-settings';
import { newId, TX_MS, type AuthorizeRequest, type Session, type StandInState } from './state';
import type { User } from './users';

export const SESSION_COOKIE = 'cognito';
/** Binds sign-ins in progress to the browser that started them (no login CSRF: a form or IdP answer carried to another browser does nothing). */
const BROWSER_COOKIE = 'cognito-browser';
/** Managed login's session: 1 hour. Authorization codes: 5 minutes, one use. */
const SESSION_SECONDS = 3600;
const CODE_SECONDS = 300;

function newSession(s: StandInState, c: Context, user: User, method: string, federatedLevel?: Level): Session {
  const sid = newId();
  const authTime = Math.floor(Date.now() / 1000);
  const level = federatedLevel ?? levelOfMethod(method);
  const amr = method.startsWith('federated:') ? ['fed'] : method === 'passkey' ? ['swk'] : method === 'email_otp' ? ['email_otp'] : ['pwd'];
  s.sessions.set(sid, { username: user.username, authTime, method, level, amr, expires: Date.now() + SESSION_SECONDS * 1000 });
  setCookie(c, SESSION_COOKIE, sid, { path: '/', httpOnly: true, sameSite: 'Lax', secure: s.origin.startsWith('https:'), maxAge: SESSION_SECONDS });
  return s.sessions.get(sid)!;
}

export function currentSession(s: StandInState, c: Context): Session | undefined {
  const sid = getCookie(c, SESSION_COOKIE);
  const session = sid ? s.sessions.get(sid) : undefined;
  if (!session || session.expires < Date.now() || !s.users.get(session.username)?.enabled) return undefined;
  return session;
}

/** A new authorization code for the session, and the app's redirect URI that carries it. */
export function redirectWithCode(s: StandInState, tx: AuthorizeRequest, session: Session): string {
  const code = newId();
  s.codes.set(code, {
    grant: {
      username: session.username, clientId: tx.client.id, scopes: tx.scopes, authTime: session.authTime, originJti: randomUUID(), nonce: tx.nonce,
      // Native levels: the session's level and methods, in ID and access tokens (kept on refresh).
      ...(s.settings.nativeLevels && s.pool.tier !== 'LITE' ? { acr: s.settings.levelName(session.level), amr: session.amr } : {}),
    },
    client: tx.client,
    redirectUri: tx.redirectUri,
    codeChallenge: tx.codeChallenge,
    expires: Date.now() + CODE_SECONDS * 1000,
  });
  const u = new URL(tx.redirectUri);
  u.searchParams.set('code', code);
  if (tx.state !== undefined) u.searchParams.set('state', tx.state);
  return u.toString();
}

export function errorRedirect(tx: Pick<AuthorizeRequest, 'redirectUri' | 'state'>, error: string, description?: string): string {
  const u = new URL(tx.redirectUri);
  if (description) u.searchParams.set('error_description', description);
  u.searchParams.set('error', error);
  if (tx.state !== undefined) u.searchParams.set('state', tx.state);
  return u.toString();
}

/** The sign-in in progress by its id, if it has not expired and runs in this browser. */
export function txOf(s: StandInState, c: Context, id: string | undefined): AuthorizeRequest | undefined {
  const tx = id ? s.txs.get(id) : undefined;
  if (!tx || tx.created + TX_MS <= Date.now()) return undefined;
  const browser = getCookie(c, BROWSER_COOKIE);
  return browser && browser.length === tx.browser.length && timingSafeEqual(Buffer.from(browser), Buffer.from(tx.browser)) ? tx : undefined;
}

/** This browser's binding value, set on first sight. */
export function browserOf(s: StandInState, c: Context): string {
  let b = getCookie(c, BROWSER_COOKIE);
  if (!b || !/^[A-Za-z0-9_-]{32}$/.test(b)) {
    b = newId();
    setCookie(c, BROWSER_COOKIE, b, { path: '/', httpOnly: true, sameSite: 'Lax', secure: s.origin.startsWith('https:') });
  }
  return b;
}

/** After a successful sign-in: post authentication, then the code to the app (or the passkey page). */
export async function completeSignIn(s: StandInState, c: Context, txId: string, tx: AuthorizeRequest, user: User, method: string, federatedLevel?: Level): Promise<string> {
  await s.triggers.invoke('PostAuthentication', {
    triggerSource: 'PostAuthentication_Authentication',
    userName: user.username,
    clientId: tx.client.id,
    request: { userAttributes: Object.fromEntries(user.attributes), newDeviceUsed: false },
    response: {},
  });
  const session = newSession(s, c, user, method, federatedLevel);
  s.txs.delete(txId);
  s.log(`signed in (${method}) for client ${tx.client.name}`);
  return tx.returnTo ?? redirectWithCode(s, tx, session);
}
