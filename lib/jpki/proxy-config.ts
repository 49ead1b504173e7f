import type { ProxyConfig } from '../../lambdas/federation-proxy/config';
import { opEndpointsOf, type JpkiConfig } from '../config/jpki';
import { loginDomainName } from '../config/rules';
import type { TenantConfig } from '../config/schema';
import { EDGE_HEADERS } from './proxy-edge';

/** Cognito's client id at the proxy (ProviderDetails.client_id). */
export const proxyClientIdOf = (tenantId: string) => `myna-idp-${tenantId}`;

/** Cognito's redirect URI for external IdPs on the tenant's login domain. */
export const idpResponseUrlOf = (tenant: Pick<TenantConfig, 'domain' | 'region'>) => `https://${loginDomainName(tenant)}/oauth2/idpresponse`;

/** The proxy's runtime configuration for a tenant (Lambda environment, or the local proxy). */
export function proxyConfigOf(tenant: TenantConfig & { jpki: JpkiConfig }, overrides: { redirectUri?: string } = {}): ProxyConfig {
  const j = tenant.jpki;
  const op = opEndpointsOf(j);
  return {
    tenantId: tenant.id,
    op: {
      issuer: op.issuer,
      authorizationEndpoint: op.authorization,
      tokenEndpoint: op.token,
      userinfoEndpoint: op.userinfo,
      jwksUri: op.jwks,
      clientId: j.clientId,
      scopes: j.scopes,
      ...(j.acrValues ? { acrValues: j.acrValues } : {}),
      idTokenAlgorithms: j.idTokenAlgorithms,
      clockLeewaySeconds: j.clockLeewaySeconds,
      requestTimeoutMs: j.requestTimeoutMs,
      requireAtHash: j.requireAtHash,
      maxAuthenticationAgeSeconds: j.maxAuthenticationAgeSeconds,
      ...(j.acceptedAcr ?? j.acrValues ? { acceptedAcr: j.acceptedAcr ?? j.acrValues!.split(' ').filter(Boolean) } : {}),
      prompt: j.prompt,
      sendMaxAge: j.sendMaxAge,
    },
    clientAssertion: { algorithm: j.clientAssertion.algorithm, lifetimeSeconds: j.clientAssertion.lifetimeSeconds, audience: j.clientAssertion.audience },
    cognito: { clientId: proxyClientIdOf(tenant.id), redirectUri: overrides.redirectUri ?? idpResponseUrlOf(tenant), providerName: j.providerName },
    // Cognito redeems the code at once, from the idpresponse request the browser makes right
    // after the callback: a bearer credential in a URL should live no longer than that.
    lifetimes: { transaction: 600, code: 30, tokens: 300 },
    previousSecretMinutes: j.previousSecretMinutes,
    ...(j.edge ? { edge: { ...EDGE_HEADERS } } : {}),
  };
}
