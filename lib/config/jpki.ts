/**
 * The `jpki` section: federation with the Digital Agency's OpenID Provider (デジタル認証アプリ).
 * What is UNCONFIRMED about the OP (production issuer, algorithms, assertion audience, at_hash)
 * is a setting here, with the best-known value as default.
 */
import { z } from 'zod';
import { isLocalhost, type TenantRule } from './rules';
import { defaultLevelName, LEVELS, type Level } from '../../lambdas/shared/acr-levels';

/** The Keycloak realm of the Agency's OP: its issuer is the origin followed by this path. */
export const OP_REALM_PATH = '/api/realms/main';

export const DIGITAL_AGENCY_ISSUERS = {
  sandbox: `https://sb-auth-and-sign.go.jp${OP_REALM_PATH}`,
  /** UNCONFIRMED (by analogy with the sandbox): override with `issuer` if it differs. */
  production: `https://auth-and-sign.go.jp${OP_REALM_PATH}`,
} as const;

/** Keycloak-style endpoint paths below the issuer. */
export const KEYCLOAK_PATHS = {
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  userinfo: '/protocol/openid-connect/userinfo',
  jwks: '/protocol/openid-connect/certs',
} as const;

const claimName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, { message: 'must be a lowercase claim name (letters, digits, underscores)' });
const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' });

// Cognito's AcrLevelConfigType.AcrValue: length 1-64, pattern [\x21\x23-\x5B\x5D-\x7E]+, which leaves
// out the space, `"` and `\` (docs/cognito-step-up-facts.md §6): refused here, not at deploy.
const levelName = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/, { message: 'must be 1-64 printable ASCII characters without spaces, " or \\ (Cognito\'s AcrValue pattern)' });
const NATIVE_LEVELS_OFF = { enabled: false, cardLevel: 'Level4' as const, names: {} };

/** Cognito's own authentication levels (acr_values, acr in tokens): off unless a tenant turns them on. */
const nativeLevelsSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe('Also use Cognito’s native authentication levels: the pool’s AcrConfiguration and the identity provider’s AcrMapping are set at deploy (a custom resource; CloudFormation has neither), and APIs accept Cognito’s acr for the card level. UNCONFIRMED that Cognito applies them (a public test in October 2026 found it did not): the deploy fails with a clear message if Cognito does not keep them. Needs plan essentials or plus.'),
    cardLevel: z.enum(LEVELS).default('Level4').describe('The Cognito level a card authentication counts as (the OP’s acr is mapped to it). Must be Level4, the one level no password, code or passkey reaches; Level4 is also password with TOTP, so signIn.mfa must not offer totp.'),
    names: z
      .strictObject({
        Level1: levelName.optional().describe('acr name of Level1 (password). Default urn:cognito:loa:1.'),
        Level2: levelName.optional().describe('acr name of Level2 (one email or SMS code). Default urn:cognito:loa:2.'),
        Level3: levelName.optional().describe('acr name of Level3 (a passkey, or password with an email or SMS code). Default urn:cognito:loa:3.'),
        Level4: levelName.optional().describe('acr name of Level4 (password with TOTP). Default urn:cognito:loa:4.'),
      })
      .default({})
      .describe('Custom acr names of the levels (AcrConfiguration). A level not named keeps Cognito’s urn:cognito:loa:N.'),
  })
  .default(NATIVE_LEVELS_OFF)
  .describe('Cognito’s native authentication levels, besides the product’s own step-up claims (which never depend on them).');

/** The acr Cognito reports for a level: its custom name, else urn:cognito:loa:N. */
export const nativeLevelAcr = (n: { cardLevel: Level; names: Partial<Record<Level, string>> }) => n.names[n.cardLevel] ?? defaultLevelName(n.cardLevel);

