/**
 * A sandbox for tests: the local tenant's file with free ports (its app's callback URL and its
 * OP issuer), written to a temporary folder, synthesized and started with startSandbox.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { loadTenantFile } from '../../lib/config/loader';
import { freePort } from '../../tools/local/free-port';
import { startSandbox, type RunningSandbox } from '../../tools/sandbox/sandbox';
import { repoRoot, tempDir } from './tenants';

export interface TestSandbox extends RunningSandbox {
  readonly dir: string;
  readonly tenantFile: string;
}

/** The local tenant (local/tenants/local.yaml) as data. */
export const localTenantInput = (): Record<string, any> => parse(fs.readFileSync(path.join(repoRoot, 'local', 'tenants', 'local.yaml'), 'utf8'));

export async function startTestSandbox(change: (tenant: Record<string, any>, ports: { app: number; op: number }) => void = () => undefined): Promise<TestSandbox> {
  const [app, op] = await Promise.all([freePort(), freePort()]);
  const dir = tempDir('myna-idp-sandbox-');
  const t = localTenantInput();
  delete t.$schema;
  t.id = 'it';
  t.domain = { prefix: 'myna-idp-it' };
  t.signIn.passkey.relyingPartyId = 'myna-idp-it.auth.ap-northeast-1.amazoncognito.com';
  t.appClients = t.appClients.map((c: Record<string, any>) => ({ ...c, callbackUrls: [`http://localhost:${app}/auth/callback`], logoutUrls: [`http://localhost:${app}/`] }));
  t.jpki.issuer = `http://localhost:${op}/api/realms/main`;
  change(t, { app, op });
  fs.mkdirSync(path.join(dir, 'tenants'));
  const tenantFile = path.join(dir, 'tenants', 'it.yaml');
  fs.writeFileSync(tenantFile, stringify(t));
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
