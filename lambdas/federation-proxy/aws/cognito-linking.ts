/**
 * Account linking in the user pool, for the proxy: verifies a Cognito access token of the pool
 * (jose, against the pool's JWKS), looks a user up and links a card subject to a native user,
 * over the user pool's JSON API with SigV4 (AdminGetUser, AdminLinkProviderForUser).
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminLinkProviderForUser.html
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { AccountLinking } from '../deps';
import { AwsCallError, type AwsJsonClient } from '../../shared/aws-json';

export interface CognitoLinkingOptions {
  readonly cognito: AwsJsonClient;
  readonly userPoolId: string;
  /** The pool's issuer: https://cognito-idp.<region>.amazonaws.com/<pool id> (the stand-in's locally). */
  readonly issuer: string;
  /** The identity provider's name in the pool (DigitalAuthApp). */
  readonly providerName: string;
}

export function cognitoLinking(o: CognitoLinkingOptions): AccountLinking {
  const keys = createRemoteJWKSet(new URL(`${o.issuer}/.well-known/jwks.json`), { timeoutDuration: 3000, cooldownDuration: 1000 });
  const target = (action: string) => `AWSCognitoIdentityProviderService.${action}`;
  return {
    async userOfAccessToken(token) {
      try {
        const { payload } = await jwtVerify(token, keys, { issuer: o.issuer, algorithms: ['RS256'] });
        if (payload.token_use !== 'access' || typeof payload.username !== 'string') return undefined;
        const r = await o.cognito.call<{ UserStatus?: string; Enabled?: boolean; UserAttributes?: Array<{ Name: string; Value: string }> }>(target('AdminGetUser'), { UserPoolId: o.userPoolId, Username: payload.username });
        if (r.Enabled === false) return undefined;
        const email = r.UserAttributes?.find((a) => a.Name === 'email')?.Value;
        return { username: payload.username, native: r.UserStatus !== 'EXTERNAL_PROVIDER', account: email ? maskEmail(email) : 'this account' };
      } catch {
        return undefined;
      }
    },
    async userState(username) {
      try {
        const r = await o.cognito.call<{ Enabled?: boolean; UserAttributes?: Array<{ Name: string; Value: string }> }>(target('AdminGetUser'), { UserPoolId: o.userPoolId, Username: username });
        let list: Array<{ providerName?: string; userId?: string }> = [];
        try {
          const parsed = JSON.parse(r.UserAttributes?.find((a) => a.Name === 'identities')?.Value ?? '[]') as unknown;
          if (Array.isArray(parsed)) list = parsed as typeof list;
        } catch {
          // no identities
        }
        return { enabled: r.Enabled !== false, identities: list.length, cards: list.filter((i) => i.providerName === o.providerName && typeof i.userId === 'string').map((i) => i.userId!) };
      } catch (e) {
        if (e instanceof AwsCallError && e.type === 'UserNotFoundException') return undefined;
        throw e;
      }
    },
    async deleteCardUser(sub) {
      await o.cognito.call(target('AdminDeleteUser'), { UserPoolId: o.userPoolId, Username: `${o.providerName}_${sub}` });
    },
    async link(username, sub) {
      await o.cognito.call(target('AdminLinkProviderForUser'), {
        UserPoolId: o.userPoolId,
        DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: username },
        SourceUser: { ProviderName: o.providerName, ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: sub },
      });
    },
  };
}

/** `hanako@example.jp` → `h***o@example.jp`: enough for the person to recognise, not to learn. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  const local = email.slice(0, at);
  return `${local[0]}***${local.length > 2 ? local.at(-1) : ''}${email.slice(at)}`;
}
