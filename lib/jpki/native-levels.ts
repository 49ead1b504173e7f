/**
 * Cognito's native authentication levels for a tenant that turns them on
 * (`jpki.stepUp.nativeLevels.enabled`): a custom resource (lambdas/native-levels) sets the
 * pool's level names and the card identity provider's acr mapping, which CloudFormation cannot.
 * It runs again whenever the pool or the identity provider changes in the template (their
 * synthesized properties are hashed into `Revision`), since CloudFormation's own update of
 * either would leave the levels out.
 */
import { createHash } from 'node:crypto';
import { Duration, Lazy, Stack, type CfnResource } from 'aws-cdk-lib';
import type { CfnUserPool, UserPool, UserPoolIdentityProviderOidc } from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { JpkiConfig } from '../config/jpki';
import { DeployTimeResource } from '../private/deploy-time-resource';
import { lambdaEntry } from '../private/node-function';

export interface NativeLevelsProps {
  readonly userPool: UserPool;
  readonly identityProvider: UserPoolIdentityProviderOidc;
  readonly jpki: JpkiConfig;
  readonly tenantId: string;
  /** The pool's SMS role, which UpdateUserPool names again. */
  readonly smsRole?: iam.IRole;
}

export class NativeLevels extends Construct {
  constructor(scope: Construct, id: string, props: NativeLevelsProps) {
    super(scope, id);
    const n = props.jpki.stepUp.nativeLevels;
    const stack = Stack.of(this);
    // The card's acr as the proxy accepts it: the OP's acr is what Cognito maps to the level.
    const cardAcr = props.jpki.acceptedAcr?.[0] ?? props.jpki.acrValues!.split(' ').filter(Boolean)[0]!;
    const cfn = [props.userPool.node.defaultChild, props.identityProvider.node.defaultChild] as unknown as Array<CfnResource & { _toCloudFormation(): unknown }>;
    const revision = Lazy.string({ produce: () => createHash('sha256').update(JSON.stringify(stack.resolve(cfn.map((r) => r._toCloudFormation())))).digest('hex').slice(0, 32) });
    const resource = new DeployTimeResource(this, 'Apply', {
      entry: lambdaEntry('native-levels', 'handler.ts'),
      description: `myna-idp ${props.tenantId}: Cognito's native authentication levels (AcrConfiguration, AcrMapping)`,
      resourceType: 'Custom::NativeAuthenticationLevels',
      // The SDK's attempts of at most 10 s each; the handler ends every call a quarter of the
      // timeout (at most 30 s) before the function would be, so a Delete still answers.
      timeout: Duration.minutes(5),
      // AcrConfiguration and AcrMapping are 2026 members of the Cognito API: a runtime SDK that
      // predates them would drop them from the request without a word (docs/aws-client-facts.md).
      bundleAwsSdk: true,
      properties: {
        UserPoolId: props.userPool.userPoolId,
        ProviderName: props.identityProvider.providerName,
        LevelNames: JSON.stringify(n.names),
        AcrMapping: JSON.stringify({ [n.cardLevel]: cardAcr }),
        Revision: revision,
        // Deploy-time values the template's hash cannot see (a replaced trigger function's ARN,
        // the SMS role): when CloudFormation changes them in the pool, the levels are set again.
        PoolSettings: stack.toJsonString({ lambdaConfig: (props.userPool.node.defaultChild as CfnUserPool).lambdaConfig, smsConfiguration: (props.userPool.node.defaultChild as CfnUserPool).smsConfiguration }),
      },
      statements: [
        new iam.PolicyStatement({
          actions: ['cognito-idp:DescribeUserPool', 'cognito-idp:UpdateUserPool', 'cognito-idp:DescribeIdentityProvider', 'cognito-idp:UpdateIdentityProvider', 'cognito-idp:GetUserPoolMfaConfig'],
          resources: [props.userPool.userPoolArn],
        }),
        // UpdateUserPool names the SMS role again (whether Cognito checks PassRole there is not documented).
        ...(props.smsRole
          ? [new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [props.smsRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'cognito-idp.amazonaws.com' } } })]
          : []),
      ],
    });
    // After the pool and the provider exist (and after each of their updates).
    resource.node.addDependency(props.userPool, props.identityProvider);
  }
}
