import { RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { TenantConfig } from '../config/schema';
import { SesResources, type SesEmail } from './email-sender';

export interface MailStackProps {
  readonly tenant: TenantConfig & { email: SesEmail };
  readonly stackName: string;
}

/**
 * The tenant's SES identity and configuration set, in the SES region, deployed before the
 * tenant's stack (which depends on it). Production keeps them when the stack is deleted or a
 * resource is replaced; a failed first create removes them (RETAIN_ON_UPDATE_OR_DELETE), so a
 * retry never meets an identity left behind.
 */
export class MailStack extends Stack {
  constructor(scope: Construct, props: MailStackProps) {
    const t = props.tenant;
    super(scope, props.stackName, {
      env: { account: t.account, region: t.email.sesRegion ?? t.region },
      description: `myna-idp tenant ${t.id} (${t.environment}): SES identity and configuration set for Cognito's mail`,
    });
    Tags.of(this).add('myna-idp:tenant', t.id);
    Tags.of(this).add('myna-idp:environment', t.environment);
    new SesResources(this, 'Ses', {
      email: t.email,
      removalPolicy: t.environment === 'production' ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY,
    });
  }
}
