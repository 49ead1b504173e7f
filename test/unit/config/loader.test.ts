import * as fs from 'node:fs';
import * as path from 'node:path';
import { TenantConfigError } from '../../../lib/config/errors';
import { loadTenants } from '../../../lib/config/loader';
import { fixturesDir, minimalTenant, tempDir, writeTenantFile } from '../../helpers/tenants';

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
  test('loads every tenant of a folder, sorted by id', () => {
    expect(loadTenants(fixturesDir).map((t) => t.config.id)).toEqual(['example', 'sandbox']);
  });

  test('loads only the tenant named', () => {
    expect(loadTenants(fixturesDir, 'sandbox').map((t) => t.config.id)).toEqual(['sandbox']);
  });

  test('a missing tenant lists the tenants that exist', () => {
    expect(errorOf(() => loadTenants(fixturesDir, 'nope')).problems).toEqual([
      `tenant "nope" not found in ${path.relative(process.cwd(), fixturesDir)}; the tenants are: example, sandbox`,
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

  /** Writes `name` with a modification time `ageSeconds` in the past. */
  const writeAged = (dir: string, name: string, data: unknown, ageSeconds: number) => {
    const file = writeTenantFile(dir, name, data);
    const at = new Date(Date.now() - ageSeconds * 1000);
    fs.utimesSync(file, at, at);
    return file;
  };

  test('two tenants cannot share a login domain: the newer file is blamed', () => {
    const dir = tempDir();
    // zeta is the established tenant, acme the one being added (sorted first by name).
    const zeta = writeAged(dir, 'zeta', { ...minimalTenant(), id: 'zeta' }, 3600);
    const acme = writeAged(dir, 'acme', minimalTenant(), 0);
    expect(errorOf(() => loadTenants(dir)).problems).toEqual([
      `${acme}: domain: prefix acme-login in ap-northeast-1 is already used by ${zeta}`,
    ]);
  });

  test('a single-tenant synth checks the tenant against the others', () => {
    const dir = tempDir();
    const zeta = writeAged(dir, 'zeta', { ...minimalTenant(), id: 'zeta' }, 0);
    const acme = writeAged(dir, 'acme', minimalTenant(), 3600);
    // Named explicitly, acme is the one being added, whatever the file times say.
    expect(errorOf(() => loadTenants(dir, 'acme')).problems).toEqual([
      `${acme}: domain: prefix acme-login in ap-northeast-1 is already used by ${zeta}`,
    ]);
    // A broken other file does not stop the check of this one (it reports its own problems).
    writeTenantFile(dir, 'broken', 'id: broken\n');
    expect(errorOf(() => loadTenants(dir, 'zeta')).problems).toEqual([
      `${zeta}: domain: prefix acme-login in ap-northeast-1 is already used by ${acme}`,
    ]);
  });

  test('fixed SES names and account-wide SMS settings are not shared', () => {
    const dir = tempDir();
    const ses = { sender: 'ses', fromAddress: 'no-reply@acme.example', configurationSet: { name: 'acme-mail' }, identity: { create: true, domain: 'acme.example' } };
    const sms = { externalId: 'ext-1', senderId: 'ACME' };
    const first = writeAged(dir, 'first', { ...minimalTenant(), id: 'first', domain: { prefix: 'first-login' }, signIn: { firstFactors: ['password'] }, email: ses, sms }, 3600);
    const second = writeAged(dir, 'second', { ...minimalTenant(), id: 'second', domain: { prefix: 'second-login' }, signIn: { firstFactors: ['password'] }, email: ses, sms }, 0);
    expect(errorOf(() => loadTenants(dir)).problems).toEqual([
      `${second}: email.identity: the SES identity acme.example created in account 123456789012 ap-northeast-1 is already used by ${first}`,
      `${second}: email.configurationSet.name: the SES configuration set acme-mail created in account 123456789012 ap-northeast-1 is already used by ${first}`,
      `${second}: sms.senderId: the SNS default sender id of account 123456789012 ap-northeast-1 (an account-wide setting) is already used by ${first}`,
    ]);
    // In another account nothing clashes.
    writeAged(dir, 'second', { ...minimalTenant(), id: 'second', account: '210987654321', domain: { prefix: 'second-login' }, signIn: { firstFactors: ['password'] }, email: ses, sms }, 0);
    expect(loadTenants(dir).map((t) => t.config.id)).toEqual(['first', 'second']);
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
