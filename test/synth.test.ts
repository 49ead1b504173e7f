/** The example tenants as synthesized: a normalized snapshot, and no secret in any template. */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../lib/app';
import { findSecrets } from './helpers/secrets';
import { newApp, tenantsDir } from './helpers/tenants';

/** Masks what changes without a change of ours: asset hashes. */
function normalize(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}(\.zip|\.json)?/g, (_m, ext: string | undefined) => `[ASSET HASH]${ext ?? ''}`));
}

describe('synthesized templates', () => {
  const { stacks } = buildApp({ tenantsDir, app: newApp({ bundle: true }) });
  const templates = new Map(stacks.map((s) => [s.stackName, Template.fromStack(s).toJSON()]));

  test('the example tenant matches its snapshot', () => {
    expect(normalize(templates.get('MynaIdp-example'))).toMatchSnapshot();
  });

  test('the example tenant has what the issue asks for', () => {
    const t = Template.fromJSON(templates.get('MynaIdp-example')!);
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED', AdvancedSecurityAdditionalFlows: { CustomAuthMode: 'ENFORCED' } },
      WebAuthnRelyingPartyID: 'auth.example.co.jp',
      EmailConfiguration: { EmailSendingAccount: 'DEVELOPER', ConfigurationSet: 'myna-idp-example', From: 'Example ID <no-reply@example.co.jp>', ReplyToEmailAddress: 'support@example.co.jp', SourceArn: 'arn:aws:ses:ap-northeast-1:111122223333:identity/example.co.jp' },
      SmsConfiguration: { ExternalId: 'myna-idp-example-sms', SnsRegion: 'ap-northeast-1', SnsCallerArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } },
    });
    const pool = Object.values(t.findResources("AWS::Cognito::UserPool"))[0]!;
    expect(pool.Properties.Policies.SignInPolicy.AllowedFirstAuthFactors).toContain('WEB_AUTHN');
    t.hasResourceProperties('AWS::Cognito::UserPoolDomain', { ManagedLoginVersion: 2 });
    t.resourceCountIs('AWS::Cognito::UserPoolClient', 2);
  });

  test.each(['MynaIdp-example', 'MynaIdp-sandbox'])('%s holds no secret value', (name) => {
    expect(findSecrets(templates.get(name))).toEqual([]);
  });

  test('the secret finder does find secrets', () => {
    expect(findSecrets({ A: { Properties: { ClientSecret: 'abc' } } })).toHaveLength(1);
    expect(findSecrets({ A: { Properties: { ClientSecret: '{{resolve:secretsmanager:arn:x:SecretString:s}}' } } })).toHaveLength(0);
    const pemHeader = ['-----BEGIN', 'PRIVATE', 'KEY-----'].join(' '); // not spelled out: the repo holds no key material
    expect(findSecrets({ k: `${pemHeader}\nMII` })).toHaveLength(1);
  });
});
