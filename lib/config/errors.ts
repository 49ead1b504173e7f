/**
 * Errors of tenant configuration: one readable line per problem, each naming the file,
 * the field path and the rule, for example
 * `tenants/acme.yaml: signIn.passkey.relyingPartyId: required when passkey is a first factor`.
 */
import type { z } from 'zod';

export class TenantConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'TenantConfigError';
  }
}

/** `appClients[0].callbackUrls[1]`; the empty path is the file's top level. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

function describeValue(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  switch (typeof input) {
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return 'a boolean';
    case 'object': return 'a mapping';
    default: return typeof input;
  }
}

const expectedNames: Record<string, string> = {
  string: 'a string', number: 'a number', boolean: 'a boolean (true or false)', object: 'a mapping', array: 'a list',
};

type Issue = z.core.$ZodIssue;
type Problem = { path: PropertyKey[]; message: string };

function problemsOf(issue: Issue, base: PropertyKey[] = []): Problem[] {
  const path = [...base, ...issue.path];
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return [{ path, message: 'required' }];
      const expected = expectedNames[issue.expected] ?? issue.expected;
      const hint = issue.expected === 'string' && typeof issue.input === 'number' ? ' (quote it in YAML)' : '';
      return [{ path, message: `expected ${expected}, got ${describeValue(issue.input)}${hint}` }];
    }
    case 'unrecognized_keys':
      return issue.keys.map((k) => ({ path: [...path, k], message: 'unknown field' }));
    case 'invalid_value':
      return [{ path, message: `must be one of: ${issue.values.map(String).join(', ')}` }];
    case 'too_small': {
      const n = Number(issue.minimum);
      if (issue.origin === 'array') return [{ path, message: `must have at least ${n} item${n === 1 ? '' : 's'}` }];
      if (issue.origin === 'string') return [{ path, message: `must be at least ${n} character${n === 1 ? '' : 's'}` }];
      return [{ path, message: `must be at least ${n}` }];
    }
    case 'too_big': {
      const n = Number(issue.maximum);
      if (issue.origin === 'array') return [{ path, message: `must have at most ${n} item${n === 1 ? '' : 's'}` }];
      if (issue.origin === 'string') return [{ path, message: `must be at most ${n} characters` }];
      return [{ path, message: `must be at most ${n}` }];
    }
    case 'not_multiple_of':
      return [{ path, message: 'must be a whole number' }];
    case 'invalid_union': {
      // A discriminated union whose discriminator matched no option (zod puts it in the path).
      if ((issue as { discriminator?: string }).discriminator) return [{ path, message: issue.message }];
      // Report against the alternative the author most likely meant: the one with the fewest
      // problems. When two fit equally badly, say what the alternatives are.
      const branches = issue.errors.map((errs) => errs.flatMap((e) => problemsOf(e, path)));
      const fewest = Math.min(...branches.map((b) => b.length));
      const best = branches.filter((b) => b.length === fewest);
      if (best.length === 1 && best[0]) return best[0];
      return [{ path, message: issue.message }];
    }
    default:
      return [{ path, message: issue.message }];
  }
}

/** Turns a zod error into `file: path: message` lines, in file order, without duplicates. */
export function formatIssues(file: string, error: z.ZodError): string[] {
  const lines = error.issues.flatMap((i) => problemsOf(i)).map((p) => `${file}: ${formatPath(p.path)}: ${p.message}`);
  return [...new Set(lines)];
}
