/**
 * A stand-in for the part of Amazon Cognito this product relies on, for the local sandbox and
 * tests (never deployed): one user pool read from a tenant's synthesized template, with its
 * managed login (password, passkeys, email codes, sign-up with a mailed code), OIDC federation
 * toward the identity provider of the template (the federation proxy), the OAuth 2.0 / OIDC
 * endpoints, the user pool API actions apps and the product use, and the pool's Lambda
 * triggers run from their bundled code. Each behaviour and its AWS documentation page:
 * tools/stand-ins/cognito/README.md.
 */
import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { userPoolApi } from './api';
import { codePage, errorPage, LOGIN_CSP, mailboxPage, passkeyAddPage, signInPage, signUpPage, type MailboxMessage } from './pages';
import { levelOfMethod, levelRank, PoolSettings, type Level } from './pool-settings';
import { readPoolModel, type AppClientModel, type CfnTemplate, type IdentityProviderModel, type LocalResources, type PoolModel } from './template';
import { issueTokens, poolSigner, type ClaimOverrides, type Grant, type TokenSigner } from './tokens';
import { TriggerError, Triggers } from './triggers';
import { checkPasswordPolicy, UserError, UserStore, type User } from './users';

export interface StandInOptions {
  readonly template: CfnTemplate;
  /** The cloud assembly folder (for the triggers' bundled code). */
  readonly assemblyDir?: string;
  readonly local: LocalResources;
  readonly port?: number;
  readonly host?: string;
  /** Host name of the stand-in's origin: also the passkeys' relying party id (default localhost). */
  readonly publicHost?: string;
  /** Client secrets by app client name (generated for clients with GenerateSecret when absent). */
  readonly clientSecrets?: Readonly<Record<string, string>>;
  /** Added to every trigger's environment (AWS region, credentials and endpoints of local stand-ins). */
  readonly lambdaEnvironment?: Readonly<Record<string, string>>;
  /** One line per notable event (sign-in, sign-up, federation), never a secret or token. */
  readonly log?: (line: string) => void;
  /** false: UpdateUserPool accepts AcrConfiguration and forgets it, as a public test in October 2026 found Cognito doing. Default true. */
  readonly nativeLevelsKept?: boolean;
}

export interface RunningStandIn {
  readonly origin: string;
  /** The pool's issuer: <origin>/<userPoolId>, as https://cognito-idp.<region>.amazonaws.com/<userPoolId>. */
  readonly issuer: string;
  readonly model: PoolModel;
  readonly clients: ReadonlyArray<{ name: string; id: string; secret?: string }>;
  readonly users: UserStore;
  readonly mailbox: readonly MailboxMessage[];
  readonly triggers: Triggers;
  /** The pool's settings as its API reads them (DescribeUserPool). */
  readonly settings: PoolSettings;
  close(): Promise<void>;
}

/** A sign-in in progress on the managed login pages: the app's /oauth2/authorize request. */
interface AuthorizeRequest {
  readonly client: AppClientModel;
  readonly redirectUri: string;
  readonly state?: string;
  readonly scopes: string[];
  readonly codeChallenge?: string;
  readonly nonce?: string;
  readonly prompt?: string;
  readonly loginHint?: string;
  /** The native level the app asked for with acr_values (only once native levels are set). */
  readonly level?: Level;
  readonly created: number;
  /** The browser this sign-in runs in (the value of its binding cookie): pages of another browser cannot continue it. */
  readonly browser: string;
  /** Where to go after signing in instead of back to the app (the passkey page). */
  returnTo?: string;
  passkeyChallenge?: { challenge: string; username: string };
}

interface Session { readonly username: string; readonly authTime: number; readonly method: string; readonly expires: number; readonly level: Level; readonly amr: readonly string[]; registrationChallenge?: string }
interface AuthorizationCode { readonly grant: Grant; readonly client: AppClientModel; readonly redirectUri: string; readonly codeChallenge?: string; readonly expires: number }
interface RefreshGrant { readonly grant: Grant; readonly client: AppClientModel; readonly expires: number }

const SESSION_COOKIE = 'cognito';
/** Binds sign-ins in progress to the browser that started them (no login CSRF: a form or IdP answer carried to another browser does nothing). */
const BROWSER_COOKIE = 'cognito-browser';
/** Managed login's session: 1 hour. Authorization codes: 5 minutes, one use. Sign-in pages: 15 minutes. */
const SESSION_SECONDS = 3600;
const CODE_SECONDS = 300;
const TX_MS = 15 * 60_000;
const random = () => randomBytes(24).toString('base64url');
const b64url = (b: Buffer) => b.toString('base64url');
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// @simplewebauthn/browser's browser bundle (its package exports do not name the file).
const WEBAUTHN_BROWSER = (() => {
  let dir = path.dirname(require.resolve('@simplewebauthn/browser'));
  while (!fs.existsSync(path.join(dir, 'dist', 'bundle'))) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'bundle', 'index.umd.min.js');
})();

export class OAuthError extends Error {
  constructor(readonly error: string, readonly description: string, readonly status = 400) {
    super(description);
  }
}

