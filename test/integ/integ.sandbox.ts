/**
 * An integration test against a real AWS account (@aws-cdk/integ-tests-alpha): deploys a tenant
 * (the sandbox fixture by default) and asserts, from a Lambda in that account, what the first
 * deploy must give an app developer:
 *   - the user pool's OIDC discovery document, with the pool as issuer;
 *   - the managed login page, reached through /oauth2/authorize for the first app client;
 *   - the federation proxy's /jwks, with its ES256 key from KMS.
 *
 * It never touches the tenant itself: the stacks are a copy with their own id (`<id>-it`), their
 * own prefix domain, Cognito's own mail sender and no account-wide SMS sender id, so that
 * deploying and destroying them leaves the tenant's stacks, SES identity and settings alone.
 *
 * Deployed with the project's own CDK CLI (README: integration test against an account):
 *   INTEG_TENANT_FILE=tenants/<id>.yaml npx cdk deploy --app "npx tsx test/integ/integ.sandbox.ts" --all
 * The assertions run as custom resources during the deploy: a failed one fails it. In CI this
 * file is only synthesized (test/cdk/integ.test.ts), as nothing here reaches AWS.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Fn, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadTenantFile, type LoadedTenant } from '../../lib/config/loader';
import { loginDomainName } from '../../lib/config/rules';
import { tenantSchema, type TenantConfig } from '../../lib/config/schema';
import { TenantStack } from '../../lib/tenant-stack';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_INTEG_TENANT = path.join(here, '..', 'fixtures', 'tenants', 'sandbox.yaml');

/** A copy of the tenant that shares nothing with it (see above), checked like a tenant file. */
export function integTenantOf(tenant: LoadedTenant): LoadedTenant {
  const t = tenant.config;
  const id = `${t.id.slice(0, 29)}-it`;
  const domain = { prefix: `${'prefix' in t.domain ? t.domain.prefix.slice(0, 60) : t.id}-it` };
  const usesPasskey = t.signIn.firstFactors.includes('passkey');
  const copy: TenantConfig = {
    ...t,
    id,
    domain,
    signIn: {
      ...t.signIn,
      // Codes by email need SES; the copy sends with Cognito's own sender.
      firstFactors: t.signIn.firstFactors.filter((f) => f !== 'emailOtp'),
      mfa: { ...t.signIn.mfa, factors: t.signIn.mfa.factors.filter((f) => f !== 'email') },
      passkey: { ...t.signIn.passkey, relyingPartyId: usesPasskey ? loginDomainName({ domain, region: t.region }) : undefined },
    },
    email: { sender: 'cognito' },
    sms: t.sms ? { ...t.sms, senderId: undefined } : undefined,
  };
  return { file: `${tenant.file} (integration copy ${id})`, config: tenantSchema.parse(copy), logo: tenant.logo };
}

export function buildIntegApp(app: App, tenantFile = process.env.INTEG_TENANT_FILE ?? DEFAULT_INTEG_TENANT): { app: App; stack: TenantStack; integ: IntegTest; assertionStack: Stack } {
  const tenant = integTenantOf(loadTenantFile(tenantFile));
  const t = tenant.config;
  const stack = new TenantStack(app, { tenant });
  Validations.of(stack).addPlugins(new AwsSolutionsChecks(stack, { verbose: true }));
  // The assertions run in the tenant's account and region (references into the stack need one).
  const assertionStack = new Stack(app, `MynaIdp-${t.id}-integ-assertions`, { env: { account: t.account, region: t.region } });
  assertionStack.addStackDependency(stack, 'the assertions read the deployed tenant');
  const integ = new IntegTest(app, `MynaIdp-${t.id}-integ`, {
    testCases: [stack],
    assertionStack,
    regions: [t.region],
    cdkCommandOptions: { destroy: { args: { force: true } } },
  });

  const poolId = stack.userPool.userPool.userPoolId;
  const issuer = `https://cognito-idp.${t.region}.amazonaws.com/${poolId}`;
  integ.assertions
    .httpApiCall(`${issuer}/.well-known/openid-configuration`)
    .expect(ExpectedResult.objectLike({ status: 200, body: { issuer, authorization_endpoint: `https://${loginDomainName(t)}/oauth2/authorize` } }));

  const [first] = stack.appClients.clients.values();
  const callback = t.appClients[0]!.callbackUrls[0]!;
  const authorize = `https://${loginDomainName(t)}/oauth2/authorize?response_type=code&scope=openid&client_id=${first!.userPoolClientId}&redirect_uri=${encodeURIComponent(callback)}`;
  // Followed to the managed login page (a 200 HTML page, not "Login pages unavailable").
  integ.assertions.httpApiCall(authorize).expect(ExpectedResult.objectLike({ status: 200 }));

  const federation = stack.jpkiFederation;
  if (federation) {
    integ.assertions
      .httpApiCall(Fn.join('', [federation.proxyOrigin, '/jwks']))
      .expect(ExpectedResult.objectLike({ status: 200, body: { keys: [{ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' }] } }));
  }
  return { app, stack, integ, assertionStack };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const app = new App();
  buildIntegApp(app);
  app.synth();
}
