/**
 * Writes `tenants/tenant.schema.json` and the README's tenant field reference from the zod
 * schema. With `--check` it writes nothing and fails when either is stale (CI runs that).
 */
import * as fs from 'node:fs';
import { REFERENCE_END, REFERENCE_START, tenantReference } from '../lib/config/reference';
import { tenantJsonSchema } from '../lib/config/schema';

const check = process.argv.includes('--check');
const schemaFile = 'tenants/tenant.schema.json';
const readmeFile = 'README.md';

const schema = tenantJsonSchema();
const schemaText = `${JSON.stringify(schema, null, 2)}\n`;
const readme = fs.readFileSync(readmeFile, 'utf8');
const start = readme.indexOf(REFERENCE_START);
const end = readme.indexOf(REFERENCE_END);
if (start < 0 || end < start) {
  process.stderr.write(`${readmeFile}: the markers ${REFERENCE_START} and ${REFERENCE_END} are missing\n`);
  process.exit(1);
}
const newReadme = `${readme.slice(0, start + REFERENCE_START.length)}\n${tenantReference(schema)}\n${readme.slice(end)}`;

const stale: string[] = [];
const current = fs.existsSync(schemaFile) ? fs.readFileSync(schemaFile, 'utf8') : '';
if (current !== schemaText) stale.push(schemaFile);
if (readme !== newReadme) stale.push(`${readmeFile} (tenant field reference)`);

if (check) {
  if (stale.length > 0) {
    process.stderr.write(`Stale generated files: ${stale.join(', ')}. Run \`npm run schema\` and commit the result.\n`);
    process.exit(1);
  }
  process.stdout.write('tenant schema and README reference are up to date\n');
} else {
  fs.writeFileSync(schemaFile, schemaText);
  fs.writeFileSync(readmeFile, newReadme);
  process.stdout.write(stale.length ? `updated ${stale.join(', ')}\n` : 'nothing to update\n');
}
