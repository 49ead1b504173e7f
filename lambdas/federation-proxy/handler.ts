/**
 * Lambda entry point (function URL): builds the proxy's dependencies once per cold start from
 * the environment and serves the hono app. Keys stay in KMS; secrets come from Secrets Manager.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { KmsSigner } from '../shared/kms-signer';
import { Sealer } from '../shared/sealing';
import { CachedSecretStore, SecretsManagerStore } from '../shared/secrets';
import { LoggingSecurityEventSink } from '../shared/security-events';
import { createFederationProxy } from './app';
import { parseProxyConfig } from './config';

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

const config = parseProxyConfig(process.env.PROXY_CONFIG);
const logger = new Logger({ serviceName: 'jpki-federation-proxy', persistentKeys: { tenant: config.tenantId } });
const kms = new KMSClient({});
const secrets = new CachedSecretStore(new SecretsManagerStore(new SecretsManagerClient({})));
const clientSecretArn = required('CLIENT_SECRET_ARN');

const app = createFederationProxy({
  config,
  clientAssertionSigner: new KmsSigner(kms, required('CLIENT_ASSERTION_KEY_ID'), config.clientAssertion.algorithm),
  tokenSigner: new KmsSigner(kms, required('TOKEN_SIGNING_KEY_ID'), 'ES256'),
  sealer: new Sealer(secrets, required('SEALING_SECRET_ARN')),
  clientSecrets: async () => {
    const [current, previous] = await Promise.all([secrets.get(clientSecretArn, 'AWSCURRENT'), secrets.get(clientSecretArn, 'AWSPREVIOUS')]);
    const field = (v: string | undefined) => (v ? (JSON.parse(v) as { client_secret?: string }).client_secret : undefined);
    const accepted = [field(current), field(previous)].filter((s): s is string => !!s);
    if (!field(current)) throw new Error('the client secret has no client_secret field');
    return accepted;
  },
  events: new LoggingSecurityEventSink(logger),
  // The function URL's own domain, as Lambda reports it (not a client-supplied header).
  onInternalError: (error) => logger.error('internal error', { error: { name: error.name, message: error.message } }),
  publicOrigin: (_request, env) => `https://${(env as { event: LambdaEvent & { requestContext: { domainName: string } } }).event.requestContext.domainName}`,
});

export const handler = handle(app);
