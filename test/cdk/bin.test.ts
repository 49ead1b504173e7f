/** The CDK app entry point as `cdk synth` runs it: readable errors, never a stack trace. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { minimalTenant, repoRoot, tempDir, writeTenantFile } from '../helpers/tenants';

function runApp(context: Record<string, string>) {
  const outdir = tempDir('myna-idp-out-');
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bin/myna-idp.ts')], {
    cwd: repoRoot,
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
    encoding: 'utf8',
  });
  return { ...result, outdir };
}

describe('bin/myna-idp.ts', () => {
  test('synthesizes one stack per tenant', () => {
    const dir = tempDir();
    writeTenantFile(dir, 'acme', minimalTenant());
    const { status, stderr, outdir } = runApp({ tenantsDir: dir });
    expect(stderr).not.toMatch(/Error/);
    expect(status).toBe(0);
    expect(fs.readdirSync(outdir)).toContain('MynaIdp-acme.template.json');
  });

  test('a wrong tenant file exits 1 with the problem, and no stack trace', () => {
    const dir = tempDir();
    const file = writeTenantFile(dir, 'acme', { ...minimalTenant(), threatProtection: 'audit' });
    const { status, stderr } = runApp({ tenantsDir: dir });
    expect(status).toBe(1);
    expect(stderr).toBe(`Tenant configuration is invalid:\n  ${file}: threatProtection: audit needs plan plus (the plan is essentials)\n`);
  });

  test('-c tenant=<id> for a missing tenant lists those that exist', () => {
    const dir = tempDir();
    writeTenantFile(dir, 'acme', minimalTenant());
    const { status, stderr } = runApp({ tenantsDir: dir, tenant: 'nope' });
    expect(status).toBe(1);
    expect(stderr).toBe(`Tenant configuration is invalid:\n  tenant "nope" not found in ${dir}; the tenants are: acme\n`);
  });
});
