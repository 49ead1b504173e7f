/**
 * Step 1, /authorize: Cognito sends the browser here. Only this tenant's Cognito request is
 * accepted (its client_id and the exact idpresponse redirect URI). The proxy adds what Cognito
 * cannot send (PKCE S256, nonce, its own state) and sends the browser on to the OP. What the
 * callback needs travels in a sealed, HttpOnly cookie bound to the OP state.
 */
import { OAuthError } from '../shared/oauth-error';
import { createPkce, randomToken } from '../shared/pkce';
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
}

/** An error that cannot be returned to a redirect URI (unknown client or redirect URI). */
export class UnsafeRedirectError extends OAuthError {}

/** An error returned to Cognito's redirect URI with its state. */
export class RedirectableError extends OAuthError {
  constructor(code: OAuthError['code'], description: string, readonly redirectUri: string, readonly state: string | undefined) {
    super(code, description);
  }
}

const PRINTABLE = /^[\x20-\x7e]+$/;
const MAX_PARAM = 4096;

export const transactionCookieName = (opState: string) => `myna_tx_${opState.slice(0, 16)}`;

function param(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw new OAuthError('invalid_request', `${name} is repeated`);
  const v = values[0];
  if (v === undefined || v === '') return undefined;
  if (v.length > MAX_PARAM || !PRINTABLE.test(v)) throw new OAuthError('invalid_request', `${name} is too long or holds characters that are not printable ASCII`);
  return v;
}

export async function startAuthorization(
  deps: FederationProxyDeps,
  origin: string,
  query: URLSearchParams,
): Promise<{ location: string; cookieName: string; cookieValue: string; maxAge: number }> {
  const { config } = deps;
  let clientId: string | undefined;
  let redirectUri: string | undefined;
  try {
    clientId = param(query, 'client_id');
    redirectUri = param(query, 'redirect_uri');
  } catch (e) {
    throw new UnsafeRedirectError('invalid_request', (e as OAuthError).description);
  }
  // Never redirect anywhere but the registered URI: check both before any redirect (RFC 6749 4.1.2.1).
  if (clientId !== config.cognito.clientId) throw new UnsafeRedirectError('unauthorized_client', 'unknown client_id');
  if (redirectUri !== config.cognito.redirectUri) throw new UnsafeRedirectError('invalid_request', 'redirect_uri is not the registered one');

  let state: string | undefined;
  try {
    state = param(query, 'state');
    if (!state) throw new OAuthError('invalid_request', 'state is required');
    const responseType = param(query, 'response_type');
    if (responseType !== 'code') throw new OAuthError('unsupported_response_type', 'only response_type=code is supported');
    const scope = param(query, 'scope') ?? '';
    if (!scope.split(' ').includes('openid')) throw new OAuthError('invalid_scope', 'scope must include openid');
    const cognitoNonce = param(query, 'nonce');

    const pkce = createPkce();
    const tx: TransactionState = { s: randomToken(), n: randomToken(), v: pkce.verifier, cs: state, ...(cognitoNonce ? { cn: cognitoNonce } : {}) };
    const sealed = await deps.sealer.seal('transaction', { ...tx }, config.lifetimes.transaction);

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
    return { location: op.toString(), cookieName: transactionCookieName(tx.s), cookieValue: sealed, maxAge: config.lifetimes.transaction };
  } catch (e) {
    if (e instanceof OAuthError) throw new RedirectableError(e.code, e.description, redirectUri, state);
    throw e;
  }
}
