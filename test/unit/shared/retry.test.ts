/**
 * The retry policy of the AWS calls (lambdas/shared/retry.ts): the AWS SDK's classification of
 * errors, full-jitter backoff with a base and a cap, at most `maxAttempts` attempts, the deadline,
 * and nothing retried that is not idempotent. A clock that only moves when the policy waits: no
 * test waits real time.
 */
import { AwsCallError } from '../../../lambdas/shared/aws-json';
import { retrying, throttled, type RetryOptions } from '../../../lambdas/shared/retry';

/** A clock whose time moves only by the waits, which it records. */
function fakeClock(random = 0.5) {
  let t = 1_000_000;
  const waits: number[] = [];
  const options: RetryOptions = {
    now: () => t,
    sleep: async (ms) => {
      waits.push(ms);
      t += ms;
    },
    random: () => random,
  };
  return { options, waits, advance: (ms: number) => (t += ms), now: () => t };
}

/** An attempt that fails with each of `errors` in turn, then answers 'ok'. */
function failing(...errors: unknown[]) {
  const calls: number[] = [];
  const attempt = async (leftMs: number) => {
    calls.push(leftMs);
    if (calls.length <= errors.length) throw errors[calls.length - 1];
    return 'ok';
  };
  return { attempt, calls };
}

const throttle = new AwsCallError('ThrottlingException', 400);
const unavailable = new AwsCallError('ServiceUnavailable', 503);

describe('which errors are retried: the AWS SDK for JavaScript v3 list', () => {
  test.each([
    ['429 of any type', true, new AwsCallError('SomethingNew', 429)],
    ['KMS ThrottlingException (HTTP 400)', true, throttle],
    ['DynamoDB ProvisionedThroughputExceededException', true, new AwsCallError('ProvisionedThroughputExceededException', 400)],
    ['Cognito TooManyRequestsException', true, new AwsCallError('TooManyRequestsException', 429)],
    ['KMS KMSInternalException (500)', false, new AwsCallError('KMSInternalException', 500)],
    ['KMS DependencyTimeoutException (503)', false, new AwsCallError('DependencyTimeoutException', 503)],
    ['an answer that is not JSON with a 502', false, new AwsCallError('MalformedResponse', 502)],
    ['the attempt timed out', false, new DOMException('timed out', 'TimeoutError')],
    ['a refused connection (fetch names it in the cause)', false, new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) })],
    ['a connection reset (fetch: UND_ERR_SOCKET)', false, new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) })],
  ])('%s: retried, as throttling: %s', (_name, throttling, error) => {
    expect(throttled(error)).toBe(throttling);
  });

  test.each([
    ['a 4xx that is not throttling', new AwsCallError('ValidationException', 400)],
    ['a conditional write whose condition failed', new AwsCallError('ConditionalCheckFailedException', 400)],
    ['access denied', new AwsCallError('AccessDeniedException', 400)],
    ['501', new AwsCallError('NotImplemented', 501)],
    ['an abort by the caller', new DOMException('aborted', 'AbortError')],
    ['an error of the code', new Error('bug')],
  ])('%s: not retried', (_name, error) => {
    expect(throttled(error)).toBeUndefined();
  });
});

describe('retrying', () => {
  test('throttling then success: three attempts, waits of full jitter on a base of 1 s, doubling', async () => {
    const clock = fakeClock(0.5);
    const { attempt, calls } = failing(throttle, throttle);
    await expect(retrying(attempt, true, clock.now() + 60_000, clock.options)).resolves.toBe('ok');
    expect(calls).toHaveLength(3);
    expect(clock.waits).toEqual([500, 1000]);
  });

  test('a transient error waits on a base of 50 ms; the cap bounds every wait', async () => {
    const clock = fakeClock(0.999);
    const { attempt } = failing(unavailable, unavailable, unavailable, unavailable);
    await retrying(attempt, true, clock.now() + 600_000, { ...clock.options, maxAttempts: 5, maxDelayMs: 150 });
    expect(clock.waits).toEqual([49, 99, 149, 149]);
  });

  test('the attempts stop at the maximum, and the error is the last one', async () => {
    const clock = fakeClock();
    const last = new AwsCallError('InternalFailure', 500);
    const { attempt, calls } = failing(unavailable, throttle, last, unavailable);
    await expect(retrying(attempt, true, clock.now() + 60_000, clock.options)).rejects.toBe(last);
    expect(calls).toHaveLength(3);
  });

  test('an error that is not worth retrying is thrown at once', async () => {
    const clock = fakeClock();
    const refused = new AwsCallError('NotFoundException', 400);
    const { attempt, calls } = failing(refused);
    await expect(retrying(attempt, true, clock.now() + 60_000, clock.options)).rejects.toBe(refused);
    expect(calls).toHaveLength(1);
    expect(clock.waits).toEqual([]);
  });

  test('a call that is not idempotent is never retried', async () => {
    const clock = fakeClock();
    const { attempt, calls } = failing(unavailable);
    await expect(retrying(attempt, false, clock.now() + 60_000, clock.options)).rejects.toBe(unavailable);
    expect(calls).toHaveLength(1);
  });

  test('the deadline: no wait that would end past it; each attempt is told the time left', async () => {
    const clock = fakeClock(0.9);
    const start = clock.now();
    const { attempt, calls } = failing(throttle, throttle);
    // 900 ms fit in 1.5 s; the next wait (1800 ms) would not: the second throttling is thrown.
    await expect(retrying(attempt, true, start + 1500, clock.options)).rejects.toBe(throttle);
    expect(clock.waits).toEqual([900]);
    expect(calls).toEqual([1500, 600]);
    expect(clock.now() - start).toBeLessThanOrEqual(1500);
  });

  test('a deadline already passed: no attempt at all, a TimeoutError', async () => {
    const clock = fakeClock();
    const { attempt, calls } = failing();
    await expect(retrying(attempt, true, clock.now(), clock.options)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(calls).toEqual([]);
  });

  test('the worst case of a call is its deadline: attempts that each take their time, then fail', async () => {
    const clock = fakeClock(0.999);
    const start = clock.now();
    let attempts = 0;
    const slow = async (leftMs: number) => {
      attempts++;
      clock.advance(Math.min(leftMs, 400));
      throw unavailable;
    };
    await expect(retrying(slow, true, start + 1500, clock.options)).rejects.toBe(unavailable);
    expect(attempts).toBe(3);
    expect(clock.now() - start).toBeLessThanOrEqual(1500);
  });
});
