/** The command-line tools around the federation: client JWKS, local keys, the emulator's clients file. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tenantSchema } from '../../../lib/config/schema';
import { clientJwks } from '../../../tools/cli/jpki-client-jwks';
import { startAwsStandIn, type AwsStandIn } from '../../../tools/stand-ins/aws/aws-stand-in';
import { localTenantKeys } from '../../../tools/stand-ins/aws/key-store';
import { readClients } from '../../../tools/stand-ins/op-emulator/main';
import { minimalTenant, tempDir } from '../../helpers/tenants';

let aws: AwsStandIn;
beforeAll(async () => {
  aws = await startAwsStandIn();
  aws.addKey('alias/myna-idp/acme/jpki-client-assertion', 'RSA_2048');
  aws.addKey('arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'ECC_NIST_P256');
});
afterAll(() => aws.close());
const kms = () => aws.client('kms');

const tenant = (jpki: Record<string, unknown> = {}) => ({
  file: 'tenants/acme.yaml',
  config: tenantSchema.parse({ ...minimalTenant(), jpki: { environment: 'sandbox', clientId: 'RP1', ...jpki } }),
});

describe('jpki:client-jwks', () => {
  test('from KMS: the public key of the alias the stack creates, in the tenant region', async () => {
    const r = await clientJwks({ tenant: tenant(), source: 'kms', kms: kms() });
    expect(r.from).toBe('KMS key alias/myna-idp/acme/jpki-client-assertion (ap-northeast-1)');
    expect(r.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' })]);
    expect(r.keys[0]).not.toHaveProperty('d');
  });

  test('from KMS: a key given in the tenant file', async () => {
    const arn = 'arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const r = await clientJwks({ tenant: tenant({ clientAssertion: { algorithm: 'ES256', kmsKeyArn: arn } }), source: 'kms', kms: kms() });
    expect(r.from).toBe(`KMS key ${arn} (ap-northeast-1)`);
    expect(r.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
  });

  test('from the local key, created on first use and stable after', async () => {
    const root = tempDir();
    const a = await clientJwks({ tenant: tenant(), source: 'local', localRoot: root });
    const b = await clientJwks({ tenant: tenant(), source: 'local', localRoot: root });
    expect(a.keys).toEqual(b.keys);
    const files = fs.readdirSync(path.join(root, 'acme')).sort();
    expect(files).toEqual(['client-assertion.RS256.private.jwk.json', 'client-assertion.RS256.public.jwks.json', 'secrets.json', 'token-signing.ES256.private.jwk.json']);
    expect(fs.statSync(path.join(root, 'acme', 'client-assertion.RS256.private.jwk.json')).mode & 0o077).toBe(0);
  });

  test('a tenant without federation is a clear error', async () => {
    const t = { file: 'tenants/acme.yaml', config: tenantSchema.parse(minimalTenant()) };
    await expect(clientJwks({ tenant: t, source: 'kms' })).rejects.toThrow('tenants/acme.yaml: jpki: this tenant has no My Number Card federation');
  });
});

describe('local keys', () => {
  test('the local signer and the public JWKS file match', async () => {
    const root = tempDir();
    const keys = await localTenantKeys('acme', 'ES256', root);
    const published = JSON.parse(fs.readFileSync(keys.clientJwksFile, 'utf8')) as { keys: unknown[] };
    expect(published.keys).toEqual([await keys.clientAssertion.publicJwk()]);
    expect(keys.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('the emulator clients file', () => {
  const dir = tempDir();
  const write = (data: unknown) => {
    const file = path.join(dir, 'clients.json');
    fs.writeFileSync(file, JSON.stringify(data));
    return file;
  };

  test('reads jwks_file relative to the clients file', () => {
    fs.writeFileSync(path.join(dir, 'k.json'), JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] }));
    const file = write([{ client_id: 'RP1', redirect_uris: ['http://localhost:8787/callback'], jwks_file: 'k.json', token_endpoint_auth_signing_alg: 'ES256' }]);
    expect(readClients(file)).toEqual([{ client_id: 'RP1', redirect_uris: ['http://localhost:8787/callback'], jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] }, token_endpoint_auth_signing_alg: 'ES256' }]);
  });

  test.each([
    [[{ client_id: 'RP-1', redirect_uris: ['x'], jwks: { keys: [] } }], '[0].client_id: 1-255 letters and digits'],
    [[{ client_id: 'RP1', redirect_uris: [], jwks: { keys: [] } }], '[0].redirect_uris: at least one URI'],
    [[{ client_id: 'RP1', redirect_uris: ['x'] }], '[0]: jwks or jwks_file is required'],
    [[{ client_id: 'RP1', redirect_uris: ['x'], jwks_file: 'missing.json' }], `[0].jwks_file: ${path.join(dir, 'missing.json')} does not exist; start \`npm run proxy:local -- --tenant local\` once (it creates the key) or run \`npm run jpki:client-jwks -- --tenant local --local\``],
    [[{ client_id: 'RP1', redirect_uris: ['x'], jwks: { keys: [] }, token_endpoint_auth_signing_alg: 'HS256' }], '[0].token_endpoint_auth_signing_alg: RS256 or ES256'],
    [{ client_id: 'RP1' }, 'expected a list of clients'],
  ])('rejects %j', (data, message) => {
    const file = write(data);
    expect(() => readClients(file)).toThrow(`${file}: ${message}`);
  });
});
