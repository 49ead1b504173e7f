/**
 * The federation proxy as one Fetch app: the same code serves Lambda (function URL) and
 * localhost. Routes are thin: each protocol step lives in its own module.
 */
import { BodyTooLargeError, createApp, deleteCookie, html, json, redirect, setCookie, type FetchApp, type HttpRequest } from './web/http';
import { OAuthError } from './protocol/oauth-error';
import { OpClient } from './protocol/op-client';
import { opKeySet } from './protocol/op-keys';
import type { SecurityEvent } from '../shared/security-events';
import { LINK_HINT_PREFIX, RedirectableError, startAuthorization, transactionCookieName, UnsafeRedirectError, type TransactionState } from './authorize';
import { CallbackError, finishAuthorization } from './callback';
import type { FederationProxyDeps } from './deps';
import { errorPageHtml, LINK_PAGE_CSP, linkConfirmPageHtml, PAGE_CSP, rootPageHtml } from './pages';
import { randomToken } from './protocol/pkce';
import { exchangeCode, TokenStepError } from './token';
import { UserinfoError, userinfoOf } from './userinfo';

/** A page for the person in the browser when there is no safe place to redirect to. */
const errorPage = (status: number, code: string, reason: string) =>
  html(errorPageHtml(reason, code), status, { 'cache-control': 'no-store', 'content-security-policy': PAGE_CSP });

function oauthJson(e: OAuthError): Response {
  const headers: Record<string, string> = { 'cache-control': 'no-store', pragma: 'no-cache' };
  if (e.code === 'invalid_token') headers['www-authenticate'] = `Bearer error="invalid_token", error_description="${e.description}"`;
  return json(e.toJSON(), e.status, headers);
}

/** The routes a person's browser is sent to: what fails there gets a page, not JSON. */
const BROWSER_ROUTES = new Set(['/authorize', '/callback']);

