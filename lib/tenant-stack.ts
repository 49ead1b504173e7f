import { Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AppClients } from './identity/app-clients';
import type { LoadedTenant } from './config/loader';
import { UserPoolClientIdentityProvider } from 'aws-cdk-lib/aws-cognito';
import { JpkiFederation } from './jpki/federation';
import { JpkiStepUp } from './jpki/step-up';
import { needsMailResources } from './messaging/email-sender';
import { EdgeWafStack } from './jpki/edge-waf-stack';
import { LoginDomain } from './identity/login-domain';
import { MailStack } from './messaging/mail-stack';
import { ManagedLoginBranding } from './identity/managed-login-branding';
import { TenantUserPool } from './identity/tenant-user-pool';
import { Operations } from './operations/operations';

export interface TenantStackProps extends StackProps {
  /** The tenant, as loaded and checked from its file. */
  readonly tenant: LoadedTenant;
}

/** The stack name of a tenant. */
export const stackNameOf = (tenantId: string) => `MynaIdp-${tenantId}`;

/** Everything one tenant gets: composes the constructs, holds no logic of its own. */
export class TenantStack extends Stack {
  readonly userPool: TenantUserPool;
  readonly loginDomain: LoginDomain;
  readonly appClients: AppClients;
  readonly jpkiFederation?: JpkiFederation;
  readonly jpkiStepUp?: JpkiStepUp;
  /** The tenant's SES resources, deployed first (`MynaIdp-<id>-mail`), when it creates any. */
  readonly mailStack?: MailStack;
  /** The proxy's web ACL in us-east-1 (`MynaIdp-<id>-edge`), when `jpki.edge` is set. */
  readonly edgeWafStack?: EdgeWafStack;
  /** Security events, log export, dashboard and alarms. */
  readonly operations: Operations;

  constructor(scope: Construct, props: TenantStackProps) {
    const t = props.tenant.config;
    const edge = t.jpki?.edge;
    super(scope, stackNameOf(t.id), {
      ...props,
      env: { account: t.account, region: t.region },
      // The proxy's web ACL lives in us-east-1 (CloudFront's region); its ARN crosses regions.
      crossRegionReferences: edge !== undefined,
      description: `myna-idp tenant ${t.id} (${t.environment}): Cognito user pool with managed login and My Number Card federation`,
    });
    // CloudWatch dashboards take no tags in the CloudFormation schema cfn-lint holds.
    const untaggable = { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] };
    Tags.of(this).add('myna-idp:tenant', t.id, untaggable);
    Tags.of(this).add('myna-idp:environment', t.environment, untaggable);

    const email = t.email;
    if (needsMailResources(email)) {
      this.mailStack = new MailStack(scope, { tenant: { ...t, email }, stackName: `${stackNameOf(t.id)}-mail` });
      this.addStackDependency(this.mailStack, 'the SES identity must exist (and be verified) before the user pool uses it');
    }
    this.userPool = new TenantUserPool(this, 'Identity', { tenant: t, mailStackName: this.mailStack?.stackName });
    this.loginDomain = new LoginDomain(this, 'Login', { userPool: this.userPool.userPool, domain: t.domain, region: t.region });
    const jpki = t.jpki;
    if (jpki?.edge) {
      this.edgeWafStack = new EdgeWafStack(scope, { tenant: { ...t, jpki: { ...jpki, edge: jpki.edge } }, stackName: `${stackNameOf(t.id)}-edge` });
      this.addStackDependency(this.edgeWafStack, 'the CloudFront distribution of the proxy uses its web ACL');
    }
    this.jpkiFederation = jpki
      ? new JpkiFederation(this, 'JpkiFederation', { tenant: { ...t, jpki }, userPool: this.userPool.userPool, edgeWebAclArn: this.edgeWafStack?.webAclArn })
      : undefined;
    const idp = this.jpkiFederation?.identityProvider;
    this.appClients = new AppClients(this, 'AppClients', {
      userPool: this.userPool.userPool,
      clients: t.appClients,
      identityProviders: idp ? [UserPoolClientIdentityProvider.custom(idp.providerName)] : [],
      jpkiAttributesMapped: idp !== undefined,
      dependsOn: idp ? [idp] : [],
    });
    if (this.jpkiFederation && jpki) {
      this.jpkiStepUp = new JpkiStepUp(this, 'JpkiStepUp', {
        tenant: { ...t, jpki },
        userPool: this.userPool.userPool,
        clients: this.appClients.clients,
        proxy: this.jpkiFederation.proxy,
        proxyRole: this.jpkiFederation.proxyRole,
        identityProvider: this.jpkiFederation.identityProvider,
        smsRole: this.userPool.sms?.role,
      });
    }
    const federation = this.jpkiFederation;
    const stepUp = this.jpkiStepUp;
    this.operations = new Operations(this, 'Operations', {
      tenant: t,
      userPool: this.userPool.userPool,
      ...(federation ? { proxy: { fn: federation.proxy, role: federation.proxyRole, logGroup: federation.proxyLogGroup } } : {}),
      ...(stepUp ? { tokenClaims: { fn: stepUp.trigger.fn, role: stepUp.trigger.role, logGroup: stepUp.trigger.logGroup } } : {}),
    });
    new ManagedLoginBranding(this, 'Branding', {
      userPool: this.userPool.userPool,
      clients: this.appClients.clients,
      branding: t.branding,
      logo: props.tenant.logo,
    });
  }
}
