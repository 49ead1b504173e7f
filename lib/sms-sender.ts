import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { TenantConfig } from './config/schema';
import { acknowledge } from './private/acknowledge';

export interface SmsSenderProps {
  /** The tenant's `sms` section. */
  readonly sms: NonNullable<TenantConfig['sms']>;
}

/**
 * The role Cognito assumes to send SMS through Amazon SNS, bound to this account's user pools
 * and to the tenant's external id (confused-deputy protection), and optionally the SNS
 * default sender id.
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

    if (props.sms.senderId) {
      const senderId = new AwsCustomResource(this, 'SenderId', {
        installLatestAwsSdk: false,
        onUpdate: {
          service: 'SNS',
          action: 'setSMSAttributes',
          region: this.snsRegion,
          parameters: { attributes: { DefaultSenderID: props.sms.senderId, DefaultSMSType: 'Transactional' } },
          physicalResourceId: PhysicalResourceId.of(`sms-sender-id-${this.snsRegion}`),
        },
        policy: AwsCustomResourcePolicy.fromStatements([
          new iam.PolicyStatement({ actions: ['sns:SetSMSAttributes'], resources: ['*'] }),
        ]),
      });
      acknowledge(senderId, 'AwsSolutions-IAM5[Resource::*]', 'sns:SetSMSAttributes is an account-level action with no resource type; it cannot be scoped to an ARN.');
      // The custom resource's provider function is a stack-wide singleton created with it.
      const provider = stack.node.tryFindChild(`AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
      if (provider) {
        acknowledge(
          provider,
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          'The AwsCustomResource provider only writes its own logs; the basic execution policy grants exactly that.',
        );
      }
    }
  }
}
