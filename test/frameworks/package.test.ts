/**
 * The checks `npm run build:packages` makes of the two tarballs, on small made-up packages: what
 * may differ between cdktf-switchback and cdktn-switchback, and what must never be in the latter.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cdktfModulesIn,
  cdktnPackageJson,
  tarballFiles,
  unexplainedDifferences,
} from '../../scripts/frameworks/package';

const files = (entries: Record<string, string>) =>
  new Map(Object.entries(entries).map(([name, text]) => [name, Buffer.from(text)]));

describe('the comparison of the two packages', () => {
  const cdktf = files({
    'package.json': '{"name":"cdktf-switchback"}',
    'dist/constructs/store.js':
      'const cdktf_1 = require("cdktf");\nconst s3_1 = require("@cdktf/provider-aws/lib/s3-bucket");',
    'dist/cli/main.js': 'console.log("switchback");',
    'dist/cli/main.js.map': '{"version":3,"sources":["../../cli/main.ts"],"mappings":"AAAA"}',
  });
  const cdktn = files({
    'package.json': '{"name":"cdktn-switchback"}',
    'dist/constructs/store.js':
      'const cdktn_1 = require("cdktn");\nconst s3_1 = require("@cdktn/provider-aws/lib/s3-bucket");',
    'dist/cli/main.js': 'console.log("switchback");',
    'dist/cli/main.js.map': '{"version":3,"sources":["../../../../src/cli/main.ts"],"mappings":"AAAA"}',
  });

  it('accepts the framework module names, tsc names for them and source paths as the only differences', () => {
    expect(unexplainedDifferences(cdktf, cdktn)).toEqual([]);
  });

  it('names a file only one package has, a changed CLI file, and constructs that differ otherwise', () => {
    const changed = new Map(cdktn);
    changed.set('dist/cli/main.js', Buffer.from('console.log("other");'));
    changed.set('dist/constructs/store.js', Buffer.from('const cdktn_1 = require("cdktn"); // and more'));
    changed.set('dist/extra.js', Buffer.from(''));
    changed.set('dist/cli/main.js.map', Buffer.from('{"version":3,"sources":[],"mappings":"BBBB"}'));
    expect(unexplainedDifferences(cdktf, changed)).toEqual([
      'dist/cli/main.js: differs, but it does not depend on the framework',
      'dist/cli/main.js.map: differs, but it does not depend on the framework',
      "dist/constructs/store.js: differs beyond the framework's module names",
      'dist/extra.js: only in cdktn-switchback',
    ]);
  });

  it("accepts jsii's runtime type information, its assembly and bundled dependencies in the cdktf package only", () => {
    const jsii = new Map(cdktf);
    const store = cdktf.get('dist/constructs/store.js')!.toString('utf8');
    jsii.set(
      'dist/constructs/store.js',
      Buffer.from(
        `const JSII_RTTI_SYMBOL_1 = Symbol.for("jsii.rtti");\n${store}\nclass Store {\n    static [JSII_RTTI_SYMBOL_1] = { fqn: "cdktf-switchback.Store", version: "0.1.0" };\n}\n`,
      ),
    );
    const cdktnWithClass = new Map(cdktn);
    const cdktnStore = cdktn.get('dist/constructs/store.js')!.toString('utf8');
    cdktnWithClass.set('dist/constructs/store.js', Buffer.from(`${cdktnStore}\nclass Store {\n}\n`));
    jsii.set('.jsii', Buffer.from('{}'));
    jsii.set('node_modules/zod/package.json', Buffer.from('{}'));
    expect(unexplainedDifferences(jsii, cdktnWithClass)).toEqual([]);
    // Anything else jsii-looking is still a difference, and the assembly only in cdktn is one.
    jsii.set('dist/constructs/store.js', Buffer.from(`${store}\nclass Store {\n    static other = 1;\n}\n`));
    cdktnWithClass.set('.jsii', Buffer.from('{}'));
    expect(unexplainedDifferences(jsii, cdktnWithClass)).toEqual([
      "dist/constructs/store.js: differs beyond the framework's module names",
    ]);
  });

  it("accepts jsii moving a file's header comment below the module prologue, and nothing else moving", () => {
    const header = '/**\n * The vocabulary of the checks.\n */\n';
    const prologue = 'Object.defineProperty(exports, "__esModule", { value: true });\n';
    const body = 'class CheckResult {\n}\n';
    const jsii = new Map([
      [
        'dist/constructs/types.js',
        Buffer.from(
          `"use strict";\n${prologue}const JSII_RTTI_SYMBOL_1 = Symbol.for("jsii.rtti");\n${header}${body}`,
        ),
      ],
    ]);
    const tsc = new Map([
      ['dist/constructs/types.js', Buffer.from(`"use strict";\n${header}${prologue}${body}`)],
    ]);
    expect(unexplainedDifferences(jsii, tsc)).toEqual([]);
    const moved = new Map([
      ['dist/constructs/types.js', Buffer.from(`"use strict";\n${header}${body}${prologue}`)],
    ]);
    expect(unexplainedDifferences(jsii, moved)).toEqual([
      "dist/constructs/types.js: differs beyond the framework's module names",
    ]);
  });

  it('finds every cdktf module left in the cdktn package, in code and in type declarations', () => {
    expect(cdktfModulesIn(cdktn)).toEqual([]);
    const leftover = new Map(cdktn);
    leftover.set(
      'dist/constructs/store.d.ts',
      Buffer.from('import { Construct } from "constructs";\nexport * as f from "cdktf";'),
    );
    leftover.set('dist/index.js', Buffer.from("const p = require('@cdktf/provider-aws/lib/provider');"));
    leftover.set('dist/cli/main.js.map', Buffer.from('"cdktf"')); // maps are not code
    expect(cdktfModulesIn(leftover)).toEqual([
      'dist/constructs/store.d.ts: "cdktf"',
      "dist/index.js: '@cdktf/provider-aws/lib/provider'",
    ]);
  });
});

