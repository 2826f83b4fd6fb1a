/**
 * Type-checking happens once in `npm test` (tsc); jest only transpiles. The global setup compiles
 * lib/ when any source is newer than its output, for the tests that run compiled code.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/examples'],
  moduleNameMapper: { '^cdk8s-wordpress-eks$': '<rootDir>/src/index.ts' },
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testTimeout: 120000,
  // Every core: jest's default (one fewer) runs a 2-core machine's suite in one worker, twice as long.
  maxWorkers: '100%',
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
