import { CfnOutput, Stack } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { ManagedLoginVersion, type UserPool, type UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import { AaaaRecord, ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { loginDomainName } from '../config/rules';
import type { TenantConfig } from '../config/schema';

/** The hosted zone id of every CloudFront distribution (alias target). */
const CLOUDFRONT_HOSTED_ZONE_ID = 'Z2FDTNDATAQYW2';

export interface LoginDomainProps {
  readonly userPool: UserPool;
  /** The tenant's `domain` section. */
  readonly domain: TenantConfig['domain'];
  readonly region: string;
}

/**
 * Where managed login is served: a Cognito prefix domain or the tenant's custom domain (with
 * its alias records when a hosted zone is given), always with the newer managed login.
 */
export class LoginDomain extends Construct {
  readonly domain: UserPoolDomain;
  /** The host name of the managed login pages. */
  readonly domainName: string;

  constructor(scope: Construct, id: string, props: LoginDomainProps) {
    super(scope, id);
    this.domainName = loginDomainName({ domain: props.domain, region: props.region });
    const managedLoginVersion = ManagedLoginVersion.NEWER_MANAGED_LOGIN;
    new CfnOutput(Stack.of(this), 'ManagedLoginUrl', {
      description: 'Managed login: apps start a sign-in at <url>/oauth2/authorize',
      value: `https://${this.domainName}`,
    });

    if ('prefix' in props.domain) {
      this.domain = props.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domain.prefix }, managedLoginVersion });
      return;
    }
    const { domainName, certificateArn, hostedZone } = props.domain.custom;
    this.domain = props.userPool.addDomain('Domain', {
      customDomain: { domainName, certificate: Certificate.fromCertificateArn(this, 'Certificate', certificateArn) },
      managedLoginVersion,
    });
    if (hostedZone) {
      const zone = HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: hostedZone.id, zoneName: hostedZone.name });
      // cloudFrontEndpoint is a plain attribute; UserPoolDomainTarget would add a custom resource.
      const target = RecordTarget.fromAlias({
        bind: () => ({ hostedZoneId: CLOUDFRONT_HOSTED_ZONE_ID, dnsName: this.domain.cloudFrontEndpoint }),
      });
      new ARecord(this, 'AliasA', { zone, recordName: domainName, target });
      new AaaaRecord(this, 'AliasAaaa', { zone, recordName: domainName, target });
    }
  }
}
