import { CfnOutput, Duration, Fn, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import {
  OidcAttributeRequestMethod,
  ProviderAttribute,
  UserPoolIdentityProviderOidc,
  type CfnUserPoolIdentityProvider,
  type UserPool,
} from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { JpkiConfig } from '../config/jpki';
import type { TenantConfig } from '../config/schema';
import { proxyClientIdOf, proxyConfigOf } from './proxy-config';
import { ProxyEdge } from './proxy-edge';
import { acknowledge } from '../private/acknowledge';
import { BUNDLING, lambdaEntry } from '../private/node-function';

/** The user pool attribute each proxy claim is mapped to. */
export const JPKI_ATTRIBUTE_MAPPING = {
  fullname: 'name',
  address: 'address',
  birthdate: 'birthdate',
  gender: 'gender',
} as const;
/**
 * The custom attributes the proxy's claims are mapped to: the profile's record of the card sign-in
 * (user-writable, so not proof: apps get proof from the card records, lib/jpki/step-up.ts).
 * `custom:jpki_attestation` stays in the pool's schema (a custom attribute cannot be removed from
 * a pool) but is no longer written.
 */
export const JPKI_CUSTOM_ATTRIBUTE_MAPPING = {
  jpki_verified_at: 'jpki_verified_at',
  jpki_acr: 'jpki_acr',
  jpki_issuer: 'jpki_issuer',
} as const;

/**
 * The proxy's Lambda timeout: its slowest request (/token) makes at most five calls to the OP,
 * each bounded by `requestTimeoutMs` (code redemption, JWKS, one JWKS refetch for an unknown
 * kid, userinfo and its one retry), waits at most one second between two JWKS fetches
 * (shared/op-keys), and makes at most twelve AWS calls of 3 s each (three KMS signatures, the
 * three secrets on a cold start, four DynamoDB calls for the card record and its link, two
 * user pool calls to link). The function must answer with an OAuth error rather than be cut off
 * by its own timeout.
 */
export const proxyTimeoutOf = (requestTimeoutMs: number) => Duration.seconds(Math.ceil((5 * requestTimeoutMs + 1000 + 12 * 3000) / 1000) + 2);

export interface JpkiFederationProps {
  readonly tenant: TenantConfig & { jpki: JpkiConfig };
  readonly userPool: UserPool;
  /** The web ACL (us-east-1) of the CloudFront distribution in front of the proxy, when `jpki.edge` is set. */
  readonly edgeWebAclArn?: string;
}

/**
 * My Number Card federation: the federation proxy (one Lambda behind a function URL) with its
 * KMS keys and secrets, registered in the user pool as an OIDC identity provider.
 *
 * Cognito talks to the proxy as to an ordinary OIDC provider (client_secret_post, no PKCE, no
 * nonce); the proxy talks to the Digital Agency's OP as it requires (PKCE S256, nonce, state,
 * private_key_jwt signed in KMS) and validates everything before it answers Cognito.
 */
export class JpkiFederation extends Construct {
  readonly proxy: NodejsFunction;
  readonly proxyRole: iam.Role;
  readonly proxyUrl: lambda.FunctionUrl;
  readonly proxyLogGroup: logs.LogGroup;
  /** The proxy's origin (its issuer for Cognito), without a trailing slash. */
  readonly proxyOrigin: string;
  readonly clientAssertionKey: kms.IKey;
  readonly tokenSigningKey: kms.Key;
  readonly identityProvider: UserPoolIdentityProviderOidc;
  /** CloudFront and WAF in front of the proxy, when the tenant asks for them. */
  readonly edge?: ProxyEdge;

  constructor(scope: Construct, id: string, props: JpkiFederationProps) {
    super(scope, id);
    const { tenant } = props;
    const j = tenant.jpki;
    const production = tenant.environment === 'production';
    const alias = (name: string) => `alias/myna-idp/${tenant.id}/${name}`;

    const retain = production ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;
    const role = (this.proxyRole = new iam.Role(this, 'ProxyRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `myna-idp ${tenant.id}: the JPKI federation proxy`,
    }));
    // The keys' own policies decide who signs: only the proxy's role. The account keeps every
    // other right (administration, GetPublicKey for the JWKS command), and an explicit deny
    // stops every other principal from signing, whatever IAM policies or grants
    // (kms:CreateGrant) say. Only a change of the key policy itself (kms:PutKeyPolicy, in
    // CloudTrail) or of the proxy's code can change that.
    const signingKeyPolicy = () =>
      new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'AccountAdministersButDoesNotSign',
            principals: [new iam.AccountRootPrincipal()],
            notActions: ['kms:Sign'],
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'OnlyTheProxySigns',
            principals: [new iam.ArnPrincipal(role.roleArn)],
            actions: ['kms:Sign', 'kms:GetPublicKey'],
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'NoOneElseSigns',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['kms:Sign'],
            resources: ['*'],
            conditions: { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } },
          }),
        ],
      });
    // The client assertion key's public half is registered at the Digital Agency: keep it.
    this.clientAssertionKey = j.clientAssertion.kmsKeyArn
      ? kms.Key.fromKeyArn(this, 'ClientAssertionKey', j.clientAssertion.kmsKeyArn)
      : new kms.Key(this, 'ClientAssertionKey', {
          description: `myna-idp ${tenant.id}: signs private_key_jwt client assertions to the Digital Agency OP`,
          keySpec: j.clientAssertion.algorithm === 'ES256' ? kms.KeySpec.ECC_NIST_P256 : kms.KeySpec.RSA_2048,
          keyUsage: kms.KeyUsage.SIGN_VERIFY,
          alias: alias('jpki-client-assertion'),
          policy: signingKeyPolicy(),
          removalPolicy: retain,
          pendingWindow: Duration.days(30),
        });
    this.tokenSigningKey = new kms.Key(this, 'TokenSigningKey', {
      description: `myna-idp ${tenant.id}: signs the ID tokens the federation proxy gives Cognito`,
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      alias: alias('proxy-token-signing'),
      policy: signingKeyPolicy(),
      removalPolicy: retain,
      pendingWindow: Duration.days(30),
    });

    const clientSecret = new secretsmanager.Secret(this, 'CognitoClientSecret', {
      description: `myna-idp ${tenant.id}: Cognito's client secret at the federation proxy`,
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'client_secret', passwordLength: 64, excludePunctuation: true },
      removalPolicy: retain,
    });
    const sealingSecret = new secretsmanager.Secret(this, 'SealingSecret', {
      description: `myna-idp ${tenant.id}: key material for the proxy's sealed values (rotate with put-secret-value; the previous version stays readable)`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: retain,
    });
    for (const secret of [clientSecret, sealingSecret]) {
      acknowledge(
        secret,
        'AwsSolutions-SMG4',
        'Rotated by hand (README: key rotation): the Cognito client secret is read by CloudFormation at deploy time, and the sealing secret keeps its previous version readable by the proxy.',
      );
    }

    const logGroup = new logs.LogGroup(this, 'ProxyLogs', {
      retention: production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH,
      removalPolicy: retain,
    });
    this.proxyLogGroup = logGroup;
    logGroup.grantWrite(role);

    // Not a NodeFunction (lib/private): the key policies need the role before the function, and
    // the function keeps its logical id, whose function URL is the redirect URI registered at the
    // Digital Agency. It is bundled the same way.
    this.proxy = new NodejsFunction(this, 'Proxy', {
      description: `myna-idp ${tenant.id}: OIDC federation proxy to the Digital Agency OP`,
      entry: lambdaEntry('federation-proxy', 'handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: proxyTimeoutOf(j.requestTimeoutMs),
      role,
      logGroup,
      environment: {
        PROXY_CONFIG: JSON.stringify(proxyConfigOf(tenant)),
        CLIENT_ASSERTION_KEY_ID: this.clientAssertionKey.keyArn,
        TOKEN_SIGNING_KEY_ID: this.tokenSigningKey.keyArn,
        CLIENT_SECRET_ARN: clientSecret.secretArn,
        SEALING_SECRET_ARN: sealingSecret.secretArn,
        LOG_LEVEL: 'INFO',
      },
      bundling: BUNDLING,
      // A bound on what the public URL can make the proxy (and the OP, and KMS) do at once.
      reservedConcurrentExecutions: j.reservedConcurrency,
    });
    acknowledge(this.proxy, 'AwsSolutions-L1', 'Node.js 22 is the runtime the project builds and tests its Lambdas for (README, What the tests need); a runtime change is a deliberate upgrade.');

    // Only the KMS and Secrets Manager actions the proxy uses. The created keys allow it in their
    // own policies; a key brought by the tenant (kmsKeyArn) is allowed through IAM and its own policy.
    if (j.clientAssertion.kmsKeyArn) {
      role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Sign', 'kms:GetPublicKey'], resources: [this.clientAssertionKey.keyArn] }));
    }
    role.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [clientSecret.secretArn, sealingSecret.secretArn] }));

    // A public OIDC endpoint: browsers and Cognito call it without AWS credentials.
    this.proxyUrl = this.proxy.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE, invokeMode: lambda.InvokeMode.BUFFERED });
    if (props.edgeWebAclArn) {
      // Behind CloudFront and its WAF: the distribution is the proxy's origin (its issuer), and
      // the function URL answers only requests that carry this secret, which CloudFront adds.
      const originSecret = new secretsmanager.Secret(this, 'EdgeOriginSecret', {
        description: `myna-idp ${tenant.id}: the header CloudFront adds to every request to the federation proxy (requests without it are refused)`,
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
        removalPolicy: retain,
      });
      acknowledge(originSecret, 'AwsSolutions-SMG4', 'Rotated by hand (README: key rotation): CloudFront reads it at deploy time, and the proxy accepts the previous version for a bounded window.');
      role.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [originSecret.secretArn] }));
      this.proxy.addEnvironment('ORIGIN_VERIFY_SECRET_ARN', originSecret.secretArn);
      this.edge = new ProxyEdge(this, 'Edge', {
        functionUrl: this.proxyUrl,
        webAclArn: props.edgeWebAclArn,
        originSecretValue: SecretValue.secretsManager(originSecret.secretArn, { versionId: j.secretVersions.edgeOriginSecret }),
        description: `myna-idp ${tenant.id}: My Number Card federation proxy`,
      });
      this.proxyOrigin = `https://${this.edge.distribution.distributionDomainName}`;
      new CfnOutput(Stack.of(this), 'JpkiEdgeOriginSecretArn', { description: 'The header secret CloudFront sends to the proxy (rotation: README)', value: originSecret.secretArn });
    } else {
      this.proxyOrigin = `https://${Fn.select(2, Fn.split('/', this.proxyUrl.url))}`;
    }

    this.identityProvider = new UserPoolIdentityProviderOidc(this, 'IdentityProvider', {
      userPool: props.userPool,
      name: j.providerName,
      clientId: proxyClientIdOf(tenant.id),
      // A dynamic reference: CloudFormation resolves it at deploy time; the template holds none.
      // Pinned to a version after a rotation (jpki.secretVersions): only a changed reference makes
      // CloudFormation read the secret again.
      clientSecret: SecretValue.secretsManager(clientSecret.secretArn, { jsonField: 'client_secret', versionId: j.secretVersions.cognitoClientSecret }).unsafeUnwrap(),
      issuerUrl: this.proxyOrigin,
      endpoints: {
        authorization: `${this.proxyOrigin}/authorize`,
        token: `${this.proxyOrigin}/token`,
        userInfo: `${this.proxyOrigin}/userinfo`,
        jwksUri: `${this.proxyOrigin}/jwks`,
      },
      attributeRequestMethod: OidcAttributeRequestMethod.GET,
      scopes: j.scopes,
      attributeMapping: {
        fullname: ProviderAttribute.other(JPKI_ATTRIBUTE_MAPPING.fullname),
        address: ProviderAttribute.other(JPKI_ATTRIBUTE_MAPPING.address),
        birthdate: ProviderAttribute.other(JPKI_ATTRIBUTE_MAPPING.birthdate),
        gender: ProviderAttribute.other(JPKI_ATTRIBUTE_MAPPING.gender),
        custom: Object.fromEntries(Object.entries(JPKI_CUSTOM_ATTRIBUTE_MAPPING).map(([attr, claim]) => [`custom:${attr}`, ProviderAttribute.other(claim)])),
      },
    });
    // Explicit: the federated username is <providerName>_<sub> (sub is pairwise per RP).
    (this.identityProvider.node.defaultChild as CfnUserPoolIdentityProvider).addPropertyOverride('AttributeMapping.username', 'sub');

    const stack = Stack.of(this);
    new CfnOutput(stack, 'JpkiLinkIntentUrl', {
      description: 'Apps POST here with a user access token to get the login_hint that links a card sign-in to that user (step-up, linking)',
      value: `${this.proxyOrigin}/link-intent`,
    });
    new CfnOutput(stack, 'JpkiRedirectUri', {
      description: 'Register this redirect_uri with the Digital Agency (the proxy callback)',
      value: `${this.proxyOrigin}/callback`,
    });
    // What the key rotation steps of the README name.
    new CfnOutput(stack, 'JpkiCognitoClientSecretArn', { description: "Cognito's client secret at the proxy (rotation: README)", value: clientSecret.secretArn });
    new CfnOutput(stack, 'JpkiSealingSecretArn', { description: "The proxy's sealing secret (rotation: README)", value: sealingSecret.secretArn });
    new CfnOutput(stack, 'JpkiProxyRoleArn', { description: 'The role a client assertion key you bring must allow to sign (kms:Sign, kms:GetPublicKey)', value: role.roleArn });
    new CfnOutput(stack, 'JpkiClientAssertionKeyArn', {
      description: 'KMS key whose public JWK is submitted to the Digital Agency (npm run jpki:client-jwks)',
      value: this.clientAssertionKey.keyArn,
    });
  }
}
