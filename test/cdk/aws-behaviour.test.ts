/**
 * The templates' values as AWS takes them, not only their shape: each value resolved as
 * CloudFormation returns it (test/helpers/cfn.ts) and held to the API's constraint or the
 * resource policy evaluated for the service that calls. Every rule cited here is in
 * docs/operations-facts.md with its source and mark.
 */
import { assemblyOf } from '../helpers/assembly';
import { evaluate, resolve, type Deployment } from '../helpers/cfn';
import { fixturesDir, minimalTenant, synthTenant } from '../helpers/tenants';

const fixtures = assemblyOf(fixturesDir);
const tenants: Array<[string, Deployment]> = [
  ['MynaIdp-example', { account: '111122223333', region: 'ap-northeast-1' }],
  ['MynaIdp-sandbox', { account: '111122223333', region: 'ap-northeast-1' }],
];
const resourcesOf = (t: Record<string, any>, type: string): Array<[string, Record<string, any>]> =>
  Object.entries<Record<string, any>>(t.Resources).filter(([, r]) => r.Type === type);

/**
 * Cognito's `ArnType` (botocore 1.43.11, cognito-idp 2016-04-18, the type of
 * CloudWatchLogsConfigurationType.LogGroupArn); the API matches it against the whole value.
 */
const COGNITO_ARN_TYPE = /^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$/;

describe.each(tenants)('%s', (stackName, deployment) => {
  const template = fixtures.template(stackName);
  const value = (v: unknown) => resolve(template as any, v, deployment);

  test('C1: every log group Cognito delivers to is named by an ARN the API accepts (no `:*`), 20-2048 characters', () => {
    const arns = resourcesOf(template, 'AWS::Cognito::LogDeliveryConfiguration').flatMap(([, r]) =>
      (r.Properties.LogConfigurations as Array<Record<string, any>>).filter((c) => c.CloudWatchLogsConfiguration).map((c) => value(c.CloudWatchLogsConfiguration.LogGroupArn) as string),
    );
    expect(arns.length).toBeGreaterThan(0);
    for (const arn of arns) {
      expect({ arn, matches: COGNITO_ARN_TYPE.test(arn), length: arn.length >= 20 && arn.length <= 2048 }).toEqual({ arn, matches: true, length: true });
      expect(arn).toMatch(/^arn:aws:logs:ap-northeast-1:111122223333:log-group:\/aws\/vendedlogs\/cognito\/myna-idp\/[a-z0-9-]+\/[a-z-]+$/);
    }
    // The check is live: the form Fn::GetAtt LogGroup.Arn returns is refused (aws/aws-cdk#31241).
    expect(COGNITO_ARN_TYPE.test(`${arns[0]}:*`)).toBe(false);
  });

  test('C12: Cognito’s log delivery is created after the Logs resource policy that lets it write', () => {
    const [policyId] = resourcesOf(template, 'AWS::Logs::ResourcePolicy')[0]!;
    for (const [, r] of resourcesOf(template, 'AWS::Cognito::LogDeliveryConfiguration')) expect([r.DependsOn ?? []].flat()).toContain(policyId);
  });

  test('C2: the audit rule targets the log group by its ARN without `:*`, and the Logs policy lets EventBridge write to it', () => {
    const [groupId, group] = resourcesOf(template, 'AWS::Logs::LogGroup').find(([id]) => id.includes('AuditLog'))!;
    const name = group.Properties.LogGroupName as string;
    const rule = resourcesOf(template, 'AWS::Events::Rule').find(([id]) => id.includes('ToAuditLog'))![1];
    const targetArn = value(rule.Properties.Targets[0].Arn);
    expect(targetArn).toBe(`arn:aws:logs:ap-northeast-1:111122223333:log-group:${name}`);
    const policy = JSON.parse(value(resourcesOf(template, 'AWS::Logs::ResourcePolicy')[0]![1].Properties.PolicyDocument));
    const groupArn = value({ 'Fn::GetAtt': [groupId, 'Arn'] }) as string;
    for (const service of ['events.amazonaws.com', 'delivery.logs.amazonaws.com']) {
      for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
        expect({ service, action, decision: evaluate(policy, { principal: { service }, action, resource: groupArn, context: {} }) }).toEqual({ service, action, decision: 'Allow' });
      }
    }
    // Nobody else: another service is refused.
    expect(evaluate(policy, { principal: { service: 'lambda.amazonaws.com' }, action: 'logs:PutLogEvents', resource: groupArn, context: {} })).toBe('Deny');
  });

  test('C3: every alarm may publish to the topic it notifies (topic policy and key policy), and an alarm of another account may not', () => {
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    const [topicId] = resourcesOf(template, 'AWS::SNS::Topic')[0]!;
    const topicArn = value({ Ref: topicId }) as string;
    const topicPolicy = value(resourcesOf(template, 'AWS::SNS::TopicPolicy')[0]![1].Properties.PolicyDocument);
    const key = resourcesOf(template, 'AWS::KMS::Key').find(([id]) => id.includes('TopicKey'))![1];
    const keyPolicy = value(key.Properties.KeyPolicy);
    for (const [, alarm] of alarms) {
      const alarmArn = `arn:aws:cloudwatch:ap-northeast-1:111122223333:alarm:${value(alarm.Properties.AlarmName)}`;
      for (const action of alarm.Properties.AlarmActions) expect(value(action)).toBe(topicArn);
      const context = { 'aws:SourceArn': alarmArn, 'aws:SourceAccount': '111122223333', 'aws:SecureTransport': 'true', 'kms:EncryptionContext:aws:sns:topicArn': topicArn };
      expect({ alarmArn, publish: evaluate(topicPolicy, { principal: { service: 'cloudwatch.amazonaws.com' }, action: 'sns:Publish', resource: topicArn, context }) }).toEqual({ alarmArn, publish: 'Allow' });
      expect(evaluate(keyPolicy, { principal: { service: 'cloudwatch.amazonaws.com' }, action: 'kms:GenerateDataKey', resource: '*', context })).toBe('Allow');
    }
    const foreign = { 'aws:SourceArn': 'arn:aws:cloudwatch:ap-northeast-1:444455556666:alarm:x', 'aws:SourceAccount': '444455556666', 'aws:SecureTransport': 'true' };
    expect(evaluate(topicPolicy, { principal: { service: 'cloudwatch.amazonaws.com' }, action: 'sns:Publish', resource: topicArn, context: foreign })).toBe('Deny');
    // enforceSSL's Deny still holds for a publisher without TLS.
    const alarmArn = `arn:aws:cloudwatch:ap-northeast-1:111122223333:alarm:x`;
    expect(evaluate(topicPolicy, { principal: { service: 'cloudwatch.amazonaws.com' }, action: 'sns:Publish', resource: topicArn, context: { 'aws:SourceArn': alarmArn, 'aws:SourceAccount': '111122223333', 'aws:SecureTransport': 'false' } })).toBe('Deny');
  });
});

