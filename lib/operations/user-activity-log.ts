/**
 * Cognito's log export (AWS::Cognito::LogDeliveryConfiguration): message delivery errors
 * (`userNotification`, ERROR, every plan, CloudWatch Logs only) and, with plan plus and threat
 * protection on, the user-activity log (`userAuthEvents`, INFO) to CloudWatch Logs or S3. The
 * log groups are not KMS-encrypted (Cognito cannot deliver to one that is) and sit under
 * /aws/vendedlogs/ (docs/operations-facts.md §2).
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { UserPool } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { OperationsConfig } from '../config/operations';
import type { TenantConfig } from '../config/schema';
import { acknowledge } from '../private/acknowledge';

/** The log group prefix of Cognito's exports (one resource policy covers it). */
export const vendedLogPrefix = (tenantId: string) => `/aws/vendedlogs/cognito/myna-idp/${tenantId}`;

/**
 * A log group's ARN as Cognito's log delivery takes it: without the `:*` that CloudFormation's
 * `Fn::GetAtt LogGroup.Arn` ends with, which the API's ArnType pattern refuses
 * (docs/operations-facts.md §2).
 */
export const logGroupArnOf = (group: logs.ILogGroup) =>
  Stack.of(group).formatArn({ service: 'logs', resource: 'log-group', resourceName: group.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

export interface UserActivityLogProps {
  readonly tenant: TenantConfig;
  readonly operations: OperationsConfig;
  readonly userPool: UserPool;
  readonly removalPolicy: RemovalPolicy;
}

export class UserActivityLog extends Construct {
  readonly notifications: logs.LogGroup;
  readonly userActivity?: logs.LogGroup | s3.Bucket;
  readonly delivery: cognito.CfnLogDeliveryConfiguration;

  constructor(scope: Construct, id: string, props: UserActivityLogProps) {
    super(scope, id);
    const { tenant, operations: o } = props;
    const retention = o.userActivityLog.retentionDays as logs.RetentionDays;
    this.notifications = new logs.LogGroup(this, 'Notifications', { logGroupName: `${vendedLogPrefix(tenant.id)}/notifications`, retention, removalPolicy: props.removalPolicy });
    const configurations: cognito.CfnLogDeliveryConfiguration.LogConfigurationProperty[] = [
      { eventSource: 'userNotification', logLevel: 'ERROR', cloudWatchLogsConfiguration: { logGroupArn: logGroupArnOf(this.notifications) } },
    ];
    if (tenant.plan === 'plus' && tenant.threatProtection !== 'off') {
      if (o.userActivityLog.destination === 's3') {
        const bucket = new s3.Bucket(this, 'UserActivityBucket', {
          encryption: s3.BucketEncryption.S3_MANAGED,
          blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
          enforceSSL: true,
          removalPolicy: props.removalPolicy,
          lifecycleRules: [{ expiration: Duration.days(o.userActivityLog.retentionDays) }],
        });
        acknowledge(bucket, 'AwsSolutions-S1', "Cognito's user-activity export: its objects are the access record; server access logs of it would need a bucket of their own.");
        // The bucket has a policy of its own (enforceSSL), which CloudFormation rewrites on every
        // update: the log delivery's statements, in the form CloudWatch Logs documents for logs
        // sent to S3, are part of it rather than appended by the service at setup
        // (docs/operations-facts.md §2).
        const stack = Stack.of(this);
        const fromThisAccountsLogs = {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'logs', resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME }) },
        };
        bucket.addToResourcePolicy(
          new iam.PolicyStatement({ sid: 'AWSLogDeliveryAclCheck', principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')], actions: ['s3:GetBucketAcl'], resources: [bucket.bucketArn], conditions: fromThisAccountsLogs }),
        );
        bucket.addToResourcePolicy(
          new iam.PolicyStatement({
            sid: 'AWSLogDeliveryWrite',
            principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
            actions: ['s3:PutObject'],
            // The whole bucket, not the documented AWSLogs/<account>/ prefix: where Cognito's
            // delivery writes its objects is not stated ([U]); the bucket holds nothing else.
            resources: [bucket.arnForObjects('*')],
            conditions: { ...fromThisAccountsLogs, StringEquals: { ...fromThisAccountsLogs.StringEquals, 's3:x-amz-acl': 'bucket-owner-full-control' } },
          }),
        );
        this.userActivity = bucket;
        configurations.push({ eventSource: 'userAuthEvents', logLevel: 'INFO', s3Configuration: { bucketArn: bucket.bucketArn } });
      } else {
        const group = new logs.LogGroup(this, 'UserActivity', { logGroupName: `${vendedLogPrefix(tenant.id)}/user-activity`, retention, removalPolicy: props.removalPolicy });
        this.userActivity = group;
        configurations.push({ eventSource: 'userAuthEvents', logLevel: 'INFO', cloudWatchLogsConfiguration: { logGroupArn: logGroupArnOf(group) } });
      }
    }
    this.delivery = new cognito.CfnLogDeliveryConfiguration(this, 'Delivery', { userPoolId: props.userPool.userPoolId, logConfigurations: configurations });
  }
}
