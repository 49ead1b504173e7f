/**
 * cdk-nag v3 AwsSolutions over the whole app: no finding that is not acknowledged with a reason.
 * The app registers the pack as a policy validation plugin (lib/app.ts), so a synthesis with an
 * unacknowledged finding fails: the shared assemblies (test/helpers/assembly.ts) exist only if
 * their tenants are clean, and CDK's validation report says what ran.
 */
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { assemblyOf } from '../helpers/assembly';
import { fixturesDir, minimalTenant, nativeLevelsDir, repositoryTenantIds, synthTenant, tenantsDir } from '../helpers/tenants';

function violationsOf(app: App): string[] {
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.resourceLogicalId}`));
}

/** Violations CDK's validation report lists for an assembly (none when every plugin passed). */
const reportedViolations = (dir: string) =>
  assemblyOf(dir)
    .validationReport()
    .pluginReports.flatMap((p) => p.violations.map((v) => `${p.pluginName}: ${JSON.stringify(v)}`));

describe('cdk-nag AwsSolutions', () => {
  test('the fixture tenants are clean', () => {
    expect([...assemblyOf(fixturesDir).templates.keys()]).toContain('MynaIdp-example');
    expect(reportedViolations(fixturesDir)).toEqual([]);
  });

  test('the native-levels fixture (its custom resource) is clean', () => {
    expect([...assemblyOf(nativeLevelsDir).templates.keys()]).toEqual(['MynaIdp-acme']);
    expect(reportedViolations(nativeLevelsDir)).toEqual([]);
  });

  // Tests never depend on which tenant files exist; with none, this says so instead of passing.
  (repositoryTenantIds().length > 0 ? test : test.skip)(`the tenants of the repository are clean (${repositoryTenantIds().join(', ') || 'tenants/ holds no tenant file'})`, () => {
    expect(reportedViolations(tenantsDir)).toEqual([]);
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
    const fixtures = assemblyOf(fixturesDir);
    const acks = [...fixtures.templates.keys()].flatMap((name) =>
      Object.values(fixtures.metadata(name)).flatMap((entries) => entries.filter((m) => m.type === 'aws:cdk:acknowledged-rules').map((m) => m.data as Record<string, string>)),
    );
    expect(acks.length).toBeGreaterThan(0);
    for (const data of acks) {
      for (const reason of Object.values(data)) expect(reason.length).toBeGreaterThan(40);
    }
  });
});
