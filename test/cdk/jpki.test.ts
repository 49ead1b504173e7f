/**
 * The Cognito side of the federation and the proxy's resources, as synthesized.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseProxyConfig } from '../../lambdas/federation-proxy/config';
import { findSecrets } from '../helpers/secrets';
import { minimalTenant, readTenantInput, synthTenant } from '../helpers/tenants';

const IDP = 'AWS::Cognito::UserPoolIdentityProvider';
const withJpki = (jpki: Record<string, unknown> = {}) =>
  synthTenant({ ...minimalTenant(), jpki: { environment: 'sandbox', clientId: 'RP00000002', ...jpki } }).template;

/** `${origin}<path>` as the template builds it from the function URL. */
const fromFunctionUrl = (suffix: string) => ({
  'Fn::Join': ['', ['https://', { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [Match.stringLikeRegexp('^JpkiFederationProxyFunctionUrl'), 'FunctionUrl'] }] }] }, ...(suffix ? [suffix] : [])]],
});

function only(template: Template, type: string, idPrefix = ''): Record<string, any> {
  const all = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(idPrefix)).map(([, r]) => r);
  expect(all).toHaveLength(1);
  return all[0]!;
}

describe('the Cognito side', () => {
  test('the OIDC identity provider points at the proxy, with a dynamic reference for the secret', () => {
    const template = withJpki();
    template.hasResourceProperties(IDP, {
      ProviderName: 'DigitalAuthApp',
      ProviderType: 'OIDC',
      ProviderDetails: {
        client_id: 'myna-idp-acme',
        client_secret: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: Match.stringLikeRegexp('^JpkiFederationCognitoClientSecret') }, ':SecretString:client_secret::}}']] },
        authorize_scopes: 'openid name address birthdate gender',
        attributes_request_method: 'GET',
        oidc_issuer: fromFunctionUrl(''),
        authorize_url: fromFunctionUrl('/authorize'),
        token_url: fromFunctionUrl('/token'),
        attributes_url: fromFunctionUrl('/userinfo'),
        jwks_uri: fromFunctionUrl('/jwks'),
      },
      AttributeMapping: {
        username: 'sub',
        name: 'name',
        address: 'address',
        birthdate: 'birthdate',
        gender: 'gender',
        'custom:jpki_verified_at': 'jpki_verified_at',
        'custom:jpki_acr': 'jpki_acr',
        'custom:jpki_issuer': 'jpki_issuer',
      },
    });
  });

  test('scopes and provider name follow the tenant file', () => {
    withJpki({ scopes: ['openid', 'name'], providerName: 'MyNumberCard' }).hasResourceProperties(IDP, {
      ProviderName: 'MyNumberCard',
      ProviderDetails: Match.objectLike({ authorize_scopes: 'openid name' }),
    });
  });

  test('the app clients offer the provider, are created after it, and may write what it maps', () => {
    const template = withJpki();
    const client = only(template, 'AWS::Cognito::UserPoolClient');
    expect(client.Properties.SupportedIdentityProviders).toEqual(['COGNITO', { Ref: expect.stringMatching(/^JpkiFederationIdentityProvider/) }]);
    expect(client.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^JpkiFederationIdentityProvider/)]));
    expect(client.Properties.WriteAttributes).toEqual(expect.arrayContaining(['name', 'address', 'birthdate', 'gender', 'custom:jpki_attestation']));
  });
});

