/** Step 4, /userinfo: Cognito fetches the verified attributes with the proxy's access token. */
import { OAuthError } from '../shared/oauth-error';
import { SealedValueError } from '../shared/sealing';
import type { FederationProxyDeps } from './deps';
import type { SealedUserinfo } from './token';

export async function userinfoOf(deps: FederationProxyDeps, bearer: string | undefined): Promise<SealedUserinfo> {
  if (!bearer) throw new OAuthError('invalid_token', 'a bearer access token is required');
  try {
    const { iss: _iss, aud: _aud, iat: _iat, exp: _exp, ...claims } = await deps.sealer.unseal<SealedUserinfo & Record<string, unknown>>('access-token', bearer);
    return claims as SealedUserinfo;
  } catch (e) {
    if (e instanceof SealedValueError) {
      throw new OAuthError('invalid_token', e.reason === 'expired' ? 'the access token has expired' : 'the access token is not valid');
    }
    throw e;
  }
}
