/**
 * Step-up and verified claims for My Number Card: the table of card authentications (the
 * proxy writes it, encrypted with a key of the tenant), the pre token generation trigger (V2)
 * that turns it into step-up claims and verified_claims, the per-client policy of which claims
 * each app client receives, and the rights the proxy needs to record and to link accounts.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { LambdaVersion, UserPoolOperation, type UserPool, type UserPoolClient, type UserPoolIdentityProviderOidc } from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { JpkiConfig } from '../config/jpki';
import { opEndpointsOf } from '../config/jpki';
import type { TenantConfig } from '../config/schema';
import { acknowledge } from '../private/acknowledge';
import { DeployTimeResource } from '../private/deploy-time-resource';
import { lambdaEntry, NodeFunction } from '../private/node-function';
import { NativeLevels } from './native-levels';

export interface JpkiStepUpProps {
  readonly tenant: TenantConfig & { jpki: JpkiConfig };
  readonly userPool: UserPool;
  readonly clients: ReadonlyMap<string, UserPoolClient>;
  readonly proxy: NodejsFunction;
  readonly proxyRole: iam.Role;
  /** The card's identity provider (for Cognito's native levels, when the tenant turns them on). */
  readonly identityProvider: UserPoolIdentityProviderOidc;
  /** The pool's SMS role: UpdateUserPool passes it on again (native levels). */
  readonly smsRole?: iam.IRole;
}

export class JpkiStepUp extends Construct {
  readonly table: dynamodb.TableV2;
  readonly key: kms.Key;
  readonly trigger: NodeFunction;

  constructor(scope: Construct, id: string, props: JpkiStepUpProps) {
    super(scope, id);
    const { tenant, userPool } = props;
    const j = tenant.jpki;
    const production = tenant.environment === 'production';
    const retain = production ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;

    this.key = new kms.Key(this, 'CardRecordsKey', {
      description: `myna-idp ${tenant.id}: encrypts the records of My Number Card authentications`,
      enableKeyRotation: true,
      alias: `alias/myna-idp/${tenant.id}/card-records`,
      removalPolicy: retain,
      pendingWindow: Duration.days(30),
    });
    this.table = new dynamodb.TableV2(this, 'CardRecords', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(this.key),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: production,
      // Used link requests (request#<id>) expire by themselves.
      timeToLiveAttribute: 'expires',
      removalPolicy: retain,
    });

    const opIssuer = opEndpointsOf(j).issuer;
    this.trigger = new NodeFunction(this, 'TokenClaims', {
      entry: lambdaEntry('token-claims', 'handler.ts'),
      description: `myna-idp ${tenant.id}: pre token generation, step-up claims and verified_claims from card records`,
      // Cognito waits 5 seconds for a trigger.
      timeout: Duration.seconds(5),
      memorySize: 256,
      environment: {
        CARD_RECORDS_TABLE: this.table.tableName,
        TOKEN_CLAIMS_CONFIG: JSON.stringify({ providerName: j.providerName, opIssuer, trustFramework: j.verifiedClaims.trustFramework, claims: j.stepUp.claims }),
      },
    });
    // The trigger reads single items; nothing else (no Scan, no Query of personal data).
    this.table.grant(this.trigger.role, 'dynamodb:GetItem');
    this.key.grantDecrypt(this.trigger.role);
    userPool.addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, this.trigger.fn, LambdaVersion.V2_0);

    // The proxy records each card authentication and links cards to pool users.
    // The proxy reads and writes single items of cards, links and link requests (never the client
    // policy, which only the deploy writes).
    props.proxyRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['card#*', 'user#*', 'request#*'] } },
      }),
    );
    this.key.grantEncryptDecrypt(props.proxyRole);
    props.proxyRole.addToPolicy(new iam.PolicyStatement({ actions: ['cognito-idp:AdminGetUser', 'cognito-idp:AdminLinkProviderForUser', 'cognito-idp:AdminDeleteUser'], resources: [userPool.userPoolArn] }));
    props.proxy.addEnvironment('CARD_RECORDS_TABLE', this.table.tableName);
    props.proxy.addEnvironment('USER_POOL_ID', userPool.userPoolId);

    if (j.stepUp.nativeLevels.enabled) {
      new NativeLevels(this, 'NativeLevels', { userPool, identityProvider: props.identityProvider, jpki: j, tenantId: tenant.id, smsRole: props.smsRole });
    }

    // Which verified claims each app client receives, by client id: the trigger cannot be given
    // the client ids in its environment (the pool depends on the trigger, the clients on the pool).
    const policy = Object.fromEntries(Object.entries(j.verifiedClaims.clients).map(([name, claims]) => [props.clients.get(name)!.userPoolClientId, claims]));
    const clientPolicy = new DeployTimeResource(this, 'ClientPolicy', {
      entry: lambdaEntry('client-policy', 'handler.ts'),
      description: `myna-idp ${tenant.id}: writes which verified claims each app client receives`,
      resourceType: 'Custom::VerifiedClaimsPolicy',
      properties: { TableName: this.table.tableName, Clients: Stack.of(this).toJsonString(policy) },
      statements: [new iam.PolicyStatement({ actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], resources: [this.table.tableArn] })],
    });
    this.key.grantEncryptDecrypt(clientPolicy.handlerRole);
    // CDK's grants for a table under a customer managed key name kms:GenerateDataKey* and
    // kms:ReEncrypt* (what DynamoDB may need for its table keys), on that one key only.
    for (const role of [props.proxyRole, this.trigger.role, clientPolicy.handlerRole]) {
      for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
        acknowledge(role, `AwsSolutions-IAM5[Action::${action}]`, 'The KMS actions CDK grants for a DynamoDB table encrypted with a customer managed key, limited to the card records key.');
      }
    }
  }
}
