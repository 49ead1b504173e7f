/**
 * AWS calls over the JSON protocol (KMS, Secrets Manager, DynamoDB, Cognito), signed with SigV4 (sigv4.ts).
 *
 * The proxy makes three kinds of AWS call (kms:Sign, kms:GetPublicKey,
 * secretsmanager:GetSecretValue). The runtime's SDK clients cost about 95 ms of import time on
 * every cold start, which a person waits for on a sign-in; this small signed fetch does the same
 * calls with none of it.
 */
import { readBounded } from './bounded-fetch';
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

export interface AwsJsonClientOptions {
  /** `kms`, `secretsmanager`. */
  readonly service: string;
  readonly region: string;
  readonly credentials: () => AwsCredentials | Promise<AwsCredentials>;
  /** Default: https://<service>.<region>.amazonaws.com (a local endpoint in tests). */
  readonly endpoint?: string;
  readonly timeoutMs?: number;
  /** The JSON protocol version: 1.1 (KMS, Secrets Manager, Cognito) or 1.0 (DynamoDB). */
  readonly jsonVersion?: '1.0' | '1.1';
}

export class AwsJsonClient {
  constructor(private readonly o: AwsJsonClientOptions) {}

  /** Calls `target` (e.g. `TrentService.Sign`) with a JSON body and returns the JSON answer. */
  async call<T>(target: string, body: Record<string, unknown>): Promise<T> {
    // Lambda refreshes its credentials in the environment: sign with what is there now.
    const credentials = await this.o.credentials();
    const url = new URL(this.o.endpoint ?? `https://${this.o.service}.${this.o.region}.amazonaws.com/`);
    const text = JSON.stringify(body);
    const headers = signedHeaders({
      url,
      body: text,
      headers: { 'content-type': `application/x-amz-json-${this.o.jsonVersion ?? '1.1'}`, 'x-amz-target': target },
      credentials,
      region: this.o.region,
      service: this.o.service,
    });
    const res = await fetch(url, { method: 'POST', headers, body: text, signal: AbortSignal.timeout(this.o.timeoutMs ?? 3000) });
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
