/**
 * Retries of an AWS call as the AWS SDKs' standard retry mode makes them: at most `maxAttempts`
 * attempts, and before each retry a wait of full jitter, random × min(base × 2^retry, cap),
 * whose base is longer after throttling. The errors retried and the numbers are those of the AWS
 * SDK for JavaScript v3 (docs/aws-client-facts.md §1). Unlike the SDK, only an idempotent call
 * is retried (aws-json.ts says which), and never past its deadline: a wait that would end after
 * it is not made, and the last error is thrown.
 */

export interface RetryOptions {
  /** Attempts in all, the first included. Default: 3. */
  readonly maxAttempts?: number;
  /** Base of the wait after a transient error (5xx, network, timeout). Default: 50 ms. */
  readonly baseDelayMs?: number;
  /** Base of the wait after throttling. Default: 1000 ms. */
  readonly throttlingBaseDelayMs?: number;
  /** Longest single wait. Default: 20 s. */
  readonly maxDelayMs?: number;
  /** The clock, the wait and the jitter's source (tests replace them). Default: the real ones. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

// @smithy/core, retry/service-error-classification/constants.js (THROTTLING_ERROR_CODES,
// TRANSIENT_ERROR_CODES, TRANSIENT_ERROR_STATUS_CODES, NODEJS_TIMEOUT_ERROR_CODES and
// NODEJS_NETWORK_ERROR_CODES), plus UND_ERR_SOCKET: fetch's name for a connection reset.
const THROTTLING = 'BandwidthLimitExceeded EC2ThrottledException LimitExceededException PriorRequestNotComplete ProvisionedThroughputExceededException RequestLimitExceeded RequestThrottled RequestThrottledException SlowDown ThrottledException Throttling ThrottlingException TooManyRequestsException TransactionInProgressException'.split(' ');
const TRANSIENT = 'TimeoutError RequestTimeout RequestTimeoutException ECONNRESET ECONNREFUSED EPIPE ETIMEDOUT EHOSTUNREACH ENETUNREACH ENOTFOUND EAI_AGAIN UND_ERR_SOCKET'.split(' ');

type Failure = { type?: unknown; status?: unknown; name?: unknown; code?: unknown; cause?: unknown } | undefined;

/** Whether the SDK counts `e` as throttling (true), as transient (false), or as neither (undefined). */
export function throttled(e: unknown): boolean | undefined {
  const f = e as Failure;
  if (f?.status === 429 || THROTTLING.includes(f?.type as string)) return true;
  if ([500, 502, 503, 504].includes(f?.status as number)) return false;
  // An error of fetch carries the network's in its cause.
  for (let c = f, depth = 0; c && depth < 5; c = c.cause as Failure, depth++) {
    if ([c.type, c.name, c.code].some((x) => TRANSIENT.includes(x as string))) return false;
  }
  return undefined;
}

/**
 * Runs `attempt` (given the milliseconds left before `deadline`) until it succeeds, or its error
 * is not worth retrying, or the attempts or the time run out.
 */
export async function retrying<T>(attempt: (leftMs: number) => Promise<T>, idempotent: boolean, deadline: number, o: RetryOptions = {}): Promise<T> {
  const now = o.now ?? Date.now;
  for (let n = 1; ; n++) {
    const left = deadline - now();
    if (left <= 0) throw new DOMException('no time left', 'TimeoutError');
    try {
      return await attempt(left);
    } catch (e) {
      const throttling = idempotent && n < (o.maxAttempts ?? 3) ? throttled(e) : undefined;
      const base = throttling ? (o.throttlingBaseDelayMs ?? 1000) : (o.baseDelayMs ?? 50);
      const wait = Math.floor((o.random ?? Math.random)() * Math.min(base * 2 ** (n - 1), o.maxDelayMs ?? 20_000));
      if (throttling === undefined || now() + wait >= deadline) throw e;
      await (o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))))(wait);
    }
  }
}
