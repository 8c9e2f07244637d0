/**
 * `npm run test:bindings`: the Python binding, proven with the Python cdktf packages from PyPI.
 *   1. build the package with jsii (npm run build) and the Python wheel with jsii-pacmak
 *   2. install the wheel into .venv-bindings (npm run setup:python makes it from requirements/bindings.txt)
 *   3. synthesize examples/python/{simplest,two_services}.py and their TypeScript twins
 *      (examples/simplest.ts, examples/two-services.ts)
 *   4. compare every stack's Terraform JSON (equal once asset hashes and stack traces are normalized),
 *      and the policy findings each printed (a rule written in Python judged the same resources)
 *   5. a bad prop from Python: the error message equals the one TypeScript gets
 * Prints how long each phase took and the wheel's size. Exits 1 on the first failed check.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { differences, normalizeStack } from './normalize';
import { phases } from '../phases';
import { JSII_ENV } from './jsii-env';

const REPO_ROOT = join(__dirname, '..', '..');
const VENV = join(REPO_ROOT, '.venv-bindings');
const PYTHON = join(VENV, 'bin', 'python');
const PYTHON_OUT = join(REPO_ROOT, 'dist-bindings', 'python');

/** The apps compared: Python file → TypeScript twin. */
export const APPS = [
  { name: 'simplest', python: 'examples/python/simplest.py', typescript: 'examples/simplest.ts' },
  { name: 'two services', python: 'examples/python/two_services.py', typescript: 'examples/two-services.ts' },
] as const;

const { phase, table } = phases();

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(command, args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      CHECKPOINT_DISABLE: '1',
      ...JSII_ENV,
      ...env,
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const why = result.error
      ? `failed to start: ${result.error.message}`
      : `exited ${result.status ?? result.signal}`;
    throw new Error(`${command} ${args.join(' ')} ${why}\n${result.stdout ?? ''}`);
  }
  return result.stdout;
}

/** Every stack's Terraform JSON in a cdktf output directory, by stack name. */
export function readStacks(outdir: string): Map<string, unknown> {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  return new Map(
    Object.entries(manifest.stacks).map(([name, stack]) => [
      name,
      JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), 'utf8')) as unknown,
    ]),
  );
}

/** The problems found comparing the two synths of one app; empty when they agree. */
export function compareSynths(typescript: Map<string, unknown>, python: Map<string, unknown>): string[] {
  const names = [...new Set([...typescript.keys(), ...python.keys()])].sort();
  return names.flatMap((name) => {
    const a = typescript.get(name);
    const b = python.get(name);
    if (a === undefined || b === undefined) return [`stack ${name}: only in ${a ? 'TypeScript' : 'Python'}`];
    return differences(normalizeStack(a), normalizeStack(b), 10, name).map(
      (line) => `stack ${line} (TypeScript !== Python)`,
    );
  });
}

/** The policy findings an app printed (`FINDINGS <json>`, its last such line), or undefined. */
export function printedFindings(stdout: string): unknown {
  const line = stdout
    .split('\n')
    .reverse()
    .find((text) => text.startsWith('FINDINGS '));
  return line === undefined ? undefined : (JSON.parse(line.slice('FINDINGS '.length)) as unknown);
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

function main(): void {
  if (!existsSync(PYTHON)) {
    throw new Error(
      `${VENV} is missing: run 'npm run setup:python' first (it installs requirements/bindings.txt)`,
    );
  }
  phase('build the package with jsii (npm run build)', () => run('npm', ['run', 'build', '--silent']));
  const wheel = phase('build the Python wheel (jsii-pacmak --targets python)', () => {
    rmSync(PYTHON_OUT, { recursive: true, force: true });
    run('npx', ['jsii-pacmak', '--targets', 'python']);
    const found = readdirSync(PYTHON_OUT).find((name) => name.endsWith('.whl'));
    if (!found) throw new Error(`jsii-pacmak wrote no wheel into ${PYTHON_OUT}`);
    return join(PYTHON_OUT, found);
  });
  phase('install the wheel into .venv-bindings', () =>
    // Its dependencies (cdktf, the AWS provider, constructs, jsii) are pinned in requirements/bindings.txt.
    run(PYTHON, [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--quiet',
      '--no-deps',
      '--force-reinstall',
      wheel,
    ]),
  );

  const scratch = mkdtempSync(join(tmpdir(), 'switchback-bindings-'));
  const problems: string[] = [];
  try {
    for (const app of APPS) {
      phase(`synthesize ${app.name} in TypeScript and in Python, compare`, () => {
        const tsOut = join(scratch, `${app.name.replace(/\s/g, '-')}-ts`);
        const pyOut = join(scratch, `${app.name.replace(/\s/g, '-')}-py`);
        const tsPrinted = run('npx', ['tsx', app.typescript], { CDKTF_OUTDIR: tsOut });
        const pyPrinted = run(PYTHON, [app.python], { CDKTF_OUTDIR: pyOut });
        const typescript = readStacks(tsOut);
        const found = [
          ...compareSynths(typescript, readStacks(pyOut)),
          ...differences(printedFindings(tsPrinted), printedFindings(pyPrinted), 10, 'findings').map(
            (line) => `${line} (TypeScript !== Python)`,
          ),
        ];
        const resources = [...typescript.values()].reduce<number>(
          (sum, stack) =>
            sum +
            Object.values(
              (stack as { resource?: Record<string, Record<string, unknown>> }).resource ?? {},
            ).reduce((n, byType) => n + Object.keys(byType).length, 0),
          0,
        );
        console.log(
          found.length === 0
            ? `${app.name}: ${typescript.size} stack(s), ${resources} resources: the Python synth equals the TypeScript synth` +
                (Array.isArray(printedFindings(tsPrinted))
                  ? `; ${(printedFindings(tsPrinted) as unknown[]).length} policy findings, the same from the rule written in Python`
                  : '')
            : `${app.name}: differs:\n  ${found.join('\n  ')}`,
        );
        problems.push(...found.map((line) => `${app.name}: ${line}`));
      });
    }
    phase('a bad prop from Python reads as it does from TypeScript', () => {
      const outdir = join(scratch, 'bad-input');
      const fromTypescript = run('npx', ['tsx', 'test/bindings/bad-input.ts'], {
        CDKTF_OUTDIR: outdir,
      }).trim();
      const fromPython = run(PYTHON, ['test/bindings/bad_input.py'], { CDKTF_OUTDIR: outdir }).trim();
      const expected = (JSON.parse(fromTypescript) as { message: string }).message;
      const received = (JSON.parse(fromPython) as { message: string }).message;
      console.log(`TypeScript: ${expected}\nPython:     ${received}`);
      if (!received.includes(expected))
        problems.push(`the Python error does not carry the TypeScript message:\n  ${received}`);
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  console.log('\n== figures');
  console.log(`wheel: ${wheel.slice(REPO_ROOT.length + 1)} (${kib(statSync(wheel).size)})`);
  for (const line of table()) console.log(line);
  if (problems.length > 0) {
    console.error(`\ntest:bindings failed:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log('\ntest:bindings passed');
  }
}

if (require.main === module) main();
