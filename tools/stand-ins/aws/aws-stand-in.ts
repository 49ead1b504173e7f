/**
 * A local stand-in for the AWS calls the proxy and the triggers make, over real HTTP on
 * localhost: KMS (Sign and GetPublicKey with keys generated here), Secrets Manager
 * (GetSecretValue with versions and stages), DynamoDB (dynamodb-stand-in.ts) and EventBridge's
 * PutEvents (event-bus-stand-in.ts, with the page of events at /events). It checks
 * each request's SigV4 signature against the known credentials (sigv4-check.ts) and answers in
 * the AWS JSON protocol, errors included; `failNext` makes it fail an operation first
 * (faults.ts). It takes the AWS SDK's requests as well as AwsJsonClient's. Never deployed.
 */
import { generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsJsonClient, type AwsCredentials } from '../../../lambdas/shared/aws-json';
import { DynamoError, DynamoStandIn } from './dynamodb-stand-in';
import { EventBusStandIn, eventsPageHtml } from './event-bus-stand-in';
import { answerFault, Faults, type Fault } from './faults';
import { sigV4Matches } from './sigv4-check';

export const STAND_IN_CREDENTIALS: AwsCredentials = { accessKeyId: 'AKIALOCALSTANDIN0000', secretAccessKey: 'local-stand-in-secret-key-for-tests-only', sessionToken: 'local-session' };

type KeySpec = 'RSA_2048' | 'ECC_NIST_P256';

/** The environment Lambda gives a function (region, credentials), pointed at a stand-in. */
export const standInEnvironment = (endpoint: string, region = 'ap-northeast-1'): Record<string, string> => ({
  AWS_REGION: region,
  AWS_ACCESS_KEY_ID: STAND_IN_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: STAND_IN_CREDENTIALS.secretAccessKey,
  AWS_SESSION_TOKEN: STAND_IN_CREDENTIALS.sessionToken!,
  AWS_ENDPOINT_URL_KMS: endpoint,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
  AWS_ENDPOINT_URL_DYNAMODB: endpoint,
  AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint,
});
const ALGORITHMS: Record<KeySpec, string[]> = {
  RSA_2048: ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'],
  ECC_NIST_P256: ['ECDSA_SHA_256'],
};

export interface AwsStandIn {
  readonly endpoint: string;
  /** A client of `service` (kms, secretsmanager) that signs with `credentials` (default: the stand-in's own). */
  client(service: string, credentials?: AwsCredentials): AwsJsonClient;
  /** The DynamoDB tables' items. */
  readonly dynamo: DynamoStandIn;
  /** The security events published (PutEvents). */
  readonly eventBus: EventBusStandIn;
  /** Every call, as `service target` (each attempt of a retried call). */
  readonly calls: string[];
  /** The next calls of `target` (e.g. `TrentService.Sign`) get these failures before normal answers. */
  failNext(target: string, ...faults: Fault[]): void;
  /** Forgets the failures not yet answered. */
  clearFaults(): void;
  addKey(keyId: string, spec: KeySpec): void;
  putSecret(secretId: string, value: string, createdAt?: Date): void;
  close(): Promise<void>;
}

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

