/**
 * Reads a synthesized template's OIDC identity provider the way CloudFormation would resolve
 * it (the Cognito stand-in's template reader), with the proxy's function URL replaced by the
 * local proxy's origin and the dynamic reference to the client secret by the local secret.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { readPoolModel, type CfnTemplate } from '../../tools/stand-ins/cognito/template';
import type { CognitoIdpSettings } from '../../tools/stand-ins/rp-driver/cognito-like-rp';

/** The RP settings of the template's (only) OIDC identity provider. */
export function cognitoIdpSettingsFrom(template: Template, localOrigin: string, clientSecret: string, redirectUri: string): CognitoIdpSettings {
  const model = readPoolModel(template.toJSON() as CfnTemplate, { region: 'ap-northeast-1', account: '123456789012', functionUrl: () => localOrigin, secret: () => clientSecret });
  if (model.identityProviders.length !== 1) throw new Error(`expected one identity provider, found ${model.identityProviders.length}`);
  const p = model.identityProviders[0]!;
  if (p.type !== 'OIDC') throw new Error('not an OIDC identity provider');
  const d = p.details;
  if (d.attributes_request_method !== 'GET') throw new Error('the driver calls userinfo with GET, as configured');
  return {
    clientId: d.client_id!,
    clientSecret: d.client_secret!,
    issuer: d.oidc_issuer!,
    authorizeUrl: d.authorize_url!,
    tokenUrl: d.token_url!,
    attributesUrl: d.attributes_url!,
    jwksUri: d.jwks_uri!,
    scopes: d.authorize_scopes!,
    redirectUri,
  };
}
