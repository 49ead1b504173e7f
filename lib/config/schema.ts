/**
 * The tenant schema, composed from sections and rules.
 *
 * A feature adds itself by composition: `composeTenantSchema({ ...coreShape, jpki: jpkiSchema },
 * [...coreRules, ...jpkiRules])` gives a schema that is exactly as strict as the core one.
 */
import { z } from 'zod';
import { jpkiRules, jpkiSchema } from './jpki';
import { defaultOperations, operationsRules, operationsSchema } from './operations';
import { coreRules, type TenantRule } from './rules';
import { coreShape } from './sections';

export function composeTenantSchema<S extends z.core.$ZodLooseShape>(
  shape: S,
  rules: ReadonlyArray<TenantRule<z.output<z.ZodObject<S>>>>,
) {
  return z.strictObject(shape).check((payload) => {
    // Rules speak only of a file whose fields are each valid; otherwise they would report
    // consequences of a problem already reported.
    if (payload.issues.length > 0) return;
    for (const rule of rules) {
      rule(payload.value as z.output<z.ZodObject<S>>, (path, message) =>
        payload.issues.push({ code: 'custom', path: [...path], message, input: payload.value }),
      );
    }
  });
}

/** The features composed onto the core: each a section and its rules. */
const tenantShape = { ...coreShape, jpki: jpkiSchema.optional(), operations: operationsSchema.default(defaultOperations()) } as const;

/** The schema of a tenant file as this version of myna-idp reads it. */
export const tenantSchema = composeTenantSchema(tenantShape, [...coreRules, ...jpkiRules, ...operationsRules]);
export type TenantConfig = z.output<typeof tenantSchema>;
export type TenantInput = z.input<typeof tenantSchema>;
export type AppClientConfig = TenantConfig['appClients'][number];

/** The JSON Schema of a tenant file (for editors and the README field reference). */
export function tenantJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(tenantSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: 'https://myna-idp.local/tenant.schema.json',
    title: 'myna-idp tenant',
    description: 'One tenant of myna-idp: a Cognito user pool with managed login and My Number Card federation.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}
