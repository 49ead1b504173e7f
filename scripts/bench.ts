/**
 * `npm run bench`: measured figures, printed as a table and as JSON.
 *
 * synth: `cdk synth` (the real CLI, as a platform team runs it) of 1, 10 and 50 copies of the
 * example tenant, generated in a temporary folder; wall time of each and resources per stack.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';

interface SynthFigure { tenants: number; wallSeconds: number; resourcesPerStack: number[] }

function generateTenants(count: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `myna-idp-bench-${count}-`));
  const base = parse(fs.readFileSync('tenants/example.yaml', 'utf8'));
  fs.mkdirSync(path.join(dir, 'branding'));
  fs.copyFileSync('tenants/branding/example-logo.svg', path.join(dir, 'branding/example-logo.svg'));
  for (let i = 1; i <= count; i++) {
    const t = structuredClone(base);
    t.id = `example-${i}`;
    t.domain.custom.domainName = `auth${i}.example.co.jp`;
    t.signIn.passkey.relyingPartyId = `auth${i}.example.co.jp`;
    fs.writeFileSync(path.join(dir, `${t.id}.yaml`), stringify(t));
  }
  return dir;
}

function synth(count: number): SynthFigure {
  const dir = generateTenants(count);
  const out = path.join(dir, 'cdk.out');
  const started = process.hrtime.bigint();
  const r = spawnSync('npx', ['cdk', 'synth', '-q', '-c', `tenantsDir=${dir}`, '-o', out], { encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`cdk synth of ${count} tenants failed:\n${r.stderr}`);
  const resourcesPerStack = fs
    .readdirSync(out)
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => Object.keys(JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')).Resources).length);
  fs.rmSync(dir, { recursive: true, force: true });
  return { tenants: count, wallSeconds: Math.round(wallSeconds * 100) / 100, resourcesPerStack };
}

const figures = { synth: [1, 10, 50].map(synth) };

console.log('\nsynth (npx cdk synth -q of N copies of tenants/example.yaml)');
console.log('| tenants | wall time (s) | s per tenant | resources per stack |');
console.log('| ---: | ---: | ---: | ---: |');
for (const f of figures.synth) {
  const per = [...new Set(f.resourcesPerStack)].join(', ');
  console.log(`| ${f.tenants} | ${f.wallSeconds.toFixed(2)} | ${(f.wallSeconds / f.tenants).toFixed(3)} | ${per} |`);
}
console.log('\nJSON:');
console.log(JSON.stringify({ ...figures, synth: figures.synth.map((f) => ({ ...f, resourcesPerStack: [...new Set(f.resourcesPerStack)] })) }, null, 2));
