/**
 * A sandbox for tests: the local tenant's file with free ports (its app's callback URL and its
 * OP issuer), written to a temporary folder, synthesized and started with startSandbox.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { loadTenantFile } from '../../lib/config/loader';
import { freePort } from '../../tools/cli/free-port';
import { startSandbox, type RunningSandbox } from '../../tools/cli/sandbox';
import { repoRoot, tempDir } from './tenants';

export interface TestSandbox extends RunningSandbox {
  readonly dir: string;
  readonly tenantFile: string;
}

/** The local tenant (local/tenants/local.yaml) as data. */
export const localTenantInput = (): Record<string, any> => parse(fs.readFileSync(path.join(repoRoot, 'local', 'tenants', 'local.yaml'), 'utf8'));

/**
 * Writes a copy of the local tenant into `<dir>/tenants/<id>.yaml` with free ports: its app
 * clients' callback and sign-out URLs, and its OP issuer (the emulator listens there).
 */
export async function writeLocalTenantCopy(
  dir: string,
  o: { id?: string; change?: (tenant: Record<string, any>, ports: { app: number; op: number }) => void } = {},
): Promise<{ file: string; ports: { app: number; op: number } }> {
  const [app, op] = await Promise.all([freePort(), freePort()]);
  const t = localTenantInput();
  delete t.$schema;
  if (o.id) {
    t.id = o.id;
    t.domain = { prefix: `myna-idp-${o.id}` };
    t.signIn.passkey.relyingPartyId = `myna-idp-${o.id}.auth.ap-northeast-1.amazoncognito.com`;
  }
  t.appClients = t.appClients.map((c: Record<string, any>) => ({ ...c, callbackUrls: [`http://localhost:${app}/auth/callback`], logoutUrls: [`http://localhost:${app}/`] }));
  t.jpki.issuer = `http://localhost:${op}/api/realms/main`;
  o.change?.(t, { app, op });
  fs.mkdirSync(path.join(dir, 'tenants'), { recursive: true });
  const file = path.join(dir, 'tenants', `${t.id}.yaml`);
  fs.writeFileSync(file, stringify(t));
  return { file, ports: { app, op } };
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
