/** Step 4, /userinfo: Cognito fetches the verified attributes with the proxy's access token. */
import { OAuthError } from './protocol/oauth-error';
import { SealedValueError } from './crypto/sealing';
import type { FederationProxyDeps } from './deps';
import type { SealedUserinfo } from './token';

/** A rejected access token, with the reason reported as a security event. */
export class UserinfoError extends OAuthError {
  constructor(readonly reason: 'missing' | 'expired' | 'invalid', description: string) {
    super('invalid_token', description);
  }
}

export async function userinfoOf(deps: FederationProxyDeps, bearer: string | undefined): Promise<SealedUserinfo> {
  if (!bearer) throw new UserinfoError('missing', 'a bearer access token is required');
  try {
    const { iat: _iat, exp: _exp, ...claims } = await deps.sealer.unseal<SealedUserinfo>('access-token', bearer);
    return claims as SealedUserinfo;
  } catch (e) {
    if (e instanceof SealedValueError) {
      throw new UserinfoError(e.reason, e.reason === 'expired' ? 'the access token has expired' : 'the access token is not valid');
    }
    throw e;
  }
}