export const jpkiSchema = z
  .strictObject({
    environment: z
      .enum(['sandbox', 'production', 'custom'])
      .describe('Which OP: the Digital Agency sandbox, production, or custom (issuer and endpoints given here: the local emulator or any other OP).'),
    issuer: httpUrl.optional().describe('OP issuer. Required for custom; overrides the known issuer of sandbox or production.'),
    endpoints: z
      .strictObject({
        authorization: httpUrl.optional().describe('Authorization endpoint.'),
        token: httpUrl.optional().describe('Token endpoint.'),
        userinfo: httpUrl.optional().describe('UserInfo endpoint.'),
        jwks: httpUrl.optional().describe('JWKS URI.'),
      })
      .default({})
      .describe('Endpoint overrides. Default: the Keycloak-style paths below the issuer.'),
    clientId: z
      .string()
      .regex(/^[0-9A-Za-z]{1,255}$/, { message: 'must be 1-255 letters and digits (for example RP00000001)' })
      .describe('The client_id the Digital Agency registered for this tenant.'),
    scopes: z
      .array(z.enum(['openid', 'name', 'address', 'birthdate', 'gender']))
      .default(['openid', 'name', 'address', 'birthdate', 'gender'])
      .describe('Scopes to request: openid plus the basic attributes (基本4情報) wanted, listed explicitly.'),
    acrValues: z
      .string()
      .regex(/^[\x20-\x7e]{1,255}$/, { message: 'must be 1-255 printable ASCII characters' })
      .optional()
      .describe('acr_values to send (the documented example is "aal3 crl"; its meaning is UNCONFIRMED).'),
    clientAssertion: z
      .strictObject({
        algorithm: z.enum(['RS256', 'ES256', 'PS256']).default('RS256').describe('private_key_jwt signing algorithm. RS256 is known to be accepted; ES256 is UNCONFIRMED.'),
        kmsKeyArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, { message: 'must be a KMS key ARN' })
          .optional()
          .describe('An existing KMS key (SIGN_VERIFY, RSA_2048 or ECC_NIST_P256) to sign with. Default: a key created in the stack.'),
        lifetimeSeconds: z.number().int().min(10).max(300).default(60).describe('Lifetime (exp - iat) of each assertion.'),
        audience: z.enum(['token-endpoint', 'issuer']).default('token-endpoint').describe('aud of the assertion: the token endpoint URL (known to work) or the issuer.'),
      })
      .default({ algorithm: 'RS256', lifetimeSeconds: 60, audience: 'token-endpoint' })
      .describe('Client authentication at the OP (private_key_jwt) with a KMS key.'),
    idTokenAlgorithms: z
      .array(z.enum(['RS256', 'ES256', 'PS256']))
      .min(1)
      .default(['RS256', 'ES256'])
      .describe('ID token signing algorithms accepted (UNCONFIRMED which the OP uses).'),
    requireAtHash: z.boolean().default(false).describe('Reject an ID token without at_hash (the OP is known to include it).'),
    maxAuthenticationAgeSeconds: z
      .number()
      .int()
      .min(30)
      .max(3600)
      .default(300)
      .describe('How long ago the card authentication may have been (the ID token’s auth_time, which is required): a card sign-in is a fresh one, never an OP session reused.'),
    acceptedAcr: z
      .array(z.string().regex(/^[\x21-\x7e]{1,64}$/, { message: 'must be 1-64 printable ASCII characters without spaces' }))
      .min(1)
      .optional()
      .describe('acr values accepted in the OP’s ID token. Default: each value of acrValues (none checked without acrValues). Set it when the OP answers acr in another form than it was asked (UNCONFIRMED for the Agency), or every card sign-in is refused.'),
    prompt: z
      .enum(['login', 'forward'])
      .default('login')
      .describe('login: always send prompt=login, so the OP asks for the card again even within its session. forward: pass on the prompt Cognito sends. (The OP’s support of prompt is UNCONFIRMED; auth_time is checked either way.)'),
    sendMaxAge: z
      .boolean()
      .default(true)
      .describe('Send max_age=maxAuthenticationAgeSeconds, so that the OP asks for the card again rather than the proxy refusing an older authentication, and so that an OP following OIDC Core includes auth_time (every OP must support max_age, OIDC Core 15.1; the Agency’s support is UNCONFIRMED).'),
    clockLeewaySeconds: z.number().int().min(0).max(300).default(60).describe('Clock leeway for exp and iat.'),
    requestTimeoutMs: z.number().int().min(500).max(8000).default(3000).describe('Timeout of each call to the OP.'),
    reservedConcurrency: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe('Reserved concurrency of the federation proxy: the most sign-in requests it serves at once (a bound for its public URL). Unset: none. Lambda keeps 100 unreserved, so accounts still at a low concurrency quota cannot reserve any.'),
    previousSecretMinutes: z
      .number()
      .int()
      .min(0)
      .max(1440)
      .default(60)
      .describe('After a rotation of Cognito’s client secret, the sealing secret or the CloudFront origin secret, how many minutes the proxy still accepts the previous version (0: not at all).'),
    edge: z
      .strictObject({
        rateLimitPerFiveMinutes: z
          .number()
          .int()
          .min(10)
          .max(2_000_000_000)
          .default(300)
          .describe('Requests one IP address may make to the proxy’s browser paths (/authorize, /callback) in 5 minutes before the WAF blocks it (AWS WAF rate-based rule; at least 10). Cognito’s own calls (/token, /userinfo) are not counted. Phones behind a carrier NAT share addresses: leave room for them.'),
      })
      .optional()
      .describe('Put the federation proxy behind CloudFront with an AWS WAF web ACL (rate limit per IP, IP reputation list), created in us-east-1 in the stack MynaIdp-<id>-edge. The function URL then refuses requests that bypass CloudFront. Omit: the function URL is the public endpoint.'),
    secretVersions: z
      .strictObject({
        cognitoClientSecret: z
          .string()
          .regex(/^[A-Za-z0-9-]{32,64}$/, { message: 'must be a Secrets Manager version id' })
          .optional()
          .describe('The version of Cognito’s client secret that Cognito is given. Set it to the VersionId of a new version after a rotation and deploy (README: key rotation): a template that does not change does not make CloudFormation read the secret again.'),
        edgeOriginSecret: z
          .string()
          .regex(/^[A-Za-z0-9-]{32,64}$/, { message: 'must be a Secrets Manager version id' })
          .optional()
          .describe('The version of the CloudFront origin secret (jpki.edge) that CloudFront sends; likewise after a rotation.'),
      })
      .default({})
      .describe('Pinned versions of the secrets CloudFormation hands to Cognito and CloudFront. Default: the version current at the first deploy.'),
    stepUp: z
      .strictObject({
        claims: z
          .strictObject({
            acr: claimName.default('myna_acr').describe('Claim with the acr of the latest My Number Card authentication (set by the OP; Cognito reserves acr itself).'),
            authTime: claimName.default('myna_auth_time').describe('Claim with the time of that card authentication, by the OP’s clock (seconds).'),
            sessionTime: claimName.default('myna_session_time').describe('Claim with the time that card authentication reached Cognito (seconds): an API accepts the step-up only when the token’s auth_time is this time (within sessionBindingSeconds), i.e. when this Cognito session is the card sign-in.'),
          })
          .default({ acr: 'myna_acr', authTime: 'myna_auth_time', sessionTime: 'myna_session_time' })
          .describe('Names of the claims the product adds to ID and access tokens for step-up (a pre token generation trigger).'),
        defaultMaxAgeSeconds: z.number().int().min(30).max(3600).default(300).describe('How old a card authentication may be for a sensitive action, when the API does not say (the sample app and @myna-idp/step-up use it).'),
        maximumMaxAgeSeconds: z.number().int().min(30).max(86_400).default(900).describe('The largest max_age an API of this tenant may accept for a card step-up.'),
        sessionBindingSeconds: z.number().int().min(3).max(120).default(10).describe('How far apart the card authentication’s arrival at Cognito and the session’s auth_time may be.'),
        nativeLevels: nativeLevelsSchema,
      })
      .default({ claims: { acr: 'myna_acr', authTime: 'myna_auth_time', sessionTime: 'myna_session_time' }, defaultMaxAgeSeconds: 300, maximumMaxAgeSeconds: 900, sessionBindingSeconds: 10, nativeLevels: NATIVE_LEVELS_OFF })
      .describe('Step-up with My Number Card: the claims that prove a recent card authentication bound to this Cognito session, and the ages an API may demand.'),
    verifiedClaims: z
      .strictObject({
        trustFramework: z
          .string()
          .regex(/^[\x21-\x7e]{1,128}$/, { message: 'must be 1-128 printable ASCII characters' })
          .default('urn:myna-idp:trust-framework:jpki-user-authentication')
          .describe('verification.trust_framework of verified_claims. Not jp_aml: under the AML rules JPKI counts through the signature certificate, while the Agency’s authentication uses the user authentication certificate.'),
        clients: z
          .record(z.string().min(1), z.array(z.enum(['name', 'address', 'birthdate', 'gender'])).min(1))
          .default({})
          .describe('Per app client name, the card-verified claims its ID tokens carry in verified_claims. Unlisted clients get none.'),
      })
      .default({ trustFramework: 'urn:myna-idp:trust-framework:jpki-user-authentication', clients: {} })
      .describe('OpenID Connect for Identity Assurance verified_claims, from the server-side record of the latest card authentication (never from user attributes).'),
    providerName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,30}[A-Za-z0-9]$/, { message: 'must be 2-32 letters, digits or hyphens, starting with a letter' })
      .default('DigitalAuthApp')
      .describe('Name of the identity provider in Cognito (federated usernames are <name>_<sub>).'),
  })
  .describe('My Number Card federation through the Digital Agency OpenID Provider.');

