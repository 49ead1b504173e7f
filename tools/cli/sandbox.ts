/**
 * The whole sign-in flow on one machine: synthesizes a tenant (with bundling, as `cdk synth`
 * does) and starts, in this process, the OP emulator, the federation proxy (configured from the
 * template's PROXY_CONFIG), the Cognito stand-in (configured from the template) and the sample
 * app. Never deployed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { parseProxyConfig, type ProxyConfig } from '../../lambdas/federation-proxy/config';
import { buildApp } from '../../lib/app';
import type { LoadedTenant } from '../../lib/config/loader';
import { KEYCLOAK_PATHS, nativeLevelAcr } from '../../lib/config/jpki';
import { createSampleApp } from '../../examples/sample-app/app';
import { serveSampleApp } from '../../examples/sample-app/serve';
import { AwsJsonClient } from '../../lambdas/shared/aws-json';
import { DynamoCardRecordStore } from '../../lambdas/shared/card-records';
import { cognitoLinking } from '../../lambdas/federation-proxy/aws/cognito-linking';
import type { AccountLinking } from '../../lambdas/federation-proxy/deps';
import { startCognitoStandIn, type RunningStandIn } from '../stand-ins/cognito/stand-in';
import { assetPathOf, resolvedProperties, type CfnTemplate, type LocalResources } from '../stand-ins/cognito/template';
import { STAND_IN_CREDENTIALS, standInEnvironment, startAwsStandIn, type AwsStandIn } from '../stand-ins/aws/aws-stand-in';
import type { EventBusStandIn } from '../stand-ins/aws/event-bus-stand-in';
import { EventBridgePublisher } from '../../lambdas/shared/event-bus';
import { LocalFunction } from '../stand-ins/aws/lambda-host';
import { freePort } from './free-port';
import { localTenantKeys } from '../stand-ins/aws/key-store';
import { startLocalProxy, type RunningProxy } from '../stand-ins/aws/proxy-server';
import { startOpEmulator, type RunningEmulator } from '../stand-ins/op-emulator/emulator';

export interface SandboxOptions {
  readonly tenant: LoadedTenant;
  /** Where the cloud assembly, keys and sandbox.json go (default .local/). */
  readonly localDir: string;
  /** Ports. The app's is its client's callback URL's (the tenant file decides it); the OP's a local issuer's by default; the others free ports. */
  readonly ports?: { cognito?: number; proxy?: number; op?: number };
  /** The app client the sample app uses (default: the first confidential client with a localhost callback, else the first with one). */
  readonly client?: string;
  /** One line per notable event of each part. */
  readonly log?: (part: string, line: string) => void;
}

export interface RunningSandbox {
  readonly urls: { app: string; cognito: string; proxy?: string; op?: string; mailbox: string; events: string };
  readonly cognito: RunningStandIn;
  /** What the proxy and the triggers published to the tenant's bus (checked against the schema). */
  readonly eventBus: EventBusStandIn;
  readonly proxy?: RunningProxy;
  readonly op?: RunningEmulator;
  readonly clientName: string;
  readonly stateFile: string;
  close(): Promise<void>;
}

export class SandboxError extends Error {}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const isLocal = (u: URL) => u.hostname === 'localhost' || u.hostname === '127.0.0.1';

/** Synthesizes the tenant into `outdir` (Lambda code bundled) and returns its main template. */
export function synthesizeTenant(tenant: LoadedTenant, outdir: string): CfnTemplate {
  const { context } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir, context });
  buildApp({ app, tenantsDir: path.dirname(tenant.file), only: tenant.config.id });
  app.synth();
  return JSON.parse(fs.readFileSync(path.join(outdir, `MynaIdp-${tenant.config.id}.template.json`), 'utf8')) as CfnTemplate;
}

