/**
 * Step 3, /token: Cognito redeems the sealed code (client_secret_post). The proxy redeems the
 * OP's code with the PKCE verifier and a private_key_jwt assertion, validates the OP's ID token
 * completely, fetches userinfo and checks its `sub` against the ID token's, and only then
 * answers Cognito with an ID token of its own and a sealed access token for /userinfo.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { JWTVerifyGetKey } from 'jose';
import { LinkConflictError } from '../shared/card-records';
import { AwsCallError } from '../shared/aws-json';
import { IdTokenError, validateIdToken } from './protocol/id-token';
import { OAuthError } from './protocol/oauth-error';
import { OpCallError, type OpClient } from './protocol/op-client';
import { SealedValueError } from './crypto/sealing';
import { signJwt } from './crypto/signer';
import { verifiedAttributesOf, type VerifiedAttributes } from '../shared/verified-claims';
import type { SealedCode } from './callback';
import type { FederationProxyDeps } from './deps';

/** What /userinfo returns, sealed inside the proxy's access token. */
export interface SealedUserinfo extends VerifiedAttributes {
  sub: string;
  jpki_verified_at: string;
  jpki_issuer: string;
  jpki_acr?: string;
}

/** A failure with the security event that reports it. */
export class TokenStepError extends OAuthError {
  constructor(
    code: OAuthError['code'],
    description: string,
    readonly event: 'token.client_authentication_failed' | 'token.code_rejected' | 'token.op_error' | 'token.id_token_rejected' | 'token.userinfo_rejected' | 'token.link_refused' | 'token.record_failed',
    readonly reason: string,
    readonly opError?: string,
    status?: number,
  ) {
    super(code, description, status);
  }
  /** The sign-in it belongs to, once the code is known. */
  correlationId?: string;
}

const hmacKey = randomBytes(32);
/** Constant-time comparison of two secrets of any length. */
function secretsEqual(a: string, b: string): boolean {
  const mac = (s: string) => createHmac('sha256', hmacKey).update(s).digest();
  return timingSafeEqual(mac(a), mac(b));
}

function single(form: URLSearchParams, name: string, max = 4096): string | undefined {
  const all = form.getAll(name);
  if (all.length > 1) throw new TokenStepError('invalid_request', `${name} is repeated`, 'token.code_rejected', 'repeated_parameter');
  const v = all[0];
  if (v !== undefined && v.length > max) throw new TokenStepError('invalid_request', `${name} is too long`, 'token.code_rejected', 'parameter_too_long');
  return v || undefined;
}

export async function exchangeCode(
  deps: FederationProxyDeps,
  origin: string,
  form: URLSearchParams,
  op: OpClient,
  opKeys: JWTVerifyGetKey,
): Promise<{ body: Record<string, unknown>; correlationId?: string; link?: 'linked' | 'already_linked' | 'merged' }> {
  const { config } = deps;
  // Client authentication first (RFC 6749 section 2.3.1, client_secret_post).
  const clientId = single(form, 'client_id', 255);
  const secret = single(form, 'client_secret', 1024);
  if (!clientId || !secret) {
    throw new TokenStepError('invalid_client', 'client authentication (client_secret_post) is required', 'token.client_authentication_failed', 'no_credentials');
  }
  const expected = await deps.clientSecrets();
  const idOk = secretsEqual(clientId, config.cognito.clientId);
  // Compare with every accepted secret (no early exit), each in constant time.
  const secretOk = expected.map((e) => secretsEqual(secret, e)).includes(true);
  if (!idOk || !secretOk) {
    throw new TokenStepError('invalid_client', 'client authentication failed', 'token.client_authentication_failed', idOk ? 'wrong_secret' : 'unknown_client');
  }

  const grantType = single(form, 'grant_type');
  if (grantType !== 'authorization_code') {
    throw new TokenStepError('unsupported_grant_type', 'only authorization_code is supported', 'token.code_rejected', 'unsupported_grant_type');
  }
  if (single(form, 'redirect_uri') !== config.cognito.redirectUri) {
    throw new TokenStepError('invalid_grant', 'redirect_uri does not match the authorization request', 'token.code_rejected', 'redirect_uri_mismatch');
  }
  const code = single(form, 'code', 8192);
  if (!code) throw new TokenStepError('invalid_request', 'code is required', 'token.code_rejected', 'code_missing');
  let sealed: SealedCode;
  try {
    sealed = await deps.sealer.unseal<SealedCode & Record<string, unknown>>('code', code);
  } catch (e) {
    const expired = e instanceof SealedValueError && e.reason === 'expired';
    throw new TokenStepError('invalid_grant', expired ? 'the code has expired' : 'the code is not valid', 'token.code_rejected', expired ? 'code_expired' : 'code_invalid');
  }
  try {
    // link: how the card was linked to the pool user who asked (the caller reports it with the sign-in).
    return { ...(await redeem(deps, origin, sealed, op, opKeys)), correlationId: sealed.x };
  } catch (e) {
    if (e instanceof TokenStepError) e.correlationId = sealed.x;
    throw e;
  }
}

