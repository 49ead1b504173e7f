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
  // Worker threads, not child processes: a child process that had synthesized CDK apps took
  // longer than jest-worker's 500 ms to end after jest asked it to (no handle was open: measured
  // after every file; its main thread was held in native code while V8's threads were still
  // busy), and jest then reported it as force-exited. A thread ends at once.
  workerThreads: true,
};
