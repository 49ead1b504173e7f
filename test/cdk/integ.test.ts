/**
 * The integration test for a real account (test/integ/integ.sandbox.ts) synthesizes here: its
 * assertions exist and point at the right endpoints, and the tenant stack under test stays
 * cdk-nag clean. Deploying it needs an AWS account (README).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { buildIntegApp } from '../integ/integ.sandbox';
import { newApp } from '../helpers/tenants';

test('the sandbox integration test synthesizes with its three assertions', () => {
  const { stack, assertionStack } = buildIntegApp(newApp());
  const assertions = Template.fromStack(assertionStack);
  const calls = Object.values(assertions.findResources('Custom::DeployAssert@HttpCall'));
  const urls = calls.map((c) => JSON.stringify(c.Properties.parameters.url));
  expect(calls).toHaveLength(3);
  expect(urls.some((u) => u.includes('/.well-known/openid-configuration'))).toBe(true);
  expect(urls.some((u) => u.includes('/oauth2/authorize?response_type=code'))).toBe(true);
  expect(urls.some((u) => u.includes('/jwks'))).toBe(true);
  // Its own stacks: deploying and destroying them never touches the tenant's.
  expect(stack.stackName).toBe('MynaIdp-sandbox-it');
  expect(urls.some((u) => u.includes('https://myna-idp-sandbox-it.auth.ap-northeast-1.amazoncognito.com/oauth2/authorize'))).toBe(true);
});

test('the copy of a production-like tenant shares no fixed name or account-wide setting with it', async () => {
  const { integTenantOf } = await import('../integ/integ.sandbox');
  const { loadTenantFile } = await import('../../lib/config/loader');
  const { fixturesDir } = await import('../helpers/tenants');
  const copy = integTenantOf(loadTenantFile(`${fixturesDir}/example.yaml`)).config;
  expect(copy).toMatchObject({ id: 'example-it', domain: { prefix: 'example-it' }, email: { sender: 'cognito' } });
  expect(copy.sms?.senderId).toBeUndefined();
  expect(copy.signIn.passkey.relyingPartyId).toBe('example-it.auth.ap-northeast-1.amazoncognito.com');
});