describe('the proxy', () => {
  test('Node.js 22 on ARM64 behind a public function URL, configured from the tenant file', () => {
    const template = withJpki({ acrValues: 'aal3 crl', clockLeewaySeconds: 30 });
    const fn = only(template, 'AWS::Lambda::Function', 'JpkiFederationProxy');
    // 5 OP calls of at most 3 s each, the JWKS wait, twelve AWS calls of 3 s, 2 s to answer.
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler', Timeout: 54 });
    const config = parseProxyConfig(fn.Properties.Environment.Variables.PROXY_CONFIG);
    expect(config).toEqual({
      tenantId: 'acme',
      op: {
        issuer: 'https://sb-auth-and-sign.go.jp/api/realms/main',
        authorizationEndpoint: 'https://sb-auth-and-sign.go.jp/api/realms/main/protocol/openid-connect/auth',
        tokenEndpoint: 'https://sb-auth-and-sign.go.jp/api/realms/main/protocol/openid-connect/token',
        userinfoEndpoint: 'https://sb-auth-and-sign.go.jp/api/realms/main/protocol/openid-connect/userinfo',
        jwksUri: 'https://sb-auth-and-sign.go.jp/api/realms/main/protocol/openid-connect/certs',
        clientId: 'RP00000002',
        scopes: ['openid', 'name', 'address', 'birthdate', 'gender'],
        acrValues: 'aal3 crl',
        idTokenAlgorithms: ['RS256', 'ES256'],
        clockLeewaySeconds: 30,
        requestTimeoutMs: 3000,
        requireAtHash: false,
        maxAuthenticationAgeSeconds: 300,
        // acr_values "aal3 crl": either value in the ID token is one that was asked for.
        acceptedAcr: ['aal3', 'crl'],
        prompt: 'login',
        sendMaxAge: true,
      },
      clientAssertion: { algorithm: 'RS256', lifetimeSeconds: 60, audience: 'token-endpoint' },
      cognito: { clientId: 'myna-idp-acme', redirectUri: 'https://acme-login.auth.ap-northeast-1.amazoncognito.com/oauth2/idpresponse', providerName: 'DigitalAuthApp' },
      lifetimes: { transaction: 600, code: 30, tokens: 300 },
      previousSecretMinutes: 60,
    });
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', InvokeMode: 'BUFFERED' });
    template.hasOutput('JpkiRedirectUri', { Value: fromFunctionUrl('/callback') });
  });

  test('the Lambda timeout covers the worst case: five OP calls, the JWKS wait, twelve AWS calls', () => {
    // 5 x 1 s + 1 s + 12 x 3 s, rounded up, + 2 s to answer; and 5 x 8 s + 1 s + 36 s + 2 s.
    expect(only(withJpki({ requestTimeoutMs: 1000 }), 'AWS::Lambda::Function', 'JpkiFederationProxy').Properties.Timeout).toBe(44);
    expect(only(withJpki({ requestTimeoutMs: 8000 }), 'AWS::Lambda::Function', 'JpkiFederationProxy').Properties.Timeout).toBe(79);
  });

  test('production and custom endpoints', () => {
    const prod = withJpki({ environment: 'production' });
    const custom = withJpki({ environment: 'custom', issuer: 'https://op.example.jp/realms/x', endpoints: { token: 'https://op.example.jp/token' } });
    const cfg = (t: Template) => parseProxyConfig(only(t, 'AWS::Lambda::Function', 'JpkiFederationProxy').Properties.Environment.Variables.PROXY_CONFIG);
    expect(cfg(prod).op.issuer).toBe('https://auth-and-sign.go.jp/api/realms/main');
    expect(cfg(custom).op).toMatchObject({ issuer: 'https://op.example.jp/realms/x', tokenEndpoint: 'https://op.example.jp/token', jwksUri: 'https://op.example.jp/realms/x/protocol/openid-connect/certs' });
  });

  test.each([
    ['RS256', 'RSA_2048'],
    ['PS256', 'RSA_2048'],
    ['ES256', 'ECC_NIST_P256'],
  ])('a %s client assertion key is a %s KMS key for signing; the token key is P-256', (algorithm, keySpec) => {
    const template = withJpki({ clientAssertion: { algorithm } });
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: keySpec, KeyUsage: 'SIGN_VERIFY', Description: Match.stringLikeRegexp('client assertions') });
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: Match.stringLikeRegexp('ID tokens') });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/myna-idp/acme/jpki-client-assertion' });
  });

  test('an existing KMS key is used as given', () => {
    const arn = 'arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const template = withJpki({ clientAssertion: { algorithm: 'ES256', kmsKeyArn: arn } });
    // The token signing key, the card records key and the operators' topic's key; no client assertion key.
    template.resourceCountIs('AWS::KMS::Key', 3);
    const fn = only(template, 'AWS::Lambda::Function', 'JpkiFederationProxy');
    expect(fn.Properties.Environment.Variables.CLIENT_ASSERTION_KEY_ID).toBe(arn);
  });

  test('the proxy may use only the actions it needs, on its own keys, secrets, table and pool', () => {
    const template = withJpki();
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: any) =>
      p.Properties.Roles.some((r: any) => /^JpkiFederationProxyRole/.test(r.Ref)),
    );
    const statements = policies.flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s: any) => [s.Action].flat()).sort();
    // The signing keys are not granted through IAM: their own policies allow the proxy (below).
    // The card records table and its key, and linking in the user pool (deleting a card's own user only in a merge the person confirmed).
    expect(actions).toEqual([
      'cognito-idp:AdminDeleteUser', 'cognito-idp:AdminGetUser', 'cognito-idp:AdminLinkProviderForUser',
      'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem',
      'events:PutEvents',
      'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*',
      'logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue',
    ]);
    // Single items of cards, links and link requests only: never a Scan, never the client policy.
    const ddb = statements.find((s: any) => [s.Action].flat().includes('dynamodb:UpdateItem'));
    expect(ddb.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['card#*', 'user#*', 'request#*'] } });
    const cognito = statements.find((s: any) => [s.Action].flat().includes('cognito-idp:AdminLinkProviderForUser'));
    expect(cognito.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^IdentityUserPool/), 'Arn'] });
    // Security events, on the tenant's bus only.
    const events = statements.find((s: any) => s.Action === 'events:PutEvents');
    expect(events.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OperationsEventsBus/), 'Arn'] });
    const sm = statements.find((s: any) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(sm.Resource).toEqual([{ Ref: expect.stringMatching(/^JpkiFederationCognitoClientSecret/) }, { Ref: expect.stringMatching(/^JpkiFederationSealingSecret/) }]);
    const role = only(template, 'AWS::IAM::Role', 'JpkiFederationProxyRole');
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('only the proxy role may sign with the keys: no IAM policy in the account can grant kms:Sign', () => {
    const template = withJpki();
    const keys = Object.entries(template.findResources('AWS::KMS::Key')).filter(([id]) => id.startsWith('JpkiFederation')).map(([, k]) => k);
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key.Properties.KeyPolicy.Statement).toEqual([
        {
          Sid: 'AccountAdministersButDoesNotSign',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:root' },
          NotAction: 'kms:Sign',
          Resource: '*',
        },
        {
          Sid: 'OnlyTheProxySigns',
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^JpkiFederationProxyRole/), 'Arn'] } },
          Action: ['kms:GetPublicKey', 'kms:Sign'],
          Resource: '*',
        },
        {
          // An explicit deny beats any IAM allow and any grant (kms:CreateGrant is an admin right).
          Sid: 'NoOneElseSigns',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'kms:Sign',
          Resource: '*',
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [expect.stringMatching(/^JpkiFederationProxyRole/), 'Arn'] } } },
        },
      ]);
    }
  });

  test('a client assertion key brought by the tenant is used through IAM, on that key only', () => {
    const arn = 'arn:aws:kms:ap-northeast-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
    const template = withJpki({ clientAssertion: { kmsKeyArn: arn } });
    // The token signing key, the card records key and the operators' topic's key.
    template.resourceCountIs('AWS::KMS::Key', 3);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: ['kms:GetPublicKey', 'kms:Sign'], Effect: 'Allow', Resource: arn }]) },
    });
  });

  test("reserved concurrency is the tenant file's setting, and none by default", () => {
    const proxyOf = (t: Template) => only(t, 'AWS::Lambda::Function', 'JpkiFederationProxy');
    expect(proxyOf(withJpki()).Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(proxyOf(withJpki({ reservedConcurrency: 25 })).Properties.ReservedConcurrentExecutions).toBe(25);
  });

  test('production keeps keys, secrets, the card records and the proxy logs; a failed first create leaves none', () => {
    const { template } = synthTenant(readTenantInput('example'));
    const kept = [
      ...Object.values(template.findResources('AWS::KMS::Key')),
      ...Object.values(template.findResources('AWS::SecretsManager::Secret')),
      only(template, 'AWS::DynamoDB::GlobalTable', 'JpkiStepUpCardRecords'),
      only(template, 'AWS::Logs::LogGroup', 'JpkiFederationProxyLogs'),
    ];
    // four keys (client assertion, token signing, card records, the operators' topic), three
    // secrets (Cognito's, sealing, CloudFront's origin header), the card records table, the proxy logs
    expect(kept).toHaveLength(9);
    for (const r of kept) expect([r.DeletionPolicy, r.UpdateReplacePolicy]).toEqual(['RetainExceptOnCreate', 'Retain']);
  });

  test('no secret value anywhere in the template', () => {
    const { template } = synthTenant(readTenantInput('example'));
    expect(findSecrets(template.toJSON())).toEqual([]);
    const fn = only(template, 'AWS::Lambda::Function', 'JpkiFederationProxy');
    expect(Object.keys(fn.Properties.Environment.Variables).sort()).toEqual(['CARD_RECORDS_TABLE', 'CLIENT_ASSERTION_KEY_ID', 'CLIENT_SECRET_ARN', 'EVENT_BUS_NAME', 'EVENT_PUBLISH_TIMEOUT_MS', 'LOG_LEVEL', 'ORIGIN_VERIFY_SECRET_ARN', 'PROXY_CONFIG', 'SEALING_SECRET_ARN', 'TENANT_ID', 'TOKEN_SIGNING_KEY_ID', 'USER_POOL_ID']);
  });
});

