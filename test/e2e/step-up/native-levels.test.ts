/**
 * Cognito's native authentication levels as a tenant option (jpki.stepUp.nativeLevels), off by
 * default: the template's custom resource, its handler against the Cognito stand-in's user pool
 * API over HTTP (UpdateUserPool resets what it is not given, as Cognito documents), the
 * tenant file's checks, and the step-up policy accepting Cognito's acr.
 * The whole journey with the card is in test/browser/journeys.test.ts.
 */
import { DescribeIdentityProviderCommand, DescribeUserPoolCommand, CognitoIdentityProviderClient, UpdateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { jest } from '@jest/globals';
import { SignJWT } from 'jose';
import { AwsJsonClient } from '../../../lambdas/shared/aws-json';
import { applyNativeLevels, NativeLevelsError, removeNativeLevels, updateRequestOf } from '../../../lambdas/native-levels/apply';
import { handler as nativeLevelsHandler } from '../../../lambdas/native-levels/handler';
import { tenantSchema } from '../../../lib/config/schema';
import { requireAuthentication } from '../../../packages/step-up/src/index';
import { STAND_IN_CREDENTIALS } from '../../../tools/stand-ins/aws/aws-stand-in';
import { startCognitoStandIn, type RunningStandIn } from '../../../tools/stand-ins/cognito/stand-in';
import type { CfnTemplate } from '../../../tools/stand-ins/cognito/template';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { minimalTenant, synthTenant, tempDir } from '../../helpers/tenants';

const local = { region: 'ap-northeast-1', account: '123456789012', functionUrl: () => 'http://127.0.0.1:9/', secret: () => 'local-secret' };

function cardTenant(nativeLevels?: Record<string, unknown>, change: (t: Record<string, any>) => void = () => undefined) {
  const t = minimalTenant();
  t.jpki = { environment: 'sandbox', clientId: 'RP00000002', acrValues: 'aal3', ...(nativeLevels ? { stepUp: { nativeLevels } } : {}) };
  // Password with TOTP is Cognito's Level4 too: a tenant with native levels offers no TOTP.
  if (nativeLevels) t.signIn.mfa = { mode: 'off' };
  change(t);
  return t;
}
const ON = { enabled: true, cardLevel: 'Level4', names: { Level4: 'urn:myna-idp:loa:card' } };

const resourcesOf = (template: CfnTemplate, type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

describe('the template', () => {
  test('off by default: no custom resource, nothing changes in the pool', () => {
    const template = synthTenant(cardTenant()).template.toJSON() as CfnTemplate;
    expect(resourcesOf(template, 'Custom::NativeAuthenticationLevels')).toHaveLength(0);
  });

  test('on: the level names, the card acr mapped to the card level, a revision of the pool and provider, and only the four Cognito actions', () => {
    const { template } = synthTenant(cardTenant(ON));
    const json = template.toJSON() as CfnTemplate;
    const found = resourcesOf(json, 'Custom::NativeAuthenticationLevels');
    expect(found).toHaveLength(1);
    const r = found[0]![1] as { Properties: Record<string, any> };
    const [idp] = resourcesOf(json, 'AWS::Cognito::UserPoolIdentityProvider')[0]!;
    expect(JSON.parse(r.Properties.LevelNames)).toEqual({ Level4: 'urn:myna-idp:loa:card' });
    expect(JSON.parse(r.Properties.AcrMapping)).toEqual({ Level4: 'aal3' });
    expect(r.Properties.ProviderName).toEqual({ Ref: idp });
    expect(r.Properties.Revision).toMatch(/^[0-9a-f]{32}$/);
    const policies = resourcesOf(json, 'AWS::IAM::Policy').map(([, p]) => JSON.stringify(p.Properties));
    const handlerPolicy = policies.find((p) => p.includes('cognito-idp:UpdateUserPool'))!;
    const cognitoStatements = (JSON.parse(handlerPolicy).PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>).filter((st) => String(st.Action).includes('cognito-idp:'));
    expect(cognitoStatements).toEqual([
      { Action: ['cognito-idp:DescribeIdentityProvider', 'cognito-idp:DescribeUserPool', 'cognito-idp:GetUserPoolMfaConfig', 'cognito-idp:UpdateIdentityProvider', 'cognito-idp:UpdateUserPool'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/UserPool/), 'Arn'] } },
    ]);
  });

  test('cdk-nag (AwsSolutions) has no unacknowledged finding and cfn-lint no error', () => {
    const { stack, template } = synthTenant(cardTenant(ON));
    const app = stack.node.root as App;
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.resourceLogicalId}`))).toEqual([]);
    if (spawnSync('cfn-lint', ['--version']).status !== 0) return;
    const file = path.join(tempDir('myna-idp-native-'), 'tenant.template.json');
    fs.writeFileSync(file, JSON.stringify(template.toJSON()));
    const r = spawnSync('cfn-lint', ['--format', 'parseable', '--', file], { encoding: 'utf8' });
    expect(r.stdout.split('\n').filter((l) => /:E\d{4}:/.test(l))).toEqual([]);
  });

  test('the revision changes with the pool (CloudFormation’s update of it would drop the levels), not otherwise', () => {
    const revision = (t: Record<string, any>) => {
      const json = synthTenant(t).template.toJSON() as CfnTemplate;
      return (resourcesOf(json, 'Custom::NativeAuthenticationLevels')[0]![1].Properties as Record<string, string>).Revision;
    };
    const a = revision(cardTenant(ON));
    expect(revision(cardTenant(ON))).toBe(a);
    expect(revision(cardTenant(ON, (t) => (t.signIn.passwordPolicy = { minLength: 14 })))).not.toBe(a);
  });
});

describe('the tenant file', () => {
  const issues = (t: Record<string, any>) => {
    const r = tenantSchema.safeParse(t);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  test('native levels need the acr the OP is asked for, and distinct level names', () => {
    expect(issues(cardTenant(ON))).toEqual([]);
    const noAcr = cardTenant(ON, (t) => delete t.jpki.acrValues);
    expect(issues(noAcr)).toEqual([expect.stringMatching(/^jpki\.stepUp\.nativeLevels\.enabled: needs jpki\.acrValues/)]);
    expect(issues(cardTenant({ ...ON, names: { Level4: 'urn:cognito:loa:1' } }))).toEqual([expect.stringMatching(/^jpki\.stepUp\.nativeLevels\.names: each level needs its own name/)]);
    expect(issues(cardTenant({ enabled: true, cardLevel: 'Level5' }))[0]).toMatch(/^jpki\.stepUp\.nativeLevels\.cardLevel:/);
    // Only Level4 is out of reach of a password, a code or a passkey; and TOTP reaches it too.
    expect(issues(cardTenant({ ...ON, cardLevel: 'Level3' }))).toEqual([expect.stringMatching(/^jpki\.stepUp\.nativeLevels\.cardLevel: must be Level4/)]);
    expect(issues(cardTenant(ON, (t) => (t.signIn.mfa = { mode: 'optional', factors: ['totp'] })))).toEqual([expect.stringMatching(/^signIn\.mfa\.factors: totp cannot be offered with jpki\.stepUp\.nativeLevels/)]);
  });
});

describe('the custom resource handler against the user pool API (Cognito stand-in, SigV4 over HTTP)', () => {
  let s: RunningStandIn;
  afterEach(async () => {
    await s?.close();
  });
  const start = async (o: { kept?: boolean } = {}) => {
    const template = synthTenant(cardTenant(ON)).template.toJSON() as CfnTemplate;
    s = await startCognitoStandIn({ template, local, nativeLevelsKept: o.kept });
    return s;
  };
  const cognito = () => new AwsJsonClient({ service: 'cognito-idp', region: 'ap-northeast-1', credentials: () => STAND_IN_CREDENTIALS, endpoint: s.origin });
  const sdk = () => new CognitoIdentityProviderClient({ region: 'ap-northeast-1', endpoint: s.origin, credentials: STAND_IN_CREDENTIALS });
  const settings = () => ({ userPoolId: s.model.pool.id, providerName: 'DigitalAuthApp', levelNames: { Level4: 'urn:myna-idp:loa:card' }, acrMapping: { Level4: 'aal3' } });

  test('sets the level names and the mapping and keeps every other setting of the pool and the provider', async () => {
    await start();
    const before = (await sdk().send(new DescribeUserPoolCommand({ UserPoolId: s.model.pool.id }))).UserPool!;
    const providerBefore = (await sdk().send(new DescribeIdentityProviderCommand({ UserPoolId: s.model.pool.id, ProviderName: 'DigitalAuthApp' }))).IdentityProvider!;
    expect(before.LambdaConfig?.PreTokenGenerationConfig?.LambdaArn).toBeDefined();
    await applyNativeLevels(cognito(), settings());
    const after = (await sdk().send(new DescribeUserPoolCommand({ UserPoolId: s.model.pool.id }))).UserPool!;
    expect(after.AcrConfiguration).toEqual({ Level4: { AcrValue: 'urn:myna-idp:loa:card' } });
    expect({ ...after, AcrConfiguration: undefined }).toEqual({ ...before, AcrConfiguration: undefined });
    const provider = (await sdk().send(new DescribeIdentityProviderCommand({ UserPoolId: s.model.pool.id, ProviderName: 'DigitalAuthApp' }))).IdentityProvider!;
    expect(provider.AcrMapping).toEqual({ Level4: 'aal3' });
    expect({ ...provider, AcrMapping: undefined }).toEqual({ ...providerBefore, AcrMapping: undefined });
  });

  test('removing them (the option turned off, the stack deleted) brings back Cognito’s default names and no mapping, with every other setting kept', async () => {
    await start();
    const before = (await sdk().send(new DescribeUserPoolCommand({ UserPoolId: s.model.pool.id }))).UserPool!;
    await applyNativeLevels(cognito(), settings());
    expect(await removeNativeLevels(cognito(), settings())).toBeUndefined();
    const after = (await sdk().send(new DescribeUserPoolCommand({ UserPoolId: s.model.pool.id }))).UserPool!;
    expect(after).toEqual(before);
    const provider = (await sdk().send(new DescribeIdentityProviderCommand({ UserPoolId: s.model.pool.id, ProviderName: 'DigitalAuthApp' }))).IdentityProvider!;
    expect(provider.AcrMapping).toBeUndefined();
  });

  test('the Delete of a Create that failed changes nothing; a Delete that cannot finish never fails the stack', async () => {
    await start();
    const props = { ServiceToken: 'x', UserPoolId: s.model.pool.id, ProviderName: 'DigitalAuthApp', LevelNames: '{}', AcrMapping: '{}', Revision: 'r' };
    const base = { RequestType: 'Delete', ServiceToken: 'x', ResponseURL: 'http://localhost/unused', StackId: 's', RequestId: 'r', LogicalResourceId: 'L', ResourceType: 'Custom::NativeAuthenticationLevels', ResourceProperties: props } as const;
    const env = { AWS_REGION: 'ap-northeast-1', AWS_ACCESS_KEY_ID: STAND_IN_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: STAND_IN_CREDENTIALS.secretAccessKey, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: s.origin };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    const log = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await nativeLevelsHandler({ ...base, PhysicalResourceId: 'failed-create-id' })).toEqual({ PhysicalResourceId: 'failed-create-id' });
      expect(log).not.toHaveBeenCalled();
      // A pool the handler cannot change (no such identity provider): logged, not thrown.
      const r = await nativeLevelsHandler({ ...base, PhysicalResourceId: `${s.model.pool.id}/native-levels`, ResourceProperties: { ...props, ProviderName: 'NoSuchProvider' } });
      expect(r).toEqual({ PhysicalResourceId: `${s.model.pool.id}/native-levels` });
      expect(String(log.mock.calls[0]?.[0])).toContain('native authentication levels could not be removed');
    } finally {
      log.mockRestore();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  test('why the request is the pool’s own settings: an UpdateUserPool with the levels alone drops the triggers', async () => {
    await start();
    await sdk().send(new UpdateUserPoolCommand({ UserPoolId: s.model.pool.id, AcrConfiguration: { Level4: { AcrValue: 'urn:myna-idp:loa:card' } } }));
    const after = (await sdk().send(new DescribeUserPoolCommand({ UserPoolId: s.model.pool.id }))).UserPool!;
    expect(after.LambdaConfig).toBeUndefined();
  });

  test('a pool that does not keep the levels (as found in October 2026) fails the deploy with a message that says what to do', async () => {
    await start({ kept: false });
    const e = await applyNativeLevels(cognito(), settings()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NativeLevelsError);
    expect((e as Error).message).toMatch(/^Cognito did not keep AcrConfiguration on user pool .+ Set jpki\.stepUp\.nativeLevels\.enabled to false/);
    // The pool's other settings are untouched by the attempt.
    const after = (await sdk().send(new DescribeUserPoolCommand({ UserPoolId: s.model.pool.id }))).UserPool!;
    expect(after.LambdaConfig?.PreTokenGenerationConfig?.LambdaArn).toBeDefined();
  });
});

test('updateRequestOf leaves out the legacy UnusedAccountValidityDays when the password policy has TemporaryPasswordValidityDays', () => {
  const r = updateRequestOf(
    { Id: 'p', Name: 'pool', Arn: 'arn', Status: 'Enabled', SchemaAttributes: [], Policies: { PasswordPolicy: { MinimumLength: 8, TemporaryPasswordValidityDays: 7 } }, AdminCreateUserConfig: { AllowAdminCreateUserOnly: false, UnusedAccountValidityDays: 7 } },
    'p',
    { Level3: 'urn:x:passkey' },
  );
  expect(r).toEqual({ UserPoolId: 'p', PoolName: 'pool', Policies: { PasswordPolicy: { MinimumLength: 8, TemporaryPasswordValidityDays: 7 } }, AdminCreateUserConfig: { AllowAdminCreateUserOnly: false }, AcrConfiguration: { Level3: { AcrValue: 'urn:x:passkey' } } });
});

describe('the step-up policy with native levels (@myna-idp/step-up)', () => {
  const key = new TextEncoder().encode('k'.repeat(32));
  const verifier = { verify: async (t: string) => (await import('jose')).jwtVerify(t, key).then((r) => r.payload as Record<string, unknown>) };
  const now = 1_800_000_000_000;
  const token = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(key).then((t) => `Bearer ${t}`);
  const requirement = { acrValues: ['aal3'], maxAgeSeconds: 300, acrClaim: 'myna_acr', authTimeClaim: 'myna_auth_time', sessionTimeClaim: 'myna_session_time', nativeLevels: { acrValues: ['urn:myna-idp:loa:card'] }, now: () => now };
  const t = now / 1000;

  test('Cognito’s acr for the card level, recent, is enough; the challenge names Cognito’s level', async () => {
    expect((await requireAuthentication(verifier, await token({ acr: 'urn:myna-idp:loa:card', auth_time: t - 60 }), requirement)).ok).toBe(true);
    const lower = await requireAuthentication(verifier, await token({ acr: 'urn:cognito:loa:1', auth_time: t - 60 }), requirement);
    expect(lower.ok).toBe(false);
    if (!lower.ok) expect(lower.headers['www-authenticate']).toBe('Bearer error="insufficient_user_authentication", error_description="a different authentication level is required", acr_values="urn:myna-idp:loa:card", max_age="300"');
  });

  test('an old native authentication is not enough, and the product’s own claims still count on their own', async () => {
    expect((await requireAuthentication(verifier, await token({ acr: 'urn:myna-idp:loa:card', auth_time: t - 400 }), requirement)).ok).toBe(false);
    expect((await requireAuthentication(verifier, await token({ auth_time: t - 5, myna_acr: 'aal3', myna_auth_time: t - 20, myna_session_time: t - 6 }), requirement)).ok).toBe(true);
  });
});
