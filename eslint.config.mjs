import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import frameworkImports from './eslint-rules/framework-imports.cjs';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'dist-bindings/',
      'cdktf.out/',
      'coverage/',
      '.venv*/',
      '*.js',
      '*.mjs',
      // Generated from the sources by scripts/frameworks (the CDK Terrain tree and both packages).
      'frameworks/',
      // StrykerJS's sandbox copy of the tree (npm run mutation).
      '.stryker-tmp/',
    ],
  },
  js.configs.recommended,
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { switchback: frameworkImports },
    // One source tree, two packages: only the forms scripts/frameworks/rewrite.ts can translate.
    rules: { 'switchback/framework-imports': 'error' },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // The architecture: constructs -> lib <- lambdas. lib imports neither, nor the AWS SDK.
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['cdktf', 'cdktf/*', 'constructs', '@cdktf/*'], message: 'lib/ must not import cdktf.' },
            {
              group: ['@aws-sdk/*'],
              message: 'lib/ must not import the AWS SDK (it is bundled into the Lambda).',
            },
            {
              group: ['../constructs/*', '../lambdas/*', '../constructs', '../lambdas'],
              message: 'lib/ imports neither constructs nor lambdas.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['constructs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@cdktf/provider-aws',
              message: 'Import provider classes by deep path: @cdktf/provider-aws/lib/<resource>.',
            },
          ],
          patterns: [
            {
              group: ['../lambdas/*', '../lambdas'],
              message: 'Constructs package the built Lambda bundle as an asset; never import Lambda code.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['lambdas/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['cdktf', 'cdktf/*', 'constructs', '@cdktf/*'],
              message: 'The Lambda never imports cdktf.',
            },
            {
              group: ['../../constructs/*', '../../constructs'],
              message: 'The Lambda never imports constructs.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['cdktf', 'cdktf/*', 'constructs', '@cdktf/*'],
              message: 'The CLI reads synthesized JSON; it never imports cdktf.',
            },
            {
              group: ['**/constructs/*', '**/constructs'],
              message: 'The CLI reads synthesized JSON and uses lib; it never imports constructs.',
            },
            {
              // One status, not two: the CLI reads it with the watchdog's own read-only status over the
              // watchdog's ports and adapters (each by its file: their index loads every AWS client).
              regex:
                '(^|/)lambdas(/(?!watchdog/(engine/status|adapters/cloudwatch|adapters/elbv2|ports)$).*)?$',
              message:
                'The CLI enters the watchdog code only through its status (engine/status, ports, the elbv2 and cloudwatch adapters); everything else goes through the Lambda API.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['examples/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts', 'index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@cdktf/provider-aws',
              message: 'Import provider classes by deep path: @cdktf/provider-aws/lib/<resource>.',
            },
            // The package root resolves through package.json "main" to dist/ once it is built, so a
            // test would silently run stale compiled code.
            ...['..', '../..', '../../..'].map((name) => ({
              name,
              message: `Import the entry point by file (${name}/index), not the package root.`,
            })),
          ],
        },
      ],
    },
  },
);
