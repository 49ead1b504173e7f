/**
 * The effect of each tenant option on the template, one fine-grained assertion each.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { minimalTenant, readTenantInput, synthTenant } from '../helpers/tenants';

const USER_POOL = 'AWS::Cognito::UserPool';
const CLIENT = 'AWS::Cognito::UserPoolClient';
const with_ = (change: (t: Record<string, any>) => void) => {
  const t = minimalTenant();
  change(t);
  return synthTenant(t).template;
};

describe('environment', () => {
  test('production retains the user pool and protects it from deletion, but a failed first create leaves nothing', () => {
    const template = with_((t) => Object.assign(t, { environment: 'production', operations: { operators: { emails: ['ops@acme.example'] } } }));
    template.hasResource(USER_POOL, { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain', Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }) });
  });
  test('production retains the SMS role with the pool that uses it', () => {
    const template = with_((t) => Object.assign(t, { environment: 'production', sms: { externalId: 'acme-sms' }, operations: { operators: { emails: ['ops@acme.example'] } } }));
    const roles = template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('send SMS') } });
    expect(Object.values(roles).map((r) => [r.DeletionPolicy, r.UpdateReplacePolicy])).toEqual([['RetainExceptOnCreate', 'Retain']]);
  });
  test('sandbox deletes the user pool with the stack', () => {
    const template = with_(() => undefined);
    template.hasResource(USER_POOL, { DeletionPolicy: 'Delete', Properties: Match.objectLike({ DeletionProtection: 'INACTIVE' }) });
  });
});

describe('plan and threat protection', () => {
  test('essentials by default, without threat protection', () => {
    const template = with_(() => undefined);
    template.hasResourceProperties(USER_POOL, { UserPoolTier: 'ESSENTIALS', UserPoolAddOns: Match.absent() });
  });
  test.each([
    ['audit', { AdvancedSecurityMode: 'AUDIT', AdvancedSecurityAdditionalFlows: { CustomAuthMode: 'AUDIT' } }],
    ['enforced', { AdvancedSecurityMode: 'ENFORCED', AdvancedSecurityAdditionalFlows: { CustomAuthMode: 'ENFORCED' } }],
    ['off', { AdvancedSecurityMode: 'OFF' }],
  ])('plus with threat protection %s', (mode, addOns) => {
    const template = with_((t) => Object.assign(t, { plan: 'plus', threatProtection: mode }));
    template.hasResourceProperties(USER_POOL, { UserPoolTier: 'PLUS', UserPoolAddOns: addOns });
  });
});

describe('domain', () => {
  test('a prefix domain with the newer managed login', () => {
    with_(() => undefined).hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-login', ManagedLoginVersion: 2, CustomDomainConfig: Match.absent() });
  });
  test('a custom domain with its certificate and alias records', () => {
    const { template } = synthTenant({ ...readTenantInput('example'), branding: { style: 'cognito-defaults' } });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'auth.example.co.jp',
      ManagedLoginVersion: 2,
      CustomDomainConfig: { CertificateArn: Match.stringLikeRegexp('^arn:aws:acm:us-east-1:') },
    });
    for (const type of ['A', 'AAAA']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Type: type, Name: 'auth.example.co.jp.', HostedZoneId: 'Z0123456789EXAMPLE',
        AliasTarget: { HostedZoneId: 'Z2FDTNDATAQYW2', DNSName: { 'Fn::GetAtt': [Match.anyValue(), 'CloudFrontDistribution'] } },
      });
    }
  });
  test('a custom domain without a hosted zone creates no DNS record', () => {
    const t = readTenantInput('example');
    delete t.domain.custom.hostedZone;
    t.email.identity = { create: false, domain: 'example.co.jp' };
    const { template } = synthTenant({ ...t, branding: { style: 'cognito-defaults' } });
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
  });
});

describe('sign-in', () => {
  test('first factors and the passkey relying party', () => {
    const template = with_((t) => (t.signIn.passkey.userVerification = 'preferred'));
    template.hasResourceProperties(USER_POOL, {
      Policies: Match.objectLike({ SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } }),
      WebAuthnRelyingPartyID: 'acme-login.auth.ap-northeast-1.amazoncognito.com',
      WebAuthnUserVerification: 'preferred',
    });
  });
  test('without passkeys there is no relying party', () => {
    const template = with_((t) => (t.signIn = { firstFactors: ['password'] }));
    template.hasResourceProperties(USER_POOL, {
      Policies: Match.objectLike({ SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD'] } }),
      WebAuthnRelyingPartyID: Match.absent(),
    });
  });
  test.each([
    ['off', [], 'OFF', Match.absent()],
    ['optional', ['totp'], 'OPTIONAL', ['SOFTWARE_TOKEN_MFA']],
    ['required', ['totp'], 'ON', ['SOFTWARE_TOKEN_MFA']],
  ])('MFA %s %j', (mode, factors, cfn, enabled) => {
    const template = with_((t) => (t.signIn.mfa = { mode, factors }));
    template.hasResourceProperties(USER_POOL, { MfaConfiguration: cfn, EnabledMfas: enabled });
  });
  test('SMS and email MFA factors with their senders', () => {
    const { template } = synthTenant({ ...readTenantInput('example'), branding: { style: 'cognito-defaults' } });
    template.hasResourceProperties(USER_POOL, { EnabledMfas: ['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP'] });
  });
  test('password policy', () => {
    const template = with_((t) => (t.signIn.passwordPolicy = { minLength: 16, requireSymbols: false, historySize: 0, temporaryPasswordValidityDays: 1 }));
    template.hasResourceProperties(USER_POOL, {
      Policies: Match.objectLike({
        PasswordPolicy: { MinimumLength: 16, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: false, TemporaryPasswordValidityDays: 1 },
      }),
    });
  });
  test('self sign-up off', () => {
    with_((t) => (t.signIn.selfSignUp = false)).hasResourceProperties(USER_POOL, { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
  });
  test('account recovery', () => {
    const template = with_((t) => Object.assign(t, { sms: { externalId: 'acme-sms' }, signIn: { ...t.signIn, accountRecovery: 'phone-without-mfa-and-email' } }));
    template.hasResourceProperties(USER_POOL, {
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_phone_number', Priority: 1 }, { Name: 'verified_email', Priority: 2 }] },
    });
  });
  test('phone as a username attribute', () => {
    const template = with_((t) => Object.assign(t, { sms: { externalId: 'acme-sms' }, signIn: { ...t.signIn, usernameAttributes: ['email', 'phone'] } }));
    template.hasResourceProperties(USER_POOL, { UsernameAttributes: ['email', 'phone_number'], AutoVerifiedAttributes: ['email', 'phone_number'] });
  });
});

describe('app clients', () => {
  test('a public client: code flow only, no secret, choice-based sign-in', () => {
    with_(() => undefined).hasResourceProperties(CLIENT, {
      ClientName: 'web',
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: ['https://app.acme.example/callback'],
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      SupportedIdentityProviders: ['COGNITO'],
    });
  });
  test('a confidential client gets a secret and its token lifetimes', () => {
    const template = with_((t) => (t.appClients = [{
      name: 'api', public: false, callbackUrls: ['https://api.acme.example/cb'], logoutUrls: ['https://api.acme.example/'],
      tokenValidity: { accessTokenMinutes: 5, idTokenMinutes: 10, refreshTokenDays: 2 },
    }]));
    template.hasResourceProperties(CLIENT, {
      ClientName: 'api', GenerateSecret: true, LogoutURLs: ['https://api.acme.example/'],
      AccessTokenValidity: 5, IdTokenValidity: 10, RefreshTokenValidity: 2880,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
    });
  });
  test('clients cannot write the attributes the My Number Card verifies', () => {
    const template = with_(() => undefined);
    template.hasResourceProperties(CLIENT, { WriteAttributes: ['email', 'phone_number'] });
    template.hasResourceProperties(CLIENT, { ReadAttributes: Match.arrayWith(['address', 'birthdate', 'custom:jpki_verified_at', 'gender', 'name']) });
  });
});

describe('attributes', () => {
  test('the JPKI custom attributes are declared, mutable, and no standard attribute is required', () => {
    const template = with_(() => undefined);
    for (const name of ['jpki_verified_at', 'jpki_acr', 'jpki_issuer']) {
      template.hasResourceProperties(USER_POOL, { Schema: Match.arrayWith([Match.objectLike({ Name: name, Mutable: true, AttributeDataType: 'String' })]) });
    }
    const pool = Object.values(template.findResources(USER_POOL))[0]!;
    expect(pool.Properties.Schema.filter((a: { Required?: boolean }) => a.Required)).toEqual([]);
  });
});

describe('email', () => {
  test('Cognito default sender', () => {
    with_(() => undefined).hasResourceProperties(USER_POOL, { EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT' } });
  });
  test('SES with a created domain identity: DKIM records and configuration set in a mail stack deployed first', () => {
    const { stack, template } = synthTenant({ ...readTenantInput('example'), branding: { style: 'cognito-defaults' } });
    template.hasResourceProperties(USER_POOL, {
      EmailConfiguration: {
        EmailSendingAccount: 'DEVELOPER',
        From: 'Example ID <no-reply@example.co.jp>',
        ReplyToEmailAddress: 'support@example.co.jp',
        ConfigurationSet: 'myna-idp-example',
        SourceArn: 'arn:aws:ses:ap-northeast-1:111122223333:identity/example.co.jp',
      },
    });
    // The identity is not in the tenant's stack: a failed pool deploy cannot take it down.
    template.resourceCountIs('AWS::SES::EmailIdentity', 0);
    expect(stack.mailStack?.stackName).toBe('MynaIdp-example-mail');
    expect(stack.dependencies).toContain(stack.mailStack);
    const mail = Template.fromStack(stack.mailStack!);
    mail.hasResource('AWS::SES::EmailIdentity', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: { EmailIdentity: 'example.co.jp', ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() } },
    });
    mail.hasResource('AWS::SES::ConfigurationSet', { DeletionPolicy: 'RetainExceptOnCreate', Properties: { Name: 'myna-idp-example', DeliveryOptions: { TlsPolicy: 'REQUIRE' } } });
    mail.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'CNAME' }, 3);
    // The pool is created only once SES says the identity may send.
    template.hasResourceProperties('Custom::SesIdentityVerified', { Identity: 'example.co.jp', Region: 'ap-northeast-1', Stack: 'MynaIdp-example', IdentityStack: 'MynaIdp-example-mail' });
    const pool = Object.values(template.findResources(USER_POOL))[0]!;
    expect(pool.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^IdentityEmailIdentityVerified/)]));
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'ses:GetEmailIdentity', Effect: 'Allow', Resource: 'arn:aws:ses:ap-northeast-1:111122223333:identity/example.co.jp' }]) },
    });
  });
  test('without a Route 53 zone the DKIM records to publish are stack outputs', () => {
    const t = readTenantInput('example');
    delete t.email.identity.hostedZoneId;
    const { stack } = synthTenant({ ...t, branding: { style: 'cognito-defaults' } });
    const outputs = Template.fromStack(stack.mailStack!).findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(['DkimRecord1', 'DkimRecord2', 'DkimRecord3']);
    expect(JSON.stringify(outputs.DkimRecord1!.Value)).toContain('DkimDNSTokenName1');
    const withZone = synthTenant({ ...readTenantInput('example'), branding: { style: 'cognito-defaults' } }).stack;
    expect(Object.keys(Template.fromStack(withZone.mailStack!).findOutputs('*'))).toEqual([]);
  });
  test('a sandbox mail stack deletes its identity with it', () => {
    const t = readTenantInput('example');
    const { stack } = synthTenant({ ...t, environment: 'sandbox', branding: { style: 'cognito-defaults' } });
    Template.fromStack(stack.mailStack!).hasResource('AWS::SES::EmailIdentity', { DeletionPolicy: 'Delete' });
  });
  test('SES with an existing identity and configuration set creates neither', () => {
    const t = readTenantInput('example');
    t.email.identity = { create: false, domain: 'example.co.jp' };
    t.email.configurationSet = { name: 'shared-set', create: false };
    t.email.sesRegion = 'us-west-2';
    const { stack, template } = synthTenant({ ...t, branding: { style: 'cognito-defaults' } });
    expect(stack.mailStack).toBeUndefined();
    template.resourceCountIs('AWS::SES::EmailIdentity', 0);
    template.resourceCountIs('AWS::SES::ConfigurationSet', 0);
    template.hasResourceProperties(USER_POOL, {
      EmailConfiguration: Match.objectLike({ ConfigurationSet: 'shared-set', SourceArn: 'arn:aws:ses:us-west-2:111122223333:identity/example.co.jp' }),
    });
    // An existing identity is checked too, in its own region.
    template.hasResourceProperties('Custom::SesIdentityVerified', { Identity: 'example.co.jp', Region: 'us-west-2' });
  });
});

describe('sms', () => {
  test('an SNS role bound to the external id, the account and its user pools', () => {
    const template = with_((t) => (t.sms = { externalId: 'acme-sms-1', snsRegion: 'ap-northeast-1' }));
    template.hasResourceProperties(USER_POOL, {
      SmsConfiguration: { ExternalId: 'acme-sms-1', SnsRegion: 'ap-northeast-1', SnsCallerArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IdentitySmsRole'), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({
        Principal: { Service: 'cognito-idp.amazonaws.com' },
        Condition: {
          StringEquals: { 'sts:ExternalId': 'acme-sms-1', 'aws:SourceAccount': '123456789012' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:cognito-idp:ap-northeast-1:123456789012:userpool/*' },
        },
      })] },
      Policies: [{ PolicyName: 'sms', PolicyDocument: { Statement: [{ Action: 'sns:Publish', Effect: 'Allow', NotResource: 'arn:aws:sns:*:*:*' }], Version: '2012-10-17' } }],
    });
    template.resourceCountIs('Custom::AWS', 0);
  });
  test('a sender id is set as the SNS default', () => {
    const template = with_((t) => (t.sms = { externalId: 'acme-sms-1', senderId: 'ACME' }));
    // Our handler, which restores the previous account-wide value on delete (lambdas/sms-sender-id).
    template.hasResourceProperties('Custom::SmsSenderId', { Region: 'ap-northeast-1', SenderId: 'ACME' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: ['sns:GetSMSAttributes', 'sns:SetSMSAttributes'], Effect: 'Allow', Resource: '*' }]) },
    });
  });
  test('no SMS section, no SMS configuration', () => {
    with_(() => undefined).hasResourceProperties(USER_POOL, { SmsConfiguration: Match.absent() });
  });
});

describe('branding', () => {
  test('Cognito defaults for each client', () => {
    with_(() => undefined).hasResourceProperties('AWS::Cognito::ManagedLoginBranding', { UseCognitoProvidedValues: true, ClientId: { Ref: Match.anyValue() } });
  });
  test('custom colours and logo', () => {
    const { template } = synthTenant(
      { ...minimalTenant(), branding: { style: 'custom', colors: { primary: '#0B5FFF', pageBackground: '#F5F7FA' }, logo: 'logo.svg' } },
      { base64: 'PHN2Zy8+', extension: 'SVG' },
    );
    template.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', {
      UseCognitoProvidedValues: false,
      Settings: Match.objectLike({
        // Links are a component class in the documented settings document, not a component.
        componentClasses: { link: { lightMode: { defaults: { textColor: '0b5fffff' } } } },
        components: Match.objectLike({
          primaryButton: { lightMode: { defaults: { backgroundColor: '0b5fffff', textColor: 'ffffffff' } } },
          pageBackground: { lightMode: { color: 'f5f7faff' } },
          link: Match.absent(),
        }),
      }),
      Assets: [{ Category: 'FORM_LOGO', ColorMode: 'LIGHT', Extension: 'SVG', Bytes: 'PHN2Zy8+' }],
    });
  });
});

describe('outputs an app developer needs', () => {
  test('user pool id, issuer, managed login URL, each client id, the proxy redirect URI', () => {
    const t = readTenantInput('example');
    const { template } = synthTenant({ ...t, branding: { style: 'cognito-defaults' } });
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'AppClientIdBackoffice', 'AppClientIdWeb', 'AuditLogGroup', 'DashboardUrl', 'EventArchiveArn', 'EventBusArn', 'Issuer',
        'JpkiClientAssertionKeyArn', 'JpkiCognitoClientSecretArn', 'JpkiEdgeOriginSecretArn', 'JpkiLinkIntentUrl', 'JpkiProxyRoleArn', 'JpkiRedirectUri', 'JpkiSealingSecretArn',
        'ManagedLoginUrl', 'OperatorsTopicArn', 'UserPoolId',
      ],
    );
    expect(outputs.ManagedLoginUrl!.Value).toBe('https://auth.example.co.jp');
    expect(outputs.UserPoolId!.Value).toEqual({ Ref: expect.stringMatching(/^IdentityUserPool/) });
    expect(JSON.stringify(outputs.Issuer!.Value)).toContain('https://cognito-idp.ap-northeast-1.');
    expect(outputs.AppClientIdWeb!.Value).toEqual({ Ref: expect.stringMatching(/^IdentityUserPoolweb/) });
  });
});

describe('tags', () => {
  test('every taggable resource carries the tenant id', () => {
    const template = with_(() => undefined);
    template.hasResourceProperties(USER_POOL, { UserPoolTags: { 'myna-idp:tenant': 'acme', 'myna-idp:environment': 'sandbox' } });
    const { template: full } = synthTenant({ ...readTenantInput('example'), branding: { style: 'cognito-defaults' } });
    const tag = { Key: 'myna-idp:tenant', Value: 'example' };
    for (const type of ['AWS::IAM::Role', 'AWS::Lambda::Function', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup']) {
      const resources = Object.entries(full.findResources(type));
      expect([type, resources.length > 0]).toEqual([type, true]);
      // CDK's own provider of cross-region references (jpki.edge) is a plain CfnResource, which takes no tags.
      for (const [id, r] of resources.filter(([id]) => !id.startsWith('CustomCrossRegionExport'))) {
        expect([id, r.Properties.Tags]).toEqual([id, expect.arrayContaining([tag])]);
      }
    }
  });
});

describe('messages', () => {
  test('Japanese by default, with the tenant id as the service name', () => {
    with_(() => undefined).hasResourceProperties(USER_POOL, {
      VerificationMessageTemplate: Match.objectLike({
        EmailSubject: '【acme】確認コードのお知らせ',
        EmailMessage: 'acme の確認コードは {####} です。お心当たりのない場合は、このメールを破棄してください。',
        SmsMessage: 'acme の確認コード: {####}',
      }),
      AdminCreateUserConfig: Match.objectLike({
        InviteMessageTemplate: {
          EmailSubject: '【acme】アカウントのご案内',
          EmailMessage: 'acme のアカウントを作成しました。ユーザー名: {username} 仮パスワード: {####} 初回サインイン時にパスワードを変更してください。',
          SMSMessage: 'acme ユーザー名 {username} 仮パスワード {####}',
        },
      }),
    });
  });
  test('English, with the service name given', () => {
    const template = with_((t) => (t.messages = { language: 'en', serviceName: 'Acme ID' }));
    template.hasResourceProperties(USER_POOL, {
      VerificationMessageTemplate: Match.objectLike({ EmailSubject: 'Acme ID: your verification code', SmsMessage: 'Acme ID verification code: {####}' }),
    });
  });
  test('the MFA SMS text', () => {
    with_((t) => Object.assign(t, { sms: { externalId: 'acme-sms' }, signIn: { ...t.signIn, mfa: { mode: 'optional', factors: ['sms'] } } })).hasResourceProperties(USER_POOL, {
      SmsAuthenticationMessage: 'acme のサインイン用コード: {####}',
    });
  });
});
