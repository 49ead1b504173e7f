/**
 * Cognito as an OIDC relying party of the pool's identity provider (the federation proxy):
 * the redirect to the IdP, and the sign-in from its answer (code redeemed, ID token verified,
 * userinfo, attribute mapping, the inbound federation and pre sign-up triggers, linking).
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { OAuthError } from './http';
import type { Level } from './pool-settings';
import { newId, TX_MS, type AuthorizeRequest, type StandInState } from './state';
import type { IdentityProviderModel } from './template';
import type { User } from './users';

/** The IdP's authorization URL for the sign-in in progress. */
export function startFederation(s: StandInState, txId: string, provider: IdentityProviderModel): string {
  const tx = s.txs.get(txId)!;
  const state = newId();
  s.federations.set(state, { tx: txId, provider, expires: Date.now() + TX_MS });
  const u = new URL(provider.details.authorize_url!);
  u.searchParams.set('client_id', provider.details.client_id!);
  u.searchParams.set('redirect_uri', `${s.origin}/oauth2/idpresponse`);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('scope', provider.details.authorize_scopes ?? 'openid');
  u.searchParams.set('state', state);
  // Cognito passes prompt (all values but none) and login_hint on to an OIDC IdP.
  if (tx.prompt && tx.prompt !== 'none') u.searchParams.set('prompt', tx.prompt);
  if (tx.loginHint) u.searchParams.set('login_hint', tx.loginHint);
  // Native levels: the requested level as the IdP's acr (AcrMapping).
  const idpAcr = tx.level ? s.settings.providerAcrFor(provider.name, tx.level) : undefined;
  if (idpAcr) u.searchParams.set('acr_values', idpAcr);
  s.log(`federating to ${provider.name}`);
  return u.toString();
}

/** The user the IdP's code signs in (created at the first sign-in), and the level of that authentication. */
export async function federatedSignIn(s: StandInState, provider: IdentityProviderModel, code: string, tx: AuthorizeRequest): Promise<{ user: User; level: Level }> {
  const { tokens, idToken, userInfo } = await redeem(s, provider, code);
  const claims: Record<string, unknown> = { ...userInfo, ...idToken };
  const level = s.settings.levelOfProviderAcr(provider.name, idToken.acr);
  const userId = String(claims[provider.attributeMapping.username ?? 'sub'] ?? idToken.sub);
  const username = `${provider.name}_${userId}`;

  // Attribute mapping: each mapped claim present in the IdP's answer, as a string.
  let mapped: Record<string, string> = {};
  for (const [attribute, claim] of Object.entries(provider.attributeMapping)) {
    if (attribute === 'username') continue;
    const v = claims[claim];
    if (v !== undefined && v !== null) mapped[attribute] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  if (s.triggers.has('InboundFederation')) {
    const out = await s.triggers.invoke('InboundFederation', {
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
  const { user: existing, linkedTo } = s.users.byIdentity(provider.name, userId);
  if (linkedTo) {
    s.users.setAttributes(linkedTo, mapped);
    return { user: linkedTo, level };
  }
  if (existing) {
    // Mapped attributes are written again at every sign-in through the IdP.
    s.users.setAttributes(existing, mapped);
    return { user: existing, level };
  }
  await s.triggers.invoke('PreSignUp', {
    triggerSource: 'PreSignUp_ExternalProvider',
    userName: username,
    clientId: tx.client.id,
    request: { userAttributes: { ...mapped }, validationData: {} },
    response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
  });
  // A pre sign-up trigger that linked this identity to another user (AdminLinkProviderForUser)
  // makes this first sign-in fail: Cognito reports the entry it now finds.
  if (s.users.byIdentity(provider.name, userId).linkedTo) throw new OAuthError('invalid_request', `Already found an entry for username ${username}`);
  s.log(`new federated user from ${provider.name}`);
  return { user: s.users.createFederated(provider.name, provider.type, userId, mapped), level };
}

/** The code redeemed at the IdP (client_secret_post), its ID token verified, and its userinfo. */
async function redeem(s: StandInState, provider: IdentityProviderModel, code: string) {
  const d = provider.details;
  const tokenResponse = await fetch(d.token_url!, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: `${s.origin}/oauth2/idpresponse`, client_id: d.client_id!, client_secret: d.client_secret ?? '' }),
    signal: AbortSignal.timeout(5000),
  });
  const tokens = (await tokenResponse.json().catch(() => ({}))) as Record<string, string>;
  if (!tokenResponse.ok || !tokens.id_token || !tokens.access_token) throw new OAuthError('invalid_request', `Error from the identity provider's token endpoint: ${tokens.error ?? tokenResponse.status}${tokens.error_description ? ` (${tokens.error_description})` : ''}`);
  let jwks = s.providerJwks.get(provider.name);
  if (!jwks) s.providerJwks.set(provider.name, (jwks = createRemoteJWKSet(new URL(d.jwks_uri!))));
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
  return { tokens, idToken, userInfo };
}
