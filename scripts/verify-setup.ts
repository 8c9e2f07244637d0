/**
 * `npm run verify:setup`: builds the offline Terraform toolchain from the package registries only,
 * into a cache outside the repo (SWITCHBACK_TF_HOME, default ~/.cache/switchback-terraform):
 *   1. OpenTofu, by `go install` of its release tag;
 *   2. the AWS provider, by `go build` in a small wrapper module (the provider cannot be
 *      `go install`ed: its module path has no /v6 suffix, and its go.mod may carry `replace`s);
 *   3. a filesystem mirror offering the provider at the version cdktf requires, and a CLI config
 *      that installs providers from that mirror only.
 * Idempotent: what is built and matches the pins is kept (a second run takes seconds).
 */
import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  createReadStream,
} from 'node:fs';
import { join } from 'node:path';
import {
  AWS_PROVIDER_MODULE,
  AWS_PROVIDER_MODULE_VERSION,
  goModDirectives,
  mirrorDirectories,
  requiredAwsProviderVersion,
  TOFU_MODULE,
  TOFU_VERSION,
  type ToolchainManifest,
  toolchainPaths,
} from './verify/toolchain';

const paths = toolchainPaths();
const goEnv = {
  ...process.env,
  GOMODCACHE: paths.goModCache,
  GOCACHE: paths.goBuildCache,
  GOFLAGS: '-mod=mod -buildvcs=false',
  GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'local',
};

class SetupError extends Error {}

function elapsed(since: number): string {
  const seconds = Math.round((Date.now() - since) / 1000);
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}

/** `go` itself: present, and new enough for the provider's go.mod. */
function checkGo(): string {
  const run = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8', env: goEnv });
  if (run.error || run.status !== 0) {
    throw new SetupError(
      'go was not found on PATH; install Go 1.26 or newer (for example: apt-get install golang)',
    );
  }
  return run.stdout.trim();
}

/**
 * Runs a go command, printing a progress line every 20 s (packages compiled, modules downloaded)
 * and, on failure, the module the proxy refused or the last lines of output.
 */
function runGo(label: string, args: string[], options: SpawnOptions = {}): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('go', args, { env: goEnv, stdio: ['ignore', 'pipe', 'pipe'], ...options });
    const tail: string[] = [];
    let compiled = 0;
    let downloaded = 0;
    const onLine = (line: string) => {
      if (line.startsWith('go: downloading ')) downloaded += 1;
      else if (/^[a-z0-9.\-_]+(\/[^\s]+)?$/i.test(line)) compiled += 1;
      tail.push(line);
      if (tail.length > 40) tail.shift();
    };
    let buffered = '';
    const read = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    const ticker = setInterval(
      () =>
        console.log(
          `  … ${label}: ${elapsed(started)}, ${downloaded} modules downloaded, ${compiled} packages built`,
        ),
      20_000,
    );
    child.on('error', (error) => {
      clearInterval(ticker);
      reject(new SetupError(`${label}: could not run go: ${error.message}`));
    });
    child.on('close', (code) => {
      clearInterval(ticker);
      if (buffered) onLine(buffered);
      if (code === 0) return resolve();
      const refused = tail.find((line) =>
        /(403 Forbidden|404 Not Found|410 Gone|not available|unknown revision)/.test(line),
      );
      const module = refused && /([\w.-]+\.[a-z]{2,}\/[^\s@:]+)@([^\s:]+)/.exec(refused);
      reject(
        new SetupError(
          module
            ? `${label}: the Go module proxy does not serve ${module[1]}@${module[2]} (${refused?.trim()})`
            : `${label}: go ${args[0]} failed (exit ${code}):\n${tail.join('\n')}`,
        ),
      );
    });
  });
}

function commandOutput(command: string, args: string[]): string | undefined {
  const run = spawnSync(command, args, { encoding: 'utf8', env: goEnv });
  return run.status === 0 ? run.stdout : undefined;
}

async function installTofu(): Promise<void> {
  const printed = existsSync(paths.tofu) ? commandOutput(paths.tofu, ['version', '-json']) : undefined;
  const installed = printed
    ? (JSON.parse(printed) as { terraform_version: string }).terraform_version
    : undefined;
  if (installed === TOFU_VERSION) {
    console.log(`✓ OpenTofu ${TOFU_VERSION} is installed (${paths.tofu})`);
    return;
  }
  const started = Date.now();
  console.log(`→ OpenTofu ${TOFU_VERSION}: go install ${TOFU_MODULE}/cmd/tofu@v${TOFU_VERSION}`);
  await runGo(
    'OpenTofu',
    [
      'install',
      '-v',
      '-trimpath',
      `-ldflags=-s -w -X ${TOFU_MODULE}/version.dev=no`,
      `${TOFU_MODULE}/cmd/tofu@v${TOFU_VERSION}`,
    ],
    { env: { ...goEnv, GOBIN: paths.bin } },
  );
  console.log(`✓ OpenTofu ${TOFU_VERSION} built in ${elapsed(started)}`);
}

