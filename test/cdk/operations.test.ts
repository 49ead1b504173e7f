/**
 * The operators' resources in the synthesized templates: the bus, its rules (each target with
 * a dead-letter queue and a retry policy), the archive, the audit log, the log export, the
 * dashboard, the alarms and the outputs; and the rules' filters and input transformers held to
 * a sample event of every type.
 */
import { App } from 'aws-cdk-lib';
import { Annotations } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { securityEventDetailSchema } from '../../lambdas/event-ingest/security-event-schema';
import { FIELD_PATTERNS } from '../../lambdas/shared/security-events';
import { matchesPattern, transformInput } from '../../tools/stand-ins/aws/eventbridge-rules';
import { assemblyOf } from '../helpers/assembly';
import { fixturesDir, minimalTenant, readTenantInput, synthTenant } from '../helpers/tenants';
import { findSecrets } from '../helpers/secrets';
import { sampleEvents } from '../helpers/sample-events';

const fixtures = assemblyOf(fixturesDir);
const example = Template.fromJSON(fixtures.template('MynaIdp-example'));
const sandbox = Template.fromJSON(fixtures.template('MynaIdp-sandbox'));
const resourcesOf = (t: Template, type: string) => Object.entries(t.findResources(type)) as Array<[string, { Properties: Record<string, any> }]>;
const rulesOn = (t: Template, busId: string) => resourcesOf(t, 'AWS::Events::Rule').filter(([, r]) => r.Properties.EventBusName?.Ref === busId);
const busId = (t: Template) => Object.keys(t.findResources('AWS::Events::EventBus'))[0]!;

