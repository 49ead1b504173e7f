/**
 * Step 1, /authorize: Cognito sends the browser here. Only this tenant's Cognito request is
 * accepted (its client_id and the exact idpresponse redirect URI). The proxy adds what Cognito
 * cannot send (PKCE S256, nonce, its own state) and sends the browser on to the OP. What the
 * callback needs travels in a sealed, HttpOnly cookie bound to the OP state.
 */
import { OAuthError } from './protocol/oauth-error';
import { createPkce, randomToken } from './protocol/pkce';
import type { FederationProxyDeps } from './deps';

export interface TransactionState {
  /** State sent to the OP. */
  s: string;
  /** Nonce sent to the OP. */
  n: string;
  /** PKCE code_verifier. */
  v: string;
  /** Cognito's state, returned to it unchanged. */
  cs: string;
  /** Cognito's nonce, if it sent one (echoed in the proxy's ID token). */
  cn?: string;
  /** The pool user this card sign-in is to be linked to (a link request from the app). */
  lk?: string;
  /** The card subject whose own account (a card sign-up) may be moved into that user (merge). */
  lg?: string;
  /** The link request's id: it is used once (consumed at /token). */
  lj?: string;
  /** The sign-in's correlation id: random, in every security event of this sign-in. */
  x?: string;
}

/** A link request sealed by POST /link-intent: the user, a masked name of the account for the confirmation page, an id. */
export interface LinkHint {
  u: string;
  m: string;
  j: string;
  /** The card subject of the card's own account the app asked to move into this user (from a token of that account). */
  g?: string;
}

/** login_hint values of this form are link requests sealed by the proxy (POST /link-intent). */
export const LINK_HINT_PREFIX = 'myna-link.';

/** An error that cannot be returned to a redirect URI (unknown client or redirect URI). */
export class UnsafeRedirectError extends OAuthError {
  constructor(code: OAuthError['code'], description: string, readonly reason: 'client_id_missing' | 'client_id_unknown' | 'redirect_uri_mismatch' | 'parameter_invalid') {
    super(code, description);
  }
}

/** An error returned to Cognito's redirect URI with its state. */
export class RedirectableError extends OAuthError {
  constructor(code: OAuthError['code'], description: string, readonly redirectUri: string, readonly state: string | undefined) {
    super(code, description);
  }
}

const PRINTABLE = /^[\x20-\x7e]+$/;
/**
 * Bounds on what is sealed into the transaction cookie, which must stay under the 4,096 bytes
 * browsers keep for a cookie's name and value (RFC 6265 section 6.1; larger ones are dropped
 * without a word). Cognito's state is an opaque value of some hundreds of characters (its
 * length is not documented) and its nonce about 171 (the AWS documentation's example). With
 * these bounds a cookie of plain characters is about 3.8 KB; one whose JSON escaping grows it
 * further is refused (tests hold both).
 */
export const MAX_STATE = 2048;
export const MAX_NONCE = 512;
/** A cookie's name and value together (RFC 6265 section 6.1: at least 4,096 bytes kept). */
const MAX_COOKIE_BYTES = 4000;
const MAX_PARAM = 2048;
const FORWARDED_PROMPTS = new Set(['login', 'consent', 'select_account']);

/**
 * One transaction cookie per browser, replaced by each new sign-in: an unfinished sign-in never
 * adds another, so no one can fill a victim's cookie header with them. `__Host-` binds it to
 * this exact origin, Secure and Path=/ (RFC 6265bis section 4.1.3.2); on plain-http localhost,
 * where a Secure cookie cannot be relied on, the same cookie goes without the prefix.
 */
export const transactionCookieName = (origin: string) => (origin.startsWith('https:') ? '__Host-myna_tx' : 'myna_tx');

function param(query: URLSearchParams, name: string, max = MAX_PARAM): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw new OAuthError('invalid_request', `${name} is repeated`);
  const v = values[0];
  if (v === undefined || v === '') return undefined;
  if (v.length > max) throw new OAuthError('invalid_request', `${name} is longer than ${max} characters`);
  if (!PRINTABLE.test(v)) throw new OAuthError('invalid_request', `${name} holds characters that are not printable ASCII`);
  return v;
}

