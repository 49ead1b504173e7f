/**
 * Failures the local AWS stand-in answers before its normal answers, per operation (its
 * `x-amz-target`), for the tests of retries: throttling and server errors in AWS's JSON error
 * shape (`__type` in the body, `x-amzn-ErrorType` in the headers), a connection reset, a request
 * never answered, or an answer lost after the operation was carried out. Never deployed.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * 429, 500 and 503 stand for ThrottlingException, InternalFailure and ServiceUnavailable (AWS's
 * common errors; KMS answers its ThrottlingException with 400, which `{ status, type }` gives);
 * `reset` drops the connection, `hang` never answers, `lost` carries the operation out and then
 * answers 500 (as when the answer of a write that was made never reaches the caller).
 */
export type Fault = 429 | 500 | 503 | 'reset' | 'hang' | 'lost' | { readonly status: number; readonly type: string };

const COMMON = { 429: 'ThrottlingException', 500: 'InternalFailure', 503: 'ServiceUnavailable' } as const;

export class Faults {
  private readonly queued = new Map<string, Fault[]>();

  /** The next calls of `target` get these answers, in order; the calls after them are answered normally. */
  add(target: string, ...faults: Fault[]): void {
    this.queued.set(target, [...(this.queued.get(target) ?? []), ...faults]);
  }

  /** The fault queued for this call of `target`, if any (taken off the queue). */
  take(target: string): Fault | undefined {
    return this.queued.get(target)?.shift();
  }

  clear(): void {
    this.queued.clear();
  }
}

/** Answers `fault` (not `lost`, which the caller carries out first) as AWS would for `service`. */
export function answerFault(req: IncomingMessage, res: ServerResponse, fault: Exclude<Fault, 'lost'>, service: string): void {
  if (fault === 'hang') return;
  if (fault === 'reset') {
    req.socket.destroy();
    return;
  }
  const { status, type } = typeof fault === 'number' ? { status: fault, type: COMMON[fault] } : fault;
  answerError(res, status, type, service);
}

/** An error answer of the AWS JSON protocol: DynamoDB's types carry its namespace, as DynamoDB sends them. */
function answerError(res: ServerResponse, status: number, type: string, service: string): void {
  const dynamo = service === 'dynamodb';
  res.writeHead(status, { 'content-type': `application/x-amz-json-${dynamo ? '1.0' : '1.1'}`, 'x-amzn-errortype': `${type}:`, 'x-amzn-requestid': randomUUID() });
  res.end(JSON.stringify({ __type: dynamo ? `com.amazonaws.dynamodb.v20120810#${type}` : type, message: 'injected by the stand-in' }));
}
