/**
 * Synthesizes folders of tenant files into cloud assemblies, as `cdk synth` does (the app of
 * lib/app.ts, with its cdk-nag AwsSolutions validation), without Lambda bundling. Run in a child
 * process by test/helpers/assembly.ts, so that no construct tree stays in a test worker's heap.
 *
 *   node --import tsx test/setup/synth-assembly.ts <tenants folder> <outdir> [<tenants folder> <outdir> ...]
 */
import { buildApp } from '../../lib/app';
import { newApp } from '../helpers/tenants';

const args = process.argv.slice(2);
if (args.length === 0 || args.length % 2 !== 0) {
  process.stderr.write('usage: synth-assembly.ts <tenants folder> <outdir> [<tenants folder> <outdir> ...]\n');
  process.exit(2);
}
let failed = false;
for (let i = 0; i < args.length; i += 2) {
  const [tenantsDir, outdir] = [args[i]!, args[i + 1]!];
  try {
    const { app } = buildApp({ tenantsDir, app: newApp({ outdir }) });
    app.synth();
  } catch (e) {
    // One folder's failure is reported against that folder only: the others still synthesize.
    failed = true;
    process.stderr.write(`@@failed ${outdir}\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n@@end\n`);
  }
}
process.exitCode = failed ? 1 : 0;
