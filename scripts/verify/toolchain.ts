/**
 * The offline Terraform toolchain: where it lives (outside the repo), what it pins, and how the
 * harness finds it. `npm run verify:setup` builds it; `npm run verify:terraform` uses it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');

/** OpenTofu: the newest MPL release whose go.mod `go install` accepts (1.7+ carries a `replace`). */
export const TOFU_MODULE = 'github.com/opentofu/opentofu';
export const TOFU_VERSION = '1.6.3';

export const AWS_PROVIDER_MODULE = 'github.com/hashicorp/terraform-provider-aws';
/**
 * The provider revision to build. The tag the pinned `@cdktf/provider-aws` declares (v6.25.0) cannot
 * be had here: its module path lacks `/v6`, so only a commit pseudo-version names it, and the module
 * proxy this project reaches refuses every revision of the provider but this one (HTTP 403 "This
 * module version is not available" for the v6.25.0 tag, for `@<commit>` queries and for other
 * pseudo-versions). This is main after 6.47.1 (2026-06-02): a superset of 6.25.0's schemas for the
 * resources Switchback uses. Override with SWITCHBACK_AWS_PROVIDER_MODULE_VERSION where the tag's
 * commit is served.
 */
export const AWS_PROVIDER_MODULE_VERSION =
  process.env.SWITCHBACK_AWS_PROVIDER_MODULE_VERSION ?? 'v1.60.1-0.20260602190131-5f2286d6d836';

/** The provider version cdktf writes into `required_providers` (from the pinned @cdktf/provider-aws). */
export function requiredAwsProviderVersion(): string {
  const manifest = JSON.parse(
    readFileSync(join(REPO_ROOT, 'node_modules', '@cdktf', 'provider-aws', 'package.json'), 'utf8'),
  ) as { cdktf: { provider: { version: string } } };
  return manifest.cdktf.provider.version;
}

/** The toolchain's folder: SWITCHBACK_TF_HOME, default ~/.cache/switchback-terraform. */
export function toolchainHome(): string {
  return resolve(process.env.SWITCHBACK_TF_HOME ?? join(homedir(), '.cache', 'switchback-terraform'));
}

/** Every path of the toolchain, derived from its home. */
export function toolchainPaths(home = toolchainHome()) {
  return {
    home,
    bin: join(home, 'bin'),
    tofu: join(home, 'bin', 'tofu'),
    goModCache: join(home, 'go', 'mod'),
    goBuildCache: join(home, 'go', 'build'),
    providerBuild: join(home, 'provider-build'),
    mirror: join(home, 'mirror'),
    cliConfig: join(home, 'tofu.rc'),
    pluginCache: join(home, 'plugin-cache'),
    manifest: join(home, 'toolchain.json'),
  };
}

/** What `verify:setup` built, as it recorded it. */
export interface ToolchainManifest {
  readonly tofu: { readonly version: string; readonly path: string };
  readonly awsProvider: {
    /** The version the mirror offers it as (what cdktf requires). */
    readonly registeredVersion: string;
    /** The Go module version it was built from. */
    readonly moduleVersion: string;
    /** `version/VERSION` of that source. */
    readonly sourceVersion: string;
    readonly path: string;
    readonly sha256: string;
  };
  readonly builtAt: string;
}

/**
 * The built toolchain, or an error naming what is missing and the command that builds it (the
 * harness prints it as one line).
 */
export function requireToolchain(): {
  paths: ReturnType<typeof toolchainPaths>;
  manifest: ToolchainManifest;
} {
  const paths = toolchainPaths();
  const missing = [paths.tofu, paths.cliConfig, paths.manifest].find((path) => !existsSync(path));
  if (missing) {
    throw new ToolchainMissingError(
      `the offline Terraform toolchain is not built (${missing} is missing); build it with: npm run verify:setup`,
    );
  }
  const manifest = JSON.parse(readFileSync(paths.manifest, 'utf8')) as ToolchainManifest;
  if (!existsSync(manifest.awsProvider.path)) {
    throw new ToolchainMissingError(
      `the AWS provider binary ${manifest.awsProvider.path} is missing; rebuild with: npm run verify:setup`,
    );
  }
  if (manifest.awsProvider.registeredVersion !== requiredAwsProviderVersion()) {
    throw new ToolchainMissingError(
      `the mirror offers the AWS provider as ${manifest.awsProvider.registeredVersion}, but cdktf now requires ` +
        `${requiredAwsProviderVersion()}; rebuild with: npm run verify:setup`,
    );
  }
  return { paths, manifest };
}

/** The toolchain is absent or stale: a setup problem, not a test failure. */
export class ToolchainMissingError extends Error {}

/** The provider's folder in a filesystem mirror, for OpenTofu's and Terraform's registry hosts. */
export function mirrorDirectories(mirror: string, version: string, platform = 'linux_amd64'): string[] {
  return ['registry.opentofu.org', 'registry.terraform.io'].map((host) =>
    join(mirror, host, 'hashicorp', 'aws', version, platform),
  );
}

/** The environment that makes tofu install providers from the mirror only, with no network. */
export function tofuEnvironment(paths: ReturnType<typeof toolchainPaths>): NodeJS.ProcessEnv {
  return {
    TF_CLI_CONFIG_FILE: paths.cliConfig,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
  };
}

/**
 * What a wrapper module must repeat of the provider's go.mod: its `go` version, its `godebug`
 * settings and its `replace` directives (single-line and block), which apply only to a main module.
 */
export function goModDirectives(text: string): { go: string; godebug: string[]; replaces: string[] } {
  const withoutComments = text.replace(/\/\/.*$/gm, '');
  const go = /^go (\S+)\s*$/m.exec(withoutComments)?.[1] ?? '1.26';
  const godebug = [...withoutComments.matchAll(/^godebug ([^(\s].*)$/gm)].map((match) => match[1].trim());
  const single = [...withoutComments.matchAll(/^replace ([^(\s].*)$/gm)].map((match) => match[1].trim());
  const blocks = [...withoutComments.matchAll(/^replace \(\s*\n([\s\S]*?)^\)/gm)].flatMap((match) =>
    match[1]
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
  );
  return { go, godebug, replaces: [...single, ...blocks] };
}
