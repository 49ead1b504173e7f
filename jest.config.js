/**
 * Jest runs in native ESM mode (node --experimental-vm-modules): jose 6 and oidc-provider 9 are
 * ESM-only, and the project itself is ESM ("type": "module"). ts-jest only strips types; `npm run
 * build` does the type check.
 */
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  setupFiles: ['<rootDir>/test/setup/realm.ts'],
  testTimeout: 60_000,
  // In band (one process). In worker processes, a worker that had synthesized CDK apps often
  // took longer than jest-worker's fixed 500 ms to end after the run (no handle was open; the
  // time goes in the process's own teardown, which an explicit process.exit does not shorten),
  // and jest then reported it as force-exited at the end of every full run. In band the same
  // 473 tests take 452 s instead of 240-320 s on this 2-core machine, and end cleanly.
  maxWorkers: 1,
};
