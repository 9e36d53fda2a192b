/** One jest run for unit, integration and end-to-end tests; PostgreSQL is started once per run. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e.ts'],
  moduleNameMapper: {
    '^@ledger/(event-store|domain|read-models)$': '<rootDir>/libs/$1/src',
    '^@ledger/(event-store|domain|read-models)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  transform: { '^.+\\.ts$': 'ts-jest' },
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  setupFiles: ['<rootDir>/test/support/fast-check-setup.ts'],
  maxWorkers: 2,
  testTimeout: 60000,
};