export function createFederationProxy(deps: FederationProxyDeps): FetchApp {
  const { config } = deps;
  const op = new OpClient(
    {
      issuer: config.op.issuer,
      tokenEndpoint: config.op.tokenEndpoint,
      userinfoEndpoint: config.op.userinfoEndpoint,
      clientId: config.op.clientId,
      requestTimeoutMs: config.op.requestTimeoutMs,
      assertionLifetimeSeconds: config.clientAssertion.lifetimeSeconds,
      assertionAudience: config.clientAssertion.audience,
    },
    deps.clientAssertionSigner,
  );
  const opKeys = opKeySet(config.op.jwksUri, { timeoutMs: config.op.requestTimeoutMs, minRefetchIntervalMs: deps.jwksMinRefetchIntervalMs });
  const emit = (e: Omit<SecurityEvent, 'tenantId'>) => deps.events.emit({ ...e, tenantId: config.tenantId });
  // Refusals anyone can cause without signing in: at most `perMinute` events a minute per type and
  // reason; beyond that they are counted, and the next event reported carries the count. A flood
  // of bad requests is a few events a minute, not one notification each. A kind reported once a
  // minute always says how many requests it stands for.
  const windows = new Map<string, { start: number; emitted: number; suppressed: number }>();
  const emitAggregated = async (e: Omit<SecurityEvent, 'tenantId'>, perMinute = 10) => {
    const key = `${e.type} ${e.reason}`;
    const now = (deps.now ?? Date.now)();
    let w = windows.get(key);
    let carried = 0;
    if (!w || now - w.start >= 60_000) {
      carried = w?.suppressed ?? 0;
      w = { start: now, emitted: 0, suppressed: 0 };
      windows.set(key, w);
    }
    if (w.emitted >= perMinute) {
      w.suppressed += 1;
      return;
    }
    w.emitted += 1;
    await emit({ ...e, ...(perMinute === 1 || carried > 0 ? { count: carried + 1 } : {}) });
  };
  const originOf = (req: HttpRequest) => deps.publicOrigin(req.raw, req.env);
  const cookieOptions = (origin: string) => ({ httpOnly: true, sameSite: 'Lax' as const, path: '/', secure: origin.startsWith('https:') });

  const authorize = async (req: HttpRequest) => {
    const query = req.url.searchParams;
    const origin = originOf(req);
    try {
      const r = await startAuthorization(deps, origin, query);
      // Replaces the transaction of any unfinished sign-in in this browser (one cookie, always).
      const cookie = setCookie(r.cookieName, r.cookieValue, { ...cookieOptions(origin), maxAge: r.maxAge });
      if (r.confirmLink) {
        // The OP's URL travels sealed (never a URL the form could choose) and only with this
        // browser's transaction (the same OP state), so the page is no redirector and no CSRF target.
        const go = await deps.sealer.seal('link', { l: r.location, s: r.confirmLink.state }, 600);
        return html(linkConfirmPageHtml(r.confirmLink.account, go, r.confirmLink.merge), 200, { 'content-security-policy': LINK_PAGE_CSP, 'cache-control': 'no-store', 'set-cookie': cookie });
      }
      return redirect(r.location, {}, [cookie]);
    } catch (e) {
      if (e instanceof UnsafeRedirectError) {
        await emitAggregated({ type: 'authorize.rejected', reason: e.reason, severity: 'warning', ...(query.get('client_id') === config.cognito.clientId ? { clientId: config.cognito.clientId } : {}) });
        return errorPage(400, e.code, e.reason);
      }
      if (e instanceof RedirectableError) {
        await emitAggregated({ type: 'authorize.rejected', reason: e.code, severity: 'warning', clientId: config.cognito.clientId });
        const back = new URL(e.redirectUri);
        back.searchParams.set('error', e.code);
        back.searchParams.set('error_description', e.description);
        if (e.state) back.searchParams.set('state', e.state);
        return redirect(back.toString());
      }
      throw e;
    }
  };

  // The person's answer on the link confirmation page.
  const confirmLink = async (req: HttpRequest) => {
    const form = new URLSearchParams(await req.text());
    const tx = req.cookie(transactionCookieName(originOf(req)));
    let go: { l: string; s: string };
    let state: TransactionState;
    try {
      go = await deps.sealer.unseal<{ l: string; s: string }>('link', form.get('go') ?? '');
      state = await deps.sealer.unseal<TransactionState>('transaction', tx ?? '');
    } catch {
      return errorPage(400, 'invalid_request', 'transaction_missing');
    }
    if (go.s !== state.s) return errorPage(400, 'invalid_request', 'state_mismatch');
    if (form.get('answer') !== 'link') {
      await emit({ type: 'link.intent_refused', reason: 'cancelled_by_person', severity: 'info' });
      const back = new URL(config.cognito.redirectUri);
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'the person did not link the card');
      back.searchParams.set('state', state.cs);
      return redirect(back.toString());
    }
    return redirect(go.l);
  };

  const callback = async (req: HttpRequest) => {
    const origin = originOf(req);
    try {
      const r = await finishAuthorization(deps, origin, req.url.searchParams, (name) => req.cookie(name));
      if (r.opError) await emit({ type: 'callback.op_error', reason: r.opError, opError: r.opError, severity: r.opError === 'access_denied' ? 'info' : 'warning', clientId: config.op.clientId, correlationId: r.correlationId });
      return redirect(r.location, {}, [deleteCookie(r.cookieName, cookieOptions(origin))]);
    } catch (e) {
      if (e instanceof CallbackError) {
        await emitAggregated({ type: 'callback.rejected', reason: e.reason, severity: 'warning' });
        return errorPage(400, e.code, e.reason);
      }
      throw e;
    }
  };

  const token = async (req: HttpRequest) => {
    if (!(req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
      return oauthJson(new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded'));
    }
    const form = new URLSearchParams(await req.text());
    try {
      const { body, correlationId, link } = await exchangeCode(deps, originOf(req), form, op, opKeys);
      // Published side by side: the sign-in waits for one bound, not one per event.
      await Promise.all([
        emit({ type: 'federation.succeeded', reason: 'ok', severity: 'info', clientId: config.op.clientId, correlationId }),
        // A merge deleted the card's own account: operators see it.
        ...(link ? [emit({ type: 'link.succeeded', reason: link, severity: link === 'merged' ? 'warning' : 'info', correlationId })] : []),
      ]);
      return json(body, 200, { 'cache-control': 'no-store', pragma: 'no-cache' });
    } catch (e) {
      if (e instanceof TokenStepError) {
        // Before the code is known (client authentication, a malformed request), anyone can cause these.
        const unauthenticated = e.event === 'token.client_authentication_failed' || e.event === 'token.code_rejected';
        await (unauthenticated ? emitAggregated : emit)({
          type: e.event,
          reason: e.reason,
          // The OP's keys being unreachable is an outage; any other rejection of what the OP sent is an alarm.
          // A merge that deleted the card's account and could not link it is an alarm too.
          severity: (e.event === 'token.id_token_rejected' && e.reason !== 'jwks_unavailable') || e.event === 'token.userinfo_rejected' || e.reason === 'merge_incomplete' ? 'critical' : 'warning',
          ...(e.opError ? { opError: e.opError } : {}),
          correlationId: e.correlationId,
        });
        return oauthJson(e);
      }
      throw e;
    }
  };

  const userinfo = async (req: HttpRequest) => {
    let bearer = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '')?.[1];
    if (!bearer && req.method === 'POST' && (req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
      bearer = new URLSearchParams(await req.text()).get('access_token') ?? undefined;
    }
    try {
      return json(await userinfoOf(deps, bearer), 200, { 'cache-control': 'no-store' });
    } catch (e) {
      if (e instanceof UserinfoError) {
        await emitAggregated({ type: 'userinfo.token_rejected', reason: e.reason, severity: 'warning' });
        return oauthJson(e);
      }
      throw e;
    }
  };

  // An app asks to link My Number Card to its signed-in user: with that user's Cognito access
  // token, it gets a login_hint (sealed, 10 minutes) to pass on /oauth2/authorize with
  // identity_provider; Cognito forwards login_hint to the proxy, which links at /token.
  const linkIntent = async (req: HttpRequest) => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '')?.[1];
    const user = token && deps.linking ? await deps.linking.userOfAccessToken(token) : undefined;
    if (!deps.linking || !user || !user.native) {
      await emitAggregated({ type: 'link.intent_refused', reason: !deps.linking ? 'linking_unavailable' : !user ? 'token_invalid' : 'not_a_pool_user', severity: 'warning' });
      return json(
        { error: 'invalid_token', error_description: !user ? 'a valid access token of the pool is required' : 'only a pool user can link a card' },
        401,
        { 'www-authenticate': 'Bearer error="invalid_token"', 'cache-control': 'no-store' },
      );
    }
    // The app may ask to move the person's card account (a card sign-up) into this user, with an
    // access token of that card account too: {"merge_card_account": true, "card_account_token": "…"}.
    // Only that card is then moved, after the person confirmed it and authenticated with it again.
    let mergeFrom: string | undefined;
    const merge = await mergeRequestOf(req);
    if (merge !== undefined) {
      const cardUser = await deps.linking.userOfAccessToken(merge);
      const prefix = `${config.cognito.providerName}_`;
      if (!cardUser || cardUser.native || !cardUser.username.startsWith(prefix)) {
        await emitAggregated({ type: 'link.intent_refused', reason: 'card_account_token_invalid', severity: 'warning' });
        return json({ error: 'invalid_request', error_description: 'card_account_token must be an access token of the card’s own account' }, 400, { 'cache-control': 'no-store' });
      }
      mergeFrom = cardUser.username.slice(prefix.length);
    }
    // Short-lived and used once (consumed at /token).
    const hint = `${LINK_HINT_PREFIX}${await deps.sealer.seal('link', { u: user.username, m: user.account, j: randomToken(), ...(mergeFrom ? { g: mergeFrom } : {}) }, 120)}`;
    return json({ login_hint: hint, expires_in: 120 }, 200, { 'cache-control': 'no-store' });
  };

  const discovery = (req: HttpRequest) => {
    const origin = originOf(req);
    return json({
      issuer: origin,
      authorization_endpoint: `${origin}/authorize`,
      token_endpoint: `${origin}/token`,
      userinfo_endpoint: `${origin}/userinfo`,
      jwks_uri: `${origin}/jwks`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: [deps.tokenSigner.alg],
      token_endpoint_auth_methods_supported: ['client_secret_post'],
      scopes_supported: ['openid', ...config.op.scopes.filter((s) => s !== 'openid')],
      claims_supported: ['sub', 'name', 'address', 'birthdate', 'gender', 'acr', 'amr', 'auth_time', 'jpki_verified_at', 'jpki_acr', 'jpki_issuer'],
    });
  };

  return createApp({
    routes: {
      'GET /': () => html(rootPageHtml(), 200, { 'content-security-policy': PAGE_CSP }),
      'GET /authorize': authorize,
      'POST /authorize/confirm': confirmLink,
      'GET /callback': callback,
      'POST /token': token,
      'POST /link-intent': linkIntent,
      'GET /userinfo': userinfo,
      'POST /userinfo': userinfo,
      'GET /jwks': async () => json({ keys: [await deps.tokenSigner.publicJwk()] }, 200, { 'cache-control': 'public, max-age=300' }),
      'GET /.well-known/openid-configuration': discovery,
    },
    // A code or a state in a URL must not travel on to another site in a Referer header.
    headers: { 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' },
    maxBodyBytes: 16 * 1024,
    before: async (req) => {
      // The secrets are checked once (at cold start); until they are right, nothing is served.
      await deps.ready?.();
      // Behind CloudFront and its WAF, nothing may reach the proxy around them.
      if (deps.admit && !(await deps.admit(req.raw))) {
        // Nothing bounds who calls the function URL directly: one event a minute, with the count.
        await emitAggregated({ type: 'proxy.request_refused', reason: 'not_through_edge', severity: 'warning' }, 1);
        return json({ error: 'access_denied', error_description: 'this proxy is reached only through its CloudFront distribution' }, 403);
      }
      return undefined;
    },
    notFound: () => json({ error: 'invalid_request', error_description: 'no such endpoint' }, 404),
    // Anything unexpected: a clean OAuth error (or page), never a stack trace.
    onError: async (err, req) => {
      if (err instanceof BodyTooLargeError) return json({ error: 'invalid_request', error_description: 'request body too large' }, 413);
      deps.onInternalError?.(err);
      await emit({ type: 'proxy.internal_error', reason: err.name.slice(0, 64), severity: 'critical' });
      if (BROWSER_ROUTES.has(req.url.pathname)) return errorPage(500, 'server_error', 'internal');
      return json({ error: 'server_error', error_description: 'the sign-in could not be completed' }, 500);
    },
  });
}

/** The card account's access token of a /link-intent JSON body that asks for a merge ('' when it is missing), or undefined. */
async function mergeRequestOf(req: HttpRequest): Promise<string | undefined> {
  let body: { merge_card_account?: unknown; card_account_token?: unknown } | undefined;
  try {
    body = JSON.parse((await req.text()).slice(0, 8192) || '{}') as typeof body;
  } catch {
    return undefined;
  }
  if (body?.merge_card_account !== true) return undefined;
  const token = body.card_account_token;
  return typeof token === 'string' && /^[\w.-]{1,4096}$/.test(token) ? token : '';
}