describe('the proxy behind CloudFront and AWS WAF (jpki.edge)', () => {
  const withEdge = () => synthTenant({ ...minimalTenant(), jpki: { environment: 'sandbox', clientId: 'RP00000002', edge: { rateLimitPerFiveMinutes: 120 } } });

  test('a web ACL with a per-IP rate limit and the IP reputation list, in us-east-1 (CloudFront scope)', () => {
    const { stack } = withEdge();
    expect(stack.edgeWafStack?.region).toBe('us-east-1');
    expect(stack.dependencies).toContain(stack.edgeWafStack);
    const waf = Template.fromStack(stack.edgeWafStack!);
    waf.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Name: 'rate-per-ip',
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: {
              Limit: 120,
              EvaluationWindowSec: 300,
              AggregateKeyType: 'IP',
              // Browser paths only: Cognito calls /token and /userinfo from a few addresses for everyone.
              ScopeDownStatement: {
                OrStatement: {
                  Statements: ['/authorize', '/authorize/confirm', '/callback'].map((SearchString) => ({
                    ByteMatchStatement: { FieldToMatch: { UriPath: {} }, PositionalConstraint: 'EXACTLY', SearchString, TextTransformations: [{ Priority: 0, Type: 'NONE' }] },
                  })),
                },
              },
            },
          },
        }),
        Match.objectLike({ Name: 'aws-ip-reputation', Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesAmazonIpReputationList' } } }),
      ],
    });
  });

  test('CloudFront forwards everything but Host to the function URL, caches nothing, and adds the origin secret by dynamic reference', () => {
    const { template } = withEdge();
    const dist = only(template, 'AWS::CloudFront::Distribution');
    const config = dist.Properties.DistributionConfig;
    expect(config.WebACLId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ExportsReader/), expect.stringMatching(/WebAclArn/)] });
    expect(config.DefaultCacheBehavior).toMatchObject({
      AllowedMethods: expect.arrayContaining(['GET', 'POST']),
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // AllViewerExceptHostHeader
      ViewerProtocolPolicy: 'https-only',
    });
    const [origin] = config.Origins;
    expect(origin.OriginCustomHeaders).toEqual([
      { HeaderName: 'x-myna-origin-verify', HeaderValue: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: expect.stringMatching(/^JpkiFederationEdgeOriginSecret/) }, ':SecretString:::}}']] } },
    ]);
    expect(findSecrets(template.toJSON())).toEqual([]);
  });

  test('Cognito and the Digital Agency see the distribution as the proxy; the proxy reads the origin secret', () => {
    const { template } = withEdge();
    const domain = { 'Fn::GetAtt': [expect.stringMatching(/^JpkiFederationEdgeDistribution/), 'DomainName'] };
    const idp = only(template, IDP);
    expect(idp.Properties.ProviderDetails.oidc_issuer).toEqual({ 'Fn::Join': ['', ['https://', domain]] });
    expect(template.findOutputs('JpkiRedirectUri').JpkiRedirectUri!.Value).toEqual({ 'Fn::Join': ['', ['https://', domain, '/callback']] });
    const fn = only(template, 'AWS::Lambda::Function', 'JpkiFederationProxy');
    expect(fn.Properties.Environment.Variables.ORIGIN_VERIFY_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/^JpkiFederationEdgeOriginSecret/) });
    expect(parseProxyConfig(fn.Properties.Environment.Variables.PROXY_CONFIG).edge).toEqual({ originHeader: 'x-myna-origin-verify', hostHeader: 'x-myna-viewer-host' });
  });
});

test('after a rotation the tenant file pins the new versions, so that a deploy hands them to Cognito and CloudFront', () => {
  const cognito = 'a1b2c3d4-e5f6-4a5b-8c9d-0e1f2a3b4c5d';
  const origin = 'f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f';
  const { template } = synthTenant({ ...minimalTenant(), jpki: { environment: 'sandbox', clientId: 'RP00000002', edge: {}, secretVersions: { cognitoClientSecret: cognito, edgeOriginSecret: origin } } });
  const idp = only(template, IDP);
  expect(JSON.stringify(idp.Properties.ProviderDetails.client_secret)).toContain(`:SecretString:client_secret::${cognito}}}`);
  const dist = only(template, 'AWS::CloudFront::Distribution');
  expect(JSON.stringify(dist.Properties.DistributionConfig.Origins[0].OriginCustomHeaders)).toContain(`:SecretString:::${origin}}}`);
});
