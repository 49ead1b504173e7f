import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parse, stringify } from 'yaml';
import type { LoadedTenant } from '../../lib/config/loader';
import { tenantSchema, type TenantInput } from '../../lib/config/schema';
import { TenantStack } from '../../lib/tenant-stack';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The repository's tenants: whatever a team keeps there. Tests never depend on which exist. */
export const tenantsDir = path.join(repoRoot, 'tenants');
/** The tenants the tests are written against: copies of the examples, owned by the tests. */
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures', 'tenants');

/** A card tenant with Cognito's native authentication levels on (its own folder: one stack). */
export const nativeLevelsDir = path.join(repoRoot, 'test', 'fixtures', 'native-levels');

/** The folders the cdk project synthesizes once per run: the fixtures, and the repository's tenants if any. */
export const fixtureFolders = (): string[] => [fixturesDir, nativeLevelsDir, ...(repositoryTenantIds().length > 0 ? [tenantsDir] : [])];

/** The ids of the tenant files in `tenantsDir` now. */
export const repositoryTenantIds = (): string[] =>
  fs.existsSync(tenantsDir) ? fs.readdirSync(tenantsDir).filter((f) => /\.ya?ml$/.test(f)).map((f) => f.replace(/\.ya?ml$/, '')).sort() : [];

/**
 * An app with the context of cdk.json, as `cdk synth` gives it. Lambda bundling (esbuild) is
 * skipped unless asked for: most tests look at the template, not at the bundle.
 */
export function newApp(options: { bundle?: boolean; outdir?: string } = {}): App {
  const { context } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return new App({ outdir: options.outdir, context: { ...context, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) } });
}

/** A fixture tenant's content as plain data, to mutate in a test. */
export function readTenantInput(id: 'example' | 'sandbox'): Record<string, any> {
  return parse(fs.readFileSync(path.join(fixturesDir, `${id}.yaml`), 'utf8'));
}

/** The smallest valid tenant: prefix domain, Cognito email, one public client. */
export function minimalTenant(): Record<string, any> {
  return {
    id: 'acme',
    account: '123456789012',
    region: 'ap-northeast-1',
    environment: 'sandbox',
    domain: { prefix: 'acme-login' },
    signIn: { passkey: { relyingPartyId: 'acme-login.auth.ap-northeast-1.amazoncognito.com' } },
    appClients: [{ name: 'web', public: true, callbackUrls: ['https://app.acme.example/callback'] }],
  };
}

const tempDirs: string[] = [];

/** A fresh temporary folder, removed after the test file (test/setup/cleanup.ts). */
export function tempDir(prefix = 'myna-idp-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Removes the temporary folders this test file made. */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes `data` as `<dir>/<name>.yaml` and returns the path. */
export function writeTenantFile(dir: string, name: string, data: unknown): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, typeof data === 'string' ? data : stringify(data));
  return file;
}

/** Synthesizes one tenant from data (already valid) and returns its template. */
export function synthTenant(input: TenantInput | Record<string, any>, logo?: LoadedTenant['logo']): { stack: TenantStack; template: Template } {
  const app = newApp();
  const stack = new TenantStack(app, { tenant: { file: 'test.yaml', config: tenantSchema.parse(input), logo } });
  return { stack, template: Template.fromStack(stack) };
}
