/** Command-line helpers shared by the local tools: arguments and the tenant they name. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TenantConfigError } from '../../lib/config/errors';
import { loadTenantFile, type LoadedTenant } from '../../lib/config/loader';

/** Where `--tenant <id>` is looked for: deployable tenants first, then local-only ones. */
export const TENANT_DIRS = ['tenants', path.join('local', 'tenants')];

export function findTenant(id: string): LoadedTenant {
  for (const dir of TENANT_DIRS) {
    const file = path.join(dir, `${id}.yaml`);
    if (fs.existsSync(file)) return loadTenantFile(file);
  }
  const known = TENANT_DIRS.flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)) : []));
  throw new TenantConfigError([`tenant "${id}" not found in ${TENANT_DIRS.join(' or ')}; the tenants are: ${known.join(', ') || '(none)'}`]);
}

/** Runs a command's main function; a known error is one clear line on stderr and exit 1. */
export async function runCommand(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    if (e instanceof TenantConfigError) process.stderr.write(`${e.problems.join('\n')}\n`);
    else if (e instanceof UsageError) process.stderr.write(`${e.message}\n`);
    else process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

export class UsageError extends Error {}

export function args<const O extends NonNullable<ParseArgsConfig['options']>>(options: O, usage: string) {
  try {
    return parseArgs({ options, allowPositionals: false, strict: true } as const).values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\nusage: ${usage}`);
  }
}
