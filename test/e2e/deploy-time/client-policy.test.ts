/**
 * The verified-claims policy custom resource (lambdas/client-policy), bundled as `cdk synth`
 * bundles it (the AWS SDK left out, for the runtime to provide) and run as Lambda would run it
 * (tools/stand-ins/aws/lambda-host.ts) against the local AWS stand-in: the SDK's DynamoDB client
 * writes and removes the item where the trigger reads it, and retries a throttled write itself.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { AwsJsonClient } from '../../../lambdas/shared/aws-json';
import { clientPolicyOf } from '../../../lambdas/shared/card-records';
import { STAND_IN_CREDENTIALS, standInEnvironment, startAwsStandIn, type AwsStandIn } from '../../../tools/stand-ins/aws/aws-stand-in';
import { LocalFunction } from '../../../tools/stand-ins/aws/lambda-host';
import { repoRoot, tempDir } from '../../helpers/tenants';

let aws: AwsStandIn;
let fn: LocalFunction;
beforeAll(async () => {
  aws = await startAwsStandIn();
  // Outside the project, as in Lambda: @aws-sdk/* resolves only as the runtime's.
  const dir = tempDir('myna-idp-client-policy-');
  execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'esbuild'), [path.join(repoRoot, 'lambdas', 'client-policy', 'handler.ts'), '--bundle', '--minify', '--format=esm', '--platform=node', '--target=node22', '--external:@aws-sdk/*', `--outfile=${path.join(dir, 'index.mjs')}`], { stdio: 'ignore' });
  fn = new LocalFunction({ codeDir: dir, handler: 'index.handler', functionName: 'client-policy', timeoutMs: 60_000, environment: standInEnvironment(aws.endpoint) });
});
afterAll(async () => {
  await fn.close();
  await aws.close();
});

const resourceEvent = (RequestType: 'Create' | 'Update' | 'Delete', clients: Record<string, string[]>) => ({
  RequestType,
  ResourceType: 'Custom::VerifiedClaimsPolicy',
  LogicalResourceId: 'ClientPolicy',
  ResourceProperties: { ServiceToken: 'x', TableName: 'Cards', Clients: JSON.stringify(clients) },
  StackId: 's',
  RequestId: 'r',
  ResponseURL: 'http://localhost/unused',
  ServiceToken: 'x',
  PhysicalResourceId: 'Cards/config#clients',
});
const policy = () => clientPolicyOf(new AwsJsonClient({ service: 'dynamodb', region: 'ap-northeast-1', credentials: () => STAND_IN_CREDENTIALS, endpoint: aws.endpoint, jsonVersion: '1.0' }), 'Cards');
const writes = () => aws.calls.filter((c) => c === 'dynamodb DynamoDB_20120810.PutItem').length;

test('Create and Update write the policy where the trigger reads it; Delete removes it', async () => {
  expect(await fn.invoke(resourceEvent('Create', { c1: ['name'] }))).toEqual({ PhysicalResourceId: 'Cards/config#clients' });
  expect(await policy()).toEqual({ c1: ['name'] });
  await fn.invoke(resourceEvent('Update', { c1: ['name', 'birthdate'], c2: [] }));
  expect(await policy()).toEqual({ c1: ['name', 'birthdate'], c2: [] });
  await fn.invoke(resourceEvent('Delete', {}));
  expect(await policy()).toEqual({});
});

test('a throttled write is retried by the SDK: the deploy goes on', async () => {
  aws.failNext('DynamoDB_20120810.PutItem', 503, { status: 400, type: 'ThrottlingException' });
  const before = writes();
  await fn.invoke(resourceEvent('Create', { c3: ['address'] }));
  expect(writes() - before).toBe(3);
  expect(await policy()).toEqual({ c3: ['address'] });
});

test('a refusal is not retried and fails the deploy', async () => {
  aws.failNext('DynamoDB_20120810.PutItem', { status: 400, type: 'AccessDeniedException' });
  const before = writes();
  await expect(fn.invoke(resourceEvent('Create', { c4: [] }))).rejects.toMatchObject({ errorType: 'AccessDeniedException' });
  expect(writes() - before).toBe(1);
});
