/**
 * The cdk project's global setup: synthesizes the fixture tenants, the native-levels fixture and
 * the repository's tenants once, in one child process, before the workers start
 * (test/helpers/assembly.ts). A failure is left for the tests that read the assembly to report.
 */
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export default function warmAssemblies() {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'test/setup/warm-assemblies.ts')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`The fixture synthesis failed; the cdk tests say why.\n`);
}
