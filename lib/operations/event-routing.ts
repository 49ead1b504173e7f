/**
 * The tenant's security events: one EventBridge bus that the proxy, the triggers and the
 * ingest of Cognito's and SES's own signals publish to; an archive for replay; and rules from
 * the tenant file to the audit log (always), the operators' topic, webhooks and Slack. Every
 * target has a retry policy and a dead-letter queue of its own (encrypted, SSL only).
 */
import { ArnFormat, Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { UserPool } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { EventTarget, OperationsConfig } from '../config/operations';
import type { TenantConfig } from '../config/schema';
import { acknowledge } from '../private/acknowledge';
import { lambdaEntry, NodeFunction } from '../private/node-function';
import { logGroupArnOf, vendedLogPrefix } from './user-activity-log';
import { SECURITY_EVENT_DETAIL_TYPE, SECURITY_EVENT_SCHEMA, SEVERITY_LABELS } from '../../lambdas/shared/security-events';

const SEVERITY_ORDER = ['info', 'warning', 'critical'] as const;
type Severity = (typeof SEVERITY_ORDER)[number];
const atLeast = (min: Severity) => SEVERITY_ORDER.slice(SEVERITY_ORDER.indexOf(min));

/** The event pattern of a target's filter: myna-idp's events of these severities (and types, by name or prefix). */
export function filterPattern(severities: readonly Severity[], types?: readonly string[]): events.EventPattern {
  return {
    source: events.Match.prefix('myna-idp.'),
    detailType: [SECURITY_EVENT_DETAIL_TYPE],
    detail: {
      schema: [SECURITY_EVENT_SCHEMA],
      severity: [...severities],
      ...(types ? { type: types.map((t) => (t.endsWith('.') ? { prefix: t } : t)) } : {}),
    },
  };
}

/** The operators' topic's message for one event (email): what happened, where to look. */
export function operatorsMessage(severity: Severity): events.RuleTargetInput {
  const f = (path: string) => events.EventField.fromPath(`$.detail.${path}`);
  return events.RuleTargetInput.fromText(
    `myna-idp ${f('tenant')} ${SEVERITY_LABELS[severity]}: ${f('type')} (${f('reason')}) at ${f('time')} from ${f('component')}. Event ${f('id')}; the audit log has every event.`,
  );
}

/** The webhook's body: the event as it is (schema myna-idp.security-event/1) with its EventBridge envelope's source. */
export const webhookBody = (): events.RuleTargetInput =>
  events.RuleTargetInput.fromObject({ version: '1', source: events.EventField.source, event: events.EventField.fromPath('$.detail') });

/** A rule target whose permission is granted by the caller (`grant`), with its dead-letter queue and retry policy. */
function ownTarget(arn: string, dlq: sqs.Queue, retry: OperationsConfig['events']['retry'], input?: events.RuleTargetInput, grant?: (rule: events.IRuleRef) => void): events.IRuleTarget {
  return {
    bind: (rule) => {
      grant?.(rule);
      targets.addToDeadLetterQueueResourcePolicy(rule, dlq);
      return { arn, ...(input ? { input } : {}), deadLetterConfig: { arn: dlq.queueArn }, retryPolicy: { maximumRetryAttempts: retry.attempts, maximumEventAgeInSeconds: retry.maxEventAgeSeconds } };
    },
  };
}

/**
 * The ARN an IAM policy names for a secret given by name or ARN. Secrets Manager's ARN ends with
 * the name, a hyphen and six random characters: a name (or an ARN without them) gets `-??????`,
 * which matches exactly those six, as CDK's `Secret.fromSecretNameV2` grants.
 */
export function secretArnOf(stack: Stack, nameOrArn: string): string {
  if (nameOrArn.startsWith('arn:')) return /-[A-Za-z0-9]{6}$/.test(nameOrArn) ? nameOrArn : `${nameOrArn}-??????`;
  return stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${nameOrArn}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

export interface EventRoutingProps {
  readonly tenant: TenantConfig;
  readonly operations: OperationsConfig;
  readonly userPool: UserPool;
  /** The functions that publish events (the proxy, the triggers): they get EVENT_BUS_NAME and events:PutEvents. */
  readonly publishers: ReadonlyArray<{ fn: { addEnvironment(k: string, v: string): unknown }; role: iam.IRole }>;
  /** SES events join when the configuration set is in the tenant's region. */
  readonly sesConfigurationSet?: string;
  readonly removalPolicy: RemovalPolicy;
}

export class EventRouting extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  readonly auditLog: logs.LogGroup;
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;
  /** Every target's dead-letter queue, by target name. */
  readonly deadLetterQueues = new Map<string, sqs.Queue>();
  readonly ingest: NodeFunction;
  readonly trail?: cloudtrail.Trail;
  /** The Logs resource policy for the audit log and Cognito's exports (`auditLogPolicy: create`). */
  readonly logsPolicy?: logs.ResourcePolicy;

  constructor(scope: Construct, id: string, props: EventRoutingProps) {
    super(scope, id);
    const { tenant, operations: o } = props;
    const retry = { retryAttempts: o.events.retry.attempts, maxEventAge: Duration.seconds(o.events.retry.maxEventAgeSeconds) };

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: `myna-idp-${tenant.id}`, description: `myna-idp ${tenant.id}: security events (schema myna-idp.security-event/1)` });
    this.archive = this.bus.archive('Archive', {
      archiveName: `myna-idp-${tenant.id}`,
      description: 'Every security event, for replay',
      eventPattern: { source: events.Match.prefix('myna-idp.') },
      ...(o.events.archiveDays > 0 ? { retention: Duration.days(o.events.archiveDays) } : {}),
    });
    for (const p of props.publishers) {
      p.fn.addEnvironment('EVENT_BUS_NAME', this.bus.eventBusName);
      p.fn.addEnvironment('EVENT_PUBLISH_TIMEOUT_MS', String(o.events.publishTimeoutMs));
      p.fn.addEnvironment('TENANT_ID', tenant.id);
      this.bus.grantPutEventsTo(p.role);
    }

    const dlq = (name: string) => {
      const q = new sqs.Queue(this, `${name}DeadLetters`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy: props.removalPolicy,
      });
      acknowledge(q, 'AwsSolutions-SQS3', `The dead-letter queue of the EventBridge target ${name}; a dead-letter queue has none of its own.`);
      this.deadLetterQueues.set(name, q);
      return q;
    };

    // The audit trail: every event, in CloudWatch Logs (the resource policy lets EventBridge write).
    this.auditLog = new logs.LogGroup(this, 'AuditLog', {
      logGroupName: `/aws/events/myna-idp/${tenant.id}/security-events`,
      retention: o.events.auditLogDays as logs.RetentionDays,
      removalPolicy: props.removalPolicy,
    });
    const auditDlq = dlq('audit');
    const auditRule = new events.Rule(this, 'ToAuditLog', { eventBus: this.bus, description: 'Every security event to the audit log', eventPattern: { source: events.Match.prefix('myna-idp.') } });
    // The log group's writer is named in the Logs resource policy below, not granted by CDK's
    // CloudWatchLogGroup target. The target is the group's ARN without the `:*` of GetAtt, as
    // aws-cdk-lib's own CloudWatchLogGroup target writes it (docs/operations-facts.md §2).
    auditRule.addTarget(ownTarget(logGroupArnOf(this.auditLog), auditDlq, o.events.retry));
    if (o.events.auditLogPolicy === 'create') {
      // One policy for the tenant's log groups that services write to: the audit log and Cognito's exports.
      const stack = Stack.of(this);
      this.logsPolicy = new logs.ResourcePolicy(this, 'LogsPolicy', {
        resourcePolicyName: `myna-idp-${tenant.id}`,
        policyStatements: [
          // EventBridge: the audit log only, in the form EventBridge's user guide gives for a
          // CloudWatch Logs target (both principals, no condition: docs/operations-facts.md §2).
          new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [this.auditLog.logGroupArn],
          }),
          // Cognito's log delivery: its export groups only.
          new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${vendedLogPrefix(tenant.id)}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
            conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
          }),
        ],
      });
    }

    // The operators' topic (encrypted; EventBridge and CloudWatch alarms may publish).
    this.topicKey = new kms.Key(this, 'TopicKey', { description: `myna-idp ${tenant.id}: encrypts the operators' topic`, enableKeyRotation: true, removalPolicy: props.removalPolicy, pendingWindow: Duration.days(7) });
    // EventBridge and CloudWatch alarms may use the key to publish to this topic only (its
    // encryption context). SNS does not support aws:SourceAccount or aws:SourceArn in a key policy
    // for EventBridge's publishing (docs/operations-facts.md §4); the alarms' statement has it too.
    const topicName = `myna-idp-${tenant.id}-operators`;
    const topicArn = Stack.of(this).formatArn({ service: 'sns', resource: topicName });
    for (const service of ['events.amazonaws.com', 'cloudwatch.amazonaws.com']) {
      this.topicKey.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn, ...(service === 'cloudwatch.amazonaws.com' ? { 'aws:SourceAccount': Stack.of(this).account } : {}) } },
        }),
      );
    }
    this.topic = new sns.Topic(this, 'Operators', { topicName, displayName: `myna-idp ${tenant.id} operators`, masterKey: this.topicKey, enforceSSL: true });
    // The topic's own policy (enforceSSL makes one) replaces SNS's default policy, which let the
    // account publish: CloudWatch alarms of this account and Region are named here, or no alarm
    // reaches anyone (docs/operations-facts.md §4).
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': Stack.of(this).formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        },
      }),
    );
    for (const email of o.operators.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    const topicDlq = dlq('operators');
    for (const severity of atLeast(o.operators.minSeverity)) {
      new events.Rule(this, `ToOperators${severity}`, {
        eventBus: this.bus,
        description: `${severity} security events to the operators' topic`,
        eventPattern: filterPattern([severity]),
        targets: [this.topicTarget(operatorsMessage(severity), topicDlq, o.events.retry)],
      });
    }

    for (const target of o.targets) this.addTarget(target, dlq(target.name), retry, tenant.id);

    // Cognito's and SES's signals from the default bus, normalised (no personal data) onto this bus.
    this.ingest = new NodeFunction(this, 'Ingest', {
      entry: lambdaEntry('event-ingest', 'handler.ts'),
      description: `myna-idp ${tenant.id}: Cognito API calls (CloudTrail) and SES events as security events`,
      timeout: Duration.seconds(10),
      memorySize: 256,
      environment: { TENANT_ID: tenant.id, USER_POOL_ID: props.userPool.userPoolId, EVENT_BUS_NAME: this.bus.eventBusName },
    });
    this.bus.grantPutEventsTo(this.ingest.role);
    const ingestDlq = dlq('ingest');
    const ingestTarget = new targets.LambdaFunction(this.ingest.fn, { deadLetterQueue: ingestDlq, ...retry });
    new events.Rule(this, 'CognitoApiCalls', {
      description: `This user pool's API calls (CloudTrail) to myna-idp ${tenant.id}'s ingest`,
      eventPattern: { source: ['aws.cognito-idp'], detailType: ['AWS API Call via CloudTrail'], detail: { requestParameters: { userPoolId: [props.userPool.userPoolId] } } },
      targets: [ingestTarget],
    });
    if (props.sesConfigurationSet) {
      new events.Rule(this, 'SesEvents', {
        description: `SES events of configuration set ${props.sesConfigurationSet} to myna-idp ${tenant.id}'s ingest`,
        eventPattern: { source: ['aws.ses'], detail: { mail: { tags: { 'ses:configuration-set': [props.sesConfigurationSet] } } } },
        targets: [ingestTarget],
      });
    }

    if (o.cloudTrail === 'create') {
      const bucket = new s3.Bucket(this, 'TrailBucket', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
        removalPolicy: props.removalPolicy,
        // S3 deletes only an empty bucket (every version too), and CloudTrail writes to it from
        // its first minute: a bucket the stack deletes is emptied first, or `cdk destroy` of a
        // sandbox tenant fails (docs/operations-facts.md §2). A kept one keeps its records.
        autoDeleteObjects: props.removalPolicy === RemovalPolicy.DESTROY,
        // The records hold user subs and addresses of callers: kept as long as the audit log.
        lifecycleRules: [{ expiration: Duration.days(o.events.auditLogDays), noncurrentVersionExpiration: Duration.days(1) }],
      });
      acknowledge(bucket, 'AwsSolutions-S1', "The trail's own bucket: its objects are CloudTrail's log files (with digest validation); server access logs of it would need a bucket of their own.");
      this.trail = new cloudtrail.Trail(this, 'Trail', {
        trailName: `myna-idp-${tenant.id}`,
        bucket,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableFileValidation: true,
        managementEvents: cloudtrail.ReadWriteType.ALL,
      });
      // On deletion the trail goes first, then the bucket is emptied, then deleted: without this
      // order CloudTrail could write into the bucket after it was emptied (docs/operations-facts.md §2).
      const emptier = bucket.node.tryFindChild('AutoDeleteObjectsCustomResource');
      if (emptier) this.trail.node.addDependency(emptier);
    }
  }

  /**
   * The operators' topic as a rule's target. Not CDK's SnsTopic target: its grant lets any rule
   * of any account publish (no condition); this one lets only the rule it is bound to.
   */
  private topicTarget(input: events.RuleTargetInput, dlq: sqs.Queue, retry: OperationsConfig['events']['retry']): events.IRuleTarget {
    return ownTarget(this.topic.topicArn, dlq, retry, input, (rule) =>
      this.topic.addToResourcePolicy(
        new iam.PolicyStatement({ principals: [new iam.ServicePrincipal('events.amazonaws.com')], actions: ['sns:Publish'], resources: [this.topic.topicArn], conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleRef.ruleArn } } }),
      ),
    );
  }

  private addTarget(target: EventTarget, dlq: sqs.Queue, retry: { retryAttempts: number; maxEventAge: Duration }, tenantId: string) {
    const id = target.name.replace(/(^|-)([a-z0-9])/g, (_, _d, c: string) => c.toUpperCase());
    const severities = atLeast(target.minSeverity);
    if (target.kind === 'webhook') {
      const c = target.credential;
      const connection = new events.Connection(this, `${id}Connection`, {
        description: `myna-idp webhook ${target.name}`,
        authorization: events.Authorization.apiKey(c.header, SecretValue.secretsManager(c.secret, c.field ? { jsonField: c.field } : {})),
      });
      const destination = new events.ApiDestination(this, `${id}Destination`, { connection, endpoint: target.url, httpMethod: events.HttpMethod.POST, rateLimitPerSecond: target.rateLimitPerSecond, description: `myna-idp webhook ${target.name}` });
      new events.Rule(this, `To${id}`, {
        eventBus: this.bus,
        description: `Security events to webhook ${target.name}`,
        eventPattern: filterPattern(severities, target.types),
        targets: [new targets.ApiDestination(destination, { event: webhookBody(), deadLetterQueue: dlq, ...retry })],
      });
      return;
    }
    // Slack answers a refused call with HTTP 200 and `ok: false`, which an API destination counts
    // as delivered (docs/operations-facts.md §4). So a function posts the message and throws on
    // anything but `ok: true`; it reads the token from Secrets Manager itself (never in the template).
    const notifier = new NodeFunction(this, `${id}Notifier`, {
      entry: lambdaEntry('slack-notifier', 'handler.ts'),
      description: `myna-idp Slack ${target.name}: security events to channel ${target.channel}`,
      timeout: Duration.seconds(30),
      memorySize: 128,
      environment: {
        TENANT_ID: tenantId,
        SLACK_CHANNEL: target.channel,
        SLACK_TOKEN_STORE_ID: target.tokenSecret,
        ...(target.tokenField ? { SLACK_TOKEN_FIELD: target.tokenField } : {}),
      },
    });
    // The one secret the tenant file names, and only its value (`-??????` is no wildcard to
    // cdk-nag's IAM5, which looks for `*`).
    const secretArn = secretArnOf(Stack.of(this), target.tokenSecret);
    notifier.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }));
    // EventBridge invokes Lambda asynchronously: a function error is retried by Lambda, and
    // then goes to the function's on-failure destination, not to the rule target's dead-letter
    // queue (which keeps failures to invoke). Both are this target's queue, which is alarmed.
    // Lambda allows 0-2 retries and 60 s-6 h of age (docs/operations-facts.md §4).
    notifier.fn.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(dlq),
      retryAttempts: Math.min(retry.retryAttempts, 2),
      maxEventAge: Duration.seconds(Math.min(Math.max(retry.maxEventAge.toSeconds(), 60), 6 * 3600)),
    });
    new events.Rule(this, `To${id}`, {
      eventBus: this.bus,
      description: `Security events to Slack ${target.name}`,
      eventPattern: filterPattern(severities, target.types),
      targets: [new targets.LambdaFunction(notifier.fn, { deadLetterQueue: dlq, ...retry })],
    });
  }
}
