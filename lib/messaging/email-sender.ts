import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { UserPoolEmail } from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import * as events from 'aws-cdk-lib/aws-events';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { TenantConfig } from '../config/schema';
import { DeployTimeResource } from '../private/deploy-time-resource';
import { lambdaEntry } from '../private/node-function';

export type SesEmail = Extract<TenantConfig['email'], { sender: 'ses' }>;

/** Whether the tenant's mail needs SES resources of its own (kept in the mail stack). */
export const needsMailResources = (email: TenantConfig['email']): email is SesEmail =>
  email.sender === 'ses' && (email.identity.create || email.configurationSet?.create === true);

export interface SesResourcesProps {
  /** The tenant's `email` section (SES). */
  readonly email: SesEmail;
  /** What happens to them when their stack is deleted or a resource replaced. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The SES domain identity (Easy DKIM, records in Route 53 when a zone is given) and the
 * configuration set. They live in a stack of their own, deployed before the tenant's stack:
 * verification takes minutes to hours, and a user pool deploy that fails meanwhile must not
 * take the identity (and its DKIM records) down with it.
 */
export class SesResources extends Construct {
  readonly identity?: ses.EmailIdentity;

  constructor(scope: Construct, id: string, props: SesResourcesProps) {
    super(scope, id);
    const { email } = props;
    let configurationSet: ses.IConfigurationSet | undefined;
    if (email.configurationSet?.create) {
      const created = new ses.ConfigurationSet(this, 'ConfigurationSet', {
        configurationSetName: email.configurationSet.name,
        reputationMetrics: true,
        sendingEnabled: true,
        tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
        suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      });
      created.applyRemovalPolicy(props.removalPolicy);
      // SES publishes only to the default bus; the tenant's stack forwards these events (without addresses) to its own bus.
      created.addEventDestination('ToEventBridge', {
        destination: ses.EventDestination.eventBus(events.EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
        events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT, ses.EmailSendingEvent.REJECT, ses.EmailSendingEvent.DELIVERY_DELAY, ses.EmailSendingEvent.RENDERING_FAILURE],
      });
      configurationSet = created;
    } else if (email.configurationSet) {
      configurationSet = ses.ConfigurationSet.fromConfigurationSetName(this, 'ConfigurationSet', email.configurationSet.name);
    }
    if (email.identity.create) {
      const identity = email.identity.hostedZoneId
        ? ses.Identity.publicHostedZone(
            HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: email.identity.hostedZoneId, zoneName: email.identity.domain }),
          )
        : ses.Identity.domain(email.identity.domain);
      this.identity = new ses.EmailIdentity(this, 'Identity', { identity, configurationSet, dkimSigning: true });
      this.identity.applyRemovalPolicy(props.removalPolicy);
      if (!email.identity.hostedZoneId) {
        // Without a Route 53 zone, the three Easy DKIM CNAME records are the tenant's to publish.
        const id = this.identity;
        const records: Array<[string, string]> = [
          [id.dkimDnsTokenName1, id.dkimDnsTokenValue1],
          [id.dkimDnsTokenName2, id.dkimDnsTokenValue2],
          [id.dkimDnsTokenName3, id.dkimDnsTokenValue3],
        ];
        records.forEach(([name, value], i) => {
          new CfnOutput(Stack.of(this), `DkimRecord${i + 1}`, { description: `Publish as a CNAME record: ${email.identity.domain} DKIM ${i + 1} of 3`, value: `${name} CNAME ${value}` });
        });
      }
    }
  }
}

export interface EmailSenderProps {
  /** The tenant's `email` section. */
  readonly email: TenantConfig['email'];
  /** The stack that holds the SES resources, named in the message when verification is late. */
  readonly mailStackName?: string;
}

/**
 * How Cognito sends the tenant's mail: Cognito's default sender, or SES. With SES, a
 * deploy-time check waits until the identity is verified for sending (Cognito refuses an
 * unverified one) and fails with a message that says what to do when it is not in time.
 */
export class EmailSender extends Construct {
  /** The setting to give the user pool. */
  readonly userPoolEmail: UserPoolEmail;
  /** The user pool must be created after this (the SES identity is verified then). */
  readonly verified?: Construct;

  constructor(scope: Construct, id: string, props: EmailSenderProps) {
    super(scope, id);
    const { email } = props;
    if (email.sender === 'cognito') {
      this.userPoolEmail = UserPoolEmail.withCognito();
      return;
    }
    const stack = Stack.of(this);
    const sesRegion = email.sesRegion ?? stack.region;
    this.verified = new DeployTimeResource(this, 'IdentityVerified', {
      entry: lambdaEntry('ses-identity-wait', 'handler.ts'),
      description: `myna-idp: waits until the SES identity ${email.identity.domain} is verified for sending`,
      resourceType: 'Custom::SesIdentityVerified',
      properties: {
        Identity: email.identity.domain,
        Region: sesRegion,
        Stack: stack.stackName,
        ...(props.mailStackName ? { IdentityStack: props.mailStackName } : {}),
      },
      statements: [
        new iam.PolicyStatement({
          actions: ['ses:GetEmailIdentity'],
          resources: [stack.formatArn({ service: 'ses', region: sesRegion, resource: 'identity', resourceName: email.identity.domain })],
        }),
      ],
      timeout: Duration.minutes(14),
    });
    this.userPoolEmail = UserPoolEmail.withSES({
      fromEmail: email.fromAddress,
      fromName: email.fromName,
      replyTo: email.replyTo,
      configurationSetName: email.configurationSet?.name,
      sesRegion: email.sesRegion,
      sesVerifiedDomain: email.identity.domain,
    });
  }
}
