import * as fs from 'node:fs';
import * as path from 'node:path';
import { TenantConfigError } from '../../lib/config/errors';
import { loadTenants } from '../../lib/config/loader';
import { minimalTenant, tempDir, tenantsDir, writeTenantFile } from '../helpers/tenants';

function errorOf(fn: () => unknown): TenantConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TenantConfigError) return e;
    throw e;
  }
  throw new Error('expected a TenantConfigError');
}

describe('loadTenants', () => {
  test('loads every tenant of the repository, sorted by id', () => {
    expect(loadTenants(tenantsDir).map((t) => t.config.id)).toEqual(['example', 'sandbox']);
  });

  test('loads only the tenant named', () => {
    expect(loadTenants(tenantsDir, 'sandbox').map((t) => t.config.id)).toEqual(['sandbox']);
  });

  test('a missing tenant lists the tenants that exist', () => {
    expect(errorOf(() => loadTenants(tenantsDir, 'acme')).problems).toEqual([
      `tenant "acme" not found in ${path.relative(process.cwd(), tenantsDir) || tenantsDir}; the tenants are: example, sandbox`,
    ]);
  });

  test('problems of several files are reported together', () => {
    const dir = tempDir();
    const a = writeTenantFile(dir, 'acme', { ...minimalTenant(), region: 'tokyo' });
    const b = writeTenantFile(dir, 'beta', { ...minimalTenant(), id: 'beta', environment: 'prod' });
    expect(errorOf(() => loadTenants(dir)).problems).toEqual([
      `${a}: region: must be an AWS region such as ap-northeast-1`,
      `${b}: environment: must be one of: sandbox, production`,
    ]);
  });

  test('two tenants cannot share a login domain', () => {
    const dir = tempDir();
    const a = writeTenantFile(dir, 'acme', minimalTenant());
    const b = writeTenantFile(dir, 'beta', { ...minimalTenant(), id: 'beta' });
    expect(errorOf(() => loadTenants(dir)).problems).toEqual([
      `${b}: domain: prefix acme-login in ap-northeast-1 is already used by ${a}`,
    ]);
  });

  test('an empty or missing tenants folder', () => {
    const dir = tempDir();
    expect(errorOf(() => loadTenants(dir)).problems).toEqual([`${dir}: no tenant files (<id>.yaml)`]);
    fs.rmSync(dir, { recursive: true });
    expect(errorOf(() => loadTenants(dir)).problems).toEqual([`${dir}: the tenants folder does not exist`]);
  });

  test('defaults are filled in for what a file leaves out', () => {
    const dir = tempDir();
    writeTenantFile(dir, 'acme', minimalTenant());
    const [t] = loadTenants(dir);
    expect(t?.config).toMatchObject({
      plan: 'essentials',
      threatProtection: 'off',
      email: { sender: 'cognito' },
      branding: { style: 'cognito-defaults' },
      signIn: {
        firstFactors: ['password', 'passkey'],
        mfa: { mode: 'optional', factors: ['totp'] },
        passwordPolicy: { minLength: 12, historySize: 5 },
        selfSignUp: true,
      },
      appClients: [{ public: true, scopes: ['openid', 'email', 'profile'], tokenValidity: { accessTokenMinutes: 60 } }],
    });
  });
});
