/**
 * The Slack notifier (lambdas/slack-notifier), bundled as `cdk synth` bundles it and run as
 * Lambda would run it, against a Slack stand-in on localhost and the AWS stand-in's Secrets
 * Manager. Slack answers a refused call with HTTP 200 and `ok: false`: the invocation must fail
 * (so that Lambda retries it and sends it to the target's dead-letter queue), naming Slack's
 * error code and nothing of the token.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { SLACK_POST_MESSAGE_URL, slackApiUrl } from '../../../lambdas/slack-notifier/post';
import { standInEnvironment, startAwsStandIn, type AwsStandIn } from '../../../tools/stand-ins/aws/aws-stand-in';
import { FunctionError, LocalFunction } from '../../../tools/stand-ins/aws/lambda-host';
import { sampleEvents } from '../../helpers/sample-events';
import { repoRoot, tempDir } from '../../helpers/tenants';

const TOKEN = 'xoxb-111122223333-444455556666-StandInBotTokenValue';
const CHANNEL = 'C0123456789';

/** A Slack Web API stand-in: answers each call with the next of `answers` (then ok:true), and records what it got. */
function startSlack() {
  const answers: Array<{ status: number; headers?: Record<string, string>; body: unknown }> = [];
  const received: Array<{ url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const a = answers.shift() ?? { status: 200, body: { ok: true, channel: CHANNEL, ts: '1765160000.000100' } };
      res.writeHead(a.status, { 'content-type': 'application/json; charset=utf-8', ...a.headers });
      res.end(JSON.stringify(a.body));
    });
  });
  return new Promise<{ url: string; answers: typeof answers; received: typeof received; close: () => Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/chat.postMessage`,
        answers,
        received,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

const critical = sampleEvents().find((e) => e.detail.severity === 'critical')!;

describe('the bundled Slack notifier', () => {
  let aws: AwsStandIn;
  let slack: Awaited<ReturnType<typeof startSlack>>;
  const dir = tempDir('myna-idp-slack-');
  const functions: LocalFunction[] = [];
  const notifier = (environment: Record<string, string> = {}, timeoutMs = 10_000) => {
    const fn = new LocalFunction({
      codeDir: dir,
      handler: 'index.handler',
      functionName: 'slack-notifier',
      timeoutMs,
      environment: { ...standInEnvironment(aws.endpoint), TENANT_ID: 'example', SLACK_CHANNEL: CHANNEL, SLACK_TOKEN_STORE_ID: 'myna-idp/example/slack-bot-token', SLACK_API_URL: slack.url, ...environment },
    });
    functions.push(fn);
    return fn;
  };

  beforeAll(async () => {
    aws = await startAwsStandIn();
    aws.putSecret('myna-idp/example/slack-bot-token', TOKEN);
    aws.putSecret('myna-idp/example/slack-json', JSON.stringify({ other: 'x', bot: TOKEN }));
    slack = await startSlack();
    execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'esbuild'), [path.join(repoRoot, 'lambdas', 'slack-notifier', 'handler.ts'), '--bundle', '--minify', '--format=esm', '--platform=node', '--target=node22', '--charset=utf8', '--external:@aws-sdk/*', `--outfile=${path.join(dir, 'index.mjs')}`], { stdio: 'ignore' });
  });
  afterAll(async () => {
    await Promise.all(functions.map((f) => f.close()));
    await slack.close();
    await aws.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    slack.answers.length = 0;
    slack.received.length = 0;
  });

  test('ok:false with HTTP 200 (invalid_auth) fails the invocation, naming Slack’s error and nothing of the token; ok:true succeeds', async () => {
    const fn = notifier();
    slack.answers.push({ status: 200, body: { ok: false, error: 'invalid_auth' } });
    const failed = await fn.invoke(critical).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(FunctionError);
    expect(failed).toMatchObject({ errorType: 'SlackDeliveryError', message: 'Slack chat.postMessage failed: invalid_auth (HTTP 200)' });
    expect((failed as Error).message).not.toContain('xoxb');
    for (const line of fn.logLines) expect(line).not.toContain(TOKEN);
    expect(fn.logLines.some((l) => l.includes('"slackError":"invalid_auth"'))).toBe(true);

    expect(await fn.invoke(critical)).toEqual({ posted: true });
    expect(slack.received).toHaveLength(2);
  });

  test.each(['channel_not_found', 'not_in_channel', 'ratelimited'])('ok:false %s fails the invocation', async (error) => {
    slack.answers.push({ status: 200, body: { ok: false, error } });
    await expect(notifier().invoke(critical)).rejects.toMatchObject({ errorType: 'SlackDeliveryError', message: expect.stringContaining(error) });
  });

  test('a non-2xx answer, or one that is not Slack’s JSON, fails the invocation', async () => {
    const fn = notifier();
    slack.answers.push({ status: 500, body: 'oops' });
    await expect(fn.invoke(critical)).rejects.toMatchObject({ errorType: 'SlackDeliveryError', message: expect.stringContaining('http_500') });
    slack.answers.push({ status: 200, body: 'ok' });
    await expect(fn.invoke(critical)).rejects.toMatchObject({ errorType: 'SlackDeliveryError', message: expect.stringContaining('malformed_response') });
  });

  test('the message is what chat.postMessage takes: the channel, a text and blocks, with the bot token as a bearer token', async () => {
    expect(await notifier().invoke(critical)).toEqual({ posted: true });
    const [call] = slack.received;
    expect(call!.url).toBe('/api/chat.postMessage');
    expect(call!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(call!.headers['content-type']).toBe('application/json; charset=utf-8');
    const d = critical.detail;
    expect(JSON.parse(call!.body)).toEqual({
      channel: CHANNEL,
      text: `:rotating_light: myna-idp example: ${d.type} (${d.reason}) — 重大 / critical`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: `重大 / critical: ${d.type}` } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: `*テナント / tenant*\nexample` },
            { type: 'mrkdwn', text: `*理由 / reason*\n${d.reason}` },
            { type: 'mrkdwn', text: `*発生元 / component*\n${d.component}` },
            { type: 'mrkdwn', text: `*時刻 / time (UTC)*\n${d.time}` },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: `event ${d.id} · schema myna-idp.security-event/1` }] },
      ],
    });
  });

  test('the token may be one JSON field of the secret (tokenField)', async () => {
    expect(await notifier({ SLACK_TOKEN_STORE_ID: 'myna-idp/example/slack-json', SLACK_TOKEN_FIELD: 'bot' }).invoke(critical)).toEqual({ posted: true });
    expect(slack.received[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  test('a 429 is waited out (Retry-After) when that fits in the function’s time, and thrown when it does not', async () => {
    slack.answers.push({ status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } });
    const started = Date.now();
    expect(await notifier().invoke(critical)).toEqual({ posted: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(slack.received).toHaveLength(2);

    slack.received.length = 0;
    slack.answers.push({ status: 429, headers: { 'retry-after': '120' }, body: { ok: false, error: 'ratelimited' } });
    const before = Date.now();
    await expect(notifier().invoke(critical)).rejects.toMatchObject({ errorType: 'SlackDeliveryError', message: 'Slack chat.postMessage failed: ratelimited (HTTP 429)' });
    expect(Date.now() - before).toBeLessThan(5000);
    expect(slack.received).toHaveLength(1);
  });

  test('an event that is not a security event fails without posting', async () => {
    await expect(notifier().invoke({ detail: { ...critical.detail, reason: '<!channel> hello' } })).rejects.toMatchObject({ errorType: 'MalformedEventError' });
    expect(slack.received).toHaveLength(0);
  });
});

test('SLACK_API_URL: Slack by default; https, or http on localhost only', () => {
  expect(slackApiUrl(undefined).href).toBe(SLACK_POST_MESSAGE_URL);
  expect(slackApiUrl('http://127.0.0.1:8080/api/chat.postMessage').host).toBe('127.0.0.1:8080');
  expect(slackApiUrl('http://localhost:1/x').hostname).toBe('localhost');
  expect(() => slackApiUrl('http://slack.example/api/chat.postMessage')).toThrow(/https/);
  expect(() => slackApiUrl('not a url')).toThrow(/not a URL/);
});
