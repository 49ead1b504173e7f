/**
 * Cognito's native authentication levels as a tenant option (jpki.stepUp.nativeLevels), off by
 * default: the template's custom resource, its handler against the Cognito stand-in's user pool
 * API over HTTP (UpdateUserPool resets what it is not given, as Cognito documents), the
 * tenant file's checks, and the step-up policy accepting Cognito's acr.
 * The whole journey with the card is in test/e2e/browser/journeys.test.ts.
 */
import { DescribeIdentityProviderCommand, DescribeUserPoolCommand, CognitoIdentityProviderClient, UpdateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { SignJWT } from 'jose';
import { applyNativeLevels, NativeLevelsError, removeNativeLevels, updateRequestOf } from '../../../lambdas/native-levels/apply';
import { handler as nativeLevelsHandler } from '../../../lambdas/native-levels/handler';
import { requireAuthentication } from '../../../packages/step-up/src/index';
import { STAND_IN_CREDENTIALS, standInEnvironment } from '../../../tools/stand-ins/aws/aws-stand-in';
import { LocalFunction } from '../../../tools/stand-ins/aws/lambda-host';
import { startCognitoStandIn, type RunningStandIn } from '../../../tools/stand-ins/cognito/stand-in';
import type { CfnTemplate } from '../../../tools/stand-ins/cognito/template';
import { assemblyOf } from '../../helpers/assembly';
import { nativeLevelsDir, repoRoot, tempDir } from '../../helpers/tenants';

const local = { region: 'ap-northeast-1', account: '123456789012', functionUrl: () => 'http://127.0.0.1:9/', secret: () => 'local-secret' };

describe('the custom resource handler against the user pool API (Cognito stand-in, SigV4 over HTTP)', () => {
  let s: RunningStandIn;
  afterEach(async () => {
    await s?.close();
  });
  const start = async (o: { kept?: boolean } = {}) => {
    const template = assemblyOf(nativeLevelsDir).template('MynaIdp-acme') as CfnTemplate;
    s = await startCognitoStandIn({ template, local, nativeLevelsKept: o.kept });
    return s;
  };
  const sdk = () => new CognitoIdentityProviderClient({ region: 'ap-northeast-1', endpoint: s.origin, credentials: STAND_IN_CREDENTIALS });
  // What the handler gives apply.ts: the SDK client (here pointed at the stand-in).
  const cognito = () => ({ client: sdk() });
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
      // A pool the handler cannot change (here the API refuses every call: the environment has
      // no session token, which the stand-in's credentials carry): logged, not thrown.
      const r = await nativeLevelsHandler({ ...base, PhysicalResourceId: `${s.model.pool.id}/native-levels`, ResourceProperties: { ...props, ProviderName: 'NoSuchProvider' } });
      expect(r).toEqual({ PhysicalResourceId: `${s.model.pool.id}/native-levels` });
      const line = JSON.parse(String(log.mock.calls[0]?.[0]));
      expect(line.message).toBe('native authentication levels could not be removed');
      // AWS's errors by their type and status only (AWS messages may quote request values).
      expect(line.detail).toBe('AWS call failed: UnrecognizedClientException (HTTP 400) / AWS call failed: UnrecognizedClientException (HTTP 400)');
    } finally {
      log.mockRestore();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  test('the bundled handler as Lambda runs it (the runtime’s SDK, a Create event): the levels are set', async () => {
    await start();
    const dir = tempDir('myna-idp-native-levels-');
    execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'esbuild'), [path.join(repoRoot, 'lambdas', 'native-levels', 'handler.ts'), '--bundle', '--minify', '--format=esm', '--platform=node', '--target=node22', '--external:@aws-sdk/*', `--outfile=${path.join(dir, 'index.mjs')}`], { stdio: 'ignore' });
    const environment = { ...standInEnvironment('http://127.0.0.1:9/'), AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: s.origin };
    const fn = new LocalFunction({ codeDir: dir, handler: 'index.handler', functionName: 'native-levels', timeoutMs: 60_000, environment });
    try {
      const props = { ServiceToken: 'x', UserPoolId: s.model.pool.id, ProviderName: 'DigitalAuthApp', LevelNames: JSON.stringify({ Level4: 'urn:myna-idp:loa:card' }), AcrMapping: JSON.stringify({ Level4: 'aal3' }), Revision: 'r' };
      const r = await fn.invoke({ RequestType: 'Create', ServiceToken: 'x', ResponseURL: 'http://localhost/unused', StackId: 's', RequestId: 'r', LogicalResourceId: 'L', ResourceType: 'Custom::NativeAuthenticationLevels', ResourceProperties: props });
      expect(r).toEqual({ PhysicalResourceId: `${s.model.pool.id}/native-levels` });
    } finally {
      await fn.close();
    }
    expect((await sdk().send(new DescribeUserPoolCommand({ UserPoolId: s.model.pool.id }))).UserPool!.AcrConfiguration).toEqual({ Level4: { AcrValue: 'urn:myna-idp:loa:card' } });
    expect((await sdk().send(new DescribeIdentityProviderCommand({ UserPoolId: s.model.pool.id, ProviderName: 'DigitalAuthApp' }))).IdentityProvider!.AcrMapping).toEqual({ Level4: 'aal3' });
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
