/**
 * Mutation testing of the watchdog's engine (npm run mutation, a benchmark, not part of CI).
 * bench/mutation.ts runs Stryker with this file and narrows `mutate` and the tests; running
 * `npx stryker run` directly mutates the default set below against every fast unit test.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'bench/mutation/jest.config.cjs',
    enableFindRelatedTests: true,
  },
  checkers: ['typescript'],
  tsconfigFile: 'bench/mutation/tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  mutate: [
    'lambdas/watchdog/engine/decide.ts',
    'lambdas/watchdog/engine/plan.ts',
    'lambdas/watchdog/events.ts',
    'lambdas/watchdog/engine/retry.ts',
  ],
  // Two cores shared with other work: more runners only queue.
  concurrency: 2,
  timeoutMS: 10000,
  reporters: ['json', 'html', 'clear-text'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  // The sandbox is a copy of the repository: leave out what no unit test reads.
  ignorePatterns: [
    'dist',
    'cdktf.out',
    'frameworks',
    '.venv*',
    'docs',
    'drill-report',
    'coverage',
    'reports',
    'bench/results',
    'README.md',
  ],
  thresholds: { high: 90, low: 80, break: null },
};
