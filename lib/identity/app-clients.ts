import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import {
  ClientAttributes,
  OAuthScope,
  UserPoolClientIdentityProvider,
  type UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { AppClientConfig } from '../config/schema';
import { jpkiCustomAttributes } from '../jpki/attributes';

export interface AppClientsProps {
  readonly userPool: UserPool;
  /** The tenant's `appClients` section. */
  readonly clients: readonly AppClientConfig[];
  /** Identity providers every client offers besides the user pool itself. */
  readonly identityProviders?: readonly UserPoolClientIdentityProvider[];
  /**
   * Whether the JPKI attributes are mapped from an identity provider. Cognito then requires
   * every client to have write access to them, so they are the profile, not proof (apps get proof
   * in verified_claims, from the card records).
   */
  readonly jpkiAttributesMapped?: boolean;
  /** Constructs the clients must be created after (the identity providers they list). */
  readonly dependsOn?: readonly Construct[];
}

const scopeOf: Record<AppClientConfig['scopes'][number], OAuthScope> = {
  openid: OAuthScope.OPENID,
  email: OAuthScope.EMAIL,
  phone: OAuthScope.PHONE,
  profile: OAuthScope.PROFILE,
  'aws.cognito.signin.user.admin': OAuthScope.COGNITO_ADMIN,
};

/**
 * The tenant's app clients: authorization code flow only (no implicit grant), choice-based
 * sign-in (`USER_AUTH`, which carries passkeys and one-time codes) plus SRP, no user-existence
 * leaks, revocable refresh tokens.
 *
 * Clients may read every attribute, but write only email and phone number, unless a JPKI
 * identity provider maps the verified attributes: Cognito then requires write access to them
 * (it fails the federated sign-in otherwise), and `custom:jpki_attestation` (formerly a JWS by the proxy
 * over the verified values) is what tells a card-verified value from one a person edited.
 */
export class AppClients extends Construct {
  readonly clients: ReadonlyMap<string, UserPoolClient>;

  constructor(scope: Construct, id: string, props: AppClientsProps) {
    super(scope, id);
    const readAttributes = new ClientAttributes()
      .withStandardAttributes({
        email: true, emailVerified: true, phoneNumber: true, phoneNumberVerified: true,
        fullname: true, address: true, birthdate: true, gender: true,
      })
      .withCustomAttributes(...Object.keys(jpkiCustomAttributes));
    const writeAttributes = props.jpkiAttributesMapped
      ? new ClientAttributes()
          .withStandardAttributes({ email: true, phoneNumber: true, fullname: true, address: true, birthdate: true, gender: true })
          .withCustomAttributes(...Object.keys(jpkiCustomAttributes))
      : new ClientAttributes().withStandardAttributes({ email: true, phoneNumber: true });

    const clients = new Map<string, UserPoolClient>();
    for (const c of props.clients) {
      const client = props.userPool.addClient(c.name, {
          userPoolClientName: c.name,
          generateSecret: c.generateSecret ?? !c.public,
          authFlows: { user: true, userSrp: true },
          oAuth: {
            flows: { authorizationCodeGrant: true },
            scopes: c.scopes.map((s) => scopeOf[s]),
            callbackUrls: c.callbackUrls,
            logoutUrls: c.logoutUrls.length > 0 ? c.logoutUrls : undefined,
          },
          supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO, ...(props.identityProviders ?? [])],
          preventUserExistenceErrors: true,
          enableTokenRevocation: true,
          accessTokenValidity: Duration.minutes(c.tokenValidity.accessTokenMinutes),
          idTokenValidity: Duration.minutes(c.tokenValidity.idTokenMinutes),
          refreshTokenValidity: Duration.days(c.tokenValidity.refreshTokenDays),
          readAttributes,
          writeAttributes,
        });
      for (const d of props.dependsOn ?? []) client.node.addDependency(d);
      clients.set(c.name, client);
      new CfnOutput(Stack.of(this), `AppClientId${c.name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`, {
        description: `The client id of app client ${c.name}${c.public ? ' (public: PKCE, no secret)' : ' (its secret: aws cognito-idp describe-user-pool-client)'}`,
        value: client.userPoolClientId,
      });
    }
    this.clients = clients;
  }
}
