/**
 * Keys and secrets for running the proxy on this machine, generated on first use into the
 * ignored folder `.local/` (never committed; tests generate their own keys in memory).
 * Next to each private key, its public JWKS is written: that is what an OP registers.
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalSigner, type JwsAlgorithm } from '../../../lambdas/federation-proxy/crypto/signer';

export const LOCAL_DIR = path.resolve(process.cwd(), '.local');

export interface LocalTenantKeys {
  readonly clientAssertion: LocalSigner;
  readonly tokenSigning: LocalSigner;
  readonly clientSecret: string;
  readonly sealingSecret: string;
  /** Path of the client assertion key's public JWKS. */
  readonly clientJwksFile: string;
}

function loadOrCreateSigner(dir: string, name: string, alg: JwsAlgorithm): { signer: LocalSigner; created: boolean } {
  const file = path.join(dir, `${name}.${alg}.private.jwk.json`);
  if (fs.existsSync(file)) {
    const jwk = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    return { signer: new LocalSigner(alg, createPrivateKey({ key: jwk, format: 'jwk' })), created: false };
  }
  const signer = LocalSigner.generate(alg);
  fs.writeFileSync(file, `${JSON.stringify(signer.exportPrivateJwk(), null, 2)}\n`, { mode: 0o600 });
  return { signer, created: true };
}

/** The local keys and secrets of a tenant, created in `.local/<tenant>/` when missing. */
export async function localTenantKeys(tenantId: string, clientAlg: JwsAlgorithm, root = LOCAL_DIR): Promise<LocalTenantKeys> {
  const dir = path.join(root, tenantId);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const clientAssertion = loadOrCreateSigner(dir, 'client-assertion', clientAlg).signer;
  const tokenSigning = loadOrCreateSigner(dir, 'token-signing', 'ES256').signer;
  const clientJwksFile = path.join(dir, `client-assertion.${clientAlg}.public.jwks.json`);
  fs.writeFileSync(clientJwksFile, `${JSON.stringify({ keys: [await clientAssertion.publicJwk()] }, null, 2)}\n`);
  const secretsFile = path.join(dir, 'secrets.json');
  if (!fs.existsSync(secretsFile)) {
    const secrets = { clientSecret: randomBytes(32).toString('base64url'), sealingSecret: randomBytes(48).toString('base64url') };
    fs.writeFileSync(secretsFile, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  const secrets = JSON.parse(fs.readFileSync(secretsFile, 'utf8')) as { clientSecret: string; sealingSecret: string };
  return { clientAssertion, tokenSigning, clientJwksFile, ...secrets };
}
