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
  // Both cores. A worker whose heap passes the limit after a test file is replaced by a new one,
  // so the CDK construct trees of one file are not carried into the next.
  workerIdleMemoryLimit: '700MB',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'cdk', testMatch: ['<rootDir>/test/cdk/**/*.test.ts'], globalSetup: '<rootDir>/test/setup/assembly-setup.js' },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
