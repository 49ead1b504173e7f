/**
 * The ingest: CloudTrail records of the pool's API calls and SES events become security events
 * with nothing personal of theirs (usernames, subs, addresses); the bundled handler puts them on
 * the bus (the local stand-in) with the runtime's AWS SDK client, which retries a throttled
 * PutEvents itself, and throws when it cannot, so that Lambda retries the invocation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { normalise } from '../../../lambdas/event-ingest/normalise';
import { standInEnvironment, startAwsStandIn, type AwsStandIn } from '../../../tools/stand-ins/aws/aws-stand-in';
import { LocalFunction } from '../../../tools/stand-ins/aws/lambda-host';
import { repoRoot, tempDir } from '../../helpers/tenants';

const POOL = 'ap-northeast-1_Example1';
const PERSONAL = ['DigitalAuthApp_0f8fad5b-d9cb-469f-a165-70867728950e', 'taro@example.jp', 'hanako@example.jp', '7d0a8c36-1111-4222-8333-944455556666', '山田'];

const cloudTrail = (eventName: string, extra: Record<string, unknown> = {}) => ({
  source: 'aws.cognito-idp',
  'detail-type': 'AWS API Call via CloudTrail',
  detail: {
    eventSource: 'cognito-idp.amazonaws.com',
    eventName,
    userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/admin/taro@example.jp' },
    requestParameters: { userPoolId: POOL, username: 'DigitalAuthApp_0f8fad5b-d9cb-469f-a165-70867728950e', userAttributes: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
    additionalEventData: { sub: '7d0a8c36-1111-4222-8333-944455556666' },
    ...extra,
  },
});
const ses = (eventType: string, part: Record<string, unknown>) => ({
  source: 'aws.ses',
  'detail-type': 'Email Bounced',
  detail: { eventType, mail: { destination: ['taro@example.jp'], commonHeaders: { to: ['山田 太郎 <taro@example.jp>'] }, tags: { 'ses:configuration-set': ['myna-idp-example'] } }, ...part },
});

test.each([
  [cloudTrail('AdminLinkProviderForUser'), { type: 'cognito.api_call', reason: 'AdminLinkProviderForUser', severity: 'warning' }],
  [cloudTrail('UpdateUserPoolClient', { requestParameters: { userPoolId: POOL, clientId: '1example23456789' } }), { type: 'cognito.configuration_changed', reason: 'UpdateUserPoolClient', severity: 'warning', clientId: '1example23456789' }],
  [cloudTrail('InitiateAuth', { errorCode: 'NotAuthorizedException' }), { type: 'cognito.api_call', reason: 'InitiateAuth:NotAuthorizedException', severity: 'warning' }],
  [cloudTrail('SignUp'), { type: 'cognito.api_call', reason: 'SignUp', severity: 'info' }],
  [ses('Bounce', { bounce: { bounceType: 'Permanent', bounceSubType: 'NoEmail', bouncedRecipients: [{ emailAddress: 'taro@example.jp' }] } }), { type: 'mail.bounced', reason: 'permanent.noemail', severity: 'warning' }],
  [ses('Complaint', { complaint: { complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: 'hanako@example.jp' }] } }), { type: 'mail.complaint', reason: 'abuse', severity: 'warning' }],
  [ses('Reject', { reject: { reason: 'Bad content' } }), { type: 'mail.rejected', reason: 'bad_content', severity: 'warning' }],
  [ses('DeliveryDelay', { deliveryDelay: { delayType: 'MailboxFull', delayedRecipients: [{ emailAddress: 'taro@example.jp' }] } }), { type: 'mail.delivery_delayed', reason: 'mailboxfull', severity: 'info' }],
  [ses('Rendering Failure', { failure: { errorMessage: 'Attribute name is missing: 山田', templateName: 'x' } }), { type: 'mail.rendering_failed', reason: 'template_error', severity: 'critical' }],
])('%#: normalised without personal data', (event, expected) => {
  const e = normalise(event, POOL);
  expect(e).toEqual(expected);
  for (const p of PERSONAL) expect(JSON.stringify(e)).not.toContain(p);
});

test('another pool’s calls, deliveries and unknown sources are not events of this tenant', () => {
  expect(normalise(cloudTrail('AdminDeleteUser', { requestParameters: { userPoolId: 'ap-northeast-1_Other' } }), POOL)).toBeUndefined();
  expect(normalise(ses('Delivery', {}), POOL)).toBeUndefined();
  expect(normalise({ source: 'aws.s3', detail: {} }, POOL)).toBeUndefined();
  expect(normalise({}, POOL)).toBeUndefined();
});

describe('the bundled handler', () => {
  let aws: AwsStandIn;
  let fn: LocalFunction;
  const dir = tempDir('myna-idp-ingest-');
  beforeAll(async () => {
    aws = await startAwsStandIn();
    execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'esbuild'), [path.join(repoRoot, 'lambdas', 'event-ingest', 'handler.ts'), '--bundle', '--format=esm', '--platform=node', '--target=node22', '--external:@aws-sdk/*', `--outfile=${path.join(dir, 'index.mjs')}`], { stdio: 'ignore' });
    fn = new LocalFunction({ codeDir: dir, handler: 'index.handler', functionName: 'ingest', timeoutMs: 10_000, environment: { ...standInEnvironment(aws.endpoint), TENANT_ID: 'example', USER_POOL_ID: POOL, EVENT_BUS_NAME: 'myna-idp-example' } });
  });
  afterAll(async () => {
    await fn.close();
    await aws.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('puts what it normalised on the bus; ignores the rest', async () => {
    expect(await fn.invoke(cloudTrail('AdminDisableProviderForUser'))).toEqual({ published: true });
    expect(await fn.invoke(ses('Send', {}))).toEqual({ published: false });
    const e = aws.eventBus.events.at(-1)!;
    expect(e).toMatchObject({ tenant: 'example', component: 'event-ingest', type: 'cognito.api_call', reason: 'AdminDisableProviderForUser', severity: 'warning' });
    expect(aws.eventBus.refused).toEqual([]);
  });

  test('a throttled or failed PutEvents is retried by the SDK: the event is on the bus once', async () => {
    aws.failNext('AWSEvents.PutEvents', 503, { status: 400, type: 'ThrottlingException' });
    const puts = () => aws.calls.filter((c) => c === 'events AWSEvents.PutEvents').length;
    const [before, events] = [puts(), aws.eventBus.events.length];
    expect(await fn.invoke(cloudTrail('AdminDeleteUser'))).toEqual({ published: true });
    expect(puts() - before).toBe(3);
    expect(aws.eventBus.events.length - events).toBe(1);
    expect(aws.eventBus.events.at(-1)).toMatchObject({ reason: 'AdminDeleteUser' });
  });

  test('an entry the bus refuses (FailedEntryCount) is thrown, not retried: Lambda retries the invocation', async () => {
    // No bus name: the stand-in's bus refuses the entry (as EventBridge does an entry it cannot take).
    const refusing = new LocalFunction({ codeDir: dir, handler: 'index.handler', functionName: 'ingest', timeoutMs: 10_000, environment: { ...standInEnvironment(aws.endpoint), TENANT_ID: 'example', USER_POOL_ID: POOL, EVENT_BUS_NAME: '' } });
    const puts = aws.calls.length;
    try {
      await expect(refusing.invoke(cloudTrail('AdminDisableProviderForUser'))).rejects.toMatchObject({ errorType: 'EventPublishError' });
      expect(aws.calls.slice(puts)).toEqual(['events AWSEvents.PutEvents']);
    } finally {
      await refusing.close();
    }
  });
});