export async function startAuthorization(
  deps: FederationProxyDeps,
  origin: string,
  query: URLSearchParams,
): Promise<{ location: string; cookieName: string; cookieValue: string; maxAge: number; correlationId: string; confirmLink?: { account: string; state: string; merge: boolean } }> {
  const { config } = deps;
  let clientId: string | undefined;
  let redirectUri: string | undefined;
  try {
    clientId = param(query, 'client_id');
    redirectUri = param(query, 'redirect_uri');
  } catch (e) {
    throw new UnsafeRedirectError('invalid_request', (e as OAuthError).description, 'parameter_invalid');
  }
  // Never redirect anywhere but the registered URI: check both before any redirect (RFC 6749 4.1.2.1).
  if (!clientId) throw new UnsafeRedirectError('invalid_request', 'client_id is missing', 'client_id_missing');
  if (clientId !== config.cognito.clientId) throw new UnsafeRedirectError('unauthorized_client', 'unknown client_id', 'client_id_unknown');
  if (redirectUri !== config.cognito.redirectUri) throw new UnsafeRedirectError('invalid_request', 'redirect_uri is not the registered one', 'redirect_uri_mismatch');

  let state: string | undefined;
  try {
    state = param(query, 'state', MAX_STATE);
    if (!state) throw new OAuthError('invalid_request', 'state is required');
    const responseType = param(query, 'response_type');
    if (responseType !== 'code') throw new OAuthError('unsupported_response_type', 'only response_type=code is supported');
    const scope = param(query, 'scope') ?? '';
    if (!scope.split(' ').includes('openid')) throw new OAuthError('invalid_scope', 'scope must include openid');
    const cognitoNonce = param(query, 'nonce', MAX_NONCE);
    // Cognito passes an app's prompt on to the IdP (all values but none).
    const requested = param(query, 'prompt')?.split(' ').filter((v) => FORWARDED_PROMPTS.has(v));
    const cognitoPrompt = requested?.length ? requested.join(' ') : undefined;

    // Cognito passes login_hint on to the IdP: a link request of the app travels in it.
    const hint = param(query, 'login_hint', 1024);
    let link: LinkHint | undefined;
    if (hint?.startsWith(LINK_HINT_PREFIX)) {
      // Never a card sign-in of its own in place of the link that was asked for.
      if (!deps.linking || !deps.cards) throw new OAuthError('invalid_request', 'linking My Number Card is not available for this service');
      try {
        link = await deps.sealer.unseal<LinkHint>('link', hint.slice(LINK_HINT_PREFIX.length));
      } catch {
        throw new OAuthError('invalid_request', 'the request to link My Number Card has expired or is not valid; start it again from the app');
      }
    }

    const pkce = createPkce();
    const tx: TransactionState & { x: string } = { s: randomToken(), n: randomToken(), v: pkce.verifier, cs: state, ...(cognitoNonce ? { cn: cognitoNonce } : {}), ...(link ? { lk: link.u, lj: link.j, ...(link.g ? { lg: link.g } : {}) } : {}), x: randomToken(12) };
    const sealed = await deps.sealer.seal('transaction', { ...tx }, config.lifetimes.transaction);
    // JSON escaping can make a state of quotes or backslashes twice its length: hold the cookie
    // itself, not only its parts, under what browsers keep.
    const cookieName = transactionCookieName(origin);
    if (cookieName.length + 1 + sealed.length > MAX_COOKIE_BYTES) throw new OAuthError('invalid_request', 'state and nonce are too long together');

    const op = new URL(config.op.authorizationEndpoint);
    const p = op.searchParams;
    p.set('response_type', 'code');
    p.set('client_id', config.op.clientId);
    p.set('redirect_uri', `${origin}/callback`);
    p.set('scope', config.op.scopes.join(' '));
    p.set('state', tx.s);
    p.set('nonce', tx.n);
    p.set('code_challenge', pkce.challenge);
    p.set('code_challenge_method', pkce.method);
    if (config.op.acrValues) p.set('acr_values', config.op.acrValues);
    // A card sign-in is a fresh card authentication (the ID token's auth_time is checked too).
    const prompt = config.op.prompt === 'login' ? 'login' : cognitoPrompt;
    if (prompt) p.set('prompt', prompt);
    if (config.op.sendMaxAge) p.set('max_age', String(config.op.maxAuthenticationAgeSeconds));
    // A link is confirmed by the person first, on a page of the proxy naming the account: a link
    // request sent to someone else (a link in a message) does not link their card unseen.
    return { location: op.toString(), cookieName, cookieValue: sealed, maxAge: config.lifetimes.transaction, correlationId: tx.x, ...(link ? { confirmLink: { account: link.m, state: tx.s, merge: link.g !== undefined } } : {}) };
  } catch (e) {
    if (e instanceof OAuthError) throw new RedirectableError(e.code, e.description, redirectUri, state);
    throw e;
  }
}
