/**
 * The `operations` section: where a tenant's security events go, what is kept, and when
 * operators are alarmed. Every field has a default, so a tenant file without the section gets
 * the event bus, the audit log, the archive, the dashboard and the alarms.
 */
import { z } from 'zod';
import type { CoreTenant } from './sections';
import type { TenantRule } from './rules';

/** The retention periods CloudWatch Logs accepts (days). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
const retention = (dflt: (typeof LOG_RETENTION_DAYS)[number], what: string) =>
  z
    .number()
    .int()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), { message: `must be one of CloudWatch Logs' retention periods: ${LOG_RETENTION_DAYS.join(', ')}` })
    .default(dflt)
    .describe(`Days ${what} is kept (a CloudWatch Logs retention period).`);

const severity = z.enum(['info', 'warning', 'critical']);
const secretRef = z
  .string()
  .regex(/^(?:arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:)?[A-Za-z0-9/_+=.@-]{1,512}$/, { message: 'must be the name or ARN of a Secrets Manager secret' });
const eventTypePrefix = z.string().regex(/^[a-z_]+(?:\.[a-z_]*)?$/, { message: 'must be an event type or its prefix, such as token. or token.id_token_rejected' });
const targetName = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, { message: 'must be 1-31 lowercase letters, digits or hyphens, starting with a letter' });

const filterShape = {
  name: targetName.describe('Target name, unique within the tenant.'),
  minSeverity: severity.default('warning').describe('The least severity sent to this target.'),
  types: z.array(eventTypePrefix).min(1).optional().describe('Event types (or prefixes ending in a dot, such as token.) sent to this target. Default: every type.'),
};

export const webhookTargetSchema = z.strictObject({
  kind: z.literal('webhook').describe('An HTTPS endpoint (EventBridge API destination) that receives each event as JSON.'),
  ...filterShape,
  url: z
    .url({ protocol: /^https$/, message: 'must be an https URL' })
    .describe('The endpoint. It receives {"version","source","event"} with the event of schema myna-idp.security-event/1.'),
  credential: z
    .strictObject({
      secret: secretRef.describe('Secrets Manager secret holding the credential (created by you; never in the tenant file).'),
      field: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional().describe('JSON field of the secret holding the value. Default: the whole secret string.'),
      header: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { message: 'must be an HTTP header name' }).default('Authorization').describe('Header that carries it.'),
    })
    .describe('How the endpoint authenticates the calls: an API key header whose value is in Secrets Manager.'),
  rateLimitPerSecond: z.number().int().min(1).max(300).default(10).describe('Most calls a second.'),
});

export const slackTargetSchema = z.strictObject({
  kind: z.literal('slack').describe('A Slack channel, through the Web API chat.postMessage (a bot token, not an incoming-webhook URL: the token stays in Secrets Manager).'),
  ...filterShape,
  channel: z.string().regex(/^[CGD][A-Z0-9]{8,12}$/, { message: 'must be a Slack channel id such as C0123456789' }).describe('Channel id.'),
  tokenSecret: secretRef.describe('Secrets Manager secret whose string is the bot token (xoxb-…), with the chat:write scope.'),
  tokenField: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional().describe('JSON field of the secret holding the token. Default: the whole secret string.'),
});

export const operationsSchema = z
  .strictObject({
    events: z
      .strictObject({
        publishTimeoutMs: z.number().int().min(50).max(2000).default(250).describe('Longest a sign-in waits for one event to be published (ms); beyond it the event stays in the function log and is counted as a publishing failure.'),
        archiveDays: z.number().int().min(0).max(3650).default(90).describe('Days the archive keeps every event, for replay (0: indefinitely).'),
        auditLogDays: retention(365, 'the audit log (every event, in CloudWatch Logs)'),
        auditLogPolicy: z
          .enum(['create', 'existing'])
          .default('create')
          .describe('EventBridge and Cognito write to the log groups under a CloudWatch Logs resource policy; an account has at most 10 per region (a hard quota). create: this stack creates one; existing: one granting events.amazonaws.com and delivery.logs.amazonaws.com logs:CreateLogStream and logs:PutLogEvents on /aws/events/myna-idp/* and /aws/vendedlogs/cognito/myna-idp/* exists (the README shows it).'),
        retry: z
          .strictObject({
            attempts: z.number().int().min(0).max(185).default(8).describe('Retries of a target (0-185).'),
            maxEventAgeSeconds: z.number().int().min(60).max(86400).default(3600).describe('How long a target is retried (60-86400 s).'),
          })
          .default({ attempts: 8, maxEventAgeSeconds: 3600 })
          .describe('How EventBridge retries a target before the event goes to its dead-letter queue.'),
      })
      .default({ publishTimeoutMs: 250, archiveDays: 90, auditLogDays: 365, auditLogPolicy: 'create', retry: { attempts: 8, maxEventAgeSeconds: 3600 } })
      .describe('The tenant’s event bus.'),
    cloudTrail: z
      .enum(['create', 'existing'])
      .default('create')
      .describe('Cognito’s management API calls reach EventBridge through CloudTrail. create: this stack creates a trail of management events (with its S3 bucket); existing: an account or organisation trail exists already.'),
    userActivityLog: z
      .strictObject({
        destination: z
          .enum(['cloudwatch', 's3'])
          .default('cloudwatch')
          .describe('Where Cognito exports the threat protection user-activity log (plan plus with threat protection on; it does not cover federated sign-ins). Message delivery errors always go to CloudWatch Logs.'),
        retentionDays: retention(365, 'the exported user-activity log'),
      })
      .default({ destination: 'cloudwatch', retentionDays: 365 })
      .describe('Cognito’s log export (AWS::Cognito::LogDeliveryConfiguration).'),
    operators: z
      .strictObject({
        emails: z.array(z.email({ message: 'must be an email address' })).default([]).describe('Addresses subscribed to the operators’ topic (each confirms by mail).'),
        minSeverity: severity.default('warning').describe('The least severity of events sent to the topic (alarms always are).'),
      })
      .default({ emails: [], minSeverity: 'warning' })
      .describe('The operators’ SNS topic: alarms and events.'),
    targets: z
      .array(z.discriminatedUnion('kind', [webhookTargetSchema, slackTargetSchema], { error: 'kind must be one of: webhook, slack' }))
      .default([])
      .describe('More places events go: webhooks and Slack.'),
    alarms: z
      .strictObject({
        proxyErrorRatePercent: z.number().min(0.1).max(100).default(5).describe('Federation proxy errors, percent of invocations over 5 minutes.'),
        opFailuresPerFiveMinutes: z.number().int().min(1).default(5).describe('OP errors or timeouts (token.op_error) in 5 minutes.'),
        jwksFailuresPerFiveMinutes: z.number().int().min(1).default(1).describe('Failures to fetch the OP’s keys in 5 minutes.'),
        deliveryFailuresPerFiveMinutes: z.number().int().min(1).default(1).describe('Events not published to the bus (a failure or the time bound) in 5 minutes.'),
        sesBounceRatePercent: z.number().min(0.1).max(100).default(5).describe('SES account bounce rate (SES reviews an account at 5%).'),
        sesComplaintRatePercent: z.number().min(0.01).max(100).default(0.1).describe('SES account complaint rate (SES reviews an account at 0.1%).'),
      })
      .default({ proxyErrorRatePercent: 5, opFailuresPerFiveMinutes: 5, jwksFailuresPerFiveMinutes: 1, deliveryFailuresPerFiveMinutes: 1, sesBounceRatePercent: 5, sesComplaintRatePercent: 0.1 })
      .describe('Alarm thresholds. Always alarmed besides these: any ID token with a forged signature or a wrong issuer, and any message in a dead-letter queue.'),
  })
  .describe('For operators: the event bus and its targets, log export, dashboard and alarms.');

export type OperationsConfig = z.output<typeof operationsSchema>;
export type EventTarget = OperationsConfig['targets'][number];

/** The section as a tenant without one gets it. */
export const defaultOperations = (): OperationsConfig => operationsSchema.parse({});

