/**
 * The federation proxy as one HTTP app (hono): the same code serves Lambda (function URL) and
 * localhost. Routes are thin: each protocol step lives in its own module.
 */
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { Hono } from 'hono/tiny';
import { OAuthError } from '../shared/oauth-error';
import { OpClient } from '../shared/op-client';
import { opKeySet } from '../shared/op-keys';
import type { SecurityEvent } from '../shared/security-events';
import { RedirectableError, startAuthorization, UnsafeRedirectError } from './authorize';
import { CallbackError, finishAuthorization } from './callback';
import type { FederationProxyDeps } from './deps';
import { errorPageHtml, PAGE_CSP, rootPageHtml } from './pages';
import { exchangeCode, TokenStepError } from './token';
import { UserinfoError, userinfoOf } from './userinfo';

/** A page for the person in the browser when there is no safe place to redirect to. */
function errorPage(c: Context, status: number, code: string, reason: string) {
  c.header('cache-control', 'no-store');
  c.header('content-security-policy', PAGE_CSP);
  return c.html(errorPageHtml(reason, code), status as 400);
}

function oauthJson(c: Context, e: OAuthError) {
  c.header('cache-control', 'no-store');
  if (e.code === 'invalid_token') c.header('www-authenticate', `Bearer error="invalid_token", error_description="${e.description}"`);
  return c.json(e.toJSON(), e.status as 400);
}

/** The routes a person's browser is sent to: what fails there gets a page, not JSON. */
const BROWSER_ROUTES = new Set(['/authorize', '/callback']);

export function createFederationProxy(deps: FederationProxyDeps): Hono {
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

  const app = new Hono();
  app.use('*', async (c, next) => {
    // A code or a state in a URL must not travel on to another site in a Referer header.
    c.header('referrer-policy', 'no-referrer');
    c.header('x-content-type-options', 'nosniff');
    await next();
  });
  app.use('*', bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ error: 'invalid_request', error_description: 'request body too large' }, 413) }));
  // The secrets are checked once (at cold start); until they are right, nothing is served.
  app.use('*', async (_c, next) => {
    await deps.ready?.();
    await next();
  });

  app.get('/', (c) => {
    c.header('content-security-policy', PAGE_CSP);
    return c.html(rootPageHtml());
  });

  app.get('/authorize', async (c) => {
    const query = new URL(c.req.url).searchParams;
    const origin = deps.publicOrigin(c.req.raw, c.env);
    try {
      const r = await startAuthorization(deps, origin, query);
      // Replaces the transaction of any unfinished sign-in in this browser (one cookie, always).
      setCookie(c, r.cookieName, r.cookieValue, {
        httpOnly: true,
        sameSite: 'Lax',
        path: '/',
        maxAge: r.maxAge,
        secure: origin.startsWith('https:'),
      });
      c.header('cache-control', 'no-store');
      return c.redirect(r.location, 302);
    } catch (e) {
      if (e instanceof UnsafeRedirectError) {
        await emit({ type: 'authorize.rejected', reason: e.reason, severity: 'warning', clientId: query.get('client_id')?.slice(0, 64) || undefined });
        return errorPage(c, 400, e.code, e.reason);
      }
      if (e instanceof RedirectableError) {
        await emit({ type: 'authorize.rejected', reason: e.code, severity: 'warning', clientId: config.cognito.clientId });
        const back = new URL(e.redirectUri);
        back.searchParams.set('error', e.code);
        back.searchParams.set('error_description', e.description);
        if (e.state) back.searchParams.set('state', e.state);
        return c.redirect(back.toString(), 302);
      }
      throw e;
    }
  });

  app.get('/callback', async (c) => {
    const query = new URL(c.req.url).searchParams;
    const origin = deps.publicOrigin(c.req.raw, c.env);
    try {
      const r = await finishAuthorization(deps, origin, query, (name) => getCookie(c, name));
      deleteCookie(c, r.cookieName, { path: '/', ...(origin.startsWith('https:') ? { secure: true } : {}) });
      if (r.opError) await emit({ type: 'callback.op_error', reason: r.opError, opError: r.opError, severity: r.opError === 'access_denied' ? 'info' : 'warning', clientId: config.op.clientId });
      c.header('cache-control', 'no-store');
      return c.redirect(r.location, 302);
    } catch (e) {
      if (e instanceof CallbackError) {
        await emit({ type: 'callback.rejected', reason: e.reason, severity: 'warning' });
        return errorPage(c, 400, e.code, e.reason);
      }
      throw e;
    }
  });

  app.post('/token', async (c) => {
    const type = c.req.header('content-type') ?? '';
    if (!type.startsWith('application/x-www-form-urlencoded')) {
      return oauthJson(c, new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded'));
    }
    const form = new URLSearchParams(await c.req.text());
    try {
      const body = await exchangeCode(deps, deps.publicOrigin(c.req.raw, c.env), form, op, opKeys);
      await emit({ type: 'federation.succeeded', reason: 'ok', severity: 'info', clientId: config.op.clientId });
      c.header('cache-control', 'no-store');
      c.header('pragma', 'no-cache');
      return c.json(body);
    } catch (e) {
      if (e instanceof TokenStepError) {
        await emit({
          type: e.event,
          reason: e.reason,
          // The OP's keys being unreachable is an outage; any other rejection of what the OP sent is an alarm.
          severity: (e.event === 'token.id_token_rejected' && e.reason !== 'jwks_unavailable') || e.event === 'token.userinfo_rejected' ? 'critical' : 'warning',
          ...(e.opError ? { opError: e.opError } : {}),
        });
        return oauthJson(c, e);
      }
      throw e;
    }
  });

  const userinfo = async (c: Context, bearer: string | undefined) => {
    try {
      c.header('cache-control', 'no-store');
      return c.json(await userinfoOf(deps, bearer));
    } catch (e) {
      if (e instanceof UserinfoError) {
        await emit({ type: 'userinfo.token_rejected', reason: e.reason, severity: 'warning' });
        return oauthJson(c, e);
      }
      throw e;
    }
  };
  const bearerOf = (c: Context) => /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  app.get('/userinfo', (c) => userinfo(c, bearerOf(c)));
  app.post('/userinfo', async (c) => {
    const form = (c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(await c.req.text()) : undefined;
    return userinfo(c, bearerOf(c) ?? form?.get('access_token') ?? undefined);
  });

  app.get('/jwks', async (c) => {
    c.header('cache-control', 'public, max-age=300');
    return c.json({ keys: [await deps.tokenSigner.publicJwk()] });
  });

  app.get('/.well-known/openid-configuration', (c) => {
    const origin = deps.publicOrigin(c.req.raw, c.env);
    return c.json({
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
      claims_supported: ['sub', 'name', 'address', 'birthdate', 'gender', 'acr', 'auth_time', 'jpki_verified_at', 'jpki_acr', 'jpki_issuer'],
    });
  });

  app.notFound((c) => c.json({ error: 'invalid_request', error_description: 'no such endpoint' }, 404));
  // Anything unexpected: a clean OAuth error (or page), never a stack trace.
  app.onError(async (err, c) => {
    deps.onInternalError?.(err);
    await emit({ type: 'proxy.internal_error', reason: err.name.slice(0, 64), severity: 'critical' });
    if (BROWSER_ROUTES.has(c.req.path)) return errorPage(c, 500, 'server_error', 'internal');
    return c.json({ error: 'server_error', error_description: 'the sign-in could not be completed' }, 500);
  });
  return app;
}
