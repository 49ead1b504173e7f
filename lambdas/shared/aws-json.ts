/**
 * AWS calls over the JSON protocol (KMS, Secrets Manager, DynamoDB, Cognito, EventBridge), signed
 * with SigV4 (sigv4.ts), retried as the AWS SDKs retry (retry.ts).
 *
 * It exists for the functions a person waits on (the proxy, the token trigger): the runtime's SDK
 * clients would add their import time to every cold start (docs/proxy-bundle.md). Functions nobody
 * waits on use the SDK.
 */
import { readBounded } from './bounded-fetch';
import { retrying, type RetryOptions } from './retry';
import { signedHeaders } from './sigv4';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Lambda's own credentials and region, from the environment the runtime sets. */
export const lambdaCredentials = (env: NodeJS.ProcessEnv = process.env): AwsCredentials => {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  if (!accessKeyId || !secretAccessKey) throw new Error('AWS credentials are not in the environment');
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
};

/** An AWS error answer: its type (e.g. ResourceNotFoundException) and the HTTP status. */
export class AwsCallError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
  ) {
    // The type only: AWS messages may quote request values.
    super(`AWS call failed: ${type} (HTTP ${status})`);
    this.name = 'AwsCallError';
  }
}

/**
 * The operations retried without being told: reads, and KMS's Sign, which stores nothing. Also
 * PutEvents: a repeat can only put the same event twice, and each carries its own id
 * (docs/aws-client-facts.md §4). Any other call is retried only when its caller says it is
 * idempotent.
 */
const IDEMPOTENT = ['Sign', 'GetPublicKey', 'GetSecretValue', 'GetItem', 'AdminGetUser', 'PutEvents'];

export interface AwsJsonClientOptions {
  /** `kms`, `secretsmanager`. */
  readonly service: string;
  readonly region: string;
  readonly credentials: () => AwsCredentials | Promise<AwsCredentials>;
  /** Default: https://<service>.<region>.amazonaws.com (a local endpoint in tests). */
  readonly endpoint?: string;
  /** Bounds a call: its attempts and the waits between them together. Default: 3000 ms. */
  readonly timeoutMs?: number;
  /** Bounds each attempt. Default: the call's whole bound (a hung attempt is not retried). */
  readonly attemptTimeoutMs?: number;
  /** No attempt starts or runs past it (epoch ms): the time a sign-in step has. Default: none. */
  readonly deadline?: number;
  /** Default: the SDK's standard mode (retry.ts). */
  readonly retry?: RetryOptions;
  /** The JSON protocol version: 1.1 (KMS, Secrets Manager, Cognito) or 1.0 (DynamoDB). */
  readonly jsonVersion?: '1.0' | '1.1';
}

export interface AwsCallOptions {
  /** Whether a repeat of this call is harmless (see IDEMPOTENT). Default: by its operation. */
  readonly idempotent?: boolean;
}

export class AwsJsonClient {
  constructor(private readonly o: AwsJsonClientOptions) {}

  /** Calls `target` (e.g. `TrentService.Sign`) with a JSON body and returns the JSON answer. */
  call<T>(target: string, body: Record<string, unknown>, c: AwsCallOptions = {}): Promise<T> {
    const { o } = this;
    const deadline = Math.min((o.retry?.now ?? Date.now)() + (o.timeoutMs ?? 3000), o.deadline ?? Infinity);
    const idempotent = c.idempotent ?? IDEMPOTENT.includes(target.split('.')[1]!);
    const text = JSON.stringify(body);
    return retrying((left) => this.attempt<T>(target, text, Math.min(left, o.attemptTimeoutMs ?? left)), idempotent, deadline, o.retry);
  }

  private async attempt<T>(target: string, text: string, timeoutMs: number): Promise<T> {
    const { o } = this;
    // Lambda refreshes its credentials in the environment: sign each attempt with what is there now.
    const credentials = await o.credentials();
    const url = new URL(o.endpoint ?? `https://${o.service}.${o.region}.amazonaws.com/`);
    const headers = signedHeaders({
      url,
      body: text,
      headers: { 'content-type': `application/x-amz-json-${o.jsonVersion ?? '1.1'}`, 'x-amz-target': target },
      credentials,
      region: o.region,
      service: o.service,
    });
    const res = await fetch(url, { method: 'POST', headers, body: text, signal: AbortSignal.timeout(timeoutMs) });
    const answer = await readBounded(res, 1024 * 1024);
    let json: Record<string, unknown>;
    try {
      json = answer ? (JSON.parse(answer) as Record<string, unknown>) : {};
    } catch {
      throw new AwsCallError('MalformedResponse', res.status);
    }
    if (!res.ok) {
      const type = String(json.__type ?? res.headers.get('x-amzn-errortype') ?? 'UnknownError').split('#').pop()!.split(':')[0]!;
      throw new AwsCallError(type.slice(0, 100), res.status);
    }
    return json as T;
  }
}
