/**
 * A sample web app on a myna-idp tenant, for app developers to copy: server-rendered (hono),
 * a confidential (or public, PKCE) app client of the tenant's user pool through openid-client,
 * Japanese with English.
 *
 * - Sign in through managed login, or straight to My Number Card (identity_provider=DigitalAuthApp).
 * - /profile shows the ID token's claims: standard, acr, amr, auth_time, verified_claims.
 * - 住所変更 (change of address) is a sensitive action behind the app's own API, which demands a
 *   recent card authentication with an RFC 9470 challenge (@myna-idp/step-up); the app turns
 *   the challenge into a new sign-in with the card and comes back.
 * - Passkey registration on managed login's /passkeys/add page; sign-out through /logout.
 */
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import * as oidc from 'openid-client';
import { JwtVerifier } from 'aws-jwt-verify';
import { escapeHtml } from '../../lambdas/federation-proxy/web/html';
import { parseChallenge, requireAuthentication, stepUpAuthorizationUrl, type AuthenticationRequirement } from '../../packages/step-up/src/index';

export interface SampleAppConfig {
  /** The user pool's issuer (stack output Issuer). */
  readonly issuer: string;
  /** The app client (stack output AppClientId<Name>) and, for a confidential client, its secret. */
  readonly clientId: string;
  readonly clientSecret?: string;
  /** This app's origin, e.g. http://localhost:3000: the callback is <origin>/auth/callback. */
  readonly appOrigin: string;
  /** Must be a callback URL of the app client. */
  readonly redirectUri: string;
  /** A sign-out URL of the app client (default: the app's origin + '/'). */
  readonly logoutUri?: string;
  /** Scopes to ask for (default: openid email profile). */
  readonly scope?: string;
  /** The identity provider name of My Number Card in the pool. */
  readonly cardProvider?: string;
  /** What the sensitive action demands (RFC 9470): levels, maximum age, and the claims that carry them. */
  readonly stepUp: AuthenticationRequirement;
  /**
   * The federation proxy's link endpoint (stack output JpkiLinkIntentUrl): with the user's
   * access token it gives a login_hint under which a card sign-in is linked to this user (or
   * refused when the card belongs to another account). Without it, a card sign-in from a
   * signed-in user would be a separate account, so step-up and linking are off.
   */
  readonly linkIntentUrl?: string;
  /** Allow http:// for the issuer (the local sandbox only). */
  readonly allowHttp?: boolean;
}

interface Session {
  idToken?: string;
  accessToken?: string;
  claims?: Record<string, unknown>;
  /** A sign-in in progress; `sameUser`: the card step-up or link must come back as this user. */
  pending?: { state: string; nonce: string; verifier: string; returnTo: string; sameUser?: string };
  address?: string;
  /** Moving the card account into a pool account: that card account's access token, kept while the person signs in to the other. */
  mergeFrom?: { accessToken: string; until: number };
}

const STYLE = `body{font-family:system-ui,"Hiragino Sans","Noto Sans CJK JP",sans-serif;max-width:46em;margin:0 auto;padding:1em;line-height:1.6;color:#1b1b1b}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:2px solid #1d6b3a;margin-bottom:1em}
header a{color:inherit;text-decoration:none;font-weight:700}
.en{color:#555;font-size:.85em}
.button{display:inline-block;padding:.55em 1.1em;margin:.3em .3em .3em 0;border-radius:6px;border:1px solid #1d6b3a;background:#1d6b3a;color:#fff;text-decoration:none;font-size:1em;cursor:pointer}
.button.secondary{background:#fff;color:#1d6b3a}
table{border-collapse:collapse;width:100%;font-size:.92em}td,th{border-bottom:1px solid #ddd;padding:.35em;text-align:left;vertical-align:top;word-break:break-all}
.notice{background:#fff8e6;border-left:4px solid #e0a100;padding:.6em .9em;margin:1em 0}
.ok{background:#eefaf0;border-left:4px solid #1d6b3a;padding:.6em .9em;margin:1em 0}
code{background:#f3f3f3;padding:0 .2em}`;

const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

