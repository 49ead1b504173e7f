/**
 * What EventBridge does with a rule of a synthesized template, done locally so that tests can
 * hold the tenant's rules to real sample events: whether an event matches a rule's pattern,
 * and what its target's input transformer makes of it. Only the parts of both that the
 * product's rules use (exact values, `prefix`, nested fields; `InputPathsMap` with JSON dot
 * paths, `InputTemplate` as JSON or text), as the EventBridge user guide describes them:
 * a string value in quotes is put in as it is (EventBridge does not escape it), a value outside
 * quotes as JSON; a path that is not in the event makes no variable.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function matchValue(pattern: Json, value: Json | undefined): boolean {
  if (Array.isArray(pattern)) {
    const values = Array.isArray(value) ? value : [value];
    return pattern.some((p) => values.some((v) => (p !== null && typeof p === 'object' && !Array.isArray(p) ? matchOperator(p, v) : p === v)));
  }
  if (pattern !== null && typeof pattern === 'object') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
    return Object.entries(pattern).every(([k, p]) => matchValue(p, (value as Record<string, Json>)[k]));
  }
  throw new Error(`an event pattern's leaf must be an array, not ${JSON.stringify(pattern)}`);
}

function matchOperator(op: Record<string, Json>, value: Json | undefined): boolean {
  const [name, arg] = Object.entries(op)[0] ?? [];
  if (name === 'prefix') return typeof value === 'string' && value.startsWith(String(arg));
  if (name === 'exists') return (value !== undefined) === arg;
  throw new Error(`the local matcher does not know the operator ${name}`);
}

/** Whether `event` (an EventBridge event: source, detail-type, detail, ...) matches `pattern`. */
export function matchesPattern(pattern: Record<string, Json>, event: Record<string, Json>): boolean {
  return matchValue(pattern, event);
}

function atPath(event: Json, path: string): Json | undefined {
  if (path === '$') return event;
  if (!path.startsWith('$.')) throw new Error(`not a JSON dot path: ${path}`);
  let v: Json | undefined = event;
  for (const part of path.slice(2).split('.')) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, Json>)[part];
  }
  return v;
}

/** The target's input for `event`: the transformer's template with the event's values, as text. */
export function transformInput(transformer: { InputPathsMap?: Record<string, string>; InputTemplate: string }, event: Record<string, Json>): string {
  const values = new Map<string, Json>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) {
    const v = atPath(event, path);
    if (v !== undefined) values.set(name, v);
  }
  const template = transformer.InputTemplate;
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '\\' && inString) {
      out += c + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (c === '<') {
      const end = template.indexOf('>', i);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (/^[A-Za-z0-9_-]+$/.test(name) && values.has(name)) {
        const v = values.get(name)!;
        out += inString ? (typeof v === 'string' ? v : JSON.stringify(v)) : JSON.stringify(v);
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/** Every variable of a transformer whose path is not in the event (such a placeholder would stay as it is). */
export function missingPaths(transformer: { InputPathsMap?: Record<string, string> }, event: Record<string, Json>): string[] {
  return Object.entries(transformer.InputPathsMap ?? {})
    .filter(([, path]) => atPath(event, path) === undefined)
    .map(([name]) => name);
}
