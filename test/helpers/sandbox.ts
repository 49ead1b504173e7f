/**
 * A sandbox for tests: the local tenant's file with free ports (its app's callback URL and its
 * OP issuer), written to a temporary folder, synthesized and started with startSandbox.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTenantFile } from '../../lib/config/loader';
import { writeLocalTenantCopy } from '../../tools/cli/sandbox-tenant';
import { startSandbox, type RunningSandbox } from '../../tools/cli/sandbox';
import { tempDir } from './tenants';

export interface TestSandbox extends RunningSandbox {
  readonly dir: string;
  readonly tenantFile: string;
}

export async function startTestSandbox(change?: (tenant: Record<string, any>, ports: { app: number; op: number }) => void): Promise<TestSandbox> {
  const dir = tempDir('myna-idp-sandbox-');
  const { file: tenantFile } = await writeLocalTenantCopy(dir, { id: 'it', change });
  const sandbox = await startSandbox({ tenant: loadTenantFile(tenantFile), localDir: path.join(dir, 'local') });
  return {
    ...sandbox,
    dir,
    tenantFile,
    close: async () => {
      await sandbox.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
