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
};
