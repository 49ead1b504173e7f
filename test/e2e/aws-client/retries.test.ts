/**
 * The retries of the hand-written AWS client (lambdas/shared/aws-json.ts, retry.ts) over real HTTP
 * against the local AWS stand-in, which checks each attempt's SigV4 signature and fails an
 * operation first when told to (tools/stand-ins/aws/faults.ts). The waits go to a clock that
 * only records them: no test waits real seconds.
 */
import { decodeJwt } from 'jose';
import { AwsCallError, AwsJsonClient, type AwsJsonClientOptions } from '../../../lambdas/shared/aws-json';
import { DynamoCardRecordStore } from '../../../lambdas/shared/card-records';
import { KmsSigner } from '../../../lambdas/federation-proxy/crypto/kms-signer';
import { clientAssertion } from '../../../lambdas/federation-proxy/protocol/op-client';
import type { RetryOptions } from '../../../lambdas/shared/retry';
import { STAND_IN_CREDENTIALS, startAwsStandIn, type AwsStandIn } from '../../../tools/stand-ins/aws/aws-stand-in';
import { sandboxAssertionSettings } from '../../helpers/op-client-settings';

let aws: AwsStandIn;
beforeAll(async () => {
  aws = await startAwsStandIn();
  aws.addKey('alias/client-assertion', 'RSA_2048');
  aws.putSecret('client', JSON.stringify({ client_secret: 's3cret' }));
});
afterAll(() => aws.close());
afterEach(() => aws.clearFaults());

/** A clock that moves only by the waits, which it records. */
function fakeClock(random = 0.5): RetryOptions & { waits: number[]; at: () => number } {
  let t = 1_000_000;
  const waits: number[] = [];
  return { now: () => t, sleep: async (ms) => void (waits.push(ms), (t += ms)), random: () => random, waits, at: () => t };
}

const clientOf = (service: string, o: Partial<AwsJsonClientOptions> = {}) =>
  new AwsJsonClient({ service, region: 'ap-northeast-1', credentials: () => STAND_IN_CREDENTIALS, endpoint: aws.endpoint, ...(service === 'dynamodb' ? { jsonVersion: '1.0' as const } : {}), ...o });

/** The attempts the stand-in saw of `target` since `from` (an index into its calls). */
const attempts = (target: string, from: number) => aws.calls.slice(from).filter((c) => c.endsWith(` ${target}`)).length;

test('throttling (429 ThrottlingException) then success: the call succeeds on its third attempt', async () => {
  const clock = fakeClock();
  aws.failNext('secretsmanager.GetSecretValue', 429, 429);
  const from = aws.calls.length;
  const r = await clientOf('secretsmanager', { retry: clock }).call<{ SecretString: string }>('secretsmanager.GetSecretValue', { SecretId: 'client' });
  expect(JSON.parse(r.SecretString)).toEqual({ client_secret: 's3cret' });
  expect(attempts('secretsmanager.GetSecretValue', from)).toBe(3);
  expect(clock.waits).toEqual([500, 1000]);
});

test('KMS’s own throttling (HTTP 400), a 500 and a 503 are each retried', async () => {
  const clock = fakeClock();
  aws.failNext('TrentService.GetPublicKey', { status: 400, type: 'ThrottlingException' }, 500);
  aws.failNext('DynamoDB_20120810.GetItem', 503, { status: 400, type: 'ProvisionedThroughputExceededException' });
  const from = aws.calls.length;
  await expect(clientOf('kms', { retry: clock }).call('TrentService.GetPublicKey', { KeyId: 'alias/client-assertion' })).resolves.toMatchObject({ KeySpec: 'RSA_2048' });
  await expect(clientOf('dynamodb', { retry: clock }).call('DynamoDB_20120810.GetItem', { TableName: 't', Key: { pk: { S: 'x' } } })).resolves.toEqual({});
  expect(attempts('TrentService.GetPublicKey', from)).toBe(3);
  expect(attempts('DynamoDB_20120810.GetItem', from)).toBe(3);
});

test('a 4xx that is not throttling is not retried', async () => {
  const from = aws.calls.length;
  const e = await clientOf('kms', { retry: fakeClock() })
    .call('TrentService.GetPublicKey', { KeyId: 'alias/no-such-key' })
    .catch((x: unknown) => x);
  expect(e).toMatchObject({ type: 'NotFoundException', status: 400 });
  expect(attempts('TrentService.GetPublicKey', from)).toBe(1);
});