export type JpkiConfig = z.output<typeof jpkiSchema>;

/** Claims a pre token generation trigger cannot add or change (Cognito ignores them). */
export const COGNITO_RESERVED_CLAIMS = new Set([
  'acr', 'amr', 'aud', 'auth_time', 'azp', 'exp', 'iat', 'identities', 'iss', 'sub', 'token_use', 'nonce', 'at_hash', 'cognito:username',
  'client_id', 'event_id', 'jti', 'origin_jti', 'username', 'version', 'scope', 'device_key', 'c_hash',
]);

/** The OP's issuer and endpoints, resolved from the section. */
export function opEndpointsOf(jpki: JpkiConfig): { issuer: string; authorization: string; token: string; userinfo: string; jwks: string } {
  const issuer = (jpki.issuer ?? (jpki.environment === 'custom' ? '' : DIGITAL_AGENCY_ISSUERS[jpki.environment])).replace(/\/$/, '');
  return {
    issuer,
    authorization: jpki.endpoints.authorization ?? `${issuer}${KEYCLOAK_PATHS.authorization}`,
    token: jpki.endpoints.token ?? `${issuer}${KEYCLOAK_PATHS.token}`,
    userinfo: jpki.endpoints.userinfo ?? `${issuer}${KEYCLOAK_PATHS.userinfo}`,
    jwks: jpki.endpoints.jwks ?? `${issuer}${KEYCLOAK_PATHS.jwks}`,
  };
}

