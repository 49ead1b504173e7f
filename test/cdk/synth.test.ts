/**
 * Every template as synthesized: the fixture tenants (a normalized snapshot of the example) and
 * whatever tenants the repository holds, each free of secrets and clean under cfn-lint
 * (CloudFormation's resource schemas).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';
import { findSecrets } from '../helpers/secrets';
import { fixturesDir, newApp, repositoryTenantIds, tempDir, tenantsDir } from '../helpers/tenants';

/** Masks what changes without a change of ours: asset hashes. */
function normalize(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}(\.zip|\.json)?/g, (_m, ext: string | undefined) => `[ASSET HASH]${ext ?? ''}`));
}

/** Synthesizes every tenant of `dir` into a cloud assembly and returns its template files. */
function synthesize(dir: string): Map<string, string> {
  const outdir = tempDir('myna-idp-assembly-');
  const { app } = buildApp({ tenantsDir: dir, app: newApp({ outdir }) });
  app.synth();
  return new Map(fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).map((f) => [f.replace('.template.json', ''), path.join(outdir, f)]));
}

const fixtures = synthesize(fixturesDir);
const repository = repositoryTenantIds().length > 0 ? synthesize(tenantsDir) : new Map<string, string>();
const all: Array<[string, string]> = [
  ...[...fixtures].map(([name, file]): [string, string] => [`fixture ${name}`, file]),
  ...[...repository].map(([name, file]): [string, string] => [`tenants/ ${name}`, file]),
];
const json = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;

describe('the fixture tenants', () => {
  test('synthesize a tenant stack each, a mail stack for the one that creates its SES identity, and a us-east-1 stack for its WAF', () => {
    expect([...fixtures.keys()].sort()).toEqual(['MynaIdp-example', 'MynaIdp-example-edge', 'MynaIdp-example-mail', 'MynaIdp-sandbox']);
  });

  test('the example tenant matches its snapshot', () => {
    expect(normalize(json(fixtures.get('MynaIdp-example')!))).toMatchSnapshot();
    expect(normalize(json(fixtures.get('MynaIdp-example-mail')!))).toMatchSnapshot();
  });

  test('the example tenant has what the issue asks for', () => {
    const t = Template.fromJSON(json(fixtures.get('MynaIdp-example')!));
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
});

describe.each(all)('%s', (_name, file) => {
  test('holds no secret value', () => {
    expect(findSecrets(json(file))).toEqual([]);
  });
});

describe('cfn-lint (CloudFormation resource schemas)', () => {
  const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  const available = version.status === 0;
  if (!available) {
    // Visible, not silent: the machine lacks cfn-lint (these machines have it; `pip install cfn-lint` elsewhere).
    process.stderr.write('NOTICE: cfn-lint is not installed here: the CloudFormation schema check of every template is skipped.\n');
  }
  (available ? test : test.skip)(`reports no error on any template (${version.stdout.trim() || 'cfn-lint missing'})`, () => {
    const files = all.map(([, f]) => f);
    // Errors only (E*): warnings are advice, not deploy failures.
    const r = spawnSync('cfn-lint', ['--format', 'parseable', '--non-zero-exit-code', 'error', '--', ...files], { encoding: 'utf8' });
    const errors = r.stdout.split('\n').filter((l) => /:E\d{4}:/.test(l));
    expect(errors).toEqual([]);
    expect(r.status).toBe(0);
  });

  (available ? test : test.skip)('does find errors (the check is live)', () => {
    const broken = path.join(tempDir('myna-idp-cfnlint-'), 'broken.template.json');
    fs.writeFileSync(broken, JSON.stringify({ Resources: { Pool: { Type: 'AWS::Cognito::UserPool', Properties: { UserPoolName: 'x', NoSuchProperty: true } } } }));
    const r = spawnSync('cfn-lint', ['--format', 'parseable', '--', broken], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/:E\d{4}:/);
  });
});
