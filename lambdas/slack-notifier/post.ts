/**
 * Posting to Slack's Web API (chat.postMessage) and reading its answer. Slack answers a method
 * call with HTTP 200 and `{"ok": false, "error": "<code>"}` when it refuses it (a bad token, an
 * unknown channel, a bot not in the channel), and with 429 and `Retry-After` (seconds) when the
 * app is rate limited (docs/operations-facts.md §4). Every answer but `ok: true` is thrown as a
 * SlackDeliveryError naming Slack's error code, so that Lambda counts the invocation as failed,
 * retries it, and at last sends it to the target's dead-letter queue.
 */
import { readBounded } from '../shared/bounded-fetch';
import { ConfigurationError } from '../shared/configuration-error';

/** Slack's method; tests point SLACK_API_URL at a stand-in on localhost. */
export const SLACK_POST_MESSAGE_URL = 'https://slack.com/api/chat.postMessage';

/** The URL to post to: https, or http on this machine only (a test's stand-in). */
export function slackApiUrl(configured: string | undefined): URL {
  let url: URL;
  try {
    url = new URL(configured || SLACK_POST_MESSAGE_URL);
  } catch {
    throw new ConfigurationError('SLACK_API_URL is not a URL');
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) throw new ConfigurationError('SLACK_API_URL must be https (or http on localhost, for tests)');
  return url;
}

/** Slack refused the message or could not be reached: its error code (or `http_<status>`), never the token or the message. */
export class SlackDeliveryError extends Error {
  constructor(
    readonly code: string,
    readonly status?: number,
  ) {
    super(`Slack chat.postMessage failed: ${code}${status === undefined ? '' : ` (HTTP ${status})`}`);
    this.name = 'SlackDeliveryError';
  }
}

export interface PostOptions {
  readonly url: URL;
  readonly token: string;
  readonly body: unknown;
  /** Milliseconds the invocation has left (context.getRemainingTimeInMillis). */
  readonly remainingMs: () => number;
  /** Bounds each request. Default: 5000 ms. */
  readonly attemptTimeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Slack's answer's `error`, only when it is a code (lowercase letters and underscores). */
const codeOf = (answer: Record<string, unknown> | undefined, fallback: string) => {
  const e = answer?.error;
  return typeof e === 'string' && /^[a-z_]{1,64}$/.test(e) ? e : fallback;
};

// Time kept back after a wait on 429 for the next attempt to end within the function's timeout.
const MARGIN_MS = 1000;

/**
 * Posts `body` with the bot token; resolves when Slack answers `ok: true`. A 429 is waited out
 * (its Retry-After) and tried again when the wait and one more attempt fit in the time left;
 * otherwise it is thrown, and Lambda's retries come later.
 */
export async function postMessage(o: PostOptions): Promise<{ ts?: string }> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const attemptMs = o.attemptTimeoutMs ?? 5000;
  const body = JSON.stringify(o.body);
  for (;;) {
    const timeoutMs = Math.max(1, Math.min(attemptMs, o.remainingMs() - MARGIN_MS));
    let res: Response;
    try {
      res = await fetch(o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${o.token}` },
        body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
    } catch (e) {
      throw new SlackDeliveryError((e as Error)?.name === 'TimeoutError' ? 'timeout' : 'unreachable');
    }
    let answer: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(await readBounded(res, 64 * 1024));
      answer = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      answer = undefined;
    }
    if (res.status === 429) {
      const waitMs = Number(res.headers.get('retry-after') ?? NaN) * 1000;
      if (Number.isFinite(waitMs) && waitMs >= 0 && waitMs + attemptMs + MARGIN_MS <= o.remainingMs()) {
        await sleep(waitMs);
        continue;
      }
      throw new SlackDeliveryError(codeOf(answer, 'ratelimited'), 429);
    }
    if (!res.ok) throw new SlackDeliveryError(codeOf(answer, `http_${res.status}`), res.status);
    if (answer?.ok !== true) throw new SlackDeliveryError(codeOf(answer, 'malformed_response'), res.status);
    return typeof answer.ts === 'string' ? { ts: answer.ts } : {};
  }
}
