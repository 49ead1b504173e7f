/**
 * Step-up for a resource server (RFC 9470, OAuth 2.0 Step Up Authentication Challenge):
 *
 * - `requireAuthentication` checks a Cognito access or ID token (signature, issuer, client and
 *   expiry by aws-jwt-verify) for an authentication level (`acr`) and a maximum age (`auth_time`),
 *   and when it falls short answers 401 with
 *   `WWW-Authenticate: Bearer error="insufficient_user_authentication", acr_values="…", max_age="…"`.
 * - `stepUpAuthorizationUrl` turns such a challenge into the app's next `/oauth2/authorize`
 *   request, with those values.
 *
 * Which claims carry the level and its time is the tenant's choice (its `stepUp` settings):
 * by default `acr` and `auth_time`, as RFC 9470 section 6.2 describes.
 */

/** What verifies a token: a CognitoJwtVerifier (aws-jwt-verify) or anything of that shape. */
export interface TokenVerifier {
  verify(token: string): Promise<Record<string, unknown>>;
}

export interface AuthenticationRequirement {
  /** Levels that satisfy, in order of preference (sent in the challenge as acr_values). */
  readonly acrValues?: readonly string[];
  /** The most seconds since the authentication (sent as max_age). */
  readonly maxAgeSeconds?: number;
  /** The claim holding the level. Default: acr. */
  readonly acrClaim?: string;
  /** The claim holding the time of that authentication (seconds since the epoch). Default: auth_time. */
  readonly authTimeClaim?: string;
  /** Clock leeway in seconds. Default: 30. */
  readonly leewaySeconds?: number;
  /**
   * Binds the level to this session: the claim holding the time the authentication reached the
   * token issuer (for myna-idp: `jpki.stepUp.claims.sessionTime`). The token's own `auth_time`
   * (the session's, set by Cognito) must be that time, within `sessionBindingSeconds`; a strong
   * authentication in another session (another browser, an earlier sign-in) does not count.
   */
  readonly sessionTimeClaim?: string;
  /** Default: 10. */
  readonly sessionBindingSeconds?: number;
  /**
   * Also accepted: Cognito's own authentication level (its `acr`, which no trigger can set, with
   * the session's `auth_time` for maxAgeSeconds), when the tenant uses Cognito's native levels.
   * Challenges then carry these values as acr_values, the ones Cognito understands.
   */
  readonly nativeLevels?: { readonly acrValues: readonly string[] };
  readonly now?: () => number;
}

export type AuthenticationDecision =
  | { readonly ok: true; readonly claims: Record<string, unknown> }
  | { readonly ok: false; readonly status: 401; readonly headers: { 'www-authenticate': string }; readonly body: { error: string; error_description: string } };

const quoted = (v: string) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;

/** An acr value as a challenge may carry it (RFC 9470 section 3: space-separated, in quotes). */
const ACR_VALUE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function checked(r: AuthenticationRequirement): AuthenticationRequirement {
  const count = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0)) throw new TypeError(`${name} must be a whole number of seconds, 0 or more`);
  };
  count('maxAgeSeconds', r.maxAgeSeconds);
  count('leewaySeconds', r.leewaySeconds);
  count('sessionBindingSeconds', r.sessionBindingSeconds);
  for (const a of [...(r.acrValues ?? []), ...(r.nativeLevels?.acrValues ?? [])]) if (!ACR_VALUE.test(a)) throw new TypeError(`acr value ${JSON.stringify(a)} has a space, a quote, a backslash or a control character`);
  return r;
}

function challenge(error: 'invalid_token' | 'insufficient_user_authentication' | undefined, description: string, r?: AuthenticationRequirement): AuthenticationDecision {
  // RFC 6750 section 3.1: a request without a token gets a challenge without an error code.
  const params = error ? [`error=${quoted(error)}`, `error_description=${quoted(description)}`] : [];
  // RFC 9470 section 3: acr_values and max_age belong to insufficient_user_authentication.
  if (error === 'insufficient_user_authentication') {
    const acrValues = r?.nativeLevels?.acrValues.length ? r.nativeLevels.acrValues : r?.acrValues;
    if (acrValues?.length) params.push(`acr_values=${quoted(acrValues.join(' '))}`);
    if (r?.maxAgeSeconds !== undefined) params.push(`max_age=${quoted(String(r.maxAgeSeconds))}`);
  }
  return {
    ok: false,
    status: 401,
    headers: { 'www-authenticate': params.length ? `Bearer ${params.join(', ')}` : 'Bearer' },
    body: { error: error ?? 'invalid_request', error_description: description },
  };
}

