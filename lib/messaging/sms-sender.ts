import { Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { TenantConfig } from '../config/schema';
import { acknowledge } from '../private/acknowledge';
import { DeployTimeResource } from '../private/deploy-time-resource';
import { lambdaEntry } from '../private/node-function';

export interface SmsSenderProps {
  /** The tenant's `sms` section. */
  readonly sms: NonNullable<TenantConfig['sms']>;
  /** Of the role: a retained user pool must keep its SMS role. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The role Cognito assumes to send SMS through Amazon SNS, bound to this account's user pools
 * and to the tenant's external id (confused-deputy protection), and optionally the SNS
 * default sender id (an account-wide setting: the previous value is restored on delete).
 */
export class SmsSender extends Construct {
  readonly role: iam.Role;
  readonly externalId: string;
  readonly snsRegion: string;

  constructor(scope: Construct, id: string, props: SmsSenderProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.externalId = props.sms.externalId;
    this.snsRegion = props.sms.snsRegion ?? stack.region;

    this.role = new iam.Role(this, 'Role', {
      description: 'Assumed by Amazon Cognito to send SMS messages through Amazon SNS',
      assumedBy: new iam.ServicePrincipal('cognito-idp.amazonaws.com', {
        conditions: {
          StringEquals: { 'sts:ExternalId': this.externalId, 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cognito-idp', resource: 'userpool', resourceName: '*' }) },
        },
      }),
      inlinePolicies: {
        sms: new iam.PolicyDocument({
          statements: [
            // An SMS to a phone number has no resource ARN; NotResource keeps topics out of reach.
            new iam.PolicyStatement({ actions: ['sns:Publish'], notResources: ['arn:aws:sns:*:*:*'] }),
          ],
        }),
      },
    });

    this.role.applyRemovalPolicy(props.removalPolicy);

    if (props.sms.senderId) {
      const senderId = new DeployTimeResource(this, 'SenderId', {
        entry: lambdaEntry('sms-sender-id', 'handler.ts'),
        description: `myna-idp: sets the SNS default sender id of ${this.snsRegion} and restores the previous one on delete`,
        resourceType: 'Custom::SmsSenderId',
        properties: { Region: this.snsRegion, SenderId: props.sms.senderId },
        statements: [new iam.PolicyStatement({ actions: ['sns:GetSMSAttributes', 'sns:SetSMSAttributes'], resources: ['*'] })],
      });
      acknowledge(
        senderId.node.findChild('Handler'),
        'AwsSolutions-IAM5[Resource::*]',
        'sns:GetSMSAttributes and sns:SetSMSAttributes are account-level actions with no resource type; they cannot be scoped to an ARN.',
      );
    }
  }
}
