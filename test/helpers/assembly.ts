/**
 * The cloud assembly of a folder of tenant files, synthesized once per change of the source and
 * shared by every test that reads it (the cdk project's global setup warms it before the
 * workers start).
 *
 * Synthesis runs in a child process (test/setup/synth-assembly.ts), the way `cdk synth` runs
 * the app: a test worker keeps no construct tree, and one synthesis serves synth, nag and
 * cfn-lint checks alike. The cache lives under node_modules/.cache (ignored by git) and is keyed
 * by the content of everything the synthesis reads: lib/, lambdas/ (asset hashes), bin/, the
 * tenant files, cdk.json, package-lock.json (library versions) and the two test modules that
 * drive it. A synthesis that fails is cached too, with its output, so every test that needs it
 * fails with the same message instead of synthesizing again.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './tenants';

const CACHE = path.join(repoRoot, 'node_modules', '.cache', 'myna-idp-tests');
const SOURCES = ['lib', 'lambdas', 'bin', 'cdk.json', 'package-lock.json', 'test/setup/synth-assembly.ts', 'test/helpers/tenants.ts'];

export interface Assembly {
  /** The assembly's folder. */
  readonly dir: string;
  /** Stack name → its template file, for every stack of the assembly. */
  readonly templates: ReadonlyMap<string, string>;
  /** A stack's template as data. */
  template(stackName: string): Record<string, any>;
  /** The policy validation report CDK writes at synthesis (cdk-nag is its plugin). */
  validationReport(): { pluginReports: Array<{ pluginName: string; summary: { status: string }; violations: unknown[] }> };
  /** A stack's construct metadata as written to the assembly (`<stack>.metadata.json`). */
  metadata(stackName: string): Record<string, Array<{ type: string; data?: unknown }>>;
}

function filesUnder(p: string, out: string[]): string[] {
  if (!fs.existsSync(p)) return out;
  if (fs.statSync(p).isFile()) out.push(p);
  else for (const e of fs.readdirSync(p).sort()) if (e !== 'node_modules') filesUnder(path.join(p, e), out);
  return out;
}

/** The cache key: a hash of every file the synthesis reads, paths and contents. */
export function sourceKey(tenantsDir: string): string {
  const hash = createHash('sha256');
  for (const f of [...SOURCES.map((s) => path.join(repoRoot, s)), path.resolve(tenantsDir)].flatMap((p) => filesUnder(p, []))) {
    hash.update(path.relative(repoRoot, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  }
  return hash.digest('hex').slice(0, 24);
}

const keyOf = (tenantsDir: string) =>
  `${path.relative(repoRoot, path.resolve(tenantsDir)).replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+/, '')}-${sourceKey(tenantsDir)}`;

/** Forgets the failures of earlier runs: each run tries a failed synthesis once more. */
export function forgetFailures(): void {
  if (!fs.existsSync(CACHE)) return;
  for (const e of fs.readdirSync(CACHE)) if (e.endsWith('.failed') || e.includes('.tmp-')) fs.rmSync(path.join(CACHE, e), { recursive: true, force: true });
}

/**
 * Synthesizes each folder of tenant files unless an assembly of the same source is cached, all
 * in one child process; returns each assembly's folder, or throws with the synthesis' output.
 */
export function ensureAssemblies(tenantsDirs: readonly string[]): string[] {
  const wanted = tenantsDirs.map((d) => ({ tenantsDir: d, key: keyOf(d), dir: path.join(CACHE, keyOf(d)) }));
  const missing = wanted.filter((w) => !fs.existsSync(path.join(w.dir, 'manifest.json')) && !fs.existsSync(`${w.dir}.failed`));
  if (missing.length > 0) {
    fs.mkdirSync(CACHE, { recursive: true });
    const tmps = missing.map((w) => fs.mkdtempSync(path.join(CACHE, `${w.key}.tmp-`)));
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/setup/synth-assembly.ts'), ...missing.flatMap((w, i) => [w.tenantsDir, tmps[i]!])], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
    });
    missing.forEach((w, i) => {
      const tmp = tmps[i]!;
      const marker = `@@failed ${tmp}\n`;
      const at = (r.stderr ?? '').indexOf(marker);
      const failure = at < 0 ? undefined : r.stderr.slice(at + marker.length, r.stderr.indexOf('@@end', at));
      if (failure || !fs.existsSync(path.join(tmp, 'manifest.json'))) {
        fs.rmSync(tmp, { recursive: true, force: true });
        fs.writeFileSync(`${w.dir}.failed`, (failure ?? `${r.stderr}${r.stdout}`).slice(-20_000) || `exit ${r.status ?? r.signal}`);
        return;
      }
      try {
        fs.renameSync(tmp, w.dir);
      } catch {
        fs.rmSync(tmp, { recursive: true, force: true }); // another worker got there first: same source, same assembly
      }
      pruneCache(w.key);
    });
  }
  return wanted.map((w) => {
    if (fs.existsSync(`${w.dir}.failed`)) throw new Error(`Synthesis of ${w.tenantsDir} failed:\n${fs.readFileSync(`${w.dir}.failed`, 'utf8')}`);
    return w.dir;
  });
}

/** Keeps the cache from growing with every edit: assemblies of older sources go. */
function pruneCache(keep: string): void {
  const prefix = keep.slice(0, keep.lastIndexOf('-') + 1);
  for (const e of fs.readdirSync(CACHE)) {
    if (e.startsWith(prefix) && e !== keep && !e.includes('.tmp-')) fs.rmSync(path.join(CACHE, e), { recursive: true, force: true });
  }
}

/** The assembly of a folder of tenant files, read from the cache (synthesized first if needed). */
export function assemblyOf(tenantsDir: string): Assembly {
  const [dir] = ensureAssemblies([tenantsDir]) as [string];
  const read = (file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const templates = new Map(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.template.json'))
      .sort()
      .map((f) => [f.replace('.template.json', ''), path.join(dir, f)] as const),
  );
  return {
    dir,
    templates,
    template: (name) => {
      if (!templates.has(name)) throw new Error(`No stack ${name} in the assembly of ${tenantsDir} (${[...templates.keys()].join(', ')})`);
      return read(`${name}.template.json`);
    },
    validationReport: () => read('validation-report.json'),
    metadata: (name) => read(`${name}.metadata.json`),
  };
}
