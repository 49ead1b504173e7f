/**
 * The layout rule of lambdas/ (README, Development): `lambdas/shared/` holds only what at least
 * two consumers use, a consumer being a function (`lambdas/<function>/`) or the CDK code in
 * `lib/` that must agree with one; what one function alone uses lives with that function. The
 * import graph comes from dependency-cruiser (as `npm run lint` reads it, type-only imports
 * included).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from '../helpers/tenants';

interface Cruised { modules: Array<{ source: string; dependencies: Array<{ resolved: string }> }> }

const cruise = spawnSync(path.join(repoRoot, 'node_modules/.bin/depcruise'), ['--config', '.dependency-cruiser.cjs', '--output-type', 'json', 'lambdas', 'lib'], {
  cwd: repoRoot,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
const graph = new Map<string, string[]>(
  cruise.status === 0 ? (JSON.parse(cruise.stdout) as Cruised).modules.map((m) => [m.source, m.dependencies.map((d) => d.resolved)]) : [],
);

/** Every module reachable from `from`, itself included. */
function reachable(from: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...from];
  while (todo.length > 0) {
    const m = todo.pop()!;
    if (seen.has(m)) continue;
    seen.add(m);
    todo.push(...(graph.get(m) ?? []));
  }
  return seen;
}

/** A module's consumer: `lambdas/<function>` or `lib`; none for shared code and tools. */
const consumerOf = (m: string) => (/^lambdas\/(?!shared\/)([^/]+)\//.exec(m)?.[0].slice(0, -1) ?? (m.startsWith('lib/') ? 'lib' : undefined));

test('dependency-cruiser reads the import graph', () => {
  expect({ status: cruise.status, stderr: cruise.stderr.slice(0, 2000) }).toEqual({ status: 0, stderr: '' });
  expect(graph.has('lambdas/federation-proxy/handler.ts')).toBe(true);
});

test('every module of lambdas/shared/ is reached by at least two consumers, one of them a function', () => {
  const byConsumer = new Map<string, string[]>();
  for (const m of graph.keys()) {
    const c = consumerOf(m);
    if (c) byConsumer.set(c, [...(byConsumer.get(c) ?? []), m]);
  }
  const reach = new Map([...byConsumer].map(([c, files]) => [c, reachable(files)]));
  const shared = [...graph.keys()].filter((m) => m.startsWith('lambdas/shared/'));
  expect(shared.length).toBeGreaterThan(0);
  const consumers = Object.fromEntries(shared.map((m) => [m, [...reach].filter(([, r]) => r.has(m)).map(([c]) => c).sort()]));
  const offending = Object.entries(consumers).filter(([, cs]) => cs.length < 2 || !cs.some((c) => c.startsWith('lambdas/')));
  expect(offending).toEqual([]);
});

test('a sign-in through the proxy leaves lambdas/federation-proxy/ only for lambdas/shared/', () => {
  const ours = [...reachable(['lambdas/federation-proxy/handler.ts'])].filter((m) => /^(lambdas|lib|tools|test|examples|packages|scripts)\//.test(m));
  expect(ours.filter((m) => !m.startsWith('lambdas/federation-proxy/') && !m.startsWith('lambdas/shared/'))).toEqual([]);
  expect(ours.filter((m) => m.startsWith('lambdas/shared/')).length).toBeGreaterThan(0);
});
