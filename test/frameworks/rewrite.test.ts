/**
 * The CDK Terrain package is the cdktf source with its module specifiers rewritten. These tests pin
 * the rewrite, the ESLint rule that keeps the sources rewritable, and their agreement.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { FLAVORS, rewriteSource } from '../../scripts/frameworks/rewrite';
import { sourceClosure } from '../../scripts/frameworks/generate';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const plugin = require('../../eslint-rules/framework-imports.cjs') as {
  rules: Record<string, import('eslint').Rule.RuleModule>;
};

const REPO_ROOT = join(__dirname, '..', '..');

describe('rewriteSource', () => {
  const source = [
    "import { App, TerraformStack, type TerraformOutput } from 'cdktf';",
    "import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';",
    "export { Lb } from '@cdktf/provider-aws/lib/lb';",
    "import 'cdktf/lib/testing/adapters/jest';",
    "import { parse } from '@cdktf/hcl2json';",
    "import { z } from 'zod/mini';",
    "type Stack = import('cdktf').TerraformStack;",
    "const lazy = () => import('cdktf');",
    "export * as framework from 'cdktf';",
    "export type * as alb from '@cdktf/provider-aws/lib/alb';",
    "import cdktf = require('cdktf');",
    'const loaded = require(`cdktf`);',
    "declare module 'cdktf' { interface App { extra?: string } }",
    "// a comment that says 'cdktf' and '@cdktf/provider-aws/lib/lb' is left alone",
    'const text = "\'cdktf\'";',
  ].join('\n');

  it('names cdktn, its provider and its jest adapter for cdktn, and changes nothing else', () => {
    expect(rewriteSource(source, 'cdktn', 'example.ts')).toBe(
      [
        "import { App, TerraformStack, type TerraformOutput } from 'cdktn';",
        "import { S3Bucket } from '@cdktn/provider-aws/lib/s3-bucket';",
        "export { Lb } from '@cdktn/provider-aws/lib/lb';",
        "import 'cdktn/lib/testing/adapters/jest';",
        "import { parse } from '@cdktf/hcl2json';",
        "import { z } from 'zod/mini';",
        "type Stack = import('cdktn').TerraformStack;",
        "const lazy = () => import('cdktn');",
        "export * as framework from 'cdktn';",
        "export type * as alb from '@cdktn/provider-aws/lib/alb';",
        "import cdktf = require('cdktn');",
        'const loaded = require(`cdktn`);',
        "declare module 'cdktn' { interface App { extra?: string } }",
        "// a comment that says 'cdktf' and '@cdktf/provider-aws/lib/lb' is left alone",
        'const text = "\'cdktf\'";',
      ].join('\n'),
    );
  });

  it('returns the source unchanged for cdktf', () => {
    expect(rewriteSource(source, 'cdktf', 'example.ts')).toBe(source);
  });

  it.each([
    ['@cdktf/provider-aws', 'the provider barrel'],
    ['cdktf/lib/app', 'a private module of the framework'],
    ['@cdktf/provider-aws/lib/s3-bucket/index', 'a path below a provider module'],
    ['cdktn', 'the other framework'],
    ['@cdktn/provider-aws/lib/s3-bucket', "the other framework's provider"],
  ])('refuses %s (%s), naming the file, the import and the allowed forms', (specifier) => {
    expect(() => rewriteSource(`import * as x from '${specifier}';\n`, 'cdktn', 'constructs/x.ts')).toThrow(
      `constructs/x.ts: cannot rewrite the import '${specifier}' for cdktn: the sources may name the framework only as ` +
        "'cdktf', '@cdktf/provider-aws/lib/<module>' or 'cdktf/lib/testing/adapters/jest'.",
    );
  });

  it.each([
    ["jest.mock('cdktf');", "'cdktf' names the framework in a call the rewrite does not translate"],
    ["const p = require.resolve('@cdktf/provider-aws/lib/lb');", 'names the framework in a call the rewrite'],
    ["import { App } from '\\u0063dktf';", "write the module specifier '\\u0063dktf' without escapes"],
  ])('refuses %s', (source, message) => {
    expect(() => rewriteSource(`${source}\n`, 'cdktn', 'test/x.ts')).toThrow(message);
  });

  it('leaves no cdktf module in any file of cdktn-switchback (judged by a plain scan, not by the parser)', () => {
    // The package's files; the tree's tests and examples name cdktf on purpose (the other package).
    const files = sourceClosure(['index.ts', 'cli/main.ts']).filter((file) => file.endsWith('.ts'));
    expect(files).toEqual(expect.arrayContaining(['constructs/switchback-service.ts', 'lib/index.ts']));
    const quotedFrameworkModule = /(['"])(?:cdktf|@cdktf\/provider-aws)(?:\/[^'"\s]*)?\1/g;
    const left = files.flatMap((file) => {
      const text = rewriteSource(readFileSync(join(REPO_ROOT, file), 'utf8'), 'cdktn', file);
      return [...text.matchAll(quotedFrameworkModule)].map((match) => `${file}: ${match[0]}`);
    });
    expect(left).toEqual([]);
    // The scan finds what it looks for when it is there.
    expect("import { App } from 'cdktf';".match(quotedFrameworkModule)).toEqual(["'cdktf'"]);
  });
});

describe('the framework-imports lint rule', () => {
  // RuleTester registers its cases with jest's global describe/it.
  const tester = new RuleTester({ languageOptions: { parser: tseslint.parser } });

  tester.run('framework-imports', plugin.rules['framework-imports'], {
    valid: [
      "import { App } from 'cdktf';",
      "import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';",
      "import 'cdktf/lib/testing/adapters/jest';",
      "import { parse } from '@cdktf/hcl2json';",
      "export * from '@cdktf/provider-aws/lib/lb';",
      "type A = import('cdktf').App;",
      "const m = require('cdktf');",
      "jest.mock('./local');",
      "import { z } from 'zod';",
      "export * as framework from 'cdktf';",
      'const m = require(`cdktf`);',
    ],
    invalid: [
      { code: "import { S3Bucket } from '@cdktf/provider-aws';", errors: [{ messageId: 'form' }] },
      { code: "import { App } from 'cdktf/lib/app';", errors: [{ messageId: 'form' }] },
      { code: "export { Lb } from '@cdktf/provider-aws/lib/lb/index';", errors: [{ messageId: 'form' }] },
      { code: "const m = require('@cdktf/provider-aws');", errors: [{ messageId: 'form' }] },
      { code: "const m = import('cdktf/lib/terraform-stack');", errors: [{ messageId: 'form' }] },
      {
        code: "type A = import('@cdktf/provider-aws').provider.AwsProvider;",
        errors: [{ messageId: 'form' }],
      },
      { code: "import { App } from 'cdktn';", errors: [{ messageId: 'cdktn' }] },
      { code: "import { Lb } from '@cdktn/provider-aws/lib/lb';", errors: [{ messageId: 'cdktn' }] },
      { code: "import x = require('cdktn');", errors: [{ messageId: 'cdktn' }] },
      { code: "jest.mock('cdktf');", errors: [{ messageId: 'notRewritten' }] },
      { code: "const p = require.resolve('cdktf');", errors: [{ messageId: 'notRewritten' }] },
      { code: "export * as all from '@cdktf/provider-aws';", errors: [{ messageId: 'form' }] },
      { code: 'const m = require(`cdktf/lib/app`);', errors: [{ messageId: 'form' }] },
      { code: "declare module 'cdktn' {}", errors: [{ messageId: 'cdktn' }] },
    ],
  });
});

describe('the README', () => {
  it('shows the simplest example exactly as examples/simplest.ts, importing the package by name', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The simplest working example'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    const file = readFileSync(join(REPO_ROOT, 'examples', 'simplest.ts'), 'utf8');
    const body = file.slice(file.indexOf('*/\n') + 3);
    expect(block).toBe(body.replace("from '../index'", `from '${FLAVORS.cdktf.packageName}'`));
  });
});
