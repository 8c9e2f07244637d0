/**
 * `npm run verify:terraform`: the example app, judged by OpenTofu with the real AWS provider.
 *   1. synthesize; for every stack `tofu init` (offline, from the mirror) and `tofu validate`;
 *   2. start moto on loopback, apply the existing infrastructure the example expects, then plan
 *      and apply every stack (what moto lacks replaced, adjusted or dropped by the reviewed list in
 *      scripts/verify/moto-patch.ts), and re-plan: the plan must show no changes. The example app
 *      and the payments pair apply side by side (most of an apply is the provider's waiting);
 *   3. prove the drift-free hold on the checkout service (scripts/verify/hold-proof.ts), on the
 *      example app's path;
 *   4. destroy everything, whatever happened (in a `finally`), and stop moto.
 * Prints a table per stack (scripts/verify/harness.ts). Needs `npm run verify:setup` first.
 *
 *   --keep       keep the work folder (state, plans, logs) for a look afterwards
 *   --if-built   when the toolchain is not built, say that the harness did not run and exit 0 (CI)
 */
import { build } from 'esbuild';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findMotoServer, startMoto, type MotoServer } from '../test/moto/server';
import { watchdogBuildOptions } from './bundle-watchdog';
import { existingInfrastructure, stackVariables } from './verify/fixtures';
import { Harness, printReport } from './verify/harness';
import { HoldFailed, proveHold } from './verify/hold-proof';
import { startLambdaRuntime, type LambdaRuntime } from './verify/lambda-runtime';
import { forMoto, type StackJson, withStatePaths } from './verify/moto-patch';
import { stacksIn, synthExampleAppAsync } from './verify/synth';
import { emptyBuckets } from './verify/teardown';
import { countChanges, describeChanges, type TofuStack } from './verify/tofu';
import { REPO_ROOT, requireToolchain, ToolchainMissingError, tofuEnvironment } from './verify/toolchain';

/** Where the harness bundles the watchdog: synthesis packages it, the Lambda runtime runs it. */
const bundleDirIn = (work: string) => join(work, 'watchdog-bundle');

/**
 * The paths that apply side by side, each in its own order: they share nothing but the existing
 * infrastructure's outputs (applied first). The watchdog's stack reads the service's state, so the
 * payments pair goes in order; the hold proof follows the example app's releases on its path.
 */
const HOLD_STACK = 'switchback-example';
const PATHS: readonly (readonly string[])[] = [[HOLD_STACK], ['payments-service', 'payments-watchdog']];
/** The hold's stack first goes live on the known-good color only (r0), so that r1's capture records
 * a state worth going back to; the others apply r1 directly. */
const releasesOf = (stack: string) => (stack === HOLD_STACK ? ['r0', 'r1'] : ['r1']);

/**
 * r0 and r3 serve the known-good color only; r1 and r2 are 10% canaries; r4 shifts traffic in two
 * linear steps of 50%, one per watchdog tick, then promotes (the hold proof drives its ticks).
 */
