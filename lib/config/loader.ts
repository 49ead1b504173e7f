/**
 * Reads tenant files: YAML syntax, schema, cross-field rules, referenced files, and the rules
 * that span tenants (unique ids and domains). Every problem found is reported, not just the first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { TenantConfigError, formatIssues } from './errors';
import { tenantSchema, type TenantConfig } from './schema';

/** Base64 of an image is limited to 1,000,000 characters by Cognito (AssetType.Bytes). */
const MAX_LOGO_BYTES = 750_000;

export interface BrandingAsset {
  /** Base64 of the file. */
  readonly base64: string;
  /** Cognito's extension name: PNG, SVG or JPEG. */
  readonly extension: 'PNG' | 'SVG' | 'JPEG';
}

export interface LoadedTenant {
  /** The file as the person named it (relative to the working directory where possible). */
  readonly file: string;
  readonly config: TenantConfig;
  /** The logo file read and checked, when branding names one. */
  readonly logo?: BrandingAsset;
}

function displayName(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function readLogo(file: string, tenantFile: string, logo: string, problems: string[]): BrandingAsset | undefined {
  const where = `${file}: branding.logo`;
  const full = path.resolve(path.dirname(tenantFile), logo);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch {
    problems.push(`${where}: file not found: ${displayName(full)}`);
    return undefined;
  }
  if (!stat.isFile()) {
    problems.push(`${where}: not a file: ${displayName(full)}`);
    return undefined;
  }
  if (stat.size > MAX_LOGO_BYTES) {
    problems.push(`${where}: ${stat.size} bytes; at most ${MAX_LOGO_BYTES} (Cognito's limit for a branding asset)`);
    return undefined;
  }
  const ext = path.extname(full).toLowerCase();
  const extension = ext === '.svg' ? 'SVG' : ext === '.png' ? 'PNG' : 'JPEG';
  return { base64: fs.readFileSync(full).toString('base64'), extension };
}

/** Loads one tenant file, or throws a TenantConfigError that lists every problem in it. */
export function loadTenantFile(tenantFile: string): LoadedTenant {
  const file = displayName(tenantFile);
  let text: string;
  try {
    text = fs.readFileSync(tenantFile, 'utf8');
  } catch (e) {
    throw new TenantConfigError([`${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new TenantConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const firstLine = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        return `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML syntax: ${firstLine}`;
      }),
    );
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) throw new TenantConfigError([`${file}: the file is empty`]);
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new TenantConfigError([`${file}: (top level): expected a mapping of tenant fields`]);
  }
  const parsed = tenantSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) throw new TenantConfigError(formatIssues(file, parsed.error));

  const config = parsed.data;
  const problems: string[] = [];
  const expectedId = path.basename(tenantFile).replace(/\.ya?ml$/, '');
  if (config.id !== expectedId) problems.push(`${file}: id: must equal the file name (${expectedId})`);
  const logo =
    config.branding.style === 'custom' && config.branding.logo
      ? readLogo(file, tenantFile, config.branding.logo, problems)
      : undefined;
  if (problems.length > 0) throw new TenantConfigError(problems);
  return { file, config, logo };
}

/** The tenant files in a folder: `<id>.yaml`, sorted. */
export function listTenantFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) throw new TenantConfigError([`${displayName(dir)}: the tenants folder does not exist`]);
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** What a tenant holds that no other tenant may hold too: a resource with a fixed name, or an account-wide setting. */
interface Claim {
  /** Equal keys clash. */
  readonly key: string;
  /** The field a person changes to resolve the clash. */
  readonly field: string;
  readonly what: string;
}

function claimsOf(t: TenantConfig): Claim[] {
  const claims: Claim[] = [];
  const domain = 'prefix' in t.domain ? `prefix ${t.domain.prefix} in ${t.region}` : `custom domain ${t.domain.custom.domainName}`;
  claims.push({ key: `domain ${domain}`, field: 'domain', what: domain });
  if (t.email.sender === 'ses') {
    const where = `account ${t.account} ${t.email.sesRegion ?? t.region}`;
    if (t.email.identity.create) {
      claims.push({ key: `ses-identity ${where} ${t.email.identity.domain}`, field: 'email.identity', what: `the SES identity ${t.email.identity.domain} created in ${where}` });
    }
    if (t.email.configurationSet?.create) {
      const name = t.email.configurationSet.name;
      claims.push({ key: `ses-configuration-set ${where} ${name}`, field: 'email.configurationSet.name', what: `the SES configuration set ${name} created in ${where}` });
    }
  }
  if (t.sms?.senderId) {
    const where = `account ${t.account} ${t.sms.snsRegion ?? t.region}`;
    claims.push({ key: `sms-sender-id ${where}`, field: 'sms.senderId', what: `the SNS default sender id of ${where} (an account-wide setting)` });
  }
  return claims;
}

/**
 * Problems of tenants that claim what another tenant holds. The blame goes to the file being
 * added: `blamed` are checked against `established` and against each other, in order.
 */
function clashesOf(established: readonly LoadedTenant[], blamed: readonly LoadedTenant[]): string[] {
  const owners = new Map<string, string>();
  for (const t of established) for (const c of claimsOf(t.config)) if (!owners.has(c.key)) owners.set(c.key, t.file);
  const problems: string[] = [];
  for (const t of blamed) {
    for (const c of claimsOf(t.config)) {
      const owner = owners.get(c.key);
      if (owner) problems.push(`${t.file}: ${c.field}: ${c.what} is already used by ${owner}`);
      else owners.set(c.key, t.file);
    }
  }
  return problems;
}

/** Oldest first (by modification time, then name): a clash is blamed on the newer file, the one being added. */
function byAge(tenants: LoadedTenant[], files: ReadonlyMap<LoadedTenant, string>): LoadedTenant[] {
  const mtime = (t: LoadedTenant) => fs.statSync(files.get(t)!).mtimeMs;
  return [...tenants].sort((a, b) => mtime(a) - mtime(b) || a.file.localeCompare(b.file));
}

/**
 * Loads every tenant in `dir`, or only `only` when given; either way the tenants are checked
 * against each other (domains, fixed SES names, account-wide SMS settings). Problems of all
 * files are collected into one TenantConfigError.
 */
export function loadTenants(dir: string, only?: string): LoadedTenant[] {
  const files = listTenantFiles(dir);
  const ids = files.map((f) => path.basename(f).replace(/\.ya?ml$/, ''));
  if (only !== undefined) {
    const file = files[ids.indexOf(only)];
    if (!file) {
      throw new TenantConfigError([
        `tenant "${only}" not found in ${displayName(dir)}; the tenants are: ${ids.length ? ids.join(', ') : '(none)'}`,
      ]);
    }
    const tenant = loadTenantFile(file);
    // The others only as far as they load: their own problems are theirs to report.
    const others = files.filter((f) => f !== file).flatMap((f) => {
      try {
        return [loadTenantFile(f)];
      } catch (e) {
        if (e instanceof TenantConfigError) return [];
        throw e;
      }
    });
    const problems = clashesOf(others, [tenant]);
    if (problems.length > 0) throw new TenantConfigError(problems);
    return [tenant];
  }
  if (files.length === 0) throw new TenantConfigError([`${displayName(dir)}: no tenant files (<id>.yaml)`]);

  const problems: string[] = [];
  const loaded = new Map<LoadedTenant, string>();
  for (const file of files) {
    try {
      loaded.set(loadTenantFile(file), file);
    } catch (e) {
      if (!(e instanceof TenantConfigError)) throw e;
      problems.push(...e.problems);
    }
  }
  problems.push(...clashesOf([], byAge([...loaded.keys()], loaded)));
  if (problems.length > 0) throw new TenantConfigError(problems);
  return [...loaded.keys()];
}
