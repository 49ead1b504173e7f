/**
 * Lambda entry point (function URL): builds the proxy's dependencies once per cold start from
 * the environment and serves the Fetch app. Keys stay in KMS; secrets come from Secrets Manager.
 * Both are reached over their JSON APIs with SigV4 (`AwsJsonClient`): the runtime's SDK clients
 * would add about 95 ms to every cold start a person waits for.
 */
import { AwsJsonClient, lambdaCredentials } from '../shared/aws-json';
import { functionUrlHandler, type FunctionUrlEvent } from './web/function-url';
import { DynamoCardRecordStore } from '../shared/card-records';
import { cognitoLinking } from './aws/cognito-linking';
import { KmsSigner } from './crypto/kms-signer';
import { errorFields, jsonLog, type LogLevel } from '../shared/log';
import { Sealer } from './crypto/sealing';
import { ConfigurationError } from '../shared/configuration-error';
import { acceptedVersions, CachedSecretStore, clientSecretsOf, SecretsManagerStore } from './aws/secrets';
import { securityEventSinkFromEnvironment } from '../shared/event-bus';
import { createFederationProxy } from './app';
import { parseProxyConfig } from './config';
import { admitThroughEdge, edgeOrigin } from './edge';

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new ConfigurationError(`${name} is not set`);
  return v;
}

const config = parseProxyConfig(process.env.PROXY_CONFIG);
const log = jsonLog('jpki-federation-proxy', { tenant: config.tenantId }, (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'INFO');
const region = required('AWS_REGION');
// AWS_ENDPOINT_URL_<SERVICE> as the AWS SDKs read it: a local stand-in in tests.
const kms = new AwsJsonClient({ service: 'kms', region, credentials: lambdaCredentials, endpoint: process.env.AWS_ENDPOINT_URL_KMS, timeoutMs: 3000 });
const secretsManager = new AwsJsonClient({ service: 'secretsmanager', region, credentials: lambdaCredentials, endpoint: process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER, timeoutMs: 3000 });
const secrets = new CachedSecretStore(new SecretsManagerStore(secretsManager));
// The card records (DynamoDB) and linking in the user pool; both off where the table or pool is not given.
const table = process.env.CARD_RECORDS_TABLE;
const userPoolId = process.env.USER_POOL_ID;
const cards = table
  ? new DynamoCardRecordStore(new AwsJsonClient({ service: 'dynamodb', region, credentials: lambdaCredentials, endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, timeoutMs: 3000, jsonVersion: '1.0' }), table)
  : undefined;
const linking = userPoolId
  ? cognitoLinking({
      cognito: new AwsJsonClient({ service: 'cognito-idp', region, credentials: lambdaCredentials, endpoint: process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, timeoutMs: 3000 }),
      userPoolId,
      issuer: process.env.COGNITO_ISSUER ?? `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`,
      providerName: config.cognito.providerName,
    })
  : undefined;
const clientSecretArn = required('CLIENT_SECRET_ARN');
const sealingSecretArn = required('SEALING_SECRET_ARN');
const previousWindowMs = config.previousSecretMinutes * 60_000;
const sealer = new Sealer(secrets, sealingSecretArn, previousWindowMs);
const clientSecrets = () => clientSecretsOf(secrets, clientSecretArn, previousWindowMs);
const edge = config.edge;
const originSecretArn = edge ? required('ORIGIN_VERIFY_SECRET_ARN') : undefined;
const originSecrets = () => acceptedVersions(secrets, originSecretArn!, previousWindowMs);

// Checked once per instance, before its first request is served (nothing is fetched while the
// module loads: that would only move the same wait into the import): a secret in the wrong form
// is reported with a fixed message (never its content), and every request fails cleanly until
// it is fixed. Once passed it is not checked again; a failed check is tried again next request.
let checked: Promise<void> | undefined;
const ready = () =>
  (checked ??= Promise.all([clientSecrets(), sealer.seal('transaction', {}, 60), ...(edge ? [originSecrets()] : [])]).then(
    () => undefined,
    (e: unknown) => {
      checked = undefined;
      log.error('the proxy cannot serve: a secret is missing or in the wrong form', { error: errorFields(e) });
      throw e;
    },
  ));

const app = createFederationProxy({
  config,
  clientAssertionSigner: new KmsSigner(kms, required('CLIENT_ASSERTION_KEY_ID'), config.clientAssertion.algorithm),
  tokenSigner: new KmsSigner(kms, required('TOKEN_SIGNING_KEY_ID'), 'ES256'),
  sealer,
  clientSecrets,
  ready,
  ...(edge ? { admit: admitThroughEdge(edge.originHeader, originSecrets) } : {}),
  events: securityEventSinkFromEnvironment('federation-proxy', log),
  cards,
  linking,
  onInternalError: (error) => log.error('internal error', { error: errorFields(error) }),
  // The function URL's own domain, as Lambda reports it (not a client-supplied header); behind
  // CloudFront, the viewer's host as the CloudFront Function copied it into an admitted request.
  publicOrigin: edge
    ? (request) => edgeOrigin(request, edge.hostHeader)
    : (_request, env) => `https://${(env as { event: FunctionUrlEvent }).event.requestContext.domainName}`,
});

export const handler = functionUrlHandler(app);
