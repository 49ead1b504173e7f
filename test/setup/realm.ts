/**
 * Jest runs test code in a vm context, but Node's `structuredClone` (a global it copies in)
 * returns objects of the outer realm. oidc-provider clones client metadata and JWT payloads
 * with it and then checks `value.constructor === Object`, which fails across realms. This
 * rebinds structuredClone so that plain objects and arrays come back in this realm, as they
 * do outside jest.
 */
const outerClone = globalThis.structuredClone;

function inThisRealm(value: unknown, seen: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const v of value) out.push(inThisRealm(v, seen));
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== null && proto.constructor?.name !== 'Object') return value; // Date, Map, typed arrays...
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [k, v] of Object.entries(value)) out[k] = inThisRealm(v, seen);
  return out;
}

globalThis.structuredClone = ((value: unknown, options?: StructuredSerializeOptions) =>
  inThisRealm(outerClone(value, options), new Map())) as typeof structuredClone;