export async function startCognitoStandIn(o: StandInOptions): Promise<RunningStandIn> {
  const model = readPoolModel(o.template, o.local, o.assemblyDir);
  const { pool } = model;
  const log = o.log ?? (() => undefined);
  const users = new UserStore(pool);
  const signer: TokenSigner = await poolSigner();
  // What DescribeUserPool and UpdateUserPool read and change; a trigger UpdateUserPool left out stops running.
  const settings = new PoolSettings(model, o.nativeLevelsKept !== false);
  const triggers = new Triggers(pool, o.local.region, o.lambdaEnvironment, (name) => settings.hasTrigger(name));
  const mailbox: MailboxMessage[] = [];
  const txs = new Map<string, AuthorizeRequest>();
  const sessions = new Map<string, Session>();
  const codes = new Map<string, AuthorizationCode>();
  const refreshTokens = new Map<string, RefreshGrant>();
  const federations = new Map<string, { tx: string; provider: IdentityProviderModel; expires: number }>();
  const secrets = new Map<string, string>();
  for (const c of model.clients) if (c.generateSecret) secrets.set(c.id, o.clientSecrets?.[c.name] ?? randomBytes(39).toString('base64url'));
  const publicHost = o.publicHost ?? 'localhost';
  let origin = '';
  let issuer = '';
  const rpId = () => publicHost;

  const clientById = (id: string | undefined) => model.clients.find((c) => c.id === id);
  const providerByName = (name: string) => model.identityProviders.find((p) => p.name === name);
  const readable = (client: AppClientModel) => (name: string) => name === 'identities' || !client.readAttributes || client.readAttributes.includes(name);

  const sendMail = (to: string, subject: string, body: string, purpose: string) => {
    mailbox.push({ to, subject, body, purpose, sentAt: new Date().toISOString() });
    log(`mail to ${to.replace(/^(.).*@/, '$1…@')}: ${purpose}`);
  };
  const sendConfirmationCode = (user: User) => {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    user.confirmationCode = { code, expires: Date.now() + 24 * 3600_000 };
    sendMail(user.attributes.get('email')!, pool.verification.emailSubject, pool.verification.emailMessage.replace('{####}', code), 'sign-up confirmation code');
  };

  // ---- sessions and codes ----
  const newSession = (c: Context, user: User, method: string, federatedLevel?: Level) => {
    const sid = random();
    const authTime = Math.floor(Date.now() / 1000);
    const level = federatedLevel ?? levelOfMethod(method);
    const amr = method.startsWith('federated:') ? ['fed'] : method === 'passkey' ? ['swk'] : method === 'email_otp' ? ['email_otp'] : ['pwd'];
    sessions.set(sid, { username: user.username, authTime, method, level, amr, expires: Date.now() + SESSION_SECONDS * 1000 });
    setCookie(c, SESSION_COOKIE, sid, { path: '/', httpOnly: true, sameSite: 'Lax', secure: origin.startsWith('https:'), maxAge: SESSION_SECONDS });
    return sessions.get(sid)!;
  };
  const currentSession = (c: Context): Session | undefined => {
    const sid = getCookie(c, SESSION_COOKIE);
    const s = sid ? sessions.get(sid) : undefined;
    if (!s || s.expires < Date.now() || !users.get(s.username)?.enabled) return undefined;
    return s;
  };
  const redirectWithCode = (tx: AuthorizeRequest, session: Session) => {
    const code = random();
    codes.set(code, {
      grant: {
        username: session.username, clientId: tx.client.id, scopes: tx.scopes, authTime: session.authTime, originJti: randomUUID(), nonce: tx.nonce,
        // Native levels: the session's level and methods, in ID and access tokens (kept on refresh).
        ...(settings.nativeLevels && pool.tier !== 'LITE' ? { acr: settings.levelName(session.level), amr: session.amr } : {}),
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
  };
  const errorRedirect = (tx: Pick<AuthorizeRequest, 'redirectUri' | 'state'>, error: string, description?: string) => {
    const u = new URL(tx.redirectUri);
    if (description) u.searchParams.set('error_description', description);
    u.searchParams.set('error', error);
    if (tx.state !== undefined) u.searchParams.set('state', tx.state);
    return u.toString();
  };
  const txOf = (c: Context, id: string | undefined) => {
    const tx = id ? txs.get(id) : undefined;
    if (!tx || tx.created + TX_MS <= Date.now()) return undefined;
    const browser = getCookie(c, BROWSER_COOKIE);
    return browser && browser.length === tx.browser.length && timingSafeEqual(Buffer.from(browser), Buffer.from(tx.browser)) ? tx : undefined;
  };
  const browserOf = (c: Context) => {
    let b = getCookie(c, BROWSER_COOKIE);
    if (!b || !/^[A-Za-z0-9_-]{32}$/.test(b)) {
      b = random();
      setCookie(c, BROWSER_COOKIE, b, { path: '/', httpOnly: true, sameSite: 'Lax', secure: origin.startsWith('https:') });
    }
    return b;
  };
  // Forgotten sign-ins, codes and federations are dropped as they expire.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [k, t] of txs) if (t.created + TX_MS < now) txs.delete(k);
    for (const [k, x] of codes) if (x.expires < now) codes.delete(k);
    for (const [k, f] of federations) if (f.expires < now) federations.delete(k);
    for (const [k, x] of sessions) if (x.expires < now) sessions.delete(k);
  }, 60_000);
  sweep.unref();
  const page = (c: Context, html: string, status = 200) => {
    c.header('content-security-policy', LOGIN_CSP);
    c.header('cache-control', 'no-store');
    // same-origin: the pages' own form posts carry their Origin (no-referrer would make it "null"); nothing leaks to other sites.
    c.header('referrer-policy', 'same-origin');
    return c.html(html, status as 200);
  };
  const error = (c: Context, err: string, description: string, status = 400) => page(c, errorPage({ poolName: pool.name, error: err, description }), status);

  /** After a successful sign-in: post authentication, then the code to the app (or the passkey page). */
  const completeSignIn = async (c: Context, txId: string, tx: AuthorizeRequest, user: User, method: string, federatedLevel?: Level) => {
    await triggers.invoke('PostAuthentication', {
      triggerSource: 'PostAuthentication_Authentication',
      userName: user.username,
      clientId: tx.client.id,
      request: { userAttributes: Object.fromEntries(user.attributes), newDeviceUsed: false },
      response: {},
    });
    const session = newSession(c, user, method, federatedLevel);
    txs.delete(txId);
    log(`signed in (${method}) for client ${tx.client.name}`);
    return tx.returnTo ?? redirectWithCode(tx, session);
  };

  const signInPageFor = (txId: string, tx: AuthorizeRequest, extra: { email?: string; error?: string; info?: string } = {}) => {
    const native = tx.client.supportedIdentityProviders.includes('COGNITO');
    return signInPage({
      poolName: pool.name,
      tx: txId,
      password: native && pool.firstAuthFactors.includes('PASSWORD'),
      passkey: native && pool.firstAuthFactors.includes('WEB_AUTHN'),
      emailOtp: native && pool.firstAuthFactors.includes('EMAIL_OTP'),
      signUp: native && !pool.allowAdminCreateUserOnly,
      providers: model.identityProviders
        .filter((p) => tx.client.supportedIdentityProviders.includes(p.name))
        .map((p) => ({ name: p.name, label: p.name === 'DigitalAuthApp' ? 'マイナンバーカードでサインイン / Sign in with My Number Card' : `${p.name} でサインイン / Sign in with ${p.name}` })),
      email: extra.email ?? tx.loginHint,
      error: extra.error,
      info: extra.info,
    });
  };

  // ---- federation (Cognito as an OIDC relying party of the identity provider) ----
  const startFederation = (txId: string, provider: IdentityProviderModel) => {
    const tx = txs.get(txId)!;
    const state = random();
    federations.set(state, { tx: txId, provider, expires: Date.now() + TX_MS });
    const u = new URL(provider.details.authorize_url!);
    u.searchParams.set('client_id', provider.details.client_id!);
    u.searchParams.set('redirect_uri', `${origin}/oauth2/idpresponse`);
    u.searchParams.set('response_type', 'code');
    u.searchParams.set('scope', provider.details.authorize_scopes ?? 'openid');
    u.searchParams.set('state', state);
    // Cognito passes prompt (all values but none) and login_hint on to an OIDC IdP.
    if (tx.prompt && tx.prompt !== 'none') u.searchParams.set('prompt', tx.prompt);
    if (tx.loginHint) u.searchParams.set('login_hint', tx.loginHint);
    // Native levels: the requested level as the IdP's acr (AcrMapping).
    const idpAcr = tx.level ? settings.providerAcrFor(provider.name, tx.level) : undefined;
    if (idpAcr) u.searchParams.set('acr_values', idpAcr);
    log(`federating to ${provider.name}`);
    return u.toString();
  };
  const jwksByProvider = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  async function federatedSignIn(provider: IdentityProviderModel, code: string, tx: AuthorizeRequest): Promise<{ user: User; level: Level }> {
    const d = provider.details;
    const tokenResponse = await fetch(d.token_url!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: `${origin}/oauth2/idpresponse`, client_id: d.client_id!, client_secret: d.client_secret ?? '' }),
      signal: AbortSignal.timeout(5000),
    });
    const tokens = (await tokenResponse.json().catch(() => ({}))) as Record<string, string>;
    if (!tokenResponse.ok || !tokens.id_token || !tokens.access_token) throw new OAuthError('invalid_request', `Error from the identity provider's token endpoint: ${tokens.error ?? tokenResponse.status}${tokens.error_description ? ` (${tokens.error_description})` : ''}`);
    let jwks = jwksByProvider.get(provider.name);
    if (!jwks) jwksByProvider.set(provider.name, (jwks = createRemoteJWKSet(new URL(d.jwks_uri!))));
    const { payload: idToken } = await jwtVerify(tokens.id_token, jwks, { issuer: d.oidc_issuer, audience: d.client_id }).catch((e: Error) => {
      throw new OAuthError('invalid_request', `Invalid identity token from the identity provider: ${e.message}`);
    });
    const method = (d.attributes_request_method ?? 'GET').toUpperCase();
    const ui = await fetch(d.attributes_url!, {
      method,
      headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json', ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      signal: AbortSignal.timeout(5000),
    }).catch(() => undefined);
    const userInfo = ui?.ok ? ((await ui.json().catch(() => ({}))) as Record<string, unknown>) : {};
    // OIDC Core 5.3.2: the userinfo sub must be the ID token's; the ID token's claims win.
    if (userInfo.sub !== undefined && userInfo.sub !== idToken.sub) throw new OAuthError('invalid_request', 'The identity provider answered userinfo for another subject');
    const claims: Record<string, unknown> = { ...userInfo, ...idToken };
    const level = settings.levelOfProviderAcr(provider.name, idToken.acr);
    const userId = String(claims[provider.attributeMapping.username ?? 'sub'] ?? idToken.sub);
    const username = `${provider.name}_${userId}`;

    // Attribute mapping: each mapped claim present in the IdP's answer, as a string.
    let mapped: Record<string, string> = {};
    for (const [attribute, claim] of Object.entries(provider.attributeMapping)) {
      if (attribute === 'username') continue;
      const v = claims[claim];
      if (v !== undefined && v !== null) mapped[attribute] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    if (triggers.has('InboundFederation')) {
      const out = await triggers.invoke('InboundFederation', {
        version: '1',
        triggerSource: 'InboundFederation_ExternalProvider',
        userName: username,
        clientId: tx.client.id,
        request: { providerName: provider.name, providerType: provider.type, attributes: { tokenResponse: tokens, idToken, userInfo } },
        response: { userAttributesToMap: {} },
      });
      const toMap = (out.response as { userAttributesToMap?: Record<string, string> }).userAttributesToMap;
      if (toMap && Object.keys(toMap).length) mapped = { ...toMap };
    }

    // The app client must be able to write every mapped attribute, or the sign-in fails.
    const unwritable = Object.keys(mapped).filter((a) => tx.client.writeAttributes && !tx.client.writeAttributes.includes(a));
    if (unwritable.length) throw new OAuthError('invalid_request', `The app client cannot write the mapped attributes ${unwritable.join(', ')}`);
    const { user: existing, linkedTo } = users.byIdentity(provider.name, userId);
    if (linkedTo) {
      users.setAttributes(linkedTo, mapped);
      return { user: linkedTo, level };
    }
    if (existing) {
      // Mapped attributes are written again at every sign-in through the IdP.
      users.setAttributes(existing, mapped);
      return { user: existing, level };
    }
    await triggers.invoke('PreSignUp', {
      triggerSource: 'PreSignUp_ExternalProvider',
      userName: username,
      clientId: tx.client.id,
      request: { userAttributes: { ...mapped }, validationData: {} },
      response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
    });
    // A pre sign-up trigger that linked this identity to another user (AdminLinkProviderForUser)
    // makes this first sign-in fail: Cognito reports the entry it now finds.
    if (users.byIdentity(provider.name, userId).linkedTo) throw new OAuthError('invalid_request', `Already found an entry for username ${username}`);
    log(`new federated user from ${provider.name}`);
    return { user: users.createFederated(provider.name, provider.type, userId, mapped), level };
  }

  // ---- the app ----
  const app = new Hono();
  app.onError((e, c) => {
    if (e instanceof OAuthError) return error(c, e.error, e.description, e.status);
    if (e instanceof TriggerError) return error(c, 'UserLambdaValidationException', e.message);
    log(`internal error: ${e.message}`);
    return error(c, 'server_error', 'The stand-in failed to handle this request (see its console).', 500);
  });

  // Form posts and the pages' own calls come from this origin only (a foreign page cannot post
  // a sign-in form in a person's browser); the token endpoint and the API are called by servers.
  app.use('*', bodyLimit({ maxSize: 1024 * 1024, onError: (c) => c.json({ error: 'invalid_request', error_description: 'request body too large' }, 413) }));
  app.use('*', async (c, next) => {
    const from = c.req.header('origin');
    const serverCall = c.req.path === '/' || c.req.path === '/oauth2/token' || c.req.path === '/oauth2/revoke' || c.req.path === '/oauth2/userInfo';
    if (c.req.method === 'POST' && !serverCall && from !== undefined && from !== origin) return error(c, 'invalid_request', 'This form was posted from another site.', 403);
    await next();
    return undefined;
  });

  app.get('/', (c) =>
    page(c, errorPage({ poolName: pool.name, error: 'not_found', description: 'Start a sign-in from an app: /oauth2/authorize. The local mailbox: /mailbox.' }).replace('エラーが発生しました', 'Amazon Cognito stand-in'), 200),
  );
  app.get('/static/webauthn.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    return c.body(fs.readFileSync(WEBAUTHN_BROWSER, 'utf8'));
  });
  app.get('/static/login.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    return c.body(fs.readFileSync(path.join(here, 'static', 'login.js'), 'utf8'));
  });

  // /oauth2/authorize: https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html
  app.get('/oauth2/authorize', (c) => {
    const q = c.req.query();
    const client = clientById(q.client_id);
    if (!client) return error(c, 'invalid_request', 'client_id is missing or not a client of this user pool');
    if (!q.redirect_uri || !client.callbackUrls.includes(q.redirect_uri)) return error(c, 'redirect_mismatch', 'redirect_uri is not a callback URL of this app client');
    const base = { redirectUri: q.redirect_uri, state: q.state };
    if (q.response_type !== 'code' || !client.allowedOAuthFlows.includes('code')) return c.redirect(errorRedirect(base, 'unsupported_response_type'));
    const scopes = (q.scope ?? client.allowedOAuthScopes.join(' ')).split(' ').filter(Boolean);
    if (scopes.some((s) => !client.allowedOAuthScopes.includes(s))) return c.redirect(errorRedirect(base, 'invalid_scope'));
    if (q.code_challenge !== undefined && q.code_challenge_method !== 'S256') return c.redirect(errorRedirect(base, 'invalid_request', 'code_challenge_method must be S256'));
    // acr_values name levels of the pool once native levels are set (Essentials or Plus; ignored otherwise).
    const level = settings.nativeLevels && pool.tier !== 'LITE' ? settings.requestedLevel(q.acr_values) : undefined;
    const tx: AuthorizeRequest = { client, redirectUri: q.redirect_uri, state: q.state, scopes, codeChallenge: q.code_challenge, nonce: q.nonce, prompt: q.prompt, loginHint: q.login_hint, ...(level ? { level } : {}), created: Date.now(), browser: browserOf(c) };
    const txId = random();
    txs.set(txId, tx);
    const idpName = q.identity_provider ?? (q.idp_identifier ? model.identityProviders.find((p) => p.identifiers.includes(q.idp_identifier!))?.name : undefined);
    if (idpName && idpName !== 'COGNITO') {
      const provider = providerByName(idpName);
      if (!provider || !client.supportedIdentityProviders.includes(idpName)) return c.redirect(errorRedirect(base, 'invalid_request', 'identity_provider is not enabled for this app client'));
      return c.redirect(startFederation(txId, provider));
    }
    const session = currentSession(c);
    // max_age (OIDC Core 3.1.2.1): a session older than it signs in again. [U] for Cognito
    // without native authentication levels. A session below the level asked for signs in again.
    const maxAge = q.max_age !== undefined && /^\d+$/.test(q.max_age) ? Number(q.max_age) : undefined;
    const fresh = session && (maxAge === undefined || Math.floor(Date.now() / 1000) - session.authTime <= maxAge) && (!level || levelRank(session.level) >= levelRank(level));
    if (session && fresh && q.prompt !== 'login' && q.prompt !== 'select_account') {
      txs.delete(txId);
      return c.redirect(redirectWithCode(tx, session));
    }
    if (q.prompt === 'none') return c.redirect(errorRedirect(base, 'login_required'));
    return c.redirect(`/login?tx=${txId}`);
  });

  app.get('/login', (c) => {
    const txId = c.req.query('tx') ?? '';
    const tx = txOf(c, txId);
    if (!tx) return error(c, 'invalid_request', 'This sign-in page has expired or was not started by an app. Start again from the app.');
    return page(c, signInPageFor(txId, tx));
  });

  const form = async (c: Context): Promise<Record<string, string>> => {
    try {
      return Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, typeof v === 'string' ? v : '']));
    } catch {
      throw new OAuthError('invalid_request', 'The request body is not a valid form');
    }
  };

  app.post('/login/password', async (c) => {
    const f = await form(c);
    const tx = txOf(c, f.tx);
    if (!tx) return error(c, 'invalid_request', 'This sign-in page has expired. Start again from the app.');
    const user = users.bySignInName(f.email ?? '');
    if (!user || !user.enabled || user.status === 'EXTERNAL_PROVIDER' || !users.checkPassword(user, f.password ?? '')) {
      return page(c, signInPageFor(f.tx!, tx, { email: f.email, error: 'メールアドレスまたはパスワードが正しくありません。 / Incorrect username or password.' }), 400);
    }
    if (user.status === 'UNCONFIRMED') {
      sendConfirmationCode(user);
      return page(c, codePage({ poolName: pool.name, tx: f.tx!, username: user.username, destination: user.attributes.get('email')!, action: '/confirm', purpose: 'confirm', info: 'アカウントが確認されていません。 / Your account is not confirmed yet.' }));
    }
    return c.redirect(await completeSignIn(c, f.tx!, tx, user, 'password'), 302);
  });

  app.post('/login/email-otp', async (c) => {
    const f = await form(c);
    const tx = txOf(c, f.tx);
    if (!tx || !pool.firstAuthFactors.includes('EMAIL_OTP')) return error(c, 'invalid_request', 'Email codes are not a sign-in option of this user pool, or the page expired.');
    const user = users.bySignInName(f.email ?? '');
    if (user && user.status === 'CONFIRMED') {
      const code = String(randomInt(0, 100_000_000)).padStart(8, '0');
      user.signInCode = { code, expires: Date.now() + 3 * 60_000, attempts: 0 };
      sendMail(user.attributes.get('email')!, pool.verification.emailSubject, pool.verification.emailMessage.replace('{####}', code), 'sign-in code');
    }
    return page(c, codePage({ poolName: pool.name, tx: f.tx!, username: user?.username ?? '', destination: f.email ?? '', action: '/login/email-otp/verify', purpose: 'otp' }));
  });

  app.post('/login/email-otp/verify', async (c) => {
    const f = await form(c);
    const tx = txOf(c, f.tx);
    const user = f.username ? users.get(f.username) : undefined;
    if (!tx || !pool.firstAuthFactors.includes('EMAIL_OTP')) return error(c, 'invalid_request', 'Email codes are not a sign-in option of this user pool, or the page expired.');
    const pending = user?.signInCode;
    // A sign-in code only (never a sign-up code), for a confirmed, enabled user; three tries.
    const ok = user && user.enabled && user.status === 'CONFIRMED' && pending && pending.expires > Date.now() && pending.attempts < 3 && pending.code === f.code;
    if (!ok) {
      if (pending) pending.attempts++;
      return page(c, codePage({ poolName: pool.name, tx: f.tx!, username: f.username ?? '', destination: user?.attributes.get('email') ?? '', action: '/login/email-otp/verify', purpose: 'otp', error: 'コードが正しくないか、有効期限が切れています。 / Invalid or expired code.' }), 400);
    }
    user.signInCode = undefined;
    return c.redirect(await completeSignIn(c, f.tx!, tx, user, 'email_otp'), 302);
  });

  app.post('/login/federate', async (c) => {
    const f = await form(c);
    const tx = txOf(c, f.tx);
    const provider = f.idp ? providerByName(f.idp) : undefined;
    if (!tx || !provider || !tx.client.supportedIdentityProviders.includes(provider.name)) return error(c, 'invalid_request', 'This identity provider is not enabled for this app client, or the page expired.');
    return c.redirect(startFederation(f.tx!, provider), 302);
  });

  // The IdP's redirect back to Cognito: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-oidc-flow.html
  app.get('/oauth2/idpresponse', async (c) => {
    const q = c.req.query();
    const fed = q.state ? federations.get(q.state) : undefined;
    if (!fed || fed.expires < Date.now()) return error(c, 'invalid_request', 'The identity provider answered with an unknown or expired state.');
    federations.delete(q.state!);
    const tx = txOf(c, fed.tx);
    if (!tx) return error(c, 'invalid_request', 'This sign-in has expired. Start again from the app.');
    if (q.error) return c.redirect(errorRedirect(tx, q.error, q.error_description ?? q.error));
    if (!q.code) return c.redirect(errorRedirect(tx, 'invalid_request', 'The identity provider returned no code'));
    let user: User;
    let level: Level;
    try {
      ({ user, level } = await federatedSignIn(fed.provider, q.code, tx));
    } catch (e) {
      if (e instanceof OAuthError || e instanceof TriggerError) {
        log(`federation failed: ${e.message}`);
        return c.redirect(errorRedirect(tx, 'invalid_request', e.message));
      }
      throw e;
    }
    // Native levels: a federated sign-in below the level the app asked for is refused.
    if (tx.level && levelRank(level) < levelRank(tx.level)) return c.redirect(errorRedirect(tx, 'access_denied', 'The identity provider did not authenticate at the requested level'));
    return c.redirect(await completeSignIn(c, fed.tx, tx, user, `federated:${fed.provider.name}`, level), 302);
  });

  // ---- sign-up and confirmation ----
  const policyText = () => {
    const p = pool.passwordPolicy;
    return `Password: at least ${p.minimumLength} characters${p.requireLowercase ? ', a lowercase letter' : ''}${p.requireUppercase ? ', an uppercase letter' : ''}${p.requireNumbers ? ', a number' : ''}${p.requireSymbols ? ', a symbol' : ''}.`;
  };
  app.get('/signup', (c) => {
    const txId = c.req.query('tx') ?? '';
    if (!txOf(c, txId) || pool.allowAdminCreateUserOnly) return error(c, 'invalid_request', 'Sign-up is not available (the page expired, or only administrators create users).');
    return page(c, signUpPage({ poolName: pool.name, tx: txId, policy: policyText() }));
  });
  app.post('/signup', async (c) => {
    const f = await form(c);
    const tx = txOf(c, f.tx);
    if (!tx || pool.allowAdminCreateUserOnly) return error(c, 'invalid_request', 'Sign-up is not available.');
    const email = (f.email ?? '').trim();
    const again = (message: string) => page(c, signUpPage({ poolName: pool.name, tx: f.tx!, email, error: message, policy: policyText() }), 400);
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) return again('メールアドレスの形式が正しくありません。 / Invalid email address format.');
    const policy = checkPasswordPolicy(pool, f.password ?? '');
    if (policy) return again(policy);
    let user: User;
    try {
      user = users.createNative(email, f.password!);
    } catch (e) {
      if (e instanceof UserError) return again(e.message);
      throw e;
    }
    try {
      const out = await triggers.invoke('PreSignUp', {
        triggerSource: 'PreSignUp_SignUp',
        userName: user.username,
        clientId: tx.client.id,
        request: { userAttributes: Object.fromEntries(user.attributes), validationData: {} },
        response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
      });
      const r = out.response as { autoConfirmUser?: boolean; autoVerifyEmail?: boolean };
      if (r.autoConfirmUser) user.status = 'CONFIRMED';
      if (r.autoVerifyEmail) user.attributes.set('email_verified', 'true');
    } catch (e) {
      users.delete(user.username);
      if (e instanceof TriggerError) return again(e.message);
      throw e;
    }
    log('new user signed up');
    if (user.status === 'CONFIRMED') return c.redirect(await completeSignIn(c, f.tx!, tx, user, 'password'), 302);
    sendConfirmationCode(user);
    return page(c, codePage({ poolName: pool.name, tx: f.tx!, username: user.username, destination: email, action: '/confirm', purpose: 'confirm' }));
  });
  app.post('/confirm/resend', async (c) => {
    const f = await form(c);
    const user = f.username ? users.get(f.username) : undefined;
    if (!txOf(c, f.tx) || !user || user.status !== 'UNCONFIRMED') return error(c, 'invalid_request', 'Nothing to confirm.');
    sendConfirmationCode(user);
    return page(c, codePage({ poolName: pool.name, tx: f.tx!, username: user.username, destination: user.attributes.get('email')!, action: '/confirm', purpose: 'confirm', info: 'コードを再送信しました。 / We sent a new code.' }));
  });
  app.post('/confirm', async (c) => {
    const f = await form(c);
    const tx = txOf(c, f.tx);
    const user = f.username ? users.get(f.username) : undefined;
    if (!tx || !user || user.status !== 'UNCONFIRMED') return error(c, 'invalid_request', 'Nothing to confirm (the page expired, or the account is already confirmed).');
    if (!user.confirmationCode || user.confirmationCode.expires < Date.now() || (user.confirmationCode.attempts ?? 0) >= 5 || user.confirmationCode.code !== (f.code ?? '').trim()) {
      if (user.confirmationCode) user.confirmationCode.attempts = (user.confirmationCode.attempts ?? 0) + 1;
      return page(c, codePage({ poolName: pool.name, tx: f.tx!, username: user.username, destination: user.attributes.get('email')!, action: '/confirm', purpose: 'confirm', error: '確認コードが正しくありません。 / Invalid verification code provided, please try again.' }), 400);
    }
    user.status = 'CONFIRMED';
    user.confirmationCode = undefined;
    if (pool.autoVerifiedAttributes.includes('email')) user.attributes.set('email_verified', 'true');
    await triggers.invoke('PostConfirmation', {
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      userName: user.username,
      clientId: tx.client.id,
      request: { userAttributes: Object.fromEntries(user.attributes) },
      response: {},
    });
    return c.redirect(await completeSignIn(c, f.tx!, tx, user, 'password'), 302);
  });

  // ---- passkeys: https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow-methods.html#amazon-cognito-user-pools-authentication-flow-methods-passkey
  app.post('/login/passkey/options', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { tx?: string; email?: string };
    const tx = txOf(c, body.tx);
    if (!tx || !pool.firstAuthFactors.includes('WEB_AUTHN')) return c.json({ error: 'invalid_request', message: 'This sign-in page has expired.' }, 400);
    const user = users.bySignInName(body.email ?? '');
    if (!user || user.passkeys.length === 0) return c.json({ error: 'NotAuthorizedException', message: 'このアカウントにはパスキーが登録されていません / No passkey is registered for this account' }, 400);
    const options = await generateAuthenticationOptions({ rpID: rpId(), allowCredentials: user.passkeys.map((p) => ({ id: p.id, transports: p.transports as never })), userVerification: pool.webAuthn.userVerification });
    tx.passkeyChallenge = { challenge: options.challenge, username: user.username };
    return c.json({ options });
  });
  app.post('/login/passkey/verify', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { tx?: string; response?: { id?: string } };
    const tx = txOf(c, body.tx);
    const pending = tx?.passkeyChallenge;
    const user = pending ? users.get(pending.username) : undefined;
    const key = user?.passkeys.find((p) => p.id === body.response?.id);
    if (!tx || !pending || !user || !key) return c.json({ error: 'NotAuthorizedException', message: 'Passkey sign-in failed' }, 400);
    tx.passkeyChallenge = undefined;
    const v = await verifyAuthenticationResponse({
      response: body.response as never,
      expectedChallenge: pending.challenge,
      expectedOrigin: origin,
      expectedRPID: rpId(),
      credential: { id: key.id, publicKey: key.publicKey as Uint8Array<ArrayBuffer>, counter: key.counter },
      requireUserVerification: pool.webAuthn.userVerification === 'required',
    }).catch(() => ({ verified: false as const, authenticationInfo: undefined }));
    if (!v.verified) return c.json({ error: 'NotAuthorizedException', message: 'Passkey sign-in failed' }, 400);
    key.counter = v.authenticationInfo!.newCounter;
    return c.json({ redirect: await completeSignIn(c, body.tx!, tx, user, 'passkey') });
  });
  // Managed login's passkey page: /passkeys/add?client_id=…&redirect_uri=…
  app.get('/passkeys/add', (c) => {
    const q = c.req.query();
    const client = clientById(q.client_id);
    if (!client) return error(c, 'invalid_request', 'client_id is missing or not a client of this user pool');
    const returnTo = q.redirect_uri ?? '';
    if (!client.callbackUrls.includes(returnTo) && !client.logoutUrls.includes(returnTo)) return error(c, 'redirect_mismatch', 'redirect_uri is not a callback or sign-out URL of this app client');
    if (!pool.firstAuthFactors.includes('WEB_AUTHN')) return error(c, 'invalid_request', 'Passkeys are not a sign-in option of this user pool');
    const session = currentSession(c);
    const user = session ? users.get(session.username) : undefined;
    if (!session || !user) {
      const txId = random();
      txs.set(txId, { client, redirectUri: client.callbackUrls[0]!, scopes: ['openid'], created: Date.now(), browser: browserOf(c), returnTo: `${origin}${new URL(c.req.url).pathname}${new URL(c.req.url).search}` });
      return c.redirect(`/login?tx=${txId}`);
    }
    if (user.status === 'EXTERNAL_PROVIDER') return error(c, 'NotAuthorizedException', 'A user of an external identity provider cannot register a passkey in this user pool: sign in as a user of the pool.');
    return page(c, passkeyAddPage({ poolName: pool.name, returnTo, email: user.attributes.get('email') ?? user.username, registered: user.passkeys.length }));
  });
  app.post('/passkeys/add/options', async (c) => {
    const session = currentSession(c);
    const user = session ? users.get(session.username) : undefined;
    if (!session || !user || user.status === 'EXTERNAL_PROVIDER') return c.json({ error: 'NotAuthorizedException', message: 'Sign in first' }, 400);
    const options = await generateRegistrationOptions({
      rpName: pool.name,
      rpID: rpId(),
      userName: user.attributes.get('email') ?? user.username,
      userID: new TextEncoder().encode(user.attributes.get('sub')!),
      attestationType: 'none',
      excludeCredentials: user.passkeys.map((p) => ({ id: p.id })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: pool.webAuthn.userVerification },
    });
    session.registrationChallenge = options.challenge;
    return c.json({ options });
  });
  app.post('/passkeys/add/verify', async (c) => {
    const session = currentSession(c);
    const user = session ? users.get(session.username) : undefined;
    const body = (await c.req.json().catch(() => ({}))) as { response?: unknown };
    const challenge = session?.registrationChallenge;
    if (!session || !user || !challenge) return c.json({ error: 'NotAuthorizedException', message: 'Sign in first' }, 400);
    session.registrationChallenge = undefined;
    const v = await verifyRegistrationResponse({ response: body.response as never, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: rpId(), requireUserVerification: pool.webAuthn.userVerification === 'required' }).catch(
      () => ({ verified: false as const, registrationInfo: undefined }),
    );
    if (!v.verified) return c.json({ error: 'InvalidParameterException', message: 'The passkey could not be verified' }, 400);
    const cred = v.registrationInfo!.credential;
    user.passkeys.push({ id: cred.id, publicKey: cred.publicKey, counter: cred.counter, transports: cred.transports, createdAt: new Date() });
    log('passkey registered');
    return c.json({ registered: user.passkeys.length });
  });

  // ---- tokens: https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html
  const tokensFor = async (grant: Grant, client: AppClientModel, triggerSource: string) => {
    const user = users.get(grant.username);
    if (!user || !user.enabled) throw new OAuthError('invalid_grant', 'User does not exist or is disabled');
    let idOverrides: ClaimOverrides | undefined;
    let accessOverrides: ClaimOverrides | undefined;
    let groups: string[] = [];
    if (triggers.has('PreTokenGeneration')) {
      const version = triggers.version('PreTokenGeneration') ?? 'V1_0';
      const v2 = version !== 'V1_0';
      const out = await triggers.invoke('PreTokenGeneration', {
        version: v2 ? version.slice(1, 2) : '1',
        triggerSource,
        userName: user.username,
        clientId: client.id,
        request: { userAttributes: { ...Object.fromEntries(user.attributes), 'cognito:user_status': user.status }, groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [], preferredRole: null }, ...(v2 ? { scopes: grant.scopes } : {}) },
        response: v2 ? { claimsAndScopeOverrideDetails: null } : { claimsOverrideDetails: null },
      });
      const r = out.response as Record<string, any>;
      if (v2) {
        idOverrides = r.claimsAndScopeOverrideDetails?.idTokenGeneration;
        accessOverrides = r.claimsAndScopeOverrideDetails?.accessTokenGeneration;
        groups = r.claimsAndScopeOverrideDetails?.groupOverrideDetails?.groupsToOverride ?? [];
      } else {
        idOverrides = r.claimsOverrideDetails ?? undefined;
        groups = r.claimsOverrideDetails?.groupOverrideDetails?.groupsToOverride ?? [];
      }
    }
    return issueTokens(signer, { grant, client, issuer, sub: user.attributes.get('sub')!, attributes: user.attributes, readable: readable(client), groups, idOverrides, accessOverrides });
  };

  app.post('/oauth2/token', async (c) => {
    c.header('cache-control', 'no-store');
    const fail = (err: string, status = 400) => c.json({ error: err }, status as 400);
    if (!(c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) return fail('invalid_request');
    const f = await form(c);
    const basic = /^Basic (.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    let clientId = f.client_id;
    let secret = f.client_secret;
    if (basic) {
      try {
        const decoded = Buffer.from(basic, 'base64').toString('utf8');
        const i = decoded.indexOf(':');
        if (i < 0) return fail('invalid_client');
        clientId = decodeURIComponent(decoded.slice(0, i));
        secret = decodeURIComponent(decoded.slice(i + 1));
      } catch {
        return fail('invalid_client');
      }
    }
    const client = clientById(clientId);
    if (!client) return fail('invalid_client');
    if (client.generateSecret && !secretMatches(secret, secrets.get(client.id)!)) return fail('invalid_client');
    try {
      if (f.grant_type === 'authorization_code') {
        const code = f.code ? codes.get(f.code) : undefined;
        if (f.code) codes.delete(f.code);
        if (!code || code.expires < Date.now() || code.client.id !== client.id || code.redirectUri !== f.redirect_uri) return fail('invalid_grant');
        if (code.codeChallenge !== undefined) {
          const verifier = f.code_verifier ?? '';
          if (b64url(createHash('sha256').update(verifier).digest()) !== code.codeChallenge) return fail('invalid_grant');
        }
        const t = await tokensFor(code.grant, client, 'TokenGeneration_HostedAuth');
        const refreshToken = random() + random();
        refreshTokens.set(refreshToken, { grant: code.grant, client, expires: Date.now() + client.validity.refreshToken * 1000 });
        return c.json({ ...(t.idToken ? { id_token: t.idToken } : {}), access_token: t.accessToken, refresh_token: refreshToken, expires_in: t.expiresIn, token_type: 'Bearer' });
      }
      if (f.grant_type === 'refresh_token') {
        const r = f.refresh_token ? refreshTokens.get(f.refresh_token) : undefined;
        if (!r || r.expires < Date.now() || r.client.id !== client.id) return fail('invalid_grant');
        const t = await tokensFor(r.grant, client, 'TokenGeneration_RefreshTokens');
        return c.json({ ...(t.idToken ? { id_token: t.idToken } : {}), access_token: t.accessToken, expires_in: t.expiresIn, token_type: 'Bearer' });
      }
      return fail('unsupported_grant_type');
    } catch (e) {
      if (e instanceof OAuthError) return fail(e.error);
      if (e instanceof TriggerError) return c.json({ error: 'invalid_request', error_description: e.message }, 400);
      throw e;
    }
  });

  // /oauth2/revoke: https://docs.aws.amazon.com/cognito/latest/developerguide/revocation-endpoint.html
  app.post('/oauth2/revoke', async (c) => {
    const f = (c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded') ? await form(c) : {};
    const basic = /^Basic (.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const [id, secret] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':') : [f.client_id, f.client_secret];
    const client = clientById(id);
    if (!client || (client.generateSecret && !secretMatches(secret, secrets.get(client.id)!))) return c.json({ error: 'invalid_client' }, 400);
    if (!client.enableTokenRevocation) return c.json({ error: 'unsupported_token_type' }, 400);
    const r = f.token ? refreshTokens.get(f.token) : undefined;
    if (!f.token) return c.json({ error: 'invalid_request' }, 400);
    if (r && r.client.id === client.id) refreshTokens.delete(f.token);
    return c.body(null, 200);
  });

  const verifyAccessToken = async (token: string | undefined) => {
    if (!token) return undefined;
    const jwks = createLocalJwks(signer);
    const r = await jwtVerify(token, jwks, { issuer }).catch(() => undefined);
    if (!r || r.payload.token_use !== 'access') return undefined;
    const user = users.get(String(r.payload.username));
    return user && user.enabled ? { claims: r.payload, user } : undefined;
  };

  // /oauth2/userInfo: https://docs.aws.amazon.com/cognito/latest/developerguide/userinfo-endpoint.html
  const userInfo = async (c: Context) => {
    c.header('cache-control', 'no-store');
    const token = /^Bearer (.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const v = await verifyAccessToken(token);
    if (!v) {
      c.header('www-authenticate', 'Bearer error="invalid_token"');
      return c.json({ error: 'invalid_token', error_description: 'Access token is expired, disabled, or deleted, or the user has globally signed out.' }, 401);
    }
    const scopes = String(v.claims.scope ?? '').split(' ');
    if (!scopes.includes('openid')) return c.json({ error: 'invalid_token', error_description: 'The access token lacks the openid scope' }, 401);
    const client = clientById(String(v.claims.client_id))!;
    const can = readable(client);
    const allowed = (name: string) => {
      if (!can(name)) return false;
      if (scopes.includes('profile')) return true;
      if (name.startsWith('email')) return scopes.includes('email');
      if (name.startsWith('phone_number')) return scopes.includes('phone');
      return !scopes.some((s) => s === 'email' || s === 'phone');
    };
    const out: Record<string, string> = { sub: v.user.attributes.get('sub')! };
    for (const [k, val] of v.user.attributes) if (k !== 'sub' && allowed(k)) out[k] = val;
    out.username = v.user.username;
    return c.json(out);
  };
  app.get('/oauth2/userInfo', userInfo);
  app.post('/oauth2/userInfo', userInfo);

  // /logout: https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html
  app.get('/logout', (c) => {
    const q = c.req.query();
    const client = clientById(q.client_id);
    if (!client) return error(c, 'invalid_request', 'client_id is missing or not a client of this user pool');
    const sid = getCookie(c, SESSION_COOKIE);
    if (q.logout_uri !== undefined) {
      if (!client.logoutUrls.includes(q.logout_uri)) return error(c, 'invalid_request', 'logout_uri is not a sign-out URL of this app client');
      if (sid) sessions.delete(sid);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.redirect(q.logout_uri);
    }
    if (q.redirect_uri !== undefined && q.response_type === 'code') {
      if (sid) sessions.delete(sid);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      const u = new URL(`${origin}/oauth2/authorize`);
      for (const k of ['client_id', 'redirect_uri', 'response_type', 'scope', 'state']) if (q[k] !== undefined) u.searchParams.set(k, q[k]!);
      return c.redirect(u.toString());
    }
    return error(c, 'invalid_request', 'logout needs logout_uri, or redirect_uri and response_type');
  });

  // Discovery and keys, at the issuer (https://cognito-idp.<region>.amazonaws.com/<pool id>).
  const discovery = (c: Context) =>
    c.json({
      issuer,
      authorization_endpoint: `${origin}/oauth2/authorize`,
      token_endpoint: `${origin}/oauth2/token`,
      userinfo_endpoint: `${origin}/oauth2/userInfo`,
      end_session_endpoint: `${origin}/logout`,
      revocation_endpoint: `${origin}/oauth2/revoke`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      scopes_supported: ['openid', 'email', 'phone', 'profile'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
    });
  app.get(`/${pool.id}/.well-known/openid-configuration`, discovery);
  app.get('/.well-known/openid-configuration', discovery);
  app.get(`/${pool.id}/.well-known/jwks.json`, (c) => c.json(signer.jwks));
  app.get('/.well-known/jwks.json', (c) => c.json(signer.jwks));

  app.get('/mailbox', (c) => page(c, mailboxPage({ poolName: pool.name, messages: mailbox })));
  app.get('/mailbox.json', (c) => c.json(mailbox));

  // The user pool API (AWS JSON 1.1): https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/Welcome.html
  app.post('/', (c) => userPoolApi(c, { model, users, region: o.local.region, verifyAccessToken, secrets, settings }));

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: o.port ?? 0, hostname: o.host ?? '127.0.0.1' }, () => resolve(s));
  });
  origin = `http://${publicHost}:${(server.address() as AddressInfo).port}`;
  issuer = `${origin}/${pool.id}`;
  return {
    origin,
    issuer,
    model,
    clients: model.clients.map((c) => ({ name: c.name, id: c.id, ...(secrets.has(c.id) ? { secret: secrets.get(c.id) } : {}) })),
    users,
    settings,
    mailbox,
    triggers,
    close: async () => {
      clearInterval(sweep);
      await triggers.close();
      await new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}

/** Constant-time comparison of a presented client secret with the client's. */
function secretMatches(presented: string | undefined, expected: string): boolean {
  const a = createHash('sha256').update(presented ?? '').digest();
  const b = createHash('sha256').update(expected).digest();
  return presented !== undefined && timingSafeEqual(a, b);
}

/** The pool's own keys as a jose key set (no HTTP round trip to itself). */
function createLocalJwks(signer: TokenSigner) {
  return async (header: { kid?: string }) => {
    const { importJWK } = await import('jose');
    const jwk = signer.jwks.keys.find((k) => k.kid === header.kid);
    if (!jwk) throw new Error('unknown kid');
    return importJWK(jwk, 'RS256');
  };
}
