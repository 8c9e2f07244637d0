/**
 * `npm run build:bindings [-- --targets python,java,go,dotnet]`: the package built with jsii, then each
 * language's package built by jsii-pacmak into dist-bindings/<language>/, one at a time, timed, with
 * the size of what it wrote. A target whose toolchain is not on the machine (.NET here: no `dotnet`)
 * is reported as not built, with the reason, and fails the run only when asked for by name. A build
 * that fails (its dependencies do not resolve) is reported with the reason, its source is generated
 * with --code-only to show how far it gets, and the run fails.
 *
 * Targets by default: python, java, go (the toolchains this machine has).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { JSII_ENV } from './jsii-env';

const REPO_ROOT = join(__dirname, '..', '..');
const OUT = join(REPO_ROOT, 'dist-bindings');

/** jsii-pacmak's target names, and the tool each needs on the PATH to build. */
export const TARGETS = { python: 'python3', java: 'mvn', go: 'go', dotnet: 'dotnet' } as const;
export type Target = keyof typeof TARGETS;

/** The targets named by `--targets a,b` (default python, java, go); throws naming an unknown one. */
export function parseTargets(argv: string[]): Target[] {
  const index = argv.indexOf('--targets');
  if (index === -1) return ['python', 'java', 'go'];
  const names = (argv[index + 1] ?? '').split(',').filter((name) => name !== '');
  const unknown = names.filter((name) => !(name in TARGETS));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(
      `--targets takes a comma-separated list of ${Object.keys(TARGETS).join(', ')}; got '${argv[index + 1] ?? ''}'`,
    );
  }
  return names as Target[];
}

function onPath(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/** The files under `dir` with their sizes (bytes), recursively. */
function filesUnder(dir: string): { path: string; bytes: number }[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { path: path.slice(REPO_ROOT.length + 1), bytes: statSync(path).size };
    });
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...JSII_ENV },
  });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}`);
}

// Maven colors its errors.
// eslint-disable-next-line no-control-regex
const ANSI_COLOR = /\u001b\[[0-9;]*m/g;

/** The lines of a failed language build that say why (Maven's and Go's resolution errors). */
export function failureReason(output: string): string {
  const reasons = output
    .split('\n')
    .map((line) =>
      line
        .replace(/^#STD(?:OUT|ERR)> /, '')
        .replace(ANSI_COLOR, '')
        .trim(),
    )
    .filter((line) =>
      /Could not resolve dependencies|No versions available|403 Forbidden|not available|command not found/.test(
        line,
      ),
    );
  return reasons.length > 0 ? [...new Set(reasons)].slice(0, 3).join(' | ') : 'see the output above';
}

/** Runs jsii-pacmak for one target; returns undefined, or why it failed. */
function pacmak(target: Target, extra: string[] = []): string | undefined {
  const result = spawnSync('npx', ['jsii-pacmak', '--targets', target, '--outdir', OUT, ...extra], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...JSII_ENV },
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status === 0) return undefined;
  process.stderr.write(result.stderr.split('\n').slice(-40).join('\n'));
  return failureReason(`${result.stdout}\n${result.stderr}`);
}

function main(argv: string[]): void {
  const targets = parseTargets(argv);
  const named = argv.includes('--targets');
  const started = performance.now();
  run('npm', ['run', 'build', '--silent']);
  const figures = [`jsii build (npm run build): ${((performance.now() - started) / 1000).toFixed(1)} s`];
  let failed = false;
  for (const target of targets) {
    if (!onPath(TARGETS[target])) {
      figures.push(`${target}: NOT BUILT: '${TARGETS[target]}' is not on this machine's PATH`);
      failed ||= named;
      continue;
    }
    rmSync(join(OUT, target), { recursive: true, force: true });
    const begun = performance.now();
    const failure = pacmak(target);
    const seconds = (performance.now() - begun) / 1000;
    if (failure !== undefined) {
      // The generated source shows how far the binding gets without its dependencies.
      const generated = pacmak(target, ['--code-only']) === undefined;
      const files = generated
        ? filesUnder(join(OUT, target)).filter(({ path }) => /\.(java|go|cs|py)$/.test(path))
        : [];
      figures.push(
        `${target}: NOT BUILT after ${seconds.toFixed(1)} s: ${failure}` +
          (generated
            ? `; its source generates (${files.length} files, --code-only)`
            : '; its source does not generate either'),
      );
      failed = true;
      continue;
    }
    // Go is a source module (its package is the generated directory); the others are archives.
    const outputs = filesUnder(join(OUT, target));
    const archives = outputs.filter(({ path }) => /\.(whl|tar\.gz|jar|nupkg|tgz)$/.test(path));
    const shown = target === 'go' || archives.length === 0 ? outputs : archives;
    const total = shown.reduce((sum, { bytes }) => sum + bytes, 0);
    figures.push(
      `${target}: ${seconds.toFixed(1)} s, ${(total / 1024).toFixed(0)} KiB in ${shown.length} file(s)` +
        (archives.length > 0 && target !== 'go'
          ? `: ${archives.map(({ path, bytes }) => `${path} (${(bytes / 1024).toFixed(0)} KiB)`).join(', ')}`
          : ` under dist-bindings/${target}`),
    );
  }
  console.log(`\n== figures\n${figures.join('\n')}`);
  if (failed) process.exitCode = 1;
}

if (require.main === module) main(process.argv.slice(2));
