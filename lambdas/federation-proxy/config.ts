/**
 * The proxy's runtime configuration: derived from the tenant file at synth time (passed in
 * the PROXY_CONFIG environment variable) or by the local entry point; checked at start.
 */
import * as z from 'zod/mini';
import { ConfigurationError } from '../shared/configuration-error';

// zod/mini: the tree-shakeable form of zod (what zod's classic API would add: docs/proxy-bundle.md).
const url = z.url({ protocol: /^https?$/ });
const int = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));
const algorithm = z.enum(['RS256', 'ES256', 'PS256']);

export const proxyConfigSchema = z.strictObject({
  tenantId: z.string().check(z.minLength(1)),
  op: z.strictObject({
    issuer: url,
    authorizationEndpoint: url,
    tokenEndpoint: url,
    userinfoEndpoint: url,
    jwksUri: url,
    clientId: z.string().check(z.regex(/^[0-9A-Za-z]{1,255}$/)),
    scopes: z.array(z.string()).check(z.minLength(1)),
    acrValues: z.optional(z.string()),
    idTokenAlgorithms: z.array(algorithm).check(z.minLength(1)),
    clockLeewaySeconds: int(0, 300),
    requestTimeoutMs: int(100, 10_000),
    requireAtHash: z.boolean(),
    /** How long ago the card authentication may have been (the ID token's auth_time). */
    maxAuthenticationAgeSeconds: int(30, 3600),
    /** acr values accepted in the ID token; absent: not checked. */
    acceptedAcr: z.optional(z.array(z.string()).check(z.minLength(1))),
    /** `login`: always ask the OP for a fresh authentication; `forward`: pass Cognito's prompt on. */
    prompt: z.enum(['login', 'forward']),
    /** Also send max_age (the OP's support of it is UNCONFIRMED). */
    sendMaxAge: z.boolean(),
  }),
  clientAssertion: z.strictObject({
    algorithm,
    lifetimeSeconds: int(10, 600),
    audience: z.enum(['token-endpoint', 'issuer']),
  }),
  cognito: z.strictObject({
    /** Cognito's client id at the proxy (ProviderDetails.client_id). */
    clientId: z.string().check(z.minLength(1)),
    /** The exact idpresponse URL of the tenant's user pool domain. */
    redirectUri: url,
    /** The proxy's name as an identity provider of the pool (federated usernames are <name>_<sub>). */
    providerName: z.string().check(z.minLength(1)),
  }),
  /** Lifetimes of what the proxy issues, in seconds. */
  lifetimes: z.strictObject({
    transaction: int(60, 1800),
    code: int(5, 600),
    tokens: int(60, 3600),
  }),
  /**
   * Behind CloudFront: the header carrying the origin secret (checked against
   * ORIGIN_VERIFY_SECRET_ARN) and the header carrying the viewer's Host (the proxy's origin).
   */
  edge: z.optional(z.strictObject({ originHeader: z.string(), hostHeader: z.string() })),
  /** After a rotation, how long the previous client secret and sealing secret are accepted. */
  previousSecretMinutes: int(0, 1440),
});

export type ProxyConfig = z.infer<typeof proxyConfigSchema>;

export function parseProxyConfig(json: string | undefined): ProxyConfig {
  if (!json) throw new ConfigurationError('PROXY_CONFIG is not set');
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ConfigurationError('PROXY_CONFIG is not JSON');
  }
  const result = proxyConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigurationError(`PROXY_CONFIG is invalid: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}
