/**
 * The construct, example and framework tests run against the generated CDK Terrain tree
 * (scripts/frameworks/generate.ts writes src/). The watchdog bundle is the repository's own: the
 * Lambda never imports a framework, so both packages ship the same file.
 * @type {import('jest').Config}
 */
const { join } = require('node:path');

const repoRoot = join(__dirname, '..', '..');
process.env.SWITCHBACK_WATCHDOG_BUNDLE = join(repoRoot, 'dist', 'watchdog');
process.env.SWITCHBACK_SOURCE_ROOT = repoRoot;

module.exports = {
  rootDir: join(__dirname, 'src'),
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  globalSetup: join(repoRoot, 'test', 'global-setup.ts'),
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  maxWorkers: 2,
  testTimeout: 30000,
};
