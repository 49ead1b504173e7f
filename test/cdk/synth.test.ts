/**
 * Every template as synthesized, read from the shared cloud assemblies (test/helpers/assembly.ts):
 * the fixture tenants, the native-levels fixture and whatever tenants the repository holds, each
 * free of secrets and clean under cfn-lint (CloudFormation's resource schemas). What the example
 * tenant must hold is asserted property by property, not as a snapshot of the whole template.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { assemblyOf } from '../helpers/assembly';
import { findSecrets } from '../helpers/secrets';
import { fixturesDir, nativeLevelsDir, repositoryTenantIds, tempDir, tenantsDir } from '../helpers/tenants';

const fixtures = assemblyOf(fixturesDir);
const nativeLevels = assemblyOf(nativeLevelsDir);
const repository = repositoryTenantIds().length > 0 ? assemblyOf(tenantsDir) : undefined;
const all: Array<[string, string]> = [
  ...[...fixtures.templates].map(([name, file]): [string, string] => [`fixture ${name}`, file]),
  ...[...nativeLevels.templates].map(([name, file]): [string, string] => [`native-levels fixture ${name}`, file]),
  ...[...(repository?.templates ?? [])].map(([name, file]): [string, string] => [`tenants/ ${name}`, file]),
];
const example = () => Template.fromJSON(fixtures.template('MynaIdp-example'));
const resourcesOf = (t: Record<string, any>, type: string): Array<[string, Record<string, any>]> =>
  Object.entries<Record<string, any>>(t.Resources).filter(([, r]) => r.Type === type);

describe('the fixture tenants', () => {
  test('synthesize a tenant stack each, a mail stack for the one that creates its SES identity, and a us-east-1 stack for its WAF', () => {
    expect([...fixtures.templates.keys()].sort()).toEqual(['MynaIdp-example', 'MynaIdp-example-edge', 'MynaIdp-example-mail', 'MynaIdp-sandbox']);
  });

  test('the example tenant has what the issue asks for', () => {
    const t = example();
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED', AdvancedSecurityAdditionalFlows: { CustomAuthMode: 'ENFORCED' } },
      WebAuthnRelyingPartyID: 'auth.example.co.jp',
      EmailConfiguration: { EmailSendingAccount: 'DEVELOPER', ConfigurationSet: 'myna-idp-example', From: 'Example ID <no-reply@example.co.jp>', ReplyToEmailAddress: 'support@example.co.jp', SourceArn: 'arn:aws:ses:ap-northeast-1:111122223333:identity/example.co.jp' },
      SmsConfiguration: { ExternalId: 'myna-idp-example-sms', SnsRegion: 'ap-northeast-1', SnsCallerArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } },
    });
    const pool = Object.values(t.findResources('AWS::Cognito::UserPool'))[0]!;
    expect(pool.Properties.Policies.SignInPolicy.AllowedFirstAuthFactors).toContain('WEB_AUTHN');
    t.hasResourceProperties('AWS::Cognito::UserPoolDomain', { ManagedLoginVersion: 2 });
    t.resourceCountIs('AWS::Cognito::UserPoolClient', 2);
  });

  test('the example is one pool, one domain, one card identity provider behind one proxy URL, and its event and alarm plumbing', () => {
    const t = example();
    for (const [type, count] of Object.entries({
      'AWS::Cognito::UserPool': 1,
      'AWS::Cognito::UserPoolDomain': 1,
      'AWS::Cognito::UserPoolIdentityProvider': 1,
      'AWS::Lambda::Url': 1,
      'AWS::CloudFront::Distribution': 1,
      'AWS::DynamoDB::GlobalTable': 1,
      'AWS::Events::EventBus': 1,
      'AWS::SNS::Topic': 1,
      'AWS::CloudWatch::Dashboard': 1,
    })) {
      t.resourceCountIs(type, count);
    }
    t.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', { ProviderName: 'DigitalAuthApp', ProviderType: 'OIDC' });
    expect(Object.keys(t.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThanOrEqual(10);
  });

  test('every function of ours runs Node.js 22 on ARM64 with its own log group', () => {
    let checked = 0;
    for (const name of fixtures.templates.keys()) {
      const template = fixtures.template(name);
      // CDK's own provider frameworks and its stack-level custom resource providers (`Custom…`,
      // e.g. the bucket emptier) choose their runtime themselves.
      const ours = resourcesOf(template, 'AWS::Lambda::Function').filter(([id, r]) => r.Properties.Handler === 'index.handler' && !id.startsWith('Custom'));
      checked += ours.length;
      for (const [id, r] of ours) {
        expect({ id, runtime: r.Properties.Runtime, arch: r.Properties.Architectures }).toEqual({ id, runtime: 'nodejs22.x', arch: ['arm64'] });
        expect({ id, logGroup: r.Properties.LoggingConfig?.LogGroup }).toEqual({ id, logGroup: expect.anything() });
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  test('a production tenant keeps what cannot be re-created: pool, keys, secrets, card records, queues; a sandbox tenant keeps nothing', () => {
    const kept = ['AWS::Cognito::UserPool', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::DynamoDB::GlobalTable', 'AWS::SQS::Queue'];
    const production = fixtures.template('MynaIdp-example');
    const sandbox = fixtures.template('MynaIdp-sandbox');
    for (const type of kept) {
      expect(resourcesOf(production, type).map(([id, r]) => [id, r.DeletionPolicy])).toEqual(resourcesOf(production, type).map(([id]) => [id, 'RetainExceptOnCreate']));
      expect(resourcesOf(sandbox, type).map(([id, r]) => [id, r.DeletionPolicy])).toEqual(resourcesOf(sandbox, type).map(([id]) => [id, 'Delete']));
    }
    for (const type of ['AWS::SES::EmailIdentity', 'AWS::SES::ConfigurationSet']) {
      expect(resourcesOf(fixtures.template('MynaIdp-example-mail'), type).map(([, r]) => r.DeletionPolicy)).toEqual(['RetainExceptOnCreate']);
    }
  });

  test('the mail stack holds the SES identity with Easy DKIM and its records, and the configuration set the pool names', () => {
    const mail = Template.fromJSON(fixtures.template('MynaIdp-example-mail'));
    mail.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'example.co.jp', DkimAttributes: { SigningEnabled: true } });
    mail.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'myna-idp-example' });
    mail.resourceCountIs('AWS::Route53::RecordSet', 3);
  });

  test('no IAM statement allows every action', () => {
    for (const [, file] of all) {
      const template = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, any>;
      const statements = [...resourcesOf(template, 'AWS::IAM::Policy'), ...resourcesOf(template, 'AWS::IAM::Role')].flatMap(([, r]) => [
        ...(r.Properties.PolicyDocument?.Statement ?? []),
        ...(r.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement),
      ]);
      expect(statements.filter((s: any) => s.Effect === 'Allow' && [s.Action].flat().includes('*'))).toEqual([]);
    }
  });
});

describe.each(all)('%s', (_name, file) => {
  test('holds no secret value', () => {
    expect(findSecrets(JSON.parse(fs.readFileSync(file, 'utf8')))).toEqual([]);
  });
});

describe('cfn-lint (CloudFormation resource schemas), once over every template', () => {
  const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });

  test(`is installed (${version.stdout?.trim() || 'missing'})`, () => {
    // A check that cannot run fails: cfn-lint comes with these machines; elsewhere `pip install cfn-lint`.
    expect({ cfnLint: version.status === 0 ? 'installed' : `not runnable: ${version.error?.message ?? version.stderr}` }).toEqual({ cfnLint: 'installed' });
  });

  test('reports no error on any template', () => {
    const files = all.map(([, f]) => f);
    // Errors only (E*): warnings are advice, not deploy failures.
    const r = spawnSync('cfn-lint', ['--format', 'parseable', '--non-zero-exit-code', 'error', '--', ...files], { encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.stdout.split('\n').filter((l) => /:E\d{4}:/.test(l))).toEqual([]);
    expect(r.status).toBe(0);
  });

  test('does find errors (the check is live)', () => {
    const broken = path.join(tempDir('myna-idp-cfnlint-'), 'broken.template.json');
    fs.writeFileSync(broken, JSON.stringify({ Resources: { Pool: { Type: 'AWS::Cognito::UserPool', Properties: { UserPoolName: 'x', NoSuchProperty: true } } } }));
    const r = spawnSync('cfn-lint', ['--format', 'parseable', '--', broken], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/:E\d{4}:/);
    fs.rmSync(path.dirname(broken), { recursive: true, force: true });
  });
});

describe('the repository’s tenants (tenants/)', () => {
  // Tests never depend on which tenant files exist; with none, this says so instead of passing.
  (repository ? test : test.skip)(`synthesize (${repositoryTenantIds().join(', ') || 'tenants/ holds no tenant file: nothing to check'})`, () => {
    expect(repository!.templates.size).toBeGreaterThanOrEqual(repositoryTenantIds().length);
  });
});