export const jpkiRules: ReadonlyArray<TenantRule<{ jpki?: JpkiConfig; appClients: ReadonlyArray<{ name: string }>; signIn: { mfa: { mode: string; factors: readonly string[] } } }>> = [
  (t, report) => {
    const j = t.jpki;
    if (!j) return;
    if (j.environment === 'custom' && !j.issuer) report(['jpki', 'issuer'], 'required when environment is custom');
    if (!j.scopes.includes('openid')) report(['jpki', 'scopes'], 'must include openid');
    if (new Set(j.scopes).size !== j.scopes.length) report(['jpki', 'scopes'], 'a scope is listed twice');
    if (j.environment === 'custom' && !j.issuer) return;
    const urls: Array<[Array<string>, string | undefined]> = [
      [['jpki', 'issuer'], j.issuer],
      ...(['authorization', 'token', 'userinfo', 'jwks'] as const).map((k): [string[], string | undefined] => [['jpki', 'endpoints', k], j.endpoints[k]]),
    ];
    for (const [path, u] of urls) {
      if (u && !u.startsWith('https://') && !isLocalhost(new URL(u))) report(path, 'must be https (http only for localhost)');
    }
  },
  (t, report) => {
    const s = t.jpki?.stepUp;
    if (!s) return;
    if (s.defaultMaxAgeSeconds > s.maximumMaxAgeSeconds) report(['jpki', 'stepUp', 'defaultMaxAgeSeconds'], 'must not exceed maximumMaxAgeSeconds');
    const names = Object.values(s.claims);
    if (new Set(names).size !== names.length) report(['jpki', 'stepUp', 'claims'], 'each claim needs its own name');
    const n = s.nativeLevels;
    if (n.enabled) {
      if (!t.jpki!.acrValues && !t.jpki!.acceptedAcr) report(['jpki', 'stepUp', 'nativeLevels', 'enabled'], 'needs jpki.acrValues (or acceptedAcr): the OP’s acr is what Cognito maps to the card level');
      // Cognito's levels are fixed per method: only Level4 is out of reach of a password, a code
      // or a passkey, and Level4 is also password with TOTP, so TOTP would pass for the card.
      if (n.cardLevel !== 'Level4') report(['jpki', 'stepUp', 'nativeLevels', 'cardLevel'], 'must be Level4: Levels 1-3 are reached by a password, an email or SMS code, or a passkey');
      if (t.signIn.mfa.mode !== 'off' && t.signIn.mfa.factors.includes('totp')) {
        report(['signIn', 'mfa', 'factors'], 'totp cannot be offered with jpki.stepUp.nativeLevels: password with TOTP is Cognito’s Level4, the card’s level');
      }
      const names: Partial<Record<Level, string>> = n.names;
      if (new Set(LEVELS.map((l) => names[l] ?? defaultLevelName(l))).size !== LEVELS.length) {
        report(['jpki', 'stepUp', 'nativeLevels', 'names'], 'each level needs its own name, also against Cognito’s default names of the others');
      }
    }
    for (const [k, n] of Object.entries(s.claims)) {
      if (COGNITO_RESERVED_CLAIMS.has(n)) report(['jpki', 'stepUp', 'claims', k], `${n} is a claim Cognito reserves`);
    }
    const clients = new Set(t.appClients.map((c) => c.name));
    for (const name of Object.keys(t.jpki!.verifiedClaims.clients)) {
      if (!clients.has(name)) report(['jpki', 'verifiedClaims', 'clients', name], `no app client is named ${name}`);
    }
  },
];
