import { RemovalPolicy } from 'aws-cdk-lib';
import { UserPoolEmail } from 'aws-cdk-lib/aws-cognito';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { TenantConfig } from './config/schema';

export interface EmailSenderProps {
  /** The tenant's `email` section. */
  readonly email: TenantConfig['email'];
  /** What happens to SES resources when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * How Cognito sends the tenant's mail: Cognito's default sender, or SES with the tenant's
 * domain identity (created here with Easy DKIM, or referenced) and configuration set.
 */
export class EmailSender extends Construct {
  /** The setting to give the user pool. */
  readonly userPoolEmail: UserPoolEmail;
  /** The SES identity created here, if any: the user pool must wait for it. */
  readonly identity?: ses.EmailIdentity;

  constructor(scope: Construct, id: string, props: EmailSenderProps) {
    super(scope, id);
    const { email } = props;
    if (email.sender === 'cognito') {
      this.userPoolEmail = UserPoolEmail.withCognito();
      return;
    }

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
    }

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