/** The bearer token of an Authorization header (the scheme is case-insensitive, RFC 9110 section 11.1). */
export const bearerTokenOf = (authorization: string | undefined) => /^bearer +([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization ?? '')?.[1];

export async function requireAuthentication(verifier: TokenVerifier, authorization: string | undefined, requirement: AuthenticationRequirement): Promise<AuthenticationDecision> {
  const r = checked(requirement);
  const token = bearerTokenOf(authorization);
  if (!token) return challenge(undefined, 'a bearer token is required', r);
  let claims: Record<string, unknown>;
  try {
    claims = await verifier.verify(token);
  } catch {
    return challenge('invalid_token', 'the token is not valid', r);
  }
  const now = Math.floor((r.now?.() ?? Date.now()) / 1000);
  const leeway = r.leewaySeconds ?? 30;
  const recent = (at: unknown) => r.maxAgeSeconds === undefined || (typeof at === 'number' && at <= now + leeway && now - at <= r.maxAgeSeconds + leeway);
  // Cognito's native level: its acr is the session's own (Cognito sets it; a trigger cannot).
  if (r.nativeLevels?.acrValues.length && typeof claims.acr === 'string' && r.nativeLevels.acrValues.includes(claims.acr) && recent(claims.auth_time)) {
    return { ok: true, claims };
  }
  const acr = claims[r.acrClaim ?? 'acr'];
  if (r.acrValues?.length && (typeof acr !== 'string' || !r.acrValues.includes(acr))) {
    return challenge('insufficient_user_authentication', 'a different authentication level is required', r);
  }
  if (r.sessionTimeClaim !== undefined) {
    const session = claims.auth_time;
    const arrived = claims[r.sessionTimeClaim];
    const gap = typeof session === 'number' && typeof arrived === 'number' ? session - arrived : NaN;
    // The authentication reaches the issuer just before it starts the session (gap >= 0); -1
    // allows for both times being cut to whole seconds on two clocks. The clock leeway is not
    // added here, or a session started just before a strong authentication elsewhere would
    // count. NaN (a missing or non-numeric claim) fails both comparisons.
    if (!(gap >= -1 && gap <= (r.sessionBindingSeconds ?? 10))) {
      return challenge('insufficient_user_authentication', 'the authentication level was not reached in this session', r);
    }
  }
  if (!recent(claims[r.authTimeClaim ?? 'auth_time'])) {
    return challenge('insufficient_user_authentication', 'a more recent authentication is required', r);
  }
  return { ok: true, claims };
}

/**
 * The parameters of the first Bearer challenge of a WWW-Authenticate value (RFC 9110 section
 * 11.6.1, RFC 6750 section 3): names lowercased, quoted strings unescaped; it stops at the next
 * challenge, and a repeated parameter makes the challenge unusable (an empty result).
 */
export function parseChallenge(wwwAuthenticate: string): Record<string, string> {
  const token = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
  const start = new RegExp(`(?:^|,)\\s*bearer(?:\\s+|\\s*$)`, 'i').exec(wwwAuthenticate);
  if (!start) return {};
  const param = new RegExp(`^\\s*(${token})\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|(${token}))\\s*(?:,|$)`);
  let rest = wwwAuthenticate.slice(start.index + start[0].length);
  const out: Record<string, string> = {};
  for (;;) {
    const m = param.exec(rest);
    if (!m) break;
    const name = m[1]!.toLowerCase();
    if (name in out) return {};
    out[name] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
    rest = rest.slice(m[0].length);
  }
  return out;
}

export interface AuthorizationRequest {
  /** The managed login's `/oauth2/authorize` (stack output ManagedLoginUrl + /oauth2/authorize). */
  readonly authorizeUrl: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly state: string;
  readonly codeChallenge: string;
  /** Send the person straight to this identity provider (e.g. DigitalAuthApp for the card). */
  readonly identityProvider?: string;
}

/**
 * The authorization request that answers a step-up challenge: the challenge's acr_values and
 * max_age, `prompt=login` (a fresh authentication, not the session that fell short), PKCE S256.
 */
export function stepUpAuthorizationUrl(wwwAuthenticate: string, a: AuthorizationRequest): URL {
  const c = parseChallenge(wwwAuthenticate);
  if (c.error !== 'insufficient_user_authentication') throw new Error('not a step-up challenge (RFC 9470 insufficient_user_authentication)');
  const u = new URL(a.authorizeUrl);
  const q = u.searchParams;
  q.set('response_type', 'code');
  q.set('client_id', a.clientId);
  q.set('redirect_uri', a.redirectUri);
  q.set('scope', a.scope);
  q.set('state', a.state);
  q.set('code_challenge', a.codeChallenge);
  q.set('code_challenge_method', 'S256');
  q.set('prompt', 'login');
  if (c.acr_values) q.set('acr_values', c.acr_values);
  if (c.max_age && /^\d+$/.test(c.max_age)) q.set('max_age', c.max_age);
  // acr_values are passed on as the API named them: Cognito knows its own levels
  // (urn:cognito:loa:1-4, when native levels are on); map them before, where they differ.
  if (a.identityProvider) q.set('identity_provider', a.identityProvider);
  return u;
}
