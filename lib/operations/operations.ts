/**
 * Everything for the people who operate a tenant: the security events and their routing, the
 * export of Cognito's logs, the dashboard and the alarms, and the outputs that point at them.
 */
import { Annotations, CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { UserPool } from 'aws-cdk-lib/aws-cognito';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { TenantConfig } from '../config/schema';
import { EventRouting } from './event-routing';
import { TenantMonitoring, type MonitoredFunction } from './monitoring';
import { UserActivityLog } from './user-activity-log';

export interface OperationsProps {
  readonly tenant: TenantConfig;
  readonly userPool: UserPool;
  /** The federation proxy, when the tenant has card federation. */
  readonly proxy?: { fn: NodejsFunction; role: iam.IRole; logGroup: logs.ILogGroup };
  /** The pre token generation trigger, when there is one. */
  readonly tokenClaims?: { fn: NodejsFunction; role: iam.IRole; logGroup: logs.ILogGroup };
}

export class Operations extends Construct {
  readonly events: EventRouting;
  readonly monitoring: TenantMonitoring;
  readonly logs: UserActivityLog;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const { tenant } = props;
    const o = tenant.operations;
    const removalPolicy = tenant.environment === 'production' ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;
    const region = Stack.of(this).region;
    const email = tenant.email;
    const sesRegion = email.sender === 'ses' ? (email.sesRegion ?? tenant.region) : undefined;
    const publishers = [props.proxy, props.tokenClaims].filter((p) => p !== undefined);
    if (o.operators.emails.length === 0) {
      // Production tenants are refused this at the tenant file (lib/config/operations.ts).
      Annotations.of(this).addWarningV2(
        'myna-idp:operators-none',
        `Tenant ${tenant.id} has no operations.operators.emails: its alarms go to the operators' topic, which nobody is subscribed to.`,
      );
    }

    this.events = new EventRouting(this, 'Events', {
      tenant,
      operations: o,
      userPool: props.userPool,
      publishers,
      // SES can publish only to the default bus of its own region: its events join when that is the tenant's.
      ...(email.sender === 'ses' && email.configurationSet && sesRegion === tenant.region ? { sesConfigurationSet: email.configurationSet.name } : {}),
      removalPolicy,
    });
    this.logs = new UserActivityLog(this, 'CognitoLogs', { tenant, operations: o, userPool: props.userPool, removalPolicy });
    // Cognito's log delivery after the policy that lets it write, so that its first delivery finds
    // the policy and does not add one of its own (10 per Region, hard: docs/operations-facts.md §2).
    if (this.events.logsPolicy) this.logs.delivery.node.addDependency(this.events.logsPolicy);

    const fn = (name: string, f: { fn: NodejsFunction; logGroup: logs.ILogGroup }): MonitoredFunction => ({ name, fn: f.fn, logGroup: f.logGroup });
    const proxy = props.proxy ? fn('federation-proxy', props.proxy) : undefined;
    const functions = [...(proxy ? [proxy] : []), ...(props.tokenClaims ? [fn('token-claims', props.tokenClaims)] : []), fn('event-ingest', this.events.ingest)];
    this.monitoring = new TenantMonitoring(this, 'Monitoring', {
      tenant,
      operations: o,
      userPool: props.userPool,
      topic: this.events.topic,
      functions,
      ...(proxy ? { proxy } : {}),
      deadLetterQueues: this.events.deadLetterQueues,
      ...(sesRegion ? { sesRegion } : {}),
    });

    const stack = Stack.of(this);
    new CfnOutput(stack, 'EventBusArn', { description: 'The tenant’s security event bus (schema myna-idp.security-event/1)', value: this.events.bus.eventBusArn });
    new CfnOutput(stack, 'EventArchiveArn', { description: 'The archive of every security event (aws events start-replay --event-source-arn)', value: this.events.archive.archiveArn });
    new CfnOutput(stack, 'AuditLogGroup', { description: 'Every security event, in CloudWatch Logs', value: this.events.auditLog.logGroupName });
    new CfnOutput(stack, 'OperatorsTopicArn', { description: 'Alarms and events for the operators (SNS)', value: this.events.topic.topicArn });
    new CfnOutput(stack, 'DashboardUrl', { description: 'The tenant’s CloudWatch dashboard', value: this.monitoring.url(region) });
  }
}