/** The provider's own go.mod: its `go` line, `godebug` settings and `replace` directives. */
function providerGoMod(): {
  go: string;
  godebug: string[];
  replaces: string[];
  sourceVersion: string;
  dir: string;
} {
  const printed = commandOutput('go', [
    'mod',
    'download',
    '-json',
    `${AWS_PROVIDER_MODULE}@${AWS_PROVIDER_MODULE_VERSION}`,
  ]);
  if (!printed) {
    throw new SetupError(
      `the Go module proxy does not serve ${AWS_PROVIDER_MODULE}@${AWS_PROVIDER_MODULE_VERSION} (go mod download failed)`,
    );
  }
  const info = JSON.parse(printed) as { GoMod: string; Dir: string; Error?: string };
  if (info.Error)
    throw new SetupError(`${AWS_PROVIDER_MODULE}@${AWS_PROVIDER_MODULE_VERSION}: ${info.Error}`);
  const { go, godebug, replaces } = goModDirectives(readFileSync(info.GoMod, 'utf8'));
  const sourceVersion = readFileSync(join(info.Dir, 'version', 'VERSION'), 'utf8').trim();
  return { go, godebug, replaces, sourceVersion, dir: info.Dir };
}

function sha256Of(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

async function buildProvider(registeredVersion: string): Promise<ToolchainManifest['awsProvider']> {
  const binary = join(paths.providerBuild, 'terraform-provider-aws');
  const stampFile = join(paths.providerBuild, 'built-from');
  const stamp = `${AWS_PROVIDER_MODULE}@${AWS_PROVIDER_MODULE_VERSION}`;
  mkdirSync(paths.providerBuild, { recursive: true });
  const goMod = providerGoMod();
  const label = `${goMod.sourceVersion}+${AWS_PROVIDER_MODULE_VERSION.slice(-12)}`;
  if (existsSync(binary) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    console.log(`✓ AWS provider ${label} is built (${binary})`);
  } else {
    const started = Date.now();
    writeFileSync(
      join(paths.providerBuild, 'go.mod'),
      [
        'module switchback.local/aws-provider-build',
        '',
        `go ${goMod.go}`,
        '',
        ...goMod.godebug.map((setting) => `godebug ${setting}`),
        '',
        `require ${AWS_PROVIDER_MODULE} ${AWS_PROVIDER_MODULE_VERSION}`,
        '',
        // The provider's own replacements apply only where it is the main module: repeat them.
        ...goMod.replaces.map((directive) => `replace ${directive}`),
        '',
      ].join('\n'),
    );
    rmSync(stampFile, { force: true });
    console.log(
      `→ AWS provider ${label}: go build ${AWS_PROVIDER_MODULE}@${AWS_PROVIDER_MODULE_VERSION} ` +
        `(${goMod.replaces.length} replace directive(s) carried over; 30–60+ min on 2 cores)`,
    );
    await runGo(
      'AWS provider',
      [
        'build',
        '-v',
        '-trimpath',
        `-ldflags=-s -w -X ${AWS_PROVIDER_MODULE}/version.ProviderVersion=${label}`,
        '-o',
        binary,
        AWS_PROVIDER_MODULE,
      ],
      { cwd: paths.providerBuild },
    );
    writeFileSync(stampFile, stamp);
    console.log(`✓ AWS provider ${label} built in ${elapsed(started)}`);
  }
  for (const directory of mirrorDirectories(paths.mirror, registeredVersion)) {
    mkdirSync(directory, { recursive: true });
    const target = join(directory, `terraform-provider-aws_v${registeredVersion}_x5`);
    rmSync(target, { force: true });
    linkSync(binary, target); // a hard link: two registry hosts, one 1 GB-class binary on disk
  }
  return {
    registeredVersion,
    moduleVersion: AWS_PROVIDER_MODULE_VERSION,
    sourceVersion: goMod.sourceVersion,
    path: binary,
    sha256: await sha256Of(binary),
  };
}

function writeCliConfig(): void {
  mkdirSync(paths.pluginCache, { recursive: true });
  // Only a filesystem_mirror block: tofu installs providers from the mirror and nowhere else.
  writeFileSync(
    paths.cliConfig,
    [
      // Each stack folder links the provider from here instead of copying a binary of hundreds of MB.
      `plugin_cache_dir = ${JSON.stringify(paths.pluginCache)}`,
      '',
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${JSON.stringify(paths.mirror)}`,
      '    include = ["registry.opentofu.org/hashicorp/aws", "registry.terraform.io/hashicorp/aws"]',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
}

function diskUsed(path: string): string {
  const printed = commandOutput('du', ['-sh', path]);
  return printed ? printed.split('\t')[0] : 'unknown';
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`Offline Terraform toolchain in ${paths.home}`);
  console.log(`  ${checkGo()}; Go module proxy: ${commandOutput('go', ['env', 'GOPROXY'])?.trim()}`);
  mkdirSync(paths.bin, { recursive: true });
  await installTofu();
  const registeredVersion = requiredAwsProviderVersion();
  const awsProvider = await buildProvider(registeredVersion);
  writeCliConfig();
  const manifest: ToolchainManifest = {
    tofu: { version: TOFU_VERSION, path: paths.tofu },
    awsProvider,
    builtAt: new Date().toISOString(),
  };
  writeFileSync(paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(
    `✓ mirror ${paths.mirror} offers hashicorp/aws ${registeredVersion} (built from ${awsProvider.sourceVersion}, ${AWS_PROVIDER_MODULE_VERSION})`,
  );
  console.log(`✓ CLI config ${paths.cliConfig}: providers from the mirror only`);
  console.log(
    `Done in ${elapsed(started)}; disk used: ${diskUsed(paths.home)} in all ` +
      `(provider ${(statSync(awsProvider.path).size / 1e6).toFixed(0)} MB, Go caches ${diskUsed(join(paths.home, 'go'))}).`,
  );
  console.log(`To use it by hand: export TF_CLI_CONFIG_FILE=${paths.cliConfig} PATH=${paths.bin}:$PATH`);
}

main().catch((error: unknown) => {
  console.error(error instanceof SetupError ? `verify:setup: ${error.message}` : error);
  process.exitCode = 1;
});
