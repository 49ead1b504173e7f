/**
 * A whole federation on localhost: the OP emulator, the federation proxy (configured from a
 * tenant file's jpki section, exactly as the Lambda is) and a Cognito-like RP configured from
 * the tenant's synthesized ProviderDetails.
 */
import type { ProxyConfig } from '../../lambdas/federation-proxy/config';
import { LocalSigner, type JwsAlgorithm } from '../../lambdas/federation-proxy/crypto/signer';
import { tenantSchema } from '../../lib/config/schema';
import { idpResponseUrlOf, proxyConfigOf } from '../../lib/jpki/proxy-config';
import { startOpEmulator, type EmulatorOptions, type RunningEmulator } from '../../tools/stand-ins/op-emulator/emulator';
import { freePort } from '../../tools/cli/free-port';
import { startLocalProxy, type RunningProxy } from '../../tools/stand-ins/aws/proxy-server';
import { CognitoLikeRp } from '../../tools/stand-ins/rp-driver/cognito-like-rp';
import { cognitoIdpSettingsFrom } from './provider-details';
import { minimalTenant, synthTenant } from './tenants';

export interface Federation {
  readonly op: RunningEmulator;
  readonly proxy: RunningProxy;
  readonly rp: CognitoLikeRp;
  readonly config: ProxyConfig;
  readonly signer: LocalSigner;
  close(): Promise<void>;
}

export interface FederationOptions {
  readonly opAlg?: 'RS256' | 'ES256';
  readonly clientAlg?: JwsAlgorithm;
  /** Changes to the tenant's jpki section. */
  readonly jpki?: Record<string, unknown>;
  readonly emulator?: Partial<EmulatorOptions>;
  /** Changes to the derived proxy config (e.g. shorter lifetimes). */
  readonly proxyConfig?: (c: ProxyConfig) => ProxyConfig;
  readonly jwksMinRefetchIntervalMs?: number;
  /**
   * Where the proxy sends the browser back, instead of the tenant's Cognito idpresponse URL: a
   * browser test serves it on localhost, so nothing leaves the machine.
   */
  readonly idpResponseUrl?: string;
}

export async function startFederation(o: FederationOptions = {}): Promise<Federation> {
  const [opPort, proxyPort] = await Promise.all([freePort(), freePort()]);
  const clientAlg = o.clientAlg ?? 'RS256';
  const signer = LocalSigner.generate(clientAlg);
  const issuer = `http://localhost:${opPort}/api/realms/main`;
  const tenant = tenantSchema.parse({
    ...minimalTenant(),
    jpki: { environment: 'custom', issuer, clientId: 'RP00000001', clientAssertion: { algorithm: clientAlg }, requireAtHash: true, ...o.jpki },
  });
  const redirectUri = o.idpResponseUrl ?? idpResponseUrlOf(tenant);
  const derived = proxyConfigOf(tenant as typeof tenant & { jpki: NonNullable<typeof tenant.jpki> });
  const base = o.idpResponseUrl ? { ...derived, cognito: { ...derived.cognito, redirectUri } } : derived;
  const config = o.proxyConfig ? o.proxyConfig(base) : base;

  const op = await startOpEmulator({
    port: opPort,
    idTokenAlg: o.opAlg ?? 'ES256',
    clients: [{ client_id: 'RP00000001', redirect_uris: [`http://127.0.0.1:${proxyPort}/callback`], jwks: { keys: [await signer.publicJwk()] }, token_endpoint_auth_signing_alg: clientAlg === 'ES256' ? 'ES256' : 'RS256' }],
    ...o.emulator,
  });
  const proxy = await startLocalProxy({ port: proxyPort, config, clientAssertionSigner: signer, jwksMinRefetchIntervalMs: o.jwksMinRefetchIntervalMs });
  let rp: CognitoLikeRp;
  try {
    const { template } = synthTenant(tenant);
    rp = new CognitoLikeRp(cognitoIdpSettingsFrom(template, proxy.origin, proxy.clientSecret, redirectUri));
  } catch (e) {
    await proxy.close();
    await op.close();
    throw e;
  }
  return {
    op,
    proxy,
    rp,
    config,
    signer,
    close: async () => {
      await proxy.close();
      await op.close();
    },
  };
}