describe.each([
  ['example (plus)', example],
  ['sandbox (essentials)', sandbox],
])('the %s tenant', (_name, t) => {
  test('has one bus, archived, and every rule target has a dead-letter queue (SSE, SSL only) and a retry policy', () => {
    t.resourceCountIs('AWS::Events::EventBus', 1);
    t.hasResourceProperties('AWS::Events::Archive', { SourceArn: { 'Fn::GetAtt': [busId(t), 'Arn'] }, EventPattern: { source: [{ prefix: 'myna-idp.' }] } });
    const rules = resourcesOf(t, 'AWS::Events::Rule');
    expect(rules.length).toBeGreaterThanOrEqual(4);
    const queues = t.findResources('AWS::SQS::Queue');
    for (const [id, rule] of rules) {
      for (const target of rule.Properties.Targets as Array<Record<string, any>>) {
        expect([id, target.RetryPolicy?.MaximumRetryAttempts, target.RetryPolicy?.MaximumEventAgeInSeconds]).toEqual([id, expect.any(Number), expect.any(Number)]);
        const dlq = target.DeadLetterConfig?.Arn?.['Fn::GetAtt']?.[0];
        expect([id, queues[dlq]?.Properties?.SqsManagedSseEnabled]).toEqual([id, true]);
      }
    }
    // Every queue refuses plain HTTP.
    for (const [, policy] of resourcesOf(t, 'AWS::SQS::QueuePolicy')) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('aws:SecureTransport');
    }
  });

  test('every event goes to the audit log, whose writers are EventBridge only, through a resource policy', () => {
    const audit = rulesOn(t, busId(t)).find(([, r]) => r.Properties.Description === 'Every security event to the audit log')!;
    expect(audit[1].Properties.EventPattern).toEqual({ source: [{ prefix: 'myna-idp.' }] });
    t.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^/aws/events/myna-idp/[a-z0-9-]+/security-events$'), RetentionInDays: Match.anyValue() });
  });

  test('Cognito API calls of this pool (CloudTrail) reach the ingest from the default bus', () => {
    const rule = resourcesOf(t, 'AWS::Events::Rule').find(([, r]) => r.Properties.EventPattern?.source?.[0] === 'aws.cognito-idp')!;
    expect(rule[1].Properties.EventBusName).toBeUndefined();
    expect(rule[1].Properties.EventPattern['detail-type']).toEqual(['AWS API Call via CloudTrail']);
    expect(rule[1].Properties.EventPattern.detail.requestParameters.userPoolId).toEqual([{ Ref: expect.stringMatching(/^IdentityUserPool/) }]);
  });

  test('publishers get the bus, the bound and the right to put events on it, and nothing more', () => {
    const fns = resourcesOf(t, 'AWS::Lambda::Function').filter(([, f]) => f.Properties.Environment?.Variables?.EVENT_BUS_NAME);
    expect(fns.length).toBe(3); // the proxy, the token trigger, the ingest
    for (const [, f] of fns) expect(f.Properties.Environment.Variables.EVENT_BUS_NAME).toEqual({ Ref: busId(t) });
    const puts = resourcesOf(t, 'AWS::IAM::Policy').flatMap(([, p]) => (p.Properties.PolicyDocument.Statement as Array<Record<string, any>>).filter((s) => s.Action === 'events:PutEvents'));
    expect(puts.length).toBe(3);
    for (const s of puts) expect(s.Resource).toEqual({ 'Fn::GetAtt': [busId(t), 'Arn'] });
  });

  test('the dashboard, the alarms (to the operators’ topic) and the outputs', () => {
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const alarms = resourcesOf(t, 'AWS::CloudWatch::Alarm');
    const names = alarms.map(([, a]) => String(a.Properties.AlarmName));
    for (const expected of ['OpUnavailable', 'IdTokenForgedSignature', 'IdTokenWrongIssuer', 'JwksUnavailable', 'EventPublishFailures', 'DeadLettersaudit']) {
      expect(names.some((n) => n.includes(expected))).toBe(true);
    }
    const topic = Object.keys(t.findResources('AWS::SNS::Topic'))[0]!;
    for (const [, a] of alarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: topic }]);
    for (const output of ['EventBusArn', 'DashboardUrl', 'OperatorsTopicArn', 'EventArchiveArn', 'AuditLogGroup']) t.hasOutput(output, {});
  });

  test('only this tenant’s rules may publish to the operators’ topic, and only this account use its key', () => {
    const statements = resourcesOf(t, 'AWS::SNS::TopicPolicy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
    const fromEvents = statements.filter((st) => st.Principal?.Service === 'events.amazonaws.com');
    expect(fromEvents.length).toBeGreaterThan(0);
    for (const st of fromEvents) expect(st.Condition).toEqual({ ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/ToOperators/), 'Arn'] } } });
    const key = resourcesOf(t, 'AWS::KMS::Key').find(([id]) => id.includes('TopicKey'))!;
    const services = (key[1].Properties.KeyPolicy.Statement as Array<Record<string, any>>).filter((x) => x.Principal?.Service);
    expect(services.map((st) => st.Principal.Service).sort()).toEqual(['cloudwatch.amazonaws.com', 'events.amazonaws.com']);
    const topicName = Object.values(t.findResources('AWS::SNS::Topic'))[0]!.Properties.TopicName as string;
    for (const st of services) expect(JSON.stringify(st.Condition.StringEquals['kms:EncryptionContext:aws:sns:topicArn'])).toMatch(new RegExp(`:sns:ap-northeast-1:\\d{12}:${topicName}"`));
  });

  test('no secret in the template: connections hold dynamic references only', () => {
    expect(findSecrets(t.toJSON())).toEqual([]);
    for (const [, c] of resourcesOf(t, 'AWS::Events::Connection')) {
      const value = String(c.Properties.AuthParameters.ApiKeyAuthParameters.ApiKeyValue);
      expect(value).toMatch(/^\{\{resolve:secretsmanager:[^}]+\}\}$/);
    }
  });
});

