/**
 * Three projects, each with its own npm script (README, "Tests"):
 * - unit: pure modules; no CDK synth, no servers (`npm run test:unit`);
 * - cdk: templates, cdk-nag and cfn-lint; the fixture tenants are synthesized once per change of
 *   the source into a cached cloud assembly that every test reads (`test/helpers/assembly.ts`);
 * - e2e: local servers and browsers (`npm run test:e2e`).
 *
 * Jest runs in native ESM mode (node --experimental-vm-modules): jose 6 and oidc-provider 9 are
 * ESM-only, and the project itself is ESM ("type": "module"). ts-jest only strips types; `npm run
 * build` does the type check.
 */
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }] },
  setupFiles: ['<rootDir>/test/setup/realm.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/setup/cleanup.ts'],
};

/** @type {import('jest').Config} */
export default {
  testTimeout: 60_000,
  maxWorkers: 2,
  // Both cores (jest's default is one fewer than the cores: one worker here).
  //
  // Why the suite once ran in band: at the end of a run jest gives each worker 500 ms to exit and
  // reports the rest as force-exited. Measured with a probe (exit event to the parent's exit
  // notice): a worker ends with no handle open, but one that has run the CDK and server files
  // holds a ~900 MB heap (2.1-2.4 GB resident) that the process takes 270-290 ms to tear down on
  // an idle machine, and more than 500 ms on a loaded one. The cause is the heap a worker keeps,
  // so the fix is keeping it small, not running in band: the fixture apps are synthesized in a
  // child process (test/helpers/assembly.ts), and a worker whose heap passes this limit after a
  // test file is replaced by a fresh one between files. Workers then end the run at 180-280 MB
  // of heap and exit in 40-60 ms.
  workerIdleMemoryLimit: '700MB',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'cdk', testMatch: ['<rootDir>/test/cdk/**/*.test.ts'], globalSetup: '<rootDir>/test/setup/assembly-setup.js' },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