/** The code's redemption at the OP, the checks of its answer, the record and the link, and Cognito's tokens. */
async function redeem(deps: FederationProxyDeps, origin: string, sealed: SealedCode, op: OpClient, opKeys: JWTVerifyGetKey): Promise<{ body: Record<string, unknown>; link?: 'linked' | 'already_linked' | 'merged' }> {
  const { config } = deps;

  // Redeem at the OP (never retried: a code is single-use).
  let tokens;
  try {
    tokens = await op.redeemCode({ code: sealed.c, codeVerifier: sealed.v, redirectUri: `${origin}/callback` });
  } catch (e) {
    if (e instanceof OpCallError) throw new TokenStepError(e.code, e.description, 'token.op_error', e.reason, e.opError, e.status);
    throw e;
  }

  let claims;
  try {
    claims = await validateIdToken(tokens.id_token, opKeys, {
      issuer: config.op.issuer,
      clientId: config.op.clientId,
      algorithms: config.op.idTokenAlgorithms,
      nonce: sealed.n,
      accessToken: tokens.access_token,
      clockLeewaySeconds: config.op.clockLeewaySeconds,
      requireAtHash: config.op.requireAtHash,
      maxAgeSeconds: 600,
      maxAuthenticationAgeSeconds: config.op.maxAuthenticationAgeSeconds,
      acceptedAcr: config.op.acceptedAcr,
    });
  } catch (e) {
    if (!(e instanceof IdTokenError)) throw e;
    const unavailable = e.reason === 'jwks_unavailable';
    throw new TokenStepError(
      unavailable ? 'temporarily_unavailable' : 'invalid_grant',
      unavailable ? 'the keys of the My Number Card service could not be fetched' : `the ID token of the My Number Card service was rejected (${e.reason})`,
      'token.id_token_rejected',
      e.reason,
    );
  }

  let userinfo: Record<string, unknown>;
  try {
    userinfo = await op.userinfo(tokens.access_token);
  } catch (e) {
    if (e instanceof OpCallError) throw new TokenStepError(e.code, e.description, 'token.op_error', `userinfo_${e.reason}`, e.opError, e.status);
    throw e;
  }
  // OIDC Core section 5.3.2: the userinfo sub must equal the ID token sub.
  if (userinfo.sub !== claims.sub) {
    throw new TokenStepError('invalid_grant', 'the userinfo response belongs to another subject', 'token.userinfo_rejected', 'sub_mismatch');
  }

  const sub = claims.sub as string;
  const now = Math.floor(Date.now() / 1000);
  const acr = typeof claims.acr === 'string' && claims.acr.length <= 64 ? claims.acr : undefined;
  const amr = Array.isArray(claims.amr) && claims.amr.length <= 10 && claims.amr.every((m) => typeof m === 'string' && m.length <= 32) ? (claims.amr as string[]) : undefined;
  // When the card was used, by the OP's clock (validated above), never the proxy's.
  const authTime = Math.floor(claims.auth_time as number);
  const verified = verifiedAttributesOf(userinfo);
  const verifiedAt = new Date(authTime * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  // The record apps' verified claims come from (never from user attributes), then the link.
  if (deps.cards) {
    try {
      await deps.cards.putAuthentication({ sub, attributes: verified, ...(acr ? { acr } : {}), authTime, opIssuer: config.op.issuer, sessionTime: now, ...(sealed.x ? { correlationId: sealed.x } : {}) });
    } catch {
      throw new TokenStepError('temporarily_unavailable', 'the card authentication could not be recorded', 'token.record_failed', 'record_unavailable', undefined, 503);
    }
  }
  const link = sealed.lk ? await linkCard(deps, sealed.lk, sealed.lj ?? '', sub, sealed.lg) : undefined;

  const info: SealedUserinfo = {
    sub,
    ...verified,
    jpki_verified_at: verifiedAt,
    jpki_issuer: config.op.issuer,
    ...(acr ? { jpki_acr: acr } : {}),
  };
  const lifetime = config.lifetimes.tokens;
  const idToken = await signJwt(deps.tokenSigner, {
    iss: origin,
    sub,
    aud: config.cognito.clientId,
    iat: now,
    exp: now + lifetime,
    auth_time: authTime,
    ...(acr ? { acr } : {}),
    ...(amr ? { amr } : {}),
    ...(sealed.cn ? { nonce: sealed.cn } : {}),
  });
  const accessToken = await deps.sealer.seal('access-token', { ...info }, lifetime);
  return { body: { access_token: accessToken, token_type: 'Bearer', expires_in: lifetime, id_token: idToken }, ...(link ? { link } : {}) };
}

/**
 * Links the card subject to the pool user who asked for it, before Cognito ever sees that
 * identity (AdminLinkProviderForUser needs one that has never signed in). Refused, never a
 * silent takeover: a link request used before, a card linked to another user or with a pool
 * user of its own, a user who has another card. The link is reserved in the card records first
 * (conditional writes), then made in the user pool, and the reservation is undone if that fails.
 */
async function linkCard(deps: FederationProxyDeps, username: string, requestId: string, sub: string, mergeFrom: string | undefined): Promise<'linked' | 'already_linked' | 'merged'> {
  const { linking, cards } = deps;
  const refuse = (description: string, reason: string) => new TokenStepError('invalid_grant', description, 'token.link_refused', reason);
  if (!linking || !cards) throw refuse('linking is not available', 'linking_unavailable');
  const unavailable = (reason = 'link_failed') => new TokenStepError('temporarily_unavailable', 'the card could not be linked', 'token.link_refused', reason, undefined, 503);
  let card, otherCard, ownUser, destination;
  try {
    if (!(await cards.consumeRequest(requestId))) throw refuse('the link request was already used', 'link_request_reused');
    [card, otherCard, ownUser, destination] = await Promise.all([cards.getCard(sub), cards.getLinkedSub(username), linking.userState(`${deps.config.cognito.providerName}_${sub}`), linking.userState(username)]);
  } catch (e) {
    if (e instanceof TokenStepError) throw e;
    throw unavailable();
  }
  if (!destination?.enabled) throw refuse('the account is missing or disabled', 'destination_unavailable');
  // A request to move a card account is for that card only, whatever this card's state.
  if (mergeFrom !== undefined && mergeFrom !== sub) throw refuse('not the card whose account was to be moved', 'card_mismatch');
  if (card?.linkedUser === username && otherCard === sub) {
    // Linked in the records: linked in the pool too (again, if an earlier link did not finish).
    if (destination.cards.includes(sub)) return 'already_linked';
    // An unfinished merge whose card signed in meanwhile has a card user again: move it once more.
    if (ownUser && mergeFrom !== sub) throw refuse(OWN_ACCOUNT, 'card_has_own_user');
    if (ownUser) await deleteCardUser(deps, sub, unavailable);
    return relink(deps, username, sub, unavailable);
  }
  if (card?.linkedUser) throw refuse('the card is linked to another account', 'linked_to_another_user');
  if (otherCard && otherCard !== sub) throw refuse('another card is linked to this account', 'user_has_another_card');
  // A card sign-up's own account is moved only when the app asked for it with a token of that
  // very account (its card subject sealed in the request), the person confirmed it on the
  // proxy's page, and this fresh card authentication is of that card.
  if (ownUser && mergeFrom !== sub) throw refuse(OWN_ACCOUNT, 'card_has_own_user');
  if (ownUser && !ownUser.enabled) throw refuse('the card’s own account is disabled', 'card_user_disabled');
  // Cognito links at most five identities to a user.
  if (destination.identities >= 5) throw refuse('the account already has five linked identities', 'too_many_identities');
  try {
    await cards.putLink(username, sub);
  } catch (e) {
    if (e instanceof LinkConflictError) throw refuse('linked at the same moment by another request', 'link_race');
    // Half a reservation (the card's side) would refuse every later link: undo it.
    await cards.removeLink(username, sub).catch(() => undefined);
    throw unavailable();
  }
  if (ownUser) {
    try {
      // Cognito links only an identity that has no user: the card's own user goes first.
      await deleteCardUser(deps, sub, unavailable);
    } catch (e) {
      await cards.removeLink(username, sub).catch(() => undefined);
      throw e;
    }
    // From here the card's account is gone: the link is kept reserved, and retried; a failure is
    // an incomplete merge for operators (critical), which the next link request of this user finishes.
    return relink(deps, username, sub, () => unavailable('merge_incomplete')).then(() => 'merged' as const);
  }
  try {
    await linking.link(username, sub);
  } catch {
    await cards.removeLink(username, sub).catch(() => undefined);
    throw unavailable();
  }
  return 'linked';
}

const OWN_ACCOUNT = 'the card has an account of its own (the app may ask to move it here)';

/** AdminDeleteUser of the card's user; one already gone (a concurrent merge) is done. */
async function deleteCardUser(deps: FederationProxyDeps, sub: string, failure: () => TokenStepError): Promise<void> {
  try {
    await deps.linking!.deleteCardUser(sub);
  } catch (e) {
    if (e instanceof AwsCallError && e.type === 'UserNotFoundException') return;
    throw failure();
  }
}

/** AdminLinkProviderForUser, tried three times (a user just deleted may take a moment to be gone). */
async function relink(deps: FederationProxyDeps, username: string, sub: string, failure: () => TokenStepError): Promise<'linked'> {
  for (let attempt = 0; ; attempt++) {
    try {
      await deps.linking!.link(username, sub);
      return 'linked';
    } catch {
      if (attempt === 2) throw failure();
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }
}
