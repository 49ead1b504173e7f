/**
 * The Lambda bundles as `cdk synth` builds them (NodejsFunction and esbuild, with the project's
 * bundling options), from a card tenant made here: the federation proxy is held to its budget
 * and the pre token generation trigger to its own; the other functions' sizes are only named.
 * Why these budgets, the figures and how to measure them: docs/proxy-bundle.md.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, tempDir } from '../helpers/tenants';

/** The federation proxy: every card sign-in waits on its cold start. */
const PROXY_BUDGET = 100_000;
/**
 * The token-claims trigger, on the sign-in path too: about 25% over its 14,333 bytes of
 * 2026-12-08 (docs/proxy-bundle.md).
 */
const TOKEN_CLAIMS_BUDGET = 18_000;

/** A known Japanese string of each (lambdas/federation-proxy/pages.ts, lambdas/token-claims/claims.ts). */
const PROXY_TEXT = 'サインインに時間がかかりすぎました。';
const TOKEN_CLAIMS_TEXT = 'デジタル庁 デジタル認証アプリ';

interface Bundle {
  /** The function's construct path under its stack. */
  readonly name: string;
  readonly code: string;
  readonly bytes: number;
}

const moduleUrl = (file: string) => JSON.stringify(pathToFileURL(path.join(repoRoot, file)).href);

/**
 * Run in a child process, as `cdk synth` runs the app (the worker keeps no construct tree): a
 * card tenant synthesized with bundling on, and for each NodejsFunction the `index.mjs` of the
 * asset its template names, with which one is the proxy and which the trigger.
 */
const synthesis = (outdir: string) => `
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { tenantSchema } from ${moduleUrl('lib/config/schema.ts')};
import { TenantStack } from ${moduleUrl('lib/tenant-stack.ts')};
import { minimalTenant, newApp } from ${moduleUrl('test/helpers/tenants.ts')};

const outdir = ${JSON.stringify(outdir)};
const app = newApp({ bundle: true, outdir });
// Native levels on, so that their handler is bundled too (it carries its own Cognito client).
const tenant = { ...minimalTenant(), jpki: { environment: 'sandbox', clientId: 'RP00000002', acrValues: 'aal3', stepUp: { nativeLevels: { enabled: true, cardLevel: 'Level4', names: { Level4: 'urn:myna-idp:loa:card' } } } } };
tenant.signIn.mfa = { mode: 'off' };
const stack = new TenantStack(app, { tenant: { file: 'bundles.yaml', config: tenantSchema.parse(tenant) } });
const assembly = app.synth();
const roles = new Map([[stack.jpkiFederation.proxy, 'proxy'], [stack.jpkiStepUp.trigger.fn, 'tokenClaims']]);
const bundles = app.node.findAll().filter((c) => c instanceof NodejsFunction).map((fn) => {
  const owner = Stack.of(fn);
  const logicalId = owner.getLogicalId(fn.node.defaultChild);
  const key = String(assembly.getStackArtifact(owner.artifactId).template.Resources[logicalId].Properties.Code.S3Key);
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, owner.artifactId + '.assets.json'), 'utf8'));
  const file = path.join(outdir, manifest.files[key.replace(/\\.zip$/, '')].source.path, 'index.mjs');
  return { name: fn.node.path.slice(owner.node.path.length + 1), file, role: roles.get(fn) };
});
process.stdout.write(JSON.stringify(bundles));
`;

function synthBundles(): { proxy: Bundle; tokenClaims: Bundle; others: Bundle[] } {
  const outdir = tempDir('myna-idp-bundles-');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', synthesis(outdir)], {
    cwd: repoRoot,
    encoding: 'utf8',
    // Without aws-cdk-lib's template validation (seconds; it runs after the bundles are built,
    // and synth.test.ts and nag.test.ts check the templates).
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_VALIDATION: 'false' },
  });
  if (r.status !== 0) throw new Error(`the synthesis with bundling failed:\n${r.stderr}`);
  const found = (JSON.parse(r.stdout) as Array<{ name: string; file: string; role?: 'proxy' | 'tokenClaims' }>).map((b) => {
    const code = fs.readFileSync(b.file);
    return { role: b.role, bundle: { name: b.name, code: code.toString('utf8'), bytes: code.length } };
  });
  const one = (role: string) => found.find((f) => f.role === role)!.bundle;
  return { proxy: one('proxy'), tokenClaims: one('tokenClaims'), others: found.filter((f) => !f.role).map((f) => f.bundle) };
}

/** `\uXXXX` escapes of kana and kanji (U+3000 to U+9FFF): what esbuild writes with charset ascii. */
const escapedJapanese = (code: string) => (code.match(/\\u[0-9A-Fa-f]{4}/g) ?? []).filter((e) => /^\\u[3-9]/.test(e));

// At module level: the test names below carry the sizes.
const { proxy, tokenClaims, others } = synthBundles();

describe('the federation proxy', () => {
  test(`is at most ${PROXY_BUDGET} bytes minified (${proxy.bytes} now)`, () => {
    expect(proxy.bytes).toBeLessThanOrEqual(PROXY_BUDGET);
  });

  test('carries its Japanese text as UTF-8, not as \\u escapes', () => {
    expect(proxy.code).toContain(PROXY_TEXT);
    expect(escapedJapanese(proxy.code)).toEqual([]);
  });
});

describe('the token-claims trigger', () => {
  test(`is at most ${TOKEN_CLAIMS_BUDGET} bytes minified (${tokenClaims.bytes} now)`, () => {
    expect(tokenClaims.bytes).toBeLessThanOrEqual(TOKEN_CLAIMS_BUDGET);
  });

  test('carries its Japanese text as UTF-8, not as \\u escapes', () => {
    expect(tokenClaims.code).toContain(TOKEN_CLAIMS_TEXT);
    expect(escapedJapanese(tokenClaims.code)).toEqual([]);
  });
});

describe('the AWS SDK in the bundles (docs/aws-client-facts.md §5)', () => {
  /** The `@aws-sdk/*` modules a bundle imports (left external), not names it merely mentions. */
  const sdkImports = (code: string) => [...new Set([...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["'](@aws-sdk\/[a-z0-9-]+)["']/g)].map((m) => m[1]))];
  test('the native-levels handler carries its own Cognito client, one that knows AcrConfiguration and AcrMapping', () => {
    const levels = others.find((b) => b.name.includes('NativeLevels'))!;
    expect(levels).toBeDefined();
    // Left external: only the SDK's optional SigV4a signers, which it loads for multi-Region
    // endpoints alone (Cognito's are not).
    expect(sdkImports(levels.code).filter((m) => !['@aws-sdk/signature-v4-crt', '@aws-sdk/signature-v4a'].includes(m ?? ''))).toEqual([]);
    expect(levels.code).toContain('AcrConfiguration');
    expect(levels.code).toContain('AcrMapping');
  });
  test('the sign-in path carries no AWS SDK at all, and the other functions use the runtime’s', () => {
    expect(sdkImports(proxy.code)).toEqual([]);
    expect(sdkImports(tokenClaims.code)).toEqual([]);
    const ingest = others.find((b) => b.name.includes('Ingest'))!;
    expect(sdkImports(ingest.code)).toEqual(['@aws-sdk/client-eventbridge']);
  });
});

describe('the other functions (sizes recorded, no budget)', () => {
  test.each(others.map((b) => [b.name, b.bytes] as const))('%s: %d bytes', (_name, bytes) => {
    expect(bytes).toBeGreaterThan(0);
  });
});
