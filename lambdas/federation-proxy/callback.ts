/**
 * Step 2, /callback: the OP sends the browser back with a code (or an error). The proxy checks
 * the state against the sealed transaction cookie and returns Cognito an OAuth response it
 * understands, with Cognito's own state: a sealed code that only the proxy can redeem, or the
 * OP's error.
 */
import { timingSafeEqual } from 'node:crypto';
import { OAuthError, type OAuthErrorCode } from './protocol/oauth-error';
import { SealedValueError } from './crypto/sealing';
import { transactionCookieName, type TransactionState } from './authorize';
import type { FederationProxyDeps } from './deps';

export interface SealedCode {
  /** The OP's authorization code. */
  c: string;
  /** PKCE code_verifier, nonce, and Cognito's nonce. */
  v: string;
  n: string;
  cn?: string;
  /** The pool user to link the card to, and the link request's id. */
  lk?: string;
  lj?: string;
  lg?: string;
  /** The sign-in's correlation id (security events). */
  x?: string;
}

/** OP errors passed on as they are; anything else becomes server_error. */
const PASSED_ON: ReadonlySet<string> = new Set(['access_denied', 'server_error', 'temporarily_unavailable', 'invalid_request', 'invalid_scope', 'login_required', 'consent_required', 'interaction_required']);

const equal = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export type CallbackRejection = 'state_missing' | 'transaction_missing' | 'transaction_expired' | 'transaction_invalid' | 'state_mismatch' | 'code_missing';

export class CallbackError extends OAuthError {
  constructor(description: string, readonly reason: CallbackRejection) {
    super('invalid_request', description);
  }
}

export async function finishAuthorization(
  deps: FederationProxyDeps,
  origin: string,
  query: URLSearchParams,
  cookie: (name: string) => string | undefined,
): Promise<{ location: string; cookieName: string; opError?: string; correlationId?: string }> {
  const { config } = deps;
  const state = query.get('state');
  if (!state || state.length > 255 || !/^[\x20-\x7e]+$/.test(state)) throw new CallbackError('state is missing or malformed', 'state_missing');
  const cookieName = transactionCookieName(origin);
  const sealed = cookie(cookieName);
  if (!sealed) throw new CallbackError('this sign-in has no session in this browser (it expired or was started elsewhere); start again', 'transaction_missing');

  let tx: TransactionState;
  try {
    tx = await deps.sealer.unseal<TransactionState & Record<string, unknown>>('transaction', sealed);
  } catch (e) {
    const reason = e instanceof SealedValueError && e.reason === 'expired' ? 'transaction_expired' : 'transaction_invalid';
    throw new CallbackError(reason === 'transaction_expired' ? 'this sign-in took too long; start again' : 'this sign-in session is not valid; start again', reason);
  }
  // One transaction per browser: a state that is not this one's belongs to a sign-in that a
  // newer one replaced (or to someone else's).
  if (!equal(tx.s, state)) throw new CallbackError('a newer sign-in was started in this browser; this one cannot continue', 'state_mismatch');

  const back = new URL(config.cognito.redirectUri);
  back.searchParams.set('state', tx.cs);
  const opError = query.get('error');
  if (opError) {
    const code = (PASSED_ON.has(opError) ? opError : 'server_error') as OAuthErrorCode;
    back.searchParams.set('error', code);
    const d = query.get('error_description');
    back.searchParams.set(
      'error_description',
      d && /^[\x20-\x7e]{1,200}$/.test(d) ? d : code === 'access_denied' ? 'the person cancelled My Number Card authentication' : 'My Number Card authentication failed',
    );
    // The OP's error as one of the known codes (anything else is `other`): a callback URL's error is anyone's text.
    return { location: back.toString(), cookieName, opError: PASSED_ON.has(opError) ? opError : 'other', correlationId: tx.x };
  }

  const code = query.get('code');
  if (!code || code.length > 2048 || !/^[\x21-\x7e]+$/.test(code)) throw new CallbackError('code is missing or malformed', 'code_missing');
  const sealedCode: SealedCode = { c: code, v: tx.v, n: tx.n, ...(tx.cn ? { cn: tx.cn } : {}), ...(tx.lk ? { lk: tx.lk, lj: tx.lj, ...(tx.lg ? { lg: tx.lg } : {}) } : {}), ...(tx.x ? { x: tx.x } : {}) };
  back.searchParams.set('code', await deps.sealer.seal('code', { ...sealedCode }, config.lifetimes.code));
  return { location: back.toString(), cookieName, correlationId: tx.x };
}
