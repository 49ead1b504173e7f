/**
 * A copy of the local tenant (local/tenants/local.yaml) with free ports, for anything that runs
 * a sandbox of its own next to others: the tests and the benchmark.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { OP_REALM_PATH } from '../../lib/config/jpki';
import { freePort } from './free-port';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

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
  t.jpki.issuer = `http://localhost:${op}${OP_REALM_PATH}`;
  o.change?.(t, { app, op });
  fs.mkdirSync(path.join(dir, 'tenants'), { recursive: true });
  const file = path.join(dir, 'tenants', `${t.id}.yaml`);
  fs.writeFileSync(file, stringify(t));
  return { file, ports: { app, op } };
}