const targetNamesUnique: TenantRule<CoreTenant & { operations: OperationsConfig }> = (t, report) => {
  const seen = new Set<string>();
  t.operations.targets.forEach((target, i) => {
    if (seen.has(target.name)) report(['operations', 'targets', i, 'name'], `${target.name} names another target too`);
    seen.add(target.name);
  });
};

const userActivityNeedsPlus: TenantRule<CoreTenant & { operations: OperationsConfig }> = (t, report) => {
  if (t.operations.userActivityLog.destination === 's3' && (t.plan !== 'plus' || t.threatProtection === 'off')) {
    report(['operations', 'userActivityLog', 'destination'], 's3 needs a user-activity log, which Cognito writes only with plan plus and threat protection audit or enforced; message delivery errors go to CloudWatch Logs only');
  }
};

/**
 * Alarms reach people only through the operators' topic, whose subscribers are these addresses
 * (targets receive security events, not alarms): a production tenant without one would page
 * nobody. A sandbox tenant may go without; the stack warns at synth (lib/operations/operations.ts).
 */
const productionNeedsOperators: TenantRule<CoreTenant & { operations: OperationsConfig }> = (t, report) => {
  if (t.environment === 'production' && t.operations.operators.emails.length === 0) {
    report(['operations', 'operators', 'emails'], 'a production tenant needs at least one address: its alarms go to the operators’ topic and would reach nobody (webhook and Slack targets get security events, not alarms)');
  }
};

export const operationsRules = [targetNamesUnique, userActivityNeedsPlus, productionNeedsOperators];