test('C7: the sandbox’s trail bucket, which the stack deletes, is emptied first; the production tenant’s kept bucket is not', () => {
  const sandbox = fixtures.template('MynaIdp-sandbox');
  const [bucketId, bucket] = resourcesOf(sandbox, 'AWS::S3::Bucket').find(([id]) => id.includes('TrailBucket'))!;
  expect(bucket.DeletionPolicy).toBe('Delete');
  const emptiers = resourcesOf(sandbox, 'Custom::S3AutoDeleteObjects').filter(([, r]) => JSON.stringify(r.Properties.BucketName) === JSON.stringify({ Ref: bucketId }));
  expect(emptiers).toHaveLength(1);
  // Deleted in reverse: the trail before the emptier, so nothing is written after the bucket is emptied.
  const [trailId, trail] = resourcesOf(sandbox, 'AWS::CloudTrail::Trail')[0]!;
  expect({ trailId, dependsOn: [trail.DependsOn ?? []].flat() }).toEqual({ trailId, dependsOn: expect.arrayContaining([emptiers[0]![0]]) });
  // A production tenant has no trail bucket of its own in the fixtures (cloudTrail: existing) or keeps it: never emptied.
  const example = fixtures.template('MynaIdp-example');
  for (const [id, b] of resourcesOf(example, 'AWS::S3::Bucket')) {
    if (b.DeletionPolicy !== 'Delete') expect(resourcesOf(example, 'Custom::S3AutoDeleteObjects').filter(([, r]) => JSON.stringify(r.Properties.BucketName) === JSON.stringify({ Ref: id }))).toEqual([]);
  }
});

test('C10: Cognito’s user-activity export may write to its S3 bucket, in the form CloudWatch Logs documents, and only for this account', () => {
  const tenant = { ...minimalTenant(), plan: 'plus', threatProtection: 'audit', operations: { userActivityLog: { destination: 's3' } } };
  const template = synthTenant(tenant).template.toJSON() as Record<string, any>;
  const d: Deployment = { account: '123456789012', region: 'ap-northeast-1' };
  const [bucketId] = resourcesOf(template, 'AWS::S3::Bucket').find(([id]) => id.includes('UserActivityBucket'))!;
  const policy = resolve(template as any, resourcesOf(template, 'AWS::S3::BucketPolicy').find(([, p]) => JSON.stringify(p.Properties.Bucket).includes(bucketId))![1].Properties.PolicyDocument, d);
  const bucketArn = `arn:aws:s3:::${bucketId}`;
  const context = { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': 'arn:aws:logs:ap-northeast-1:123456789012:delivery-source:x', 'aws:SecureTransport': 'true', 's3:x-amz-acl': 'bucket-owner-full-control' };
  const asLogs = (action: string, resource: string, ctx: Record<string, string> = context) => evaluate(policy, { principal: { service: 'delivery.logs.amazonaws.com' }, action, resource, context: ctx });
  expect(asLogs('s3:GetBucketAcl', bucketArn)).toBe('Allow');
  expect(asLogs('s3:PutObject', `${bucketArn}/AWSLogs/123456789012/cognito/x.gz`)).toBe('Allow');
  // Not for another account's logs, not without the owner's full control, not without TLS.
  expect(asLogs('s3:PutObject', `${bucketArn}/x`, { ...context, 'aws:SourceAccount': '444455556666', 'aws:SourceArn': 'arn:aws:logs:ap-northeast-1:444455556666:delivery-source:x' })).toBe('Deny');
  expect(asLogs('s3:PutObject', `${bucketArn}/x`, { ...context, 's3:x-amz-acl': 'private' })).toBe('Deny');
  expect(asLogs('s3:PutObject', `${bucketArn}/x`, { ...context, 'aws:SecureTransport': 'false' })).toBe('Deny');
});
