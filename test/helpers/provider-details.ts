/**
 * Reads a synthesized template's OIDC identity provider the way CloudFormation would resolve
 * it, with the proxy's function URL replaced by the local proxy's origin and the dynamic
 * reference to the client secret by the local secret.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import type { CognitoIdpSettings } from '../../tools/rp-driver/cognito-like-rp';

function resolve(v: unknown, functionUrl: string, secret: string): any {
  if (typeof v === 'string') return v.startsWith('{{resolve:secretsmanager:') && v.endsWith('}}') ? secret : v;
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map((x) => resolve(x, functionUrl, secret));
  const o = v as Record<string, unknown>;
  const [fn, args] = Object.entries(o)[0] ?? [];
  if (!fn?.startsWith('Fn::') && fn !== 'Ref') {
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x, functionUrl, secret)]));
  }
  switch (fn) {
    case 'Ref':
      return `ref:${String(args)}`;
    case 'Fn::Join': {
      const [sep, parts] = args as [string, unknown[]];
      const joined = (resolve(parts, functionUrl, secret) as string[]).join(sep);
      // A dynamic reference to Secrets Manager, resolved by CloudFormation at deploy time.
      return joined.startsWith('{{resolve:secretsmanager:') ? secret : joined;
    }
    case 'Fn::Select': {
      const [i, list] = args as [number, unknown];
      return (resolve(list, functionUrl, secret) as string[])[i];
    }
    case 'Fn::Split': {
      const [sep, s] = args as [string, unknown];
      return (resolve(s, functionUrl, secret) as string).split(sep);
    }
    case 'Fn::GetAtt': {
      const [, attr] = args as [string, string];
      if (attr === 'FunctionUrl') return functionUrl;
      throw new Error(`cannot resolve Fn::GetAtt ${attr}`);
    }
    default:
      throw new Error(`cannot resolve ${JSON.stringify(v).slice(0, 200)}`);
  }
}

/**
 * The RP settings of the template's (only) OIDC identity provider. `localOrigin` stands in for
 * the function URL; the function URL terminates TLS, the local proxy does not, so its
 * https://127.0.0.1:port becomes http://.
 */
export function cognitoIdpSettingsFrom(template: Template, localOrigin: string, clientSecret: string, redirectUri: string): CognitoIdpSettings {
  const idps = Object.values(template.findResources('AWS::Cognito::UserPoolIdentityProvider'));
  if (idps.length !== 1) throw new Error(`expected one identity provider, found ${idps.length}`);
  const p = idps[0]!.Properties as { ProviderType: string; ProviderDetails: Record<string, unknown> };
  if (p.ProviderType !== 'OIDC') throw new Error('not an OIDC identity provider');
  const host = new URL(localOrigin).host;
  const d = resolve(p.ProviderDetails, `https://${host}/`, clientSecret) as Record<string, string>;
  const local = (u: string) => u.replace(`https://${host}`, localOrigin);
  if (d.attributes_request_method !== 'GET') throw new Error('the driver calls userinfo with GET, as configured');
  return {
    clientId: d.client_id!,
    clientSecret: d.client_secret!,
    issuer: local(d.oidc_issuer!),
    authorizeUrl: local(d.authorize_url!),
    tokenUrl: local(d.token_url!),
    attributesUrl: local(d.attributes_url!),
    jwksUri: local(d.jwks_uri!),
    scopes: d.authorize_scopes!,
    redirectUri,
  };
}
