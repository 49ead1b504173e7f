import { Stack, Tags } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { JpkiConfig } from '../config/jpki';
import type { TenantConfig } from '../config/schema';

/** The proxy's paths a person's browser requests (the others are Cognito's back channel). */
const BROWSER_PATHS = ['/authorize', '/authorize/confirm', '/callback'];

export interface EdgeWafStackProps {
  readonly tenant: TenantConfig & { jpki: JpkiConfig & { edge: NonNullable<JpkiConfig['edge']> } };
  readonly stackName: string;
}

/**
 * The web ACL in front of the federation proxy's CloudFront distribution. A web ACL for
 * CloudFront must be created in us-east-1 with scope CLOUDFRONT (AWS WAF developer guide), so
 * it has a stack of its own there; the tenant's stack reads its ARN across regions.
 *
 * Rules: a rate limit per IP address on the paths browsers request, and Amazon's IP reputation
 * list. Not the common rule set:
 * its size rules (a query string over 2 KB) would block Cognito's own long state parameter.
 */
export class EdgeWafStack extends Stack {
  readonly webAclArn: string;

  constructor(scope: Construct, props: EdgeWafStackProps) {
    const t = props.tenant;
    super(scope, props.stackName, {
      env: { account: t.account, region: 'us-east-1' },
      crossRegionReferences: true,
      description: `myna-idp tenant ${t.id} (${t.environment}): AWS WAF web ACL of the My Number Card federation proxy's CloudFront distribution`,
    });
    Tags.of(this).add('myna-idp:tenant', t.id);
    Tags.of(this).add('myna-idp:environment', t.environment);
    const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
    const acl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `myna-idp-${t.id}-jpki-proxy`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`myna-idp-${t.id}-jpki-proxy`),
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          action: { block: {} },
          // Only what browsers ask: /token, /userinfo and /jwks are called by Cognito from its own
          // few addresses for every person of the tenant, and a per-IP limit on them would block
          // all card sign-ins at once (reserved concurrency bounds those).
          statement: {
            rateBasedStatement: {
              limit: t.jpki.edge.rateLimitPerFiveMinutes,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                orStatement: {
                  statements: BROWSER_PATHS.map((searchString) => ({
                    byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint: 'EXACTLY', searchString, textTransformations: [{ priority: 0, type: 'NONE' }] },
                  })),
                },
              },
            },
          },
          visibilityConfig: visibility('rate-per-ip'),
        },
        {
          name: 'aws-ip-reputation',
          priority: 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesAmazonIpReputationList' } },
          visibilityConfig: visibility('aws-ip-reputation'),
        },
      ],
    });
    this.webAclArn = acl.attrArn;
  }
}
