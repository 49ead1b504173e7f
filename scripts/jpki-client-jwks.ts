/**
 * `npm run jpki:client-jwks -- --tenant <id> [--local] [--key-id <kms key>] [--out <file>]`
 *
 * Prints the public JWKS to submit to the Digital Agency for private_key_jwt: from KMS
 * (GetPublicKey with your AWS credentials) for a deployed tenant, or from the local key.
 */
import * as fs from 'node:fs';
import { args, findTenant, runCommand, UsageError } from '../tools/cli/tenant-args';
import { clientJwks } from '../tools/cli/jpki-client-jwks';

const usage = 'npm run jpki:client-jwks -- --tenant <id> [--local] [--key-id <kms key id, ARN or alias>] [--out <file>]';

await runCommand(async () => {
  const a = args({ tenant: { type: 'string' }, local: { type: 'boolean', default: false }, 'key-id': { type: 'string' }, out: { type: 'string' } }, usage);
  if (!a.tenant) throw new UsageError(`--tenant is required\nusage: ${usage}`);
  const { keys, from } = await clientJwks({ tenant: findTenant(a.tenant), source: a.local ? 'local' : 'kms', keyId: a['key-id'] });
  const text = `${JSON.stringify({ keys }, null, 2)}\n`;
  if (a.out) fs.writeFileSync(a.out, text);
  process.stderr.write(`public JWKS of ${from}${a.out ? `, written to ${a.out}` : ''}\n`);
  if (!a.out) process.stdout.write(text);
});