describe("cdktn-switchback's package.json", () => {
  const root = {
    name: 'cdktf-switchback',
    version: '1.2.3',
    description: 'CDK for Terraform constructs that make releases safe to undo.',
    keywords: ['cdktf', 'aws'],
    scripts: { test: 'jest' },
    devDependencies: { jest: '30.0.0' },
    dependencies: { zod: '4.6.7' },
    peerDependencies: { cdktf: '^0.21.0' },
    engines: { node: '>=20' },
    bin: { switchback: 'dist/cli/main.js' },
    // The cdktf package is a jsii package; cdktn-switchback is not (cdktn's packages are not jsii modules).
    jsii: { outdir: 'dist-bindings', targets: { python: { module: 'cdktf_switchback' } } },
    bundleDependencies: ['zod'],
    bundledDependencies: ['zod'],
  };

  it('names cdktn, its peers and Node.js 22, keeps what is published, and drops what is not', () => {
    expect(cdktnPackageJson(root)).toEqual({
      name: 'cdktn-switchback',
      version: '1.2.3',
      description: 'CDK Terrain (cdktn) constructs that make releases safe to undo.',
      keywords: ['cdktn', 'aws'],
      dependencies: { zod: '4.6.7' },
      peerDependencies: {
        '@cdktn/provider-aws': '^25.7.0',
        cdktn: '^0.24.0',
        constructs: '>=10.6.0 <10.8.0',
      },
      engines: { node: '>=22.11.0' },
      bin: { switchback: 'dist/cli/main.js' },
    });
  });

  it('refuses a description that does not name the framework where it is replaced', () => {
    expect(() => cdktnPackageJson({ ...root, description: 'Constructs for releases.' })).toThrow(
      "package.json's description must start with 'CDK for Terraform '",
    );
  });
});

describe('the tarball reader', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchback-tarball-'));
    mkdirSync(join(dir, 'package', 'dist'), { recursive: true });
    writeFileSync(join(dir, 'package', 'package.json'), '{"name":"x"}');
    writeFileSync(join(dir, 'package', 'dist', 'index.js'), 'module.exports = 1;\n'.repeat(100));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every file of a ustar archive, as npm writes them', () => {
    execFileSync('tar', ['--format=ustar', '-czf', 'plain.tgz', 'package'], { cwd: dir });
    const read = tarballFiles(join(dir, 'plain.tgz'));
    expect([...read.keys()].sort()).toEqual(['dist/index.js', 'package.json']);
    expect(read.get('dist/index.js')?.toString()).toBe('module.exports = 1;\n'.repeat(100));
  });

  it('refuses an entry type it does not read rather than skipping it', () => {
    execFileSync('tar', ['--format=pax', '-czf', 'pax.tgz', 'package'], {
      cwd: dir,
      env: { ...process.env },
    });
    expect(() => tarballFiles(join(dir, 'pax.tgz'))).toThrow(
      /has tar type 'x', which this reader does not handle/,
    );
  });
});
