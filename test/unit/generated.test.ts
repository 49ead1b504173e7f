/** Generated files are current: the tenant JSON Schema and the README's field reference. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REFERENCE_END, REFERENCE_START, tenantReference } from '../../lib/config/reference';
import { tenantJsonSchema } from '../../lib/config/schema';
import { repoRoot, repositoryTenantIds } from '../helpers/tenants';

describe('generated files', () => {
  const schema = tenantJsonSchema();

  test('tenants/tenant.schema.json is generated from the schema (run `npm run schema`)', () => {
    const committed = fs.readFileSync(path.join(repoRoot, 'tenants/tenant.schema.json'), 'utf8');
    expect(committed).toBe(`${JSON.stringify(schema, null, 2)}\n`);
  });

  test('the README field reference is generated from the schema (run `npm run schema`)', () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const block = readme.slice(readme.indexOf(REFERENCE_START) + REFERENCE_START.length, readme.indexOf(REFERENCE_END));
    expect(block.trim()).toBe(tenantReference(schema));
  });

  // Tests never depend on which tenant files exist; with none, this says so instead of passing.
  (repositoryTenantIds().length > 0 ? test : test.skip)(`every tenant file points editors at the schema (${repositoryTenantIds().join(', ') || 'tenants/ holds no tenant file'})`, () => {
    for (const id of repositoryTenantIds()) {
      const file = fs.readdirSync(path.join(repoRoot, 'tenants')).find((f) => f === `${id}.yaml` || f === `${id}.yml`)!;
      expect({ file, text: fs.readFileSync(path.join(repoRoot, 'tenants', file), 'utf8') }).toEqual({ file, text: expect.stringContaining('# yaml-language-server: $schema=./tenant.schema.json') });
    }
  });

  test('the schema rejects unknown keys and documents every field', () => {
    const walk = (s: any, p: string, missing: string[]) => {
      for (const [k, v] of Object.entries<any>(s.properties ?? {})) {
        if (!v.description && !(v.anyOf || v.oneOf)) missing.push(`${p}${k}`);
        walk(v, `${p}${k}.`, missing);
      }
      for (const v of s.anyOf ?? s.oneOf ?? []) walk(v, p, missing);
      if (s.items) walk(s.items, `${p}[].`, missing);
      return missing;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(walk(schema, '', [])).toEqual([]);
  });
});
