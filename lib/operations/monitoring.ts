/**
 * The tenant's dashboard and alarms (cdk-monitoring-constructs): Cognito's own metrics, the
 * security events as metrics (embedded metric format from the proxy and the triggers), the
 * functions, the dead-letter queues and SES's reputation. Alarms go to the operators' topic.
 *
 * Cognito's sign-in metrics are samples of 0 or 1: SampleCount is the volume and Average the
 * success rate (docs/operations-facts.md).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { UserPool } from 'aws-cdk-lib/aws-cognito';
import { DefaultDashboardFactory, MonitoringFacade, SnsAlarmActionStrategy, type CustomMetric } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import type { OperationsConfig } from '../config/operations';
import type { TenantConfig } from '../config/schema';
import { METRICS_NAMESPACE } from '../../lambdas/shared/security-events';

const FIVE_MINUTES = Duration.minutes(5);

export interface MonitoredFunction {
  readonly name: string;
  readonly fn: NodejsFunction;
  readonly logGroup: logs.ILogGroup;
}

export interface TenantMonitoringProps {
  readonly tenant: TenantConfig;
  readonly operations: OperationsConfig;
  readonly userPool: UserPool;
  readonly topic: sns.ITopic;
  /** The federation proxy first, when there is one. */
  readonly functions: readonly MonitoredFunction[];
  readonly proxy?: MonitoredFunction;
  readonly deadLetterQueues: ReadonlyMap<string, sqs.IQueue>;
  /** SES's reputation metrics are account-wide, in the SES region: alarmed only when it is the tenant's. */
  readonly sesRegion?: string;
}

export class TenantMonitoring extends Construct {
  readonly dashboardName: string;
  readonly facade: MonitoringFacade;

