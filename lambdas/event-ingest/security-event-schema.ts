/**
 * The zod schema of a security event as it travels (version 1): what tests, the event ingest
 * and the sandbox's local bus check every event against. The patterns and lists are the ones
 * the emitting code holds its fields to (security-events.ts); the object is strict, so a field
 * that could carry personal data cannot be added without changing the schema's version.
 * Written with zod/mini and named imports, so that the ingest function's bundle holds only what
 * it uses (what zod's classic API would add: docs/proxy-bundle.md).
 */
import { enum as zEnum, int, iso, literal, minLength, number, object, optional, positive, regex, string, strictObject, uuid, type infer as Infer } from 'zod/mini';
import { COMPONENTS, FIELD_PATTERNS, SECURITY_EVENT_DETAIL_TYPE, SECURITY_EVENT_SCHEMA, SECURITY_EVENT_TYPES, SEVERITIES } from '../shared/security-events';

const pattern = (re: RegExp) => string().check(regex(re));

export const securityEventDetailSchema = strictObject({
  schema: literal(SECURITY_EVENT_SCHEMA),
  id: uuid(),
  time: iso.datetime(),
  tenant: pattern(FIELD_PATTERNS.tenant),
  component: zEnum(COMPONENTS),
  type: zEnum(SECURITY_EVENT_TYPES),
  severity: zEnum(SEVERITIES),
  reason: pattern(FIELD_PATTERNS.reason),
  clientId: optional(pattern(FIELD_PATTERNS.clientId)),
  opError: optional(pattern(FIELD_PATTERNS.opError)),
  count: optional(number().check(int(), positive())),
  correlationId: optional(pattern(FIELD_PATTERNS.correlationId)),
});

/** An EventBridge PutEvents entry of a security event (Detail is parsed by the caller). */
export const securityEventEntrySchema = object({
  Source: pattern(/^myna-idp\.[a-z-]+$/),
  DetailType: literal(SECURITY_EVENT_DETAIL_TYPE),
  Detail: string(),
  EventBusName: string().check(minLength(1)),
  Time: optional(number()),
});

/** Checks a PutEvents entry and its detail: the detail, or the problems found. */
export function checkEntry(entry: unknown): { ok: true; busName: string; detail: Infer<typeof securityEventDetailSchema> } | { ok: false; problem: string } {
  const e = securityEventEntrySchema.safeParse(entry);
  if (!e.success) return { ok: false, problem: e.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  let json: unknown;
  try {
    json = JSON.parse(e.data.Detail);
  } catch {
    return { ok: false, problem: 'Detail: not JSON' };
  }
  const d = securityEventDetailSchema.safeParse(json);
  if (!d.success) return { ok: false, problem: d.error.issues.map((i) => `Detail.${i.path.join('.')}: ${i.message}`).join('; ') };
  if (e.data.Source !== `myna-idp.${d.data.component}`) return { ok: false, problem: 'Source: not the component of the detail' };
  return { ok: true, busName: e.data.EventBusName, detail: d.data };
}
