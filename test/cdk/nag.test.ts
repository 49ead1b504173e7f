/** cdk-nag v3 AwsSolutions over the whole app: no finding that is not acknowledged with a reason. */
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../../lib/app';
import { fixturesDir, minimalTenant, newApp, repositoryTenantIds, synthTenant, tenantsDir } from '../helpers/tenants';

function violationsOf(app: App): string[] {
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.resourceLogicalId}`));
}

describe('cdk-nag AwsSolutions', () => {
  test('the fixture tenants are clean', () => {
    const { app, stacks } = buildApp({ tenantsDir: fixturesDir, app: newApp() });
    expect(stacks.map((s) => s.stackName)).toEqual(['MynaIdp-example', 'MynaIdp-sandbox']);
    expect(violationsOf(app)).toEqual([]);
  });

  (repositoryTenantIds().length > 0 ? test : test.skip)('the tenants of the repository are clean', () => {
    const { app } = buildApp({ tenantsDir, app: newApp() });
    expect(violationsOf(app)).toEqual([]);
  });

  test('the checks do run: an unacknowledged finding is reported', () => {
    const { stack } = synthTenant(minimalTenant());
    // A pool without MFA or plus is acknowledged for its tenant's reasons; remove one acknowledgement to see the rule fire.
    const pool = stack.userPool.userPool.node;
    const meta = pool.metadata.find((m) => m.type === 'aws:cdk:acknowledged-rules');
    expect(meta).toBeDefined();
    (pool as unknown as { _metadata: unknown[] })._metadata = pool.metadata.filter((m) => m !== meta);
    expect(violationsOf(stack.node.root as App).some((v) => v.startsWith('AwsSolutions-COG'))).toBe(true);
  });

  test('every acknowledgement carries a reason', () => {
    const { app } = buildApp({ tenantsDir: fixturesDir, app: newApp() });
    const acks = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').map((m) => m.data as unknown));
    expect(acks.length).toBeGreaterThan(0);
    for (const data of acks as Array<Record<string, string>>) {
      for (const reason of Object.values(data)) expect(reason.length).toBeGreaterThan(40);
    }
  });
});
