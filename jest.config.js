/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Run against the generated CDK Terrain tree by frameworks/cdktn/jest.config.js (npm run test:frameworks).
  testPathIgnorePatterns: ['/node_modules/', '/test/frameworks/cdktn/'],
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  // Type-checking is `tsc --noEmit` in `npm test`; transpile-only keeps each worker light.
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  maxWorkers: 2,
  testTimeout: 30000,
};