  constructor(scope: Construct, id: string, props: TenantMonitoringProps) {
    super(scope, id);
    const { tenant, operations: o, userPool } = props;
    const a = o.alarms;
    const region = Stack.of(this).region;
    this.dashboardName = `myna-idp-${tenant.id}`;
    this.facade = new MonitoringFacade(this, 'Monitoring', {
      alarmFactoryDefaults: {
        alarmNamePrefix: `myna-idp-${tenant.id}`,
        actionsEnabled: true,
        action: new SnsAlarmActionStrategy({ onAlarmTopic: props.topic }),
        datapointsToAlarm: 1,
        evaluationPeriods: 1,
      },
      metricFactoryDefaults: { period: FIVE_MINUTES },
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', { dashboardNamePrefix: this.dashboardName, createDashboard: true, createSummaryDashboard: false, createAlarmDashboard: false }),
    });
    const f = this.facade;
    f.addLargeHeader(`myna-idp ${tenant.id} (${tenant.environment})`);

    // Cognito: sign-ins, federations, refreshes, sign-ups (0/1 samples), and throttles. Cognito
    // publishes them by user pool and app client (and identity provider): one line per client.
    const pool = userPool.userPoolId;
    const cognito = (metricName: string, statistic: 'SampleCount' | 'Average' | 'Sum', label: string): CustomMetric => {
      const dims = metricName.startsWith('Federation') ? 'UserPool,UserPoolClient,IdentityProvider' : 'UserPool,UserPoolClient';
      return new cloudwatch.MathExpression({ expression: `SEARCH('{AWS/Cognito,${dims}} MetricName="${metricName}" UserPool="${pool}"', '${statistic}', 300)`, label, period: FIVE_MINUTES });
    };
    f.monitorCustom({
      alarmFriendlyName: 'Cognito',
      humanReadableName: 'Cognito: sign-ins and federations',
      metricGroups: [
        { title: 'Volume (SampleCount)', metrics: [cognito('SignInSuccesses', 'SampleCount', 'sign-ins'), cognito('FederationSuccesses', 'SampleCount', 'federations'), cognito('TokenRefreshSuccesses', 'SampleCount', 'token refreshes'), cognito('SignUpSuccesses', 'SampleCount', 'sign-ups')] },
        { title: 'Success rate (Average)', metrics: [cognito('SignInSuccesses', 'Average', 'sign-in'), cognito('FederationSuccesses', 'Average', 'federation'), cognito('TokenRefreshSuccesses', 'Average', 'token refresh'), cognito('SignUpSuccesses', 'Average', 'sign-up')] },
        { title: 'Throttles (Sum)', metrics: [cognito('SignInThrottles', 'Sum', 'sign-in'), cognito('FederationThrottles', 'Sum', 'federation'), cognito('TokenRefreshThrottles', 'Sum', 'token refresh'), cognito('SignUpThrottles', 'Sum', 'sign-up')] },
        ...(tenant.plan === 'plus' && tenant.threatProtection !== 'off'
          ? [
              {
                // Threat protection's metrics use UserPoolId (not UserPool); it does not cover federated sign-ins.
                title: 'Threat protection: risk (Sum)',
                metrics: ['AccountTakeoverRisk', 'CompromisedCredentialRisk', 'OverrideBlock', 'Risk'].map(
                  (m) => new cloudwatch.MathExpression({ expression: `SEARCH('{AWS/Cognito,Operation,RiskLevel,UserPoolId} MetricName="${m}" UserPoolId="${pool}"', 'Sum', 300)`, label: m, period: FIVE_MINUTES }),
                ),
              },
            ]
          : []),
      ],
    });

    // The security events, as the proxy and the triggers count them (MynaIdp SecurityEvents).
    const event = (type: string, label: string, reason?: string) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: 'SecurityEvents', dimensionsMap: { Tenant: tenant.id, Type: type, ...(reason ? { Reason: reason } : {}) }, statistic: 'Sum', period: FIVE_MINUTES, label });
    const byReason = (type: string) => new cloudwatch.MathExpression({ expression: `SEARCH('{${METRICS_NAMESPACE},Tenant,Type,Reason} Tenant="${tenant.id}" Type="${type}"', 'Sum', 300)`, label: type, period: FIVE_MINUTES });
    const gte = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    if (props.proxy) {
      f.monitorCustom({
        alarmFriendlyName: 'CardFederation',
        humanReadableName: 'My Number Card: sign-ins, step-ups, links and failures',
        metricGroups: [
          { title: 'Card sign-ins, step-ups, links', metrics: [event('federation.succeeded', 'card sign-ins'), event('token.step_up_issued', 'step-ups'), event('token.verified_claims_issued', 'verified_claims issued'), event('link.succeeded', 'links')] },
          {
            title: 'OP failures',
            metrics: [
              { metric: event('token.op_error', 'OP errors and timeouts'), alarmFriendlyName: 'OpUnavailable', addAlarm: { Critical: { threshold: a.opFailuresPerFiveMinutes, comparisonOperator: gte, additionalDescription: 'The OP answered errors or did not answer (token.op_error): card sign-ins fail.' } } },
              byReason('token.op_error'),
              byReason('callback.op_error'),
            ],
          },
          {
            title: 'ID token rejections',
            metrics: [
              { metric: event('token.id_token_rejected', 'forged signature', 'signature_invalid'), alarmFriendlyName: 'IdTokenForgedSignature', addAlarm: { Critical: { threshold: 1, comparisonOperator: gte, additionalDescription: 'An ID token with a signature that does not verify reached the proxy: a possible attack.' } } },
              { metric: event('token.id_token_rejected', 'wrong issuer', 'issuer_mismatch'), alarmFriendlyName: 'IdTokenWrongIssuer', addAlarm: { Critical: { threshold: 1, comparisonOperator: gte, additionalDescription: 'An ID token from another issuer reached the proxy: a possible attack.' } } },
              { metric: event('token.id_token_rejected', 'OP keys unavailable', 'jwks_unavailable'), alarmFriendlyName: 'JwksUnavailable', addAlarm: { Critical: { threshold: a.jwksFailuresPerFiveMinutes, comparisonOperator: gte, additionalDescription: "The OP's keys (JWKS) could not be fetched or used." } } },
              byReason('token.id_token_rejected'),
            ],
          },
          {
            title: 'Failures that need a person',
            metrics: [
              { metric: event('proxy.internal_error', 'proxy internal errors'), alarmFriendlyName: 'ProxyInternalErrors', addAlarm: { Critical: { threshold: 1, comparisonOperator: gte, additionalDescription: 'The proxy failed unexpectedly (it answered a clean error; its log has the error name).' } } },
              { metric: event('token.userinfo_rejected', 'userinfo of another subject'), alarmFriendlyName: 'UserinfoRejected', addAlarm: { Critical: { threshold: 1, comparisonOperator: gte, additionalDescription: "The OP's userinfo named another subject than its ID token: a possible attack." } } },
              { metric: event('token.id_token_rejected', 'unknown key', 'unknown_key'), alarmFriendlyName: 'IdTokenUnknownKey', addAlarm: { Critical: { threshold: 1, comparisonOperator: gte, additionalDescription: 'An ID token signed with a key the OP never published: a possible attack.' } } },
              { metric: event('token.record_unavailable', 'card records unreadable'), alarmFriendlyName: 'CardRecordsUnreadable', addAlarm: { Critical: { threshold: 1, comparisonOperator: gte, additionalDescription: 'The token trigger could not read the card records: tokens carry no step-up or verified claims.' } } },
              { metric: event('token.record_failed', 'card records unwritable'), alarmFriendlyName: 'CardRecordsUnwritable', addAlarm: { Critical: { threshold: 1, comparisonOperator: gte, additionalDescription: 'The proxy could not record a card authentication: card sign-ins fail.' } } },
            ],
          },
          { title: 'Refusals', metrics: [byReason('authorize.rejected'), byReason('callback.rejected'), byReason('token.link_refused'), byReason('link.intent_refused')] },
        ],
      });
    }

    // Events not published (a failure or the time bound), from every publisher.
    const failures = new cloudwatch.MathExpression({
      expression: 'FILL(p, 0) + FILL(t, 0)',
      usingMetrics: Object.fromEntries(
        (['federation-proxy', 'token-claims'] as const).map((component) => [
          component === 'federation-proxy' ? 'p' : 't',
          new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: 'EventPublishFailures', dimensionsMap: { Tenant: tenant.id, Component: component }, statistic: 'Sum', period: FIVE_MINUTES }),
        ]),
      ),
      label: 'events not published',
      period: FIVE_MINUTES,
    });
    f.monitorCustom({
      alarmFriendlyName: 'EventPublishing',
      humanReadableName: 'Security event publishing',
      metricGroups: [{ title: 'Events not published', metrics: [{ metric: failures, alarmFriendlyName: 'EventPublishFailures', addAlarm: { Critical: { threshold: a.deliveryFailuresPerFiveMinutes, comparisonOperator: gte, additionalDescription: 'Security events could not be put on the bus; they are in the functions’ logs.' } } }] }],
    });

    // The functions: invocations, errors, p50/p99 duration (the facade's defaults), and cold starts.
    const coldStarts: CustomMetric[] = [];
    for (const fn of props.functions) {
      const isProxy = fn === props.proxy;
      f.monitorLambdaFunction({
        lambdaFunction: fn.fn,
        humanReadableName: fn.name,
        alarmFriendlyName: fn.name.replace(/[^A-Za-z0-9]/g, ''),
        ...(isProxy ? { addFaultRateAlarm: { Critical: { maxErrorRate: a.proxyErrorRatePercent / 100 } } } : { addFaultCountAlarm: { Critical: { maxErrorCount: 0 } } }),
      });
      // Lambda has no metric of cold starts: each one's REPORT line has an Init Duration.
      const metricName = `${fn.name.replace(/[^A-Za-z0-9]/g, '')}ColdStarts`;
      new logs.MetricFilter(this, metricName, {
        logGroup: fn.logGroup,
        filterPattern: logs.FilterPattern.literal('"Init Duration"'),
        metricNamespace: `${METRICS_NAMESPACE}/${tenant.id}`,
        metricName,
        metricValue: '1',
      });
      coldStarts.push(new cloudwatch.Metric({ namespace: `${METRICS_NAMESPACE}/${tenant.id}`, metricName, statistic: 'Sum', period: FIVE_MINUTES, label: fn.name }));
    }
    f.monitorCustom({ alarmFriendlyName: 'ColdStarts', humanReadableName: 'Cold starts (REPORT lines with Init Duration)', metricGroups: [{ title: 'Cold starts', metrics: coldStarts }] });

    // Every dead-letter queue: one message is already an alarm.
    for (const [name, queue] of props.deadLetterQueues) {
      f.monitorSqsQueue({ queue, humanReadableName: `Dead letters: ${name}`, alarmFriendlyName: `DeadLetters${name.replace(/[^A-Za-z0-9]/g, '')}`, addQueueMaxSizeAlarm: { Critical: { maxMessageCount: 0 } } });
    }

    // SES's reputation (account-wide, in the SES region), with SES's own review thresholds.
    if (props.sesRegion) {
      const ses = (metricName: string, label: string) => new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: 'Average', period: Duration.hours(1), label, region: props.sesRegion });
      const alarmed = props.sesRegion === region;
      f.monitorCustom({
        alarmFriendlyName: 'SesReputation',
        humanReadableName: `SES reputation (${props.sesRegion})`,
        metricGroups: [
          {
            title: 'Bounce and complaint rates',
            metrics: [
              alarmed
                ? { metric: ses('Reputation.BounceRate', 'bounce rate'), alarmFriendlyName: 'SesBounceRate', addAlarm: { Critical: { threshold: a.sesBounceRatePercent / 100, comparisonOperator: gte, additionalDescription: 'SES reviews an account whose bounce rate reaches 5%.' } } }
                : ses('Reputation.BounceRate', 'bounce rate'),
              alarmed
                ? { metric: ses('Reputation.ComplaintRate', 'complaint rate'), alarmFriendlyName: 'SesComplaintRate', addAlarm: { Critical: { threshold: a.sesComplaintRatePercent / 100, comparisonOperator: gte, additionalDescription: 'SES reviews an account whose complaint rate reaches 0.1%.' } } }
                : ses('Reputation.ComplaintRate', 'complaint rate'),
            ],
          },
        ],
      });
    }
  }

  /** The console URL of the dashboard. */
  url(region: string): string {
    return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${this.dashboardName}`;
  }
}