export async function createSampleApp(config: SampleAppConfig) {
  const issuer = new URL(config.issuer);
  const clientAuth = config.clientSecret ? oidc.ClientSecretBasic(config.clientSecret) : oidc.None();
  const discovery = await oidc.discovery(issuer, config.clientId, undefined, clientAuth, config.allowHttp ? { execute: [oidc.allowInsecureRequests] } : undefined);
  const meta = discovery.serverMetadata();
  const scope = config.scope ?? 'openid email profile';
  const cardProvider = config.cardProvider ?? 'DigitalAuthApp';
  const logoutUri = config.logoutUri ?? `${config.appOrigin}/`;

  // The app's API checks Cognito's access token itself (aws-jwt-verify): issuer, signature,
  // expiry, token_use and the app client.
  const verifier = JwtVerifier.create({
    issuer: meta.issuer,
    audience: null,
    jwksUri: meta.jwks_uri!,
    customJwtCheck: ({ payload }) => {
      if (payload.token_use !== 'access') throw new Error('not an access token');
      if (payload.client_id !== config.clientId) throw new Error('a token of another app client');
    },
  });
  // aws-jwt-verify fetches keys over https only; the local sandbox serves them over http.
  if (meta.jwks_uri!.startsWith('http:')) verifier.cacheJwks((await (await fetch(meta.jwks_uri!)).json()) as never);

  const sessions = new Map<string, Session>();
  const sessionOf = (c: Context, create = false): Session | undefined => {
    let id = getCookie(c, 'sample_session');
    if (id && sessions.has(id)) return sessions.get(id);
    if (!create) return undefined;
    id = randomBytes(24).toString('base64url');
    sessions.set(id, {});
    setCookie(c, 'sample_session', id, { path: '/', httpOnly: true, sameSite: 'Lax', secure: config.appOrigin.startsWith('https:') });
    return sessions.get(id);
  };

  /** A new session id at sign-in (no fixation): the old id is forgotten. */
  const rotate = (c: Context, s: Session) => {
    const old = getCookie(c, 'sample_session');
    if (old) sessions.delete(old);
    const id = randomBytes(24).toString('base64url');
    sessions.set(id, s);
    setCookie(c, 'sample_session', id, { path: '/', httpOnly: true, sameSite: 'Lax', secure: config.appOrigin.startsWith('https:') });
  };

  /**
   * A login_hint from the proxy that ties the next card sign-in to the signed-in user; with
   * `cardAccountToken` (an access token of the account created with the card), that account is
   * moved into this user, once the person confirms it at the proxy and uses the card again.
   */
  const linkHint = async (s: Session, cardAccountToken?: string): Promise<string> => {
    if (!config.linkIntentUrl || !s.accessToken) throw new Error('linking My Number Card is not configured for this app (linkIntentUrl)');
    const res = await fetch(config.linkIntentUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.accessToken}`, ...(cardAccountToken ? { 'content-type': 'application/json' } : {}) },
      ...(cardAccountToken ? { body: JSON.stringify({ merge_card_account: true, card_account_token: cardAccountToken }) } : {}),
    });
    const body = (await res.json().catch(() => ({}))) as { login_hint?: string; error_description?: string };
    if (!res.ok || !body.login_hint) throw new Error(`the card cannot be linked to this account: ${body.error_description ?? res.status}`);
    return body.login_hint;
  };

  const html = (c: Context, title: string, body: string, status = 200) => {
    const s = sessionOf(c);
    c.header('content-security-policy', CSP);
    c.header('cache-control', 'no-store');
    return c.html(
      `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} - サンプルアプリ</title><style>${STYLE}</style></head><body>` +
        `<header><a href="/">サンプルアプリ <span class="en">Sample app</span></a><span>${s?.claims ? `${escapeHtml(String(s.claims.email ?? s.claims.name ?? s.claims['cognito:username'] ?? ''))} · <a href="/auth/logout">サインアウト / Sign out</a>` : ''}</span></header>` +
        `<main>${body}</main></body></html>`,
      status as 200,
    );
  };

  /** Starts a sign-in: PKCE, state and nonce kept in the session; extra parameters for the card or a step-up. */
  const signIn = async (c: Context, returnTo: string, extra: Record<string, string> = {}, url?: (state: string, challenge: string) => URL, sameUser?: string) => {
    const s = sessionOf(c, true)!;
    const verifier = oidc.randomPKCECodeVerifier();
    const challenge = await oidc.calculatePKCECodeChallenge(verifier);
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    s.pending = { state, nonce, verifier, returnTo, ...(sameUser ? { sameUser } : {}) };
    const target = url
      ? url(state, challenge)
      : oidc.buildAuthorizationUrl(discovery, { redirect_uri: config.redirectUri, scope, state, nonce, code_challenge: challenge, code_challenge_method: 'S256', ...extra });
    if (url) target.searchParams.set('nonce', nonce);
    return c.redirect(target.toString());
  };

  const app = new Hono();
  app.onError((e, c) => html(c, 'エラー', `<h1>エラーが発生しました <span class="en">Something went wrong</span></h1><p class="notice">${escapeHtml(e.message)}</p><p><a class="button" href="/">ホームへ / Home</a></p>`, 500));

  app.get('/', (c) => {
    const s = sessionOf(c);
    if (!s?.claims) {
      return html(
        c,
        'ホーム',
        '<h1>ようこそ <span class="en">Welcome</span></h1><p>パスキーやパスワードでサインインし、大事な手続きの前だけマイナンバーカードで本人確認します。<br><span class="en">Sign in with a passkey or password; verify with your My Number Card only before a sensitive action.</span></p>' +
          '<p><a class="button" href="/auth/login">サインイン / Sign in</a> <a class="button secondary" href="/auth/card">マイナンバーカードで登録・サインイン / Sign up or in with My Number Card</a></p>',
      );
    }
    const passkeys = new URL('/passkeys/add', meta.authorization_endpoint);
    passkeys.searchParams.set('client_id', config.clientId);
    passkeys.searchParams.set('redirect_uri', logoutUri);
    return html(
      c,
      'ホーム',
      `<h1>サインインしました <span class="en">You are signed in</span></h1>` +
        '<p><a class="button" href="/profile">プロフィールとトークン / Profile and token claims</a></p>' +
        '<p><a class="button" href="/account/address">住所変更（本人確認が必要） / Change address (needs verification)</a></p>' +
        // A user of the card's own account (signed up with the card) is a user of an identity
        // provider: Cognito keeps passkeys and links for pool users only. The nearest: an
        // account of the pool, into which the card's account is moved.
        (String(s.claims['cognito:username'] ?? '').startsWith(`${cardProvider}_`)
          ? '<p class="notice">マイナンバーカードで作成したアカウントです。パスキーでサインインするには、メールアドレスのアカウントにこのアカウントを移します。<span class="en">This account was created with My Number Card. To sign in with a passkey, move it into an account with your email address.</span></p>' +
            '<form method="post" action="/account/move-card"><button class="button" type="submit">メールアドレスのアカウントに移す / Move into an email account</button></form>'
          : `<p><a class="button secondary" href="${escapeHtml(passkeys.toString())}">パスキーを登録 / Add a passkey</a> <a class="button secondary" href="/auth/card?link=1">マイナンバーカードを連携 / Link My Number Card</a></p>`),
    );
  });

  app.get('/auth/login', (c) => signIn(c, '/'));
  app.get('/auth/card', async (c) => {
    if (!c.req.query('link')) return signIn(c, '/', { identity_provider: cardProvider });
    // Link the card to the signed-in user: the proxy links it (or refuses) before Cognito sees it.
    const s = sessionOf(c);
    if (!s?.claims) return c.redirect('/auth/login');
    return signIn(c, '/profile', { identity_provider: cardProvider, login_hint: await linkHint(s) }, undefined, String(s.claims.sub));
  });

  // Moving the card's own account into an account of the pool (which can have a passkey): the
  // app keeps the card account's token, the person signs in to (or creates) the other account,
  // then verifies with the card once more; the proxy moves the card only with both tokens.
  app.post('/account/move-card', (c) => {
    const s = sessionOf(c);
    if (!s?.claims || !s.accessToken || !String(s.claims['cognito:username'] ?? '').startsWith(`${cardProvider}_`)) return c.redirect('/');
    const mergeFrom = { accessToken: s.accessToken, until: Date.now() + 15 * 60_000 };
    s.claims = undefined;
    s.accessToken = undefined;
    s.idToken = undefined;
    s.mergeFrom = mergeFrom;
    return signIn(c, '/account/move-card/continue', { prompt: 'login' });
  });
  app.get('/account/move-card/continue', async (c) => {
    const s = sessionOf(c);
    const from = s?.mergeFrom;
    if (!s?.claims || !from || from.until < Date.now()) return c.redirect('/');
    s.mergeFrom = undefined;
    return signIn(c, '/profile', { identity_provider: cardProvider, login_hint: await linkHint(s, from.accessToken) }, undefined, String(s.claims.sub));
  });

  app.get('/auth/callback', async (c) => {
    const s = sessionOf(c);
    const pending = s?.pending;
    if (!s || !pending) return html(c, 'サインイン', '<h1>サインインをやり直してください <span class="en">Please sign in again</span></h1><p>このブラウザーで始めたサインインが見つかりません。<span class="en">No sign-in was started in this browser.</span></p><p><a class="button" href="/">ホーム / Home</a></p>', 400);
    const url = new URL(c.req.url);
    const error = url.searchParams.get('error');
    // An answer that is not to this browser's sign-in (another state) changes nothing.
    if (url.searchParams.get('state') !== pending.state) {
      return html(c, 'サインイン', '<h1>サインインをやり直してください <span class="en">Please sign in again</span></h1><p>この応答は、このブラウザーで始めたサインインのものではありません。<span class="en">This answer is not for the sign-in started in this browser.</span></p><p><a class="button" href="/">ホーム / Home</a></p>', 400);
    }
    if (error) {
      s.pending = undefined;
      const cancelled = error === 'access_denied';
      return html(
        c,
        'サインイン',
        `<h1>${cancelled ? 'サインインを中止しました' : 'サインインできませんでした'} <span class="en">${cancelled ? 'Sign-in cancelled' : 'Sign-in failed'}</span></h1><p class="notice"><code>${escapeHtml(error)}</code> ${escapeHtml(url.searchParams.get('error_description') ?? '')}</p><p><a class="button" href="/">ホームへ / Home</a></p>`,
        400,
      );
    }
    const tokens = await oidc.authorizationCodeGrant(discovery, url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    s.pending = undefined;
    const claims = { ...tokens.claims()! };
    // A step-up or link must come back as the same user; anything else is not this person's account.
    if (pending.sameUser && claims.sub !== pending.sameUser) {
      return html(c, 'サインイン', '<h1>別のアカウントでした <span class="en">That was another account</span></h1><p class="notice">マイナンバーカードは、このアカウントに連携されていません。<span class="en">The My Number Card is not linked to this account.</span></p><p><a class="button" href="/">ホーム / Home</a></p>', 403);
    }
    rotate(c, { idToken: tokens.id_token, accessToken: tokens.access_token, claims, address: s.address, ...(s.mergeFrom ? { mergeFrom: s.mergeFrom } : {}) });
    return c.redirect(pending.returnTo);
  });

  app.get('/profile', (c) => {
    const s = sessionOf(c);
    if (!s?.claims) return c.redirect('/auth/login');
    const claims = s.claims;
    const row = (k: string, v: unknown) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`;
    const time = (v: unknown) => (typeof v === 'number' ? `${v} (${new Date(v * 1000).toISOString()})` : '—');
    const verified = claims.verified_claims as { verification?: Record<string, unknown>; claims?: Record<string, unknown> } | undefined;
    return html(
      c,
      'プロフィール',
      '<h1>プロフィール <span class="en">Profile</span></h1>' +
        '<h2>認証 <span class="en">Authentication</span></h2><table>' +
        row('acr', claims.acr ?? '—') +
        row('amr', claims.amr ?? '—') +
        `<tr><th>auth_time</th><td>${escapeHtml(time(claims.auth_time))}</td></tr>` +
        row('identities', claims.identities ?? '—') +
        '</table>' +
        '<h2>マイナンバーカードで確認された情報 <span class="en">Verified with My Number Card (verified_claims)</span></h2>' +
        (verified
          ? `<table>${Object.entries(verified.claims ?? {}).map(([k, v]) => row(k, v)).join('')}${row('verification', verified.verification ?? {})}</table>`
          : '<p>この ID トークンに verified_claims はありません。<span class="en">This ID token has no verified_claims.</span></p>') +
        '<h2>ID トークンのクレーム <span class="en">All ID token claims</span></h2><table>' +
        Object.entries(claims).map(([k, v]) => row(k, v)).join('') +
        '</table><p><a class="button" href="/">ホーム / Home</a></p>',
    );
  });

  // The app's API: the sensitive action demands a recent, strong enough authentication.
  app.post('/api/address', async (c) => {
    const decision = await requireAuthentication(verifier, c.req.header('authorization'), config.stepUp);
    if (!decision.ok) return c.json(decision.body, decision.status as 401, decision.headers);
    const body = (await c.req.json().catch(() => ({}))) as { address?: unknown };
    if (typeof body.address !== 'string' || !body.address.trim() || body.address.length > 200) return c.json({ error: 'invalid_request', error_description: 'address: 1-200 characters' }, 400);
    return c.json({ ok: true, address: body.address.trim(), sub: decision.claims.sub });
  });

  const addressForm = (message = '', value = '') =>
    '<h1>住所変更 <span class="en">Change of address</span></h1>' +
    message +
    '<form method="post" action="/account/address"><label for="address">新しい住所 <span class="en">New address</span></label><br>' +
    `<input id="address" name="address" required maxlength="200" value="${escapeHtml(value)}" style="width:100%;padding:.5em;font-size:1em">` +
    '<br><button class="button" type="submit">変更する / Change</button></form>';
  app.get('/account/address', (c) => {
    const s = sessionOf(c);
    return s?.claims ? html(c, '住所変更', addressForm(s.address ? '<p class="ok">本人確認ができました。もう一度「変更する」を押してください。<span class="en">Verified: press Change again.</span></p>' : '', s.address ?? '')) : c.redirect('/auth/login');
  });
  app.post('/account/address', async (c) => {
    const s = sessionOf(c);
    if (!s?.accessToken) return c.redirect('/auth/login');
    const form = await c.req.parseBody();
    const res = await fetch(new URL('/api/address', config.appOrigin), {
      method: 'POST',
      headers: { authorization: `Bearer ${s.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ address: String(form.address ?? '') }),
    });
    if (res.status === 401) {
      const challenge = res.headers.get('www-authenticate') ?? '';
      // An expired or invalid token is not a step-up: sign in again.
      if (parseChallenge(challenge).error !== 'insufficient_user_authentication') return signIn(c, '/account/address');
      s.address = String(form.address ?? '');
      return html(
        c,
        '本人確認',
        '<h1>マイナンバーカードでの本人確認が必要です <span class="en">Verify with your My Number Card</span></h1>' +
          '<p>住所変更の前に、マイナンバーカードで本人確認をしてください。<span class="en">Before changing your address, verify your identity with your My Number Card.</span></p>' +
          `<p class="notice">API: <code>401 WWW-Authenticate: ${escapeHtml(challenge)}</code></p>` +
          `<p><a class="button" href="/auth/step-up?challenge=${encodeURIComponent(challenge)}">マイナンバーカードで確認 / Verify with My Number Card</a> <a class="button secondary" href="/">やめる / Cancel</a></p>`,
        401,
      );
    }
    const out = (await res.json()) as { ok?: boolean; address?: string; error_description?: string };
    if (!res.ok) return html(c, '住所変更', addressForm(`<p class="notice">${escapeHtml(out.error_description ?? 'error')}</p>`), res.status);
    return html(c, '住所変更', `<h1>住所を変更しました <span class="en">Address changed</span></h1><p class="ok">${escapeHtml(out.address ?? '')}</p><p><a class="button" href="/">ホーム / Home</a></p>`);
  });

  // The challenge becomes the next authorization request: its acr_values and max_age, prompt=login, the card.
  // The card step-up of a user without a linked card is also a link request (confirmed once at
  // the proxy); with a linked card it is a card sign-in, which Cognito gives to the same user.
  app.get('/auth/step-up', async (c) => {
    const s = sessionOf(c);
    if (!s?.claims) return c.redirect('/auth/login');
    const identities = Array.isArray(s.claims.identities) ? (s.claims.identities as Array<{ providerName?: string }>) : [];
    const hint = identities.some((i) => i.providerName === cardProvider) ? undefined : await linkHint(s);
    return signIn(
      c,
      '/account/address',
      {},
      (state, codeChallenge) => {
        const u = stepUpAuthorizationUrl(c.req.query('challenge') ?? '', { authorizeUrl: meta.authorization_endpoint!, clientId: config.clientId, redirectUri: config.redirectUri, scope, state, codeChallenge, identityProvider: cardProvider });
        if (hint) u.searchParams.set('login_hint', hint);
        return u;
      },
      String(s.claims.sub),
    );
  });

  app.get('/auth/logout', (c) => {
    const id = getCookie(c, 'sample_session');
    if (id) sessions.delete(id);
    deleteCookie(c, 'sample_session', { path: '/' });
    const u = new URL(meta.end_session_endpoint ?? new URL('/logout', meta.authorization_endpoint).toString());
    u.searchParams.set('client_id', config.clientId);
    u.searchParams.set('logout_uri', logoutUri);
    return c.redirect(u.toString());
  });

  return app;
}
