/**
 * `npm run sandbox [-- --tenant <id> | --tenant-file <file>] [--cognito-port N] [--proxy-port N] [--op-port N] [--client <name>] [--local-dir .local] [--quiet]`
 *
 * The whole sign-in flow on this machine: the tenant (default: local, local/tenants/local.yaml)
 * synthesized, then the OP emulator, the federation proxy, the Cognito stand-in and the sample
 * app. When all are ready it prints where each listens and writes .local/sandbox.json. Ctrl-C
 * stops everything.
 */
import * as path from 'node:path';
import { loadTenantFile } from '../lib/config/loader';
import { args, findTenant, runCommand, UsageError } from '../tools/cli/tenant-args';
import { SandboxError, startSandbox } from '../tools/cli/sandbox';

const usage = 'npm run sandbox -- [--tenant <id> | --tenant-file <file>] [--local-dir .local] [--quiet] [--cognito-port N] [--proxy-port N] [--op-port N] [--client <name>]';

await runCommand(async () => {
  const a = args(
    {
      tenant: { type: 'string', default: 'local' },
      'tenant-file': { type: 'string' },
      'local-dir': { type: 'string', default: '.local' },
      'cognito-port': { type: 'string' },
      'proxy-port': { type: 'string' },
      'op-port': { type: 'string' },
      client: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    usage,
  );
  const port = (name: string) => {
    const v = a[name as keyof typeof a] as string | undefined;
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--${name} must be a port number, not ${v}\nusage: ${usage}`);
    return n;
  };
  const started = Date.now();
  const tenant = a['tenant-file'] ? loadTenantFile(a['tenant-file']) : findTenant(a.tenant!);
  process.stdout.write(`synthesizing tenant ${tenant.config.id} (${tenant.file})…\n`);
  // Ctrl-C is handled from here on: during start-up it stops what has started once it is up.
  let stopRequested = false;
  let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopRequested = true;
    if (!sandbox) return;
    stopping ??= sandbox.close().then(() => {
      process.stdout.write('sandbox stopped\n');
      process.exitCode = 0;
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    sandbox = await startSandbox({
      tenant,
      localDir: path.resolve(a['local-dir']!),
      client: a.client,
      ports: { cognito: port('cognito-port'), proxy: port('proxy-port'), op: port('op-port') },
      log: a.quiet ? undefined : (part, line) => process.stderr.write(`[${part}] ${line}\n`),
    });
  } catch (e) {
    if (e instanceof SandboxError) throw new UsageError(e.message);
    throw e;
  }
  if (stopRequested) return stop();
  const u = sandbox.urls;
  process.stdout.write(
    [
      '',
      `myna-idp sandbox for tenant ${tenant.config.id}: ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      '',
      `  Open the app:        ${u.app}`,
      '',
      `  Cognito stand-in:    ${u.cognito}  (managed login, app client ${sandbox.clientName})`,
      `  Mailbox:             ${u.mailbox}`,
      `  Security events:     ${u.events}  (what operators see on the tenant's bus)`,
      ...(u.proxy ? [`  Federation proxy:    ${u.proxy}`] : []),
      ...(u.op ? [`  OP emulator:         ${u.op}`] : []),
      `  URLs for scripts:    ${path.relative(process.cwd(), sandbox.stateFile)}`,
      '',
      'Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
});
