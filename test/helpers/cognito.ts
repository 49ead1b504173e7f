/**
 * A managed login sign-in with a password against the Cognito stand-in over HTTP, as a browser
 * posts it (authorize, the sign-in form, the code, the token request with PKCE).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { RunningStandIn } from '../../tools/stand-ins/cognito/stand-in';

export const PASSWORD = 'Stand-in-Passw0rd!';
export const b64url = (b: Buffer) => b.toString('base64url');

/** A managed login sign-in with a password, as a browser would post it; returns the token response. */
export async function passwordSignIn(s: RunningStandIn, clientName: string, email: string, o: { scope?: string; redeemWith?: string; password?: string } = {}) {
  const client = s.clients.find((c) => c.name === clientName)!;
  const model = s.model.clients.find((c) => c.name === clientName)!;
  const verifier = b64url(randomBytes(32));
  const q = new URLSearchParams({
    response_type: 'code', client_id: client.id, redirect_uri: model.callbackUrls[0]!, state: 's1', scope: o.scope ?? model.allowedOAuthScopes.join(' '),
    code_challenge: b64url(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256',
  });
  const a = await fetch(`${s.origin}/oauth2/authorize?${q}`, { redirect: 'manual' });
  const tx = new URL(a.headers.get('location')!, s.origin).searchParams.get('tx')!;
  // The sign-in page continues only in the browser that started it (its binding cookie).
  const cookie = browserCookieOf(a);
  const p = await fetch(`${s.origin}/login/password`, { method: 'POST', body: new URLSearchParams({ tx, email, password: o.password ?? PASSWORD }), redirect: 'manual', headers: { cookie } });
  const back = new URL(p.headers.get('location')!);
  const body = new URLSearchParams({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: model.callbackUrls[0]!, client_id: client.id, code_verifier: o.redeemWith ?? verifier });
  const headers: Record<string, string> = client.secret ? { authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}` } : {};
  const t = await fetch(`${s.origin}/oauth2/token`, { method: 'POST', body, headers });
  return { status: t.status, tokens: (await t.json()) as Record<string, string>, code: back.searchParams.get('code')!, verifier, state: back.searchParams.get('state') };
}


/** The stand-in's browser-binding cookie from a response, as a Cookie header. */
export const browserCookieOf = (r: Response) => r.headers.getSetCookie().map((c) => c.split(';')[0]!).filter((c) => c.startsWith('cognito-browser=')).join('; ');