test('the attempts stop at the maximum, and the error thrown is the last one', async () => {
  aws.failNext('TrentService.Sign', 503, 500, { status: 502, type: 'BadGateway' }, 503);
  const from = aws.calls.length;
  const e = await clientOf('kms', { retry: fakeClock() })
    .call('TrentService.Sign', { KeyId: 'alias/client-assertion', Message: 'eA==', MessageType: 'RAW', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' })
    .catch((x: unknown) => x);
  expect(e).toBeInstanceOf(AwsCallError);
  expect(e).toMatchObject({ type: 'BadGateway', status: 502 });
  expect(attempts('TrentService.Sign', from)).toBe(3);
});

test('the deadline: a throttled call stops when the next wait would end past it', async () => {
  const clock = fakeClock(0.9);
  aws.failNext('secretsmanager.GetSecretValue', 429, 429, 429);
  const from = aws.calls.length;
  const client = clientOf('secretsmanager', { retry: clock, timeoutMs: 60_000, deadline: clock.at() + 1500 });
  const e = await client.call('secretsmanager.GetSecretValue', { SecretId: 'client' }).catch((x: unknown) => x);
  expect(e).toMatchObject({ type: 'ThrottlingException', status: 429 });
  // 900 ms fitted; the next, 1800 ms, would have ended past the deadline.
  expect(clock.waits).toEqual([900]);
  expect(attempts('secretsmanager.GetSecretValue', from)).toBe(2);
});

test('a deadline already passed: no request at all', async () => {
  const clock = fakeClock();
  const from = aws.calls.length;
  const e = await clientOf('dynamodb', { retry: clock, deadline: clock.at() - 1 })
    .call('DynamoDB_20120810.GetItem', { TableName: 't', Key: { pk: { S: 'x' } } })
    .catch((x: unknown) => x);
  expect(e).toMatchObject({ name: 'TimeoutError' });
  expect(aws.calls.length).toBe(from);
});

test('a call that is not idempotent is not retried (a write), unless its caller says a repeat is harmless', async () => {
  const put = { TableName: 't', Item: { pk: { S: 'plain' } } };
  aws.failNext('DynamoDB_20120810.PutItem', 503);
  const from = aws.calls.length;
  await expect(clientOf('dynamodb', { retry: fakeClock() }).call('DynamoDB_20120810.PutItem', put)).rejects.toMatchObject({ type: 'ServiceUnavailable' });
  expect(attempts('DynamoDB_20120810.PutItem', from)).toBe(1);
  aws.failNext('DynamoDB_20120810.PutItem', 503);
  await expect(clientOf('dynamodb', { retry: fakeClock() }).call('DynamoDB_20120810.PutItem', put, { idempotent: true })).resolves.toEqual({});
  expect(attempts('DynamoDB_20120810.PutItem', from)).toBe(3);
});

test('network failures of an idempotent call: a reset connection and an attempt that never answers are retried', async () => {
  aws.failNext('DynamoDB_20120810.GetItem', 'reset', 'hang');
  const from = aws.calls.length;
  const client = clientOf('dynamodb', { retry: fakeClock(), timeoutMs: 5000, attemptTimeoutMs: 200 });
  await expect(client.call('DynamoDB_20120810.GetItem', { TableName: 't', Key: { pk: { S: 'x' } } })).resolves.toEqual({});
  expect(attempts('DynamoDB_20120810.GetItem', from)).toBe(3);
});

describe('conditional writes of the card records: retried only where a repeat is harmless', () => {
  const auth = { sub: 'pairwise-r', attributes: { name: '山田 太郎' }, acr: 'aal3', authTime: 1_800_000_000, opIssuer: 'https://op.example', sessionTime: 1_800_000_010 };

  test('an authentication whose answer was lost: the repeat finds its own authTime and passes its condition', async () => {
    const store = new DynamoCardRecordStore(clientOf('dynamodb', { retry: fakeClock() }), 'Cards');
    aws.failNext('DynamoDB_20120810.UpdateItem', 'lost');
    const from = aws.calls.length;
    await store.putAuthentication(auth);
    expect(attempts('DynamoDB_20120810.UpdateItem', from)).toBe(2);
    expect(await store.getCard(auth.sub)).toMatchObject({ authTime: auth.authTime, attributes: auth.attributes });
  });

  test('a link whose answers were lost: each repeat passes its condition, and the link is made once', async () => {
    const store = new DynamoCardRecordStore(clientOf('dynamodb', { retry: fakeClock() }), 'Cards');
    aws.failNext('DynamoDB_20120810.UpdateItem', 'lost');
    aws.failNext('DynamoDB_20120810.PutItem', 'lost');
    await store.putLink('user-r', auth.sub);
    expect(await store.getLinkedSub('user-r')).toBe(auth.sub);
    expect((await store.getCard(auth.sub))!.linkedUser).toBe('user-r');
  });

  test('a link request is never repeated: a repeat of a write that was made would call its first use a replay', async () => {
    const store = new DynamoCardRecordStore(clientOf('dynamodb', { retry: fakeClock() }), 'Cards');
    aws.failNext('DynamoDB_20120810.PutItem', 'lost');
    const from = aws.calls.length;
    await expect(store.consumeRequest('req-lost')).rejects.toMatchObject({ type: 'InternalFailure', status: 500 });
    expect(attempts('DynamoDB_20120810.PutItem', from)).toBe(1);
    // What a retry would have answered: the condition fails on the request's own record.
    const item = { TableName: 'Cards', Item: { pk: { S: 'request#req-lost' } }, ConditionExpression: 'attribute_not_exists(pk)' };
    await expect(clientOf('dynamodb').call('DynamoDB_20120810.PutItem', item, { idempotent: true })).rejects.toMatchObject({ type: 'ConditionalCheckFailedException' });
  });
});

test('a sign-in step survives a throttle: the client assertion is signed in KMS after one ThrottlingException', async () => {
  const clock = fakeClock();
  const signer = new KmsSigner(clientOf('kms', { retry: clock }), 'alias/client-assertion', 'RS256');
  aws.failNext('TrentService.Sign', { status: 400, type: 'ThrottlingException' });
  const from = aws.calls.length;
  const settings = sandboxAssertionSettings;
  expect(decodeJwt(await clientAssertion(signer, settings))).toMatchObject({ iss: 'RP00000001' });
  expect(attempts('TrentService.Sign', from)).toBe(2);
  expect(clock.waits).toEqual([500]);
});
