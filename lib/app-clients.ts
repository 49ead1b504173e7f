import { Duration } from 'aws-cdk-lib';
import {
  ClientAttributes,
  OAuthScope,
  UserPoolClientIdentityProvider,
  type UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { AppClientConfig } from './config/schema';
import { jpkiCustomAttributes } from './jpki-attributes';

export interface AppClientsProps {
  readonly userPool: UserPool;
  /** The tenant's `appClients` section. */
  readonly clients: readonly AppClientConfig[];
  /** Identity providers every client offers besides the user pool itself. */
  readonly identityProviders?: readonly UserPoolClientIdentityProvider[];
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
 * Clients may read every attribute, but may write none of the verified ones: a person must not
 * be able to overwrite, with their own access token, a name the My Number Card vouched for.
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
    const writeAttributes = new ClientAttributes().withStandardAttributes({ email: true, phoneNumber: true });

    const clients = new Map<string, UserPoolClient>();
    for (const c of props.clients) {
      clients.set(
        c.name,
        props.userPool.addClient(c.name, {
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
        }),
      );
    }
    this.clients = clients;
  }
}