export async function startAwsStandIn(region = 'ap-northeast-1'): Promise<AwsStandIn> {
  const keys = new Map<string, { spec: KeySpec; privateKey: KeyObject; publicKey: KeyObject }>();
  const secrets = new Map<string, Array<{ value: string; createdAt: Date; stages: string[] }>>();
  const calls: string[] = [];
  const dynamo = new DynamoStandIn();
  const eventBus = new EventBusStandIn();
  const faults = new Faults();

  const kms = (target: string, body: Record<string, string>) => {
    const key = keys.get(body.KeyId ?? '');
    if (!key) return [400, { __type: 'NotFoundException', message: `Key '${body.KeyId}' does not exist` }] as const;
    if (target === 'TrentService.GetPublicKey') {
      return [200, { KeyId: body.KeyId, KeySpec: key.spec, KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ALGORITHMS[key.spec], PublicKey: key.publicKey.export({ format: 'der', type: 'spki' }).toString('base64') }] as const;
    }
    if (target === 'TrentService.Sign') {
      const alg = body.SigningAlgorithm ?? '';
      if (!ALGORITHMS[key.spec].includes(alg) || body.MessageType !== 'RAW') return [400, { __type: 'InvalidKeyUsageException', message: 'bad algorithm' }] as const;
      const message = Buffer.from(body.Message ?? '', 'base64');
      const signature =
        alg === 'RSASSA_PSS_SHA_256'
          ? nodeSign('sha256', message, { key: key.privateKey, padding: 6, saltLength: 32 })
          : nodeSign('sha256', message, key.privateKey); // ECDSA: DER, as KMS returns it
      return [200, { KeyId: body.KeyId, Signature: signature.toString('base64'), SigningAlgorithm: alg }] as const;
    }
    return [400, { __type: 'UnknownOperationException' }] as const;
  };

  const secretsManager = (target: string, body: Record<string, string>) => {
    if (target !== 'secretsmanager.GetSecretValue') return [400, { __type: 'UnknownOperationException' }] as const;
    const version = secrets.get(body.SecretId ?? '')?.find((v) => v.stages.includes(body.VersionStage ?? 'AWSCURRENT'));
    if (!version) return [400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret value" }] as const;
    return [200, { ARN: body.SecretId, SecretString: version.value, CreatedDate: version.createdAt.getTime() / 1000, VersionStages: version.stages }] as const;
  };

  const server: Server = createServer(async (req, res) => {
    const text = await read(req);
    if (req.method === 'GET') {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/events.json') {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ events: eventBus.events, refused: eventBus.refused.length }));
      } else if (path === '/events') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
        res.end(eventsPageHtml(eventBus.events, eventBus.refused.length));
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
      }
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const service = target.startsWith('TrentService.') ? 'kms' : target.startsWith('DynamoDB_20120810.') ? 'dynamodb' : target.startsWith('AWSEvents.') ? 'events' : 'secretsmanager';
    calls.push(`${service} ${target}`);
    const signatureOk = await sigV4Matches({ method: req.method ?? 'POST', url: `http://${req.headers.host}${req.url}`, headers: req.headers, body: text, credentials: STAND_IN_CREDENTIALS, service, region });
    // A failure asked for (faults.ts) answers a request that is signed well.
    const fault = signatureOk ? faults.take(target) : undefined;
    if (fault !== undefined && fault !== 'lost') return answerFault(req, res, fault, service);
    const answer = (status: number, body: unknown) => {
      // A lost answer: the operation was carried out, its caller hears of a failure.
      if (fault === 'lost') return answerFault(req, res, 500, service);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(body));
    };
    if (!signatureOk) {
      answer(403, { __type: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided.' });
      return;
    }
    if (service === 'dynamodb') {
      try {
        answer(200, dynamo.handle(target.slice('DynamoDB_20120810.'.length), JSON.parse(text)));
      } catch (e) {
        answer(400, { __type: `com.amazonaws.dynamodb.v20120810#${e instanceof DynamoError ? e.type : 'ValidationException'}`, message: (e as Error).message });
      }
      return;
    }
    if (service === 'events') {
      const r = target === 'AWSEvents.PutEvents' ? eventBus.putEvents(JSON.parse(text)) : { status: 400, body: { __type: 'UnknownOperationException' } };
      answer(r.status, r.body);
      return;
    }
    const [status, body] = service === 'kms' ? kms(target, JSON.parse(text)) : secretsManager(target, JSON.parse(text));
    answer(status, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    endpoint,
    client: (service, credentials = STAND_IN_CREDENTIALS) => new AwsJsonClient({ service, region, credentials: () => credentials, endpoint }),
    calls,
    dynamo,
    eventBus,
    failNext: (target, ...f) => faults.add(target, ...f),
    clearFaults: () => faults.clear(),
    addKey(keyId, spec) {
      const pair = spec === 'RSA_2048' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      keys.set(keyId, { spec, ...pair });
    },
    putSecret(secretId, value, createdAt = new Date()) {
      const versions = secrets.get(secretId) ?? [];
      for (const v of versions) v.stages = v.stages.includes('AWSCURRENT') ? ['AWSPREVIOUS'] : [];
      versions.push({ value, createdAt, stages: ['AWSCURRENT'] });
      secrets.set(secretId, versions);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
