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
  maxWorkers: 2,
  // A worker's heap grows past 1 GB over the CDK synth suites (each test file keeps its own
  // module registry); at the end of a run such a worker took longer than jest's 500 ms to exit
  // and was force-exited (no handle was left open: measured per file). Workers are started
  // afresh once their heap passes this after a file, so none ends the run that large.
  workerIdleMemoryLimit: '600MB',
};
