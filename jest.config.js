/** Type-checking happens once in `npm test` (tsc); jest only transpiles. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/examples'],
  moduleNameMapper: { '^cdk8s-wordpress-eks$': '<rootDir>/src/index.ts' },
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }],
  },
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
