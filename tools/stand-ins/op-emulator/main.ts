/**
 * `npm run op-emulator -- [--port 8788] [--clients tools/stand-ins/op-emulator/clients.json]
 *   [--id-token-alg ES256|RS256] [--address-format string|object] [--gender-format oidc|jis]`
 *
 * Starts the emulator of the Digital Agency sandbox OP alone, with its registered clients read
 * from a file: each has client_id, redirect_uris, token_endpoint_auth_signing_alg, and its
 * public keys as `jwks` or `jwks_file` (relative to the clients file).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { args, runCommand, UsageError } from '../../cli/tenant-args';
import { startOpEmulator, type EmulatorClient } from './emulator';

const usage = 'npm run op-emulator -- [--port 8788] [--clients <file>] [--id-token-alg ES256|RS256] [--address-format string|object] [--gender-format oidc|jis]';

export function readClients(file: string): EmulatorClient[] {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: cannot read the clients file (${(e as Error).message})`);
  }
  if (!Array.isArray(raw)) throw new UsageError(`${file}: expected a list of clients`);
  return raw.map((c: Record<string, unknown>, i) => {
    const where = `${file}: [${i}]`;
    if (typeof c.client_id !== 'string' || !/^[0-9A-Za-z]{1,255}$/.test(c.client_id)) throw new UsageError(`${where}.client_id: 1-255 letters and digits`);
    if (!Array.isArray(c.redirect_uris) || c.redirect_uris.length === 0) throw new UsageError(`${where}.redirect_uris: at least one URI`);
    let jwks = c.jwks as EmulatorClient['jwks'] | undefined;
    if (!jwks && typeof c.jwks_file === 'string') {
      const jwksFile = path.resolve(path.dirname(file), c.jwks_file);
      if (!fs.existsSync(jwksFile)) {
        throw new UsageError(`${where}.jwks_file: ${jwksFile} does not exist; start \`npm run proxy:local -- --tenant local\` once (it creates the key) or run \`npm run jpki:client-jwks -- --tenant local --local\``);
      }
      jwks = JSON.parse(fs.readFileSync(jwksFile, 'utf8')) as EmulatorClient['jwks'];
    }
    if (!jwks || !Array.isArray(jwks.keys)) throw new UsageError(`${where}: jwks or jwks_file is required`);
    const alg = c.token_endpoint_auth_signing_alg ?? 'RS256';
    if (alg !== 'RS256' && alg !== 'ES256') throw new UsageError(`${where}.token_endpoint_auth_signing_alg: RS256 or ES256`);
    return { client_id: c.client_id, redirect_uris: c.redirect_uris as string[], jwks, token_endpoint_auth_signing_alg: alg };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runCommand(async () => {
    const a = args(
      {
        port: { type: 'string', default: '8788' },
        clients: { type: 'string', default: 'tools/stand-ins/op-emulator/clients.json' },
        'id-token-alg': { type: 'string', default: 'ES256' },
        'address-format': { type: 'string', default: 'string' },
        'gender-format': { type: 'string', default: 'oidc' },
      },
      usage,
    );
    const pick = <T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T => {
      if (!allowed.includes(v as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}\nusage: ${usage}`);
      return v as T;
    };
    const op = await startOpEmulator({
      port: Number(a.port),
      host: '127.0.0.1',
      clients: readClients(a.clients!),
      idTokenAlg: pick('id-token-alg', a['id-token-alg'], ['ES256', 'RS256'] as const),
      addressFormat: pick('address-format', a['address-format'], ['string', 'object'] as const),
      genderFormat: pick('gender-format', a['gender-format'], ['oidc', 'jis'] as const),
      verbose: true,
    });
    process.stdout.write(`Digital Agency sandbox OP emulator: issuer ${op.issuer}\n  discovery ${op.issuer}/.well-known/openid-configuration\nCtrl-C to stop.\n`);
    const stop = async () => {
      await op.close();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
