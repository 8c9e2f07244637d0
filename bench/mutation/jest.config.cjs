/**
 * Jest for mutation testing (npm run mutation): only the fast, pure unit tests of the watchdog's
 * engine, none of the emulator or synth suites, and none of the repository's global setup (it
 * bundles the watchdog with esbuild, which these tests never load). bench/mutation.ts narrows
 * `testMatch` further to the tests of the files being mutated.
 * @type {import('jest').Config}
 */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/watchdog'],
  testMatch: [
    '<rootDir>/test/watchdog/decide.test.ts',
    '<rootDir>/test/watchdog/plan.test.ts',
    '<rootDir>/test/watchdog/events.test.ts',
    '<rootDir>/test/watchdog/engine/*.test.ts',
  ],
  setupFiles: ['<rootDir>/bench/mutation/setup.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  testTimeout: 30000,
};