export async function startSandbox(o: SandboxOptions): Promise<RunningSandbox> {
  const { config: tenant } = o.tenant;
  const log = o.log ?? (() => undefined);
  const assemblyDir = path.join(o.localDir, 'sandbox', 'cdk.out');
  const template = synthesizeTenant(o.tenant, assemblyDir);

  const clients = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Cognito::UserPoolClient');
  const localCallback = (r: (typeof clients)[number]) => ((r.Properties?.CallbackURLs ?? []) as string[]).find((u) => isLocal(new URL(u)));
  const chosen = o.client
    ? clients.find((r) => r.Properties?.ClientName === o.client)
    : clients.find((r) => r.Properties?.GenerateSecret === true && localCallback(r)) ?? clients.find((r) => localCallback(r));
  if (!chosen) {
    throw new SandboxError(
      o.client
        ? `tenant ${tenant.id} has no app client named ${o.client}`
        : `tenant ${tenant.id} has no app client with a callback URL on localhost: add one (for example http://localhost:3000/auth/callback) to run the sample app`,
    );
  }
  const clientName = String(chosen.Properties!.ClientName);
  const redirectUri = localCallback(chosen);
  if (!redirectUri) throw new SandboxError(`app client ${clientName} has no callback URL on localhost`);
  const appUrl = new URL(redirectUri);
  const appPort = Number(appUrl.port || 80);

  const proxyFn = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::Lambda::Function' && (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.PROXY_CONFIG);
  const cognitoPort = o.ports?.cognito ?? (await freePort());
  const cognitoOrigin = `http://localhost:${cognitoPort}`;

  let op: RunningEmulator | undefined;
  let proxy: RunningProxy | undefined;
  let cognito: RunningStandIn | undefined;
  let sample: { close(): Promise<void> } | undefined;
  let aws: AwsStandIn | undefined;
  const stop = async () => {
    await sample?.close();
    await cognito?.close();
    await proxy?.close();
    await op?.close();
    await aws?.close();
  };
  try {
    let clientSecret = '';
    // KMS, Secrets Manager and DynamoDB for the functions the template runs (the card records).
    aws = await startAwsStandIn(tenant.region);
    const awsEnvironment = standInEnvironment(aws.endpoint, tenant.region);
    // Every event as it is published, one line each, as operators see it on the bus.
    aws.eventBus.onEvent((e) => log('event', `${e.severity.padEnd(8)} ${e.type} ${e.reason}${e.clientId ? ` client=${e.clientId}` : ''}${e.correlationId ? ` sign-in=${e.correlationId}` : ''} (${e.component})`));
    const wired: { linking?: AccountLinking } = {};
    // The proxy starts before the stand-in whose API it calls: linking is wired once both run.
    const linking: AccountLinking = {
      userOfAccessToken: (t) => wired.linking!.userOfAccessToken(t),
      userState: (u) => wired.linking!.userState(u),
      link: (u, sub) => wired.linking!.link(u, sub),
      deleteCardUser: (sub) => wired.linking!.deleteCardUser(sub),
    };
    const resources: LocalResources = {
      region: tenant.region,
      account: tenant.account,
      functionUrl: (id) => (id === proxyFn?.[0] && proxy ? proxy.origin : undefined),
      secret: (id, key) => {
        // The only Secrets Manager reference in a tenant template: Cognito's client secret at the proxy.
        if (key === 'client_secret' && clientSecret) return clientSecret;
        throw new SandboxError(`the sandbox has no local value for secret ${id} (${key ?? 'whole string'})`);
      },
    };
    if (proxyFn) {
      const [, fn] = proxyFn;
      let config: ProxyConfig = parseProxyConfig(String((fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.PROXY_CONFIG));
      const issuer = new URL(config.op.issuer);
      // The OP: the tenant's own when it is on this machine (the emulator at its issuer), else
      // the emulator stands in for the Digital Agency's OP.
      const opPort = o.ports?.op ?? (isLocal(issuer) ? Number(issuer.port || 80) : await freePort());
      const proxyPort = o.ports?.proxy ?? (await freePort());
      const keys = await localTenantKeys(tenant.id, config.clientAssertion.algorithm, o.localDir);
      op = await startOpEmulator({
        port: opPort,
        host: '127.0.0.1',
        clients: [{ client_id: config.op.clientId, redirect_uris: [`http://localhost:${proxyPort}/callback`], jwks: { keys: [await keys.clientAssertion.publicJwk()] }, token_endpoint_auth_signing_alg: config.clientAssertion.algorithm === 'ES256' ? 'ES256' : 'RS256' }],
      });
      if (op.issuer !== config.op.issuer) {
        log('sandbox', `the tenant's OP ${config.op.issuer} is not on this machine: the emulator at ${op.issuer} stands in for it`);
        const base = op.issuer;
        config = { ...config, op: { ...config.op, issuer: base, authorizationEndpoint: `${base}${KEYCLOAK_PATHS.authorization}`, tokenEndpoint: `${base}${KEYCLOAK_PATHS.token}`, userinfoEndpoint: `${base}${KEYCLOAK_PATHS.userinfo}`, jwksUri: `${base}${KEYCLOAK_PATHS.jwks}` } };
      }
      config = { ...config, cognito: { ...config.cognito, redirectUri: `${cognitoOrigin}/oauth2/idpresponse` } };
      clientSecret = keys.clientSecret;
      const env = resolvedProperties(template, resources, proxyFn[0]).Environment?.Variables as Record<string, string>;
      const cards = env.CARD_RECORDS_TABLE
        ? new DynamoCardRecordStore(new AwsJsonClient({ service: 'dynamodb', region: tenant.region, credentials: () => STAND_IN_CREDENTIALS, endpoint: aws.endpoint, jsonVersion: '1.0' }), env.CARD_RECORDS_TABLE)
        : undefined;
      // The proxy publishes as in Lambda: PutEvents to the bus (here the stand-in), bounded as the tenant says.
      const publisher = env.EVENT_BUS_NAME
        ? new EventBridgePublisher(new AwsJsonClient({ service: 'events', region: tenant.region, credentials: () => STAND_IN_CREDENTIALS, endpoint: aws.endpoint, timeoutMs: Number(env.EVENT_PUBLISH_TIMEOUT_MS ?? 250) }), env.EVENT_BUS_NAME)
        : undefined;
      proxy = await startLocalProxy({
        config, clientAssertionSigner: keys.clientAssertion, tokenSigner: keys.tokenSigning, clientSecret, sealingSecret: keys.sealingSecret, port: proxyPort, host: '127.0.0.1', publicHost: 'localhost',
        cards, ...(env.USER_POOL_ID ? { linking } : {}), ...(publisher ? { publisher } : {}),
      });
    }
    cognito = await startCognitoStandIn({ template, assemblyDir, port: cognitoPort, host: '127.0.0.1', publicHost: 'localhost', local: resources, lambdaEnvironment: awsEnvironment, log: (line) => log('cognito', line) });
    const pool = cognito;
    wired.linking = cognitoLinking({
      cognito: new AwsJsonClient({ service: 'cognito-idp', region: tenant.region, credentials: () => STAND_IN_CREDENTIALS, endpoint: pool.origin }),
      userPoolId: pool.model.pool.id,
      issuer: pool.issuer,
      providerName: tenant.jpki?.providerName ?? 'DigitalAuthApp',
    });
    // The pool's own API (native levels) is the stand-in's.
    await runDeployTimeResources(template, resources, assemblyDir, { ...awsEnvironment, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.origin });
    const client = cognito.clients.find((c) => c.name === clientName)!;
    const logoutUri = ((chosen.Properties!.LogoutURLs ?? []) as string[]).find((u) => isLocal(new URL(u)));
    const sampleApp = await createSampleApp({
      issuer: cognito.issuer,
      clientId: client.id,
      clientSecret: client.secret,
      appOrigin: appUrl.origin,
      redirectUri,
      logoutUri,
      allowHttp: true,
      ...(tenant.jpki && proxy
        ? {
            stepUp: {
              acrValues: tenant.jpki.acceptedAcr ?? tenant.jpki.acrValues?.split(' ').filter(Boolean),
              maxAgeSeconds: tenant.jpki.stepUp.defaultMaxAgeSeconds,
              acrClaim: tenant.jpki.stepUp.claims.acr,
              authTimeClaim: tenant.jpki.stepUp.claims.authTime,
              sessionTimeClaim: tenant.jpki.stepUp.claims.sessionTime,
              sessionBindingSeconds: tenant.jpki.stepUp.sessionBindingSeconds,
              ...(tenant.jpki.stepUp.nativeLevels.enabled ? { nativeLevels: { acrValues: [nativeLevelAcr(tenant.jpki.stepUp.nativeLevels)] } } : {}),
            },
            linkIntentUrl: `${proxy.origin}/link-intent`,
          }
        : { stepUp: { acrValues: ['unavailable'] } }),
    });
    sample = await serveSampleApp(sampleApp, appPort);
    const urls = {
      app: `${appUrl.protocol}//${appUrl.hostname}:${appPort}/`,
      cognito: cognito.origin,
      ...(proxy ? { proxy: proxy.origin } : {}),
      ...(op ? { op: op.issuer } : {}),
      mailbox: `${cognito.origin}/mailbox`,
      events: `${aws.endpoint}events`,
    };
    const stateFile = path.join(o.localDir, 'sandbox.json');
    fs.mkdirSync(o.localDir, { recursive: true });
    fs.writeFileSync(stateFile, `${JSON.stringify({ tenant: tenant.id, ...urls, userPoolId: cognito.model.pool.id, clientId: client.id, issuer: cognito.issuer }, null, 2)}\n`);
    return {
      urls,
      cognito,
      eventBus: aws.eventBus,
      proxy,
      op,
      clientName,
      stateFile,
      close: async () => {
        fs.rmSync(stateFile, { force: true });
        await stop();
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Runs the template's custom resources of this product (Custom::VerifiedClaimsPolicy,
 * Custom::NativeAuthenticationLevels) as
 * CloudFormation would at deploy time: the real bundled handler with a Create event and the
 * resolved properties, against the local AWS stand-in.
 */
async function runDeployTimeResources(template: CfnTemplate, resources: LocalResources, assemblyDir: string, environment: Record<string, string>) {
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'Custom::VerifiedClaimsPolicy' && r.Type !== 'Custom::NativeAuthenticationLevels') continue;
    // ServiceToken → the Provider framework's function → the handler it invokes (USER_ON_EVENT_FUNCTION_ARN).
    const framework = (r.Properties?.ServiceToken as { 'Fn::GetAtt'?: [string] })?.['Fn::GetAtt']?.[0];
    const frameworkEnv = (template.Resources[framework ?? '']?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    const handlerId = (frameworkEnv?.USER_ON_EVENT_FUNCTION_ARN as { 'Fn::GetAtt'?: [string] })?.['Fn::GetAtt']?.[0];
    const codeDir = handlerId ? assetPathOf(template, handlerId, assemblyDir) : undefined;
    if (!handlerId || !codeDir) throw new SandboxError(`custom resource ${id}: its handler's code is not in the cloud assembly`);
    const fn = new LocalFunction({ codeDir, handler: 'index.handler', functionName: handlerId, timeoutMs: 30_000, environment });
    try {
      const { ServiceToken: _token, ...properties } = resolvedProperties(template, resources, id);
      await fn.invoke({ RequestType: 'Create', ResourceType: r.Type, LogicalResourceId: id, ResourceProperties: properties, StackId: 'local', RequestId: id, ResponseURL: 'http://localhost/unused', ServiceToken: 'local' });
    } finally {
      await fn.close();
    }
  }
}
