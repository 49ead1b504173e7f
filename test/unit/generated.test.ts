/** Generated files are current: the tenant JSON Schema and the README's field reference. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REFERENCE_END, REFERENCE_START, tenantReference } from '../../lib/config/reference';
import { tenantJsonSchema } from '../../lib/config/schema';
import { repoRoot } from '../helpers/tenants';

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

  test('every tenant file points editors at the schema', () => {
    for (const f of fs.readdirSync(path.join(repoRoot, 'tenants')).filter((f) => f.endsWith('.yaml'))) {
      const text = fs.readFileSync(path.join(repoRoot, 'tenants', f), 'utf8');
      expect(text).toContain('# yaml-language-server: $schema=./tenant.schema.json');
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