test('the plus tenant exports threat protection’s user-activity log and message delivery errors; the essentials one only the errors', () => {
  example.hasResourceProperties('AWS::Cognito::LogDeliveryConfiguration', {
    LogConfigurations: [
      { EventSource: 'userNotification', LogLevel: 'ERROR', CloudWatchLogsConfiguration: { LogGroupArn: Match.anyValue() } },
      { EventSource: 'userAuthEvents', LogLevel: 'INFO', CloudWatchLogsConfiguration: { LogGroupArn: Match.anyValue() } },
    ],
  });
  sandbox.hasResourceProperties('AWS::Cognito::LogDeliveryConfiguration', { LogConfigurations: [{ EventSource: 'userNotification', LogLevel: 'ERROR', CloudWatchLogsConfiguration: { LogGroupArn: Match.anyValue() } }] });
  // Cognito cannot deliver to a KMS-encrypted log group.
  for (const [, g] of resourcesOf(example, 'AWS::Logs::LogGroup').filter(([, g]) => String(g.Properties.LogGroupName ?? '').startsWith('/aws/vendedlogs/'))) expect(g.Properties.KmsKeyId).toBeUndefined();
});

test('SES events of the configuration set join through the ingest, and SES alarms hold its review thresholds', () => {
  const rule = resourcesOf(example, 'AWS::Events::Rule').find(([, r]) => r.Properties.EventPattern?.source?.[0] === 'aws.ses')!;
  expect(rule[1].Properties.EventPattern.detail).toEqual({ mail: { tags: { 'ses:configuration-set': ['myna-idp-example'] } } });
  const alarms = resourcesOf(example, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  const on = (metric: string) => alarms.find((a) => a.Metrics?.[0]?.MetricStat?.Metric?.MetricName === metric);
  expect(on('Reputation.BounceRate')).toMatchObject({ Threshold: 0.05, Metrics: [{ MetricStat: { Metric: { Namespace: 'AWS/SES' }, Stat: 'Average' } }] });
  expect(on('Reputation.ComplaintRate')).toMatchObject({ Threshold: 0.001, Metrics: [{ MetricStat: { Metric: { Namespace: 'AWS/SES' }, Stat: 'Average' } }] });
  // The mail stack points the configuration set at the default bus (the only one SES can use).
  const mail = Template.fromJSON(fixtures.template('MynaIdp-example-mail'));
  mail.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', { EventDestination: { EventBridgeDestination: { EventBusArn: Match.stringLikeRegexp(':event-bus/default$') }, MatchingEventTypes: ['bounce', 'complaint', 'reject', 'deliveryDelay', 'renderingFailure'] } });
});

test('a trail is created only when the tenant says so', () => {
  sandbox.resourceCountIs('AWS::CloudTrail::Trail', 1);
  example.resourceCountIs('AWS::CloudTrail::Trail', 0);
  const { template } = synthTenant({ ...minimalTenant(), operations: { cloudTrail: 'existing', events: { auditLogPolicy: 'existing' } } });
  template.resourceCountIs('AWS::CloudTrail::Trail', 0);
  template.resourceCountIs('AWS::Logs::ResourcePolicy', 0);
});

describe('the rules’ filters and input transformers against a sample event of every type', () => {
  const events = sampleEvents();
  const rules = rulesOn(example, busId(example));

  test('every sample conforms to the schema, and no field the transformers quote can hold a quote or a backslash', () => {
    for (const e of events) expect(securityEventDetailSchema.safeParse(e.detail).success).toBe(true);
    for (const re of Object.values(FIELD_PATTERNS)) for (const bad of ['"', '\\', '\n', ' ']) expect(re.test(`a${bad}b`)).toBe(false);
  });

  test('each target gets what its filter says: the audit log everything, the operators warning and above, Slack critical token/link/proxy events, the webhook everything', () => {
    const receivers = (description: RegExp) =>
      new Set(events.filter((e) => rules.some(([, r]) => description.test(r.Properties.Description) && matchesPattern(r.Properties.EventPattern, e))).map((e) => e.detail.type as string));
    const all = events.map((e) => e.detail.type as string);
    expect([...receivers(/audit log/)].sort()).toEqual([...all].sort());
    expect([...receivers(/webhook siem/)].sort()).toEqual([...all].sort());
    expect([...receivers(/operators' topic/)].sort()).toEqual(events.filter((e) => e.detail.severity !== 'info').map((e) => e.detail.type).sort());
    expect([...receivers(/Slack security/)].sort()).toEqual(['proxy.internal_error', 'token.id_token_rejected', 'token.record_unavailable', 'token.userinfo_rejected']);
  });

  test('Slack’s rule hands each event it receives, as it is, to the Slack notifier (which writes the message: test/e2e/operations/slack-notifier.test.ts)', () => {
    const slack = rules.filter(([, r]) => /Slack/.test(r.Properties.Description));
    expect(slack).toHaveLength(1);
    const [target] = slack[0]![1].Properties.Targets;
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OperationsEventsSecurityNotifierFunction/), 'Arn'] });
    expect(target.InputTransformer).toBeUndefined();
    expect(target.Input).toBeUndefined();
  });

  test('the webhook gets every event as it is, in its envelope', () => {
    const rule = rules.find(([, r]) => /webhook siem/.test(r.Properties.Description))!;
    for (const e of events) {
      const body = JSON.parse(transformInput(rule[1].Properties.Targets[0].InputTransformer, e));
      expect(body).toEqual({ version: '1', source: e.source, event: e.detail });
      expect(securityEventDetailSchema.safeParse(body.event).success).toBe(true);
    }
  });

  test('the operators’ email names the event, its severity and reason', () => {
    for (const e of events.filter((x) => x.detail.severity !== 'info')) {
      const [, r] = rules.find(([, r]) => /operators' topic/.test(r.Properties.Description) && matchesPattern(r.Properties.EventPattern, e))!;
      const text = JSON.parse(transformInput(r.Properties.Targets[0].InputTransformer, e)) as string;
      expect(text).toContain(`myna-idp example ${e.detail.severity === 'critical' ? '重大 / critical' : '警告 / warning'}: ${e.detail.type} (${e.detail.reason})`);
    }
  });
});

describe('a Slack target: a refusal by Slack (HTTP 200, ok:false) reaches its dead-letter queue and alarm', () => {
  const resources = example.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>;
  // Read leniently here, so that each test below fails on its own assertion when the wiring is not there.
  const [ruleId, rule] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::Events::Rule' && /Slack security/.test(r.Properties.Description)) ?? ['', undefined];
  const target = rule?.Properties.Targets[0];
  const fnId = String(target?.Arn?.['Fn::GetAtt']?.[0]);
  const fn = resources[fnId] ?? { Type: 'none', Properties: {} };
  const queueId = String(target?.DeadLetterConfig?.Arn?.['Fn::GetAtt']?.[0]);
  const roleId = String(fn.Properties.Role?.['Fn::GetAtt']?.[0]);
  const roleStatements = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as Array<{ Ref: string }>).some((x) => x.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>);

  test('the rule’s target is a Node.js 22 function, not an API destination; EventBridge may invoke it from this rule only', () => {
    expect(fn.Type).toBe('AWS::Lambda::Function');
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Environment: { Variables: { SLACK_CHANNEL: 'C0123456789', SLACK_TOKEN_STORE_ID: 'myna-idp/example/slack-bot-token', TENANT_ID: 'example' } } });
    expect(fn.Properties.Environment.Variables.SLACK_API_URL).toBeUndefined();
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::Events::ApiDestination' && /Slack/.test(String(r.Properties.Description)))).toEqual([]);
    example.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] } });
  });

  test('the function’s failures, after Lambda’s retries (within its limits), go to the target’s own queue, which the rule target uses too and an alarm watches', () => {
    // The queue of this target (dlq(target.name)): an SQS queue named after it.
    expect([resources[queueId]!.Type, queueId]).toEqual(['AWS::SQS::Queue', expect.stringMatching(/^OperationsEventssecurityDeadLetters/)]);
    example.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: Match.anyValue(),
      MaximumEventAgeInSeconds: Match.anyValue(),
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    const config = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::EventInvokeConfig' && r.Properties.FunctionName?.Ref === fnId)!.Properties;
    expect(config.MaximumRetryAttempts).toBeLessThanOrEqual(2);
    expect(config.MaximumEventAgeInSeconds).toBeGreaterThanOrEqual(60);
    expect(config.MaximumEventAgeInSeconds).toBeLessThanOrEqual(21600);
    // Lambda sends the record with the function's role.
    expect(roleStatements).toContainEqual(expect.objectContaining({ Effect: 'Allow', Action: expect.arrayContaining(['sqs:SendMessage']), Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } }));
    const alarm = Object.values(resources).find((r) => r.Type === 'AWS::CloudWatch::Alarm' && JSON.stringify(r.Properties).includes(`"${queueId}"`));
    expect(alarm?.Properties).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 0 });
    expect(JSON.stringify(alarm!.Properties)).toContain('ApproximateNumberOfMessagesVisible');
  });

  test('the role reads the one secret the tenant file names, by its name and Secrets Manager’s six-character suffix, and nothing else of Secrets Manager', () => {
    const reads = roleStatements.filter((st) => JSON.stringify(st.Action).includes('secretsmanager:'));
    expect(reads).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: expect.stringMatching(/^arn:aws:secretsmanager:ap-northeast-1:\d{12}:secret:myna-idp\/example\/slack-bot-token-\?{6}$/) },
    ]);
  });

  test('the token is nowhere in the template', () => {
    expect(findSecrets(example.toJSON())).toEqual([]);
    expect(JSON.stringify(example.toJSON())).not.toMatch(/xox[bp]-|Bearer/);
  });

  test('a tenant’s retry policy beyond Lambda’s limits is held to them; a tokenField and a secret ARN are passed and granted as given', () => {
    const input = readTenantInput('example');
    input.operations.events = { ...input.operations.events, retry: { attempts: 20, maxEventAgeSeconds: 86400 } };
    const slack = input.operations.targets.find((x: { kind: string }) => x.kind === 'slack');
    slack.tokenSecret = 'arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:myna-idp/acme/slack-AbCdEf';
    slack.tokenField = 'bot';
    const { stack, template } = synthTenant(input);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 });
    // cdk-nag AwsSolutions: no finding left unacknowledged (the notifier, its role and its queue included).
    const app = stack.node.root as App;
    const findings = new AwsSolutionsChecks(app).validateScope(app).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.resourceLogicalId}`));
    expect(findings).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SLACK_TOKEN_STORE_ID: slack.tokenSecret, SLACK_TOKEN_FIELD: 'bot' }) } });
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: slack.tokenSecret }]) } });
    template.hasResourceProperties('AWS::Events::Rule', { Description: 'Security events to Slack security', Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 86400 } })] });
  });
});

test('a tenant file with a bad target is refused with the field named', () => {
  const input = readTenantInput('example');
  input.operations.targets.push({ ...input.operations.targets[0], url: 'http://insecure.example/hook' });
  expect(() => synthTenant(input)).toThrow(/url|https/);
});

test('a tenant whose alarms reach nobody is warned at synth (a production one is refused at its tenant file)', () => {
  const { stack } = synthTenant(minimalTenant());
  Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('no operations.operators.emails: its alarms go to the operators'));
  const withOperators = synthTenant({ ...minimalTenant(), operations: { operators: { emails: ['ops@acme.example'] } } }).stack;
  expect(Annotations.fromStack(withOperators).findWarning('*', Match.stringLikeRegexp('operators.emails'))).toEqual([]);
});