function releaseEnvironment(release: string): NodeJS.ProcessEnv {
  if (release === 'r4') return { SWITCHBACK_RELEASE_ID: release, SWITCHBACK_SHIFT_PERCENT: '50' };
  return {
    SWITCHBACK_RELEASE_ID: release,
    SWITCHBACK_CANARY_PERCENT: release === 'r0' || release === 'r3' ? '0' : '10',
  };
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Copies a synthesized stack's folder (its assets too) and writes `json` as its configuration. */
function layStack(from: string, to: string, json: StackJson, variables: Record<string, string> = {}): void {
  mkdirSync(to, { recursive: true });
  cpSync(from, to, { recursive: true, filter: (path) => !path.endsWith('cdk.tf.json') });
  writeJson(join(to, 'cdk.tf.json'), json);
  if (Object.keys(variables).length > 0) writeJson(join(to, 'terraform.tfvars.json'), variables);
}

async function run(harness: Harness): Promise<void> {
  const { work } = harness;
  // Interrupted (CI stops it when a check beside it failed): moto holds every applied resource in
  // memory, so stopping it, and removing the work folder, leaves nothing behind.
  let moto: MotoServer | undefined;
  const interrupted = (signal: NodeJS.Signals) => {
    console.error(`verify:terraform: ${signal}: stopping moto (its state goes with it)`);
    if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
    void (moto?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const synthDir = (release: string) => join(work, `synth-${release}`);
  // Each release synthesized once, whichever path asks first.
  const synths = new Map<string, Promise<void>>();
  const synthesized = (release: string) => {
    if (!synths.has(release))
      synths.set(release, synthExampleAppAsync(synthDir(release), releaseEnvironment(release)));
    return synths.get(release) as Promise<void>;
  };
  await synthesized('r1');
  const stacks = stacksIn(synthDir('r1'));
  const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as StackJson;

  // 1. Every stack as synthesized (state paths moved out of the repo): init offline, validate.
  for (const stack of stacks) {
    const dir = join(work, 'validate', stack.name);
    layStack(stack.dir, dir, withStatePaths(read(stack.file), REPO_ROOT, join(work, 'validate-state')));
    const tofu = harness.tofuStack(stack.name, dir);
    await harness.step(stack.name, 'validate', async () => {
      await tofu.init();
      await tofu.validate();
    });
  }

  // 2. Against moto.
  let runtime: LambdaRuntime | undefined;
  const applied: TofuStack[] = [];
  try {
    moto = await startMoto();
    runtime = await startLambdaRuntime(moto.endpoint, join(bundleDirIn(work), 'index.js'));
    const target = {
      endpoint: moto.endpoint,
      lambdaEndpoint: runtime.endpoint,
      synthRoot: REPO_ROOT,
      stateDir: join(work, 'state'),
    };
    mkdirSync(target.stateDir, { recursive: true });

    const fixturesDir = join(work, 'apply', 'existing-infrastructure');
    mkdirSync(fixturesDir, { recursive: true });
    writeJson(join(fixturesDir, 'main.tf.json'), forMoto(existingInfrastructure(), target).stack);
    const fixtures = harness.tofuStack('existing-infrastructure', fixturesDir);
    let outputs: Record<string, string> = {};
    await harness.step('(existing infrastructure)', 'apply', async () => {
      await fixtures.init();
      applied.push(fixtures);
      await fixtures.apply();
      outputs = await fixtures.outputs();
    });

    const prepare = async (name: string, release: string) => {
      await synthesized(release);
      const stack = stacksIn(synthDir(release)).find((candidate) => candidate.name === name);
      if (!stack) throw new Error(`stack ${name} was not synthesized`);
      const { stack: patched, report } = forMoto(read(stack.file), target);
      harness.patches.set(name, report);
      layStack(stack.dir, join(work, 'apply', name), patched, stackVariables(name, outputs));
    };
    /** Plans, applies and re-plans `name` at each of its releases; returns its folder's tofu. */
    const applyStack = async (name: string): Promise<TofuStack> => {
      const tofu = harness.tofuStack(name, join(work, 'apply', name));
      for (const release of releasesOf(name)) {
        await prepare(name, release);
        await harness.step(name, 'plan', async () => {
          if (!applied.includes(tofu)) {
            await tofu.init();
            applied.push(tofu);
          }
          const { changes } = await tofu.plan();
          return `${release}: ${countChanges(changes)}`;
        });
        await harness.step(name, 'apply', async () => {
          await tofu.apply(true);
          return release;
        });
        await harness.step(name, 'replan', async () => {
          const { changes } = await tofu.plan();
          if (changes.length > 0)
            throw new Error(`the plan after apply is not empty: ${describeChanges(changes).join('; ')}`);
          return `${release}: no changes`;
        });
      }
      return tofu;
    };

    // 3. The hold, on the checkout service, once its stack is live.
    const { endpoint } = moto;
    const holdRuntime = runtime;
    const proveTheHold = (stack: TofuStack) =>
      harness.step(HOLD_STACK, 'hold', async () => {
        try {
          harness.holdSteps = await proveHold({
            motoEndpoint: endpoint,
            runtime: holdRuntime,
            stack,
            outputs,
            prepareRelease: (release) => prepare(HOLD_STACK, release),
          });
          return `proven (${harness.holdSteps.length} steps)`;
        } catch (error) {
          if (error instanceof HoldFailed) harness.holdSteps = error.steps;
          throw error;
        }
      });

    // Each path runs to its end or its own failure; a failure in one never stops the other.
    const results = await Promise.allSettled(
      PATHS.map(async (path) => {
        for (const name of path) {
          const tofu = await applyStack(name);
          if (name === HOLD_STACK) await proveTheHold(tofu);
        }
      }),
    );
    for (const result of results) if (result.status === 'rejected') harness.fail(result.reason);
  } finally {
    // 4. Destroy whatever was applied, even after a failure: each path side by side, newest stack
    // first (the watchdog before the service whose state it reads); the existing infrastructure
    // they stand on last. Most of a destroy is the provider's own waiting.
    const endpoint = moto?.endpoint;
    const destroy = async (tofu: TofuStack) => {
      const name = tofu.name === 'existing-infrastructure' ? '(existing infrastructure)' : tofu.name;
      await harness
        .step(name, 'destroy', async () => {
          if (endpoint) await emptyBuckets(tofu, endpoint);
          await tofu.destroy();
        })
        .catch(() => undefined);
    };
    const inOrder = async (names: readonly string[]) => {
      for (const name of names) {
        const tofu = applied.find((candidate) => candidate.name === name);
        if (tofu) await destroy(tofu);
      }
    };
    await Promise.all(PATHS.map((path) => inOrder([...path].reverse())));
    const rest = applied.filter((tofu) => !PATHS.flat().includes(tofu.name)).reverse();
    await inOrder(rest.map((tofu) => tofu.name)); // anything else, newest first (the fixtures last)
    await runtime?.stop();
    await moto?.stop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  // The harness's own SDK clients on Node 20: the SDK's notice about Node 22 is not this run's news.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let toolchain: ReturnType<typeof requireToolchain>;
  try {
    toolchain = requireToolchain();
    findMotoServer();
  } catch (error) {
    // CI runs the harness only where the toolchain was built (it never builds it): say so plainly.
    if (error instanceof ToolchainMissingError && process.argv.includes('--if-built')) {
      console.log(`verify:terraform did not run: ${error.message}`);
      return;
    }
    console.error(`verify:terraform: ${(error as Error).message}`);
    process.exitCode = 1;
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'switchback-verify-'));
  // The harness's own bundle, in its work folder: CI runs it beside `npm run build` (the package
  // checks), which empties dist/ while the watchdog here still runs and synthesizes from it.
  await build({ ...watchdogBuildOptions, outfile: join(bundleDirIn(work), 'index.js') });
  process.env.SWITCHBACK_WATCHDOG_BUNDLE = bundleDirIn(work);
  const harness = new Harness(work, toolchain.paths.tofu, tofuEnvironment(toolchain.paths));
  console.log(`verify:terraform: work folder ${work}`);
  try {
    await run(harness);
  } catch (error) {
    harness.fail(error);
  } finally {
    printReport(harness, toolchain.manifest, Date.now() - started);
    if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
    if (harness.failures.length > 0) process.exitCode = 1;
  }
}

void main().catch((error: unknown) => {
  console.error(error instanceof ToolchainMissingError ? `verify:terraform: ${error.message}` : error);
  process.exitCode = 1;
});
