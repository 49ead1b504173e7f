/**
 * What the pre token generation trigger (V2) adds to a user's tokens, from the server-side
 * record of the latest My Number Card authentication (shared/card-records), never from user
 * attributes (which app clients can write):
 *
 * - to ID and access tokens, the step-up claims: the card authentication's acr, its time by
 *   the OP's clock, and the time it reached Cognito. An API accepts the step-up only when the
 *   token's `auth_time` (set by Cognito, for this session) is that time, so a card sign-in in
 *   another browser or an older one never upgrades this session (@myna-idp/step-up).
 * - to ID tokens of the app clients the tenant lists, `verified_claims` (OpenID Connect for
 *   Identity Assurance 1.0) with only the claims listed for that client.
 *
 * The user attribute claims `custom:jpki_*` are suppressed: users can write them.
 */
import type { CardAuthentication, ClientPolicy } from '../shared/card-records';

export interface TokenClaimsConfig {
  /** The identity provider's name in the pool (federated usernames are <name>_<sub>). */
  readonly providerName: string;
  /** The OP whose authentications count (the sandbox OP's never count in a production tenant). */
  readonly opIssuer: string;
  readonly trustFramework: string;
  readonly claims: { readonly acr: string; readonly authTime: string; readonly sessionTime: string };
  /** How long after a card authentication reached Cognito a token generation counts as that sign-in (stepUp.sessionBindingSeconds). */
  readonly sessionBindingSeconds?: number;
}

/** The parts of Cognito's pre token generation V2 event this trigger reads. */
export interface PreTokenEvent {
  triggerSource?: string;
  userName: string;
  callerContext: { clientId: string };
  request: { userAttributes: Record<string, string | undefined> };
  response: Record<string, unknown>;
}

export const SUPPRESSED = ['custom:jpki_verified_at', 'custom:jpki_acr', 'custom:jpki_issuer', 'custom:jpki_attestation'];

/**
 * The card subject of this pool user: its own (a federated user of the card) or the one linked
 * to it. The user's `identities` attribute, which Cognito keeps (no app client of the product can
 * write it; whether any API can is not documented), names a linked card directly; where the
 * event has it, no read of the link record is needed, and a card unlinked in the pool
 * (AdminDisableProviderForUser) stops counting at once. It only ever withholds: a card it names
 * still counts only through the proxy's link record (overridesFor). Where the event has no
 * `identities` (whether Cognito always sends it is not documented), the link record decides.
 */
export function cardSubjectOf(event: PreTokenEvent, config: TokenClaimsConfig, linkedSub: () => Promise<string | undefined>): Promise<string | undefined> {
  const prefix = `${config.providerName}_`;
  const attributes = event.request.userAttributes;
  // Only a user Cognito created for the identity provider has such a name and this status.
  if (event.userName.startsWith(prefix) && attributes['cognito:user_status'] === 'EXTERNAL_PROVIDER') {
    return Promise.resolve(event.userName.slice(prefix.length));
  }
  const identities = identitiesOf(attributes.identities);
  if (identities) return Promise.resolve(identities.find((i) => i.providerName === config.providerName && typeof i.userId === 'string' && i.userId !== '')?.userId);
  return linkedSub();
}

/** The `identities` attribute (a JSON array of linked identities), or undefined when absent or not that. */
function identitiesOf(value: string | undefined): Array<{ providerName?: unknown; userId?: string }> | undefined {
  if (!value) return undefined;
  try {
    const list = JSON.parse(value) as unknown;
    return Array.isArray(list) ? (list.filter((i) => i && typeof i === 'object') as Array<{ providerName?: unknown; userId?: string }>) : undefined;
  } catch {
    return undefined;
  }
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The response's claimsAndScopeOverrideDetails for this user and client. */
export function overridesFor(event: PreTokenEvent, config: TokenClaimsConfig, card: CardAuthentication | undefined, policy: ClientPolicy) {
  const stepUp: Record<string, string | number> = {};
  let verified: Record<string, unknown> | undefined;
  // The card's own user (a card sign-up not linked elsewhere), or the pool user the proxy linked
  // it to: a card named by a user's identities alone never counts without that link record.
  const ownUser = event.userName === `${config.providerName}_${card?.sub}` && event.request.userAttributes['cognito:user_status'] === 'EXTERNAL_PROVIDER';
  const usable = card && card.opIssuer === config.opIssuer && (card.linkedUser ? card.linkedUser === event.userName : ownUser);
  if (usable) {
    if (card.acr) stepUp[config.claims.acr] = card.acr;
    stepUp[config.claims.authTime] = card.authTime;
    stepUp[config.claims.sessionTime] = card.sessionTime;
    const allowed = policy[event.callerContext.clientId] ?? [];
    const claims = Object.fromEntries(allowed.filter((name) => card.attributes[name as keyof typeof card.attributes] !== undefined).map((name) => [name, card.attributes[name as keyof typeof card.attributes]]));
    if (Object.keys(claims).length) {
      verified = {
        verification: {
          trust_framework: config.trustFramework,
          ...(card.acr ? { assurance_level: card.acr } : {}),
          time: iso(card.authTime),
          evidence: [
            {
              type: 'electronic_record',
              check_details: [{ check_method: 'auth', organization: config.opIssuer, time: iso(card.authTime) }],
              record: { type: 'jp_jpki_user_authentication', source: { name: 'Digital Agency, Digital Authentication App (デジタル庁 デジタル認証アプリ)' } },
            },
          ],
        },
        claims,
      };
    }
  }
  return {
    idTokenGeneration: { claimsToAddOrOverride: { ...stepUp, ...(verified ? { verified_claims: verified } : {}) }, claimsToSuppress: SUPPRESSED },
    accessTokenGeneration: { claimsToAddOrOverride: { ...stepUp }, claimsToSuppress: SUPPRESSED },
  };
}

/** What the trigger reports of a token generation (security events): only sign-ins with card claims, never refreshes. */
export function tokenEventsFor(
  event: PreTokenEvent,
  config: TokenClaimsConfig,
  card: CardAuthentication | undefined,
  overrides: ReturnType<typeof overridesFor>,
  nowSeconds: number,
): Array<{ type: 'token.step_up_issued' | 'token.verified_claims_issued'; reason: string; correlationId?: string }> {
  if (!card || event.triggerSource === 'TokenGeneration_RefreshTokens') return [];
  const added = overrides.idTokenGeneration.claimsToAddOrOverride as Record<string, unknown>;
  if (!(config.claims.authTime in added)) return [];
  const out: Array<{ type: 'token.step_up_issued' | 'token.verified_claims_issued'; reason: string; correlationId?: string }> = [];
  // The card authentication that just reached Cognito is this sign-in (the same window the step-up
  // check allows); only then is it the same sign-in as the proxy's events (its correlation id).
  const gap = nowSeconds - card.sessionTime;
  const thisSignIn = gap >= -1 && gap <= (config.sessionBindingSeconds ?? 10);
  const correlation = thisSignIn && card.correlationId ? { correlationId: card.correlationId } : {};
  if (thisSignIn) out.push({ type: 'token.step_up_issued', reason: card.acr ? 'card_authentication' : 'card_authentication_without_acr', ...correlation });
  if (added.verified_claims) out.push({ type: 'token.verified_claims_issued', reason: 'client_policy', ...correlation });
  return out;
}
