/**
 * `npm run verify:terraform`: the example app, judged by OpenTofu with the real AWS provider.
 *   1. synthesize; for every stack `tofu init` (offline, from the mirror) and `tofu validate`;
 *   2. start moto on loopback, apply the existing infrastructure the example expects, then plan
 *      and apply every stack (what moto lacks replaced, adjusted or dropped by the reviewed list in
 *      scripts/verify/moto-patch.ts), and re-plan: the plan must show no changes;
 *   3. prove the drift-free hold on the checkout service (scripts/verify/hold-proof.ts);
 *   4. destroy everything, whatever happened (in a `finally`), and stop moto.
 * Prints a table per stack. Needs `npm run verify:setup` first.
 *
 *   --keep       keep the work folder (state, plans, logs) for a look afterwards
 *   --if-built   when the toolchain is not built, say that the harness did not run and exit 0 (CI)
 */
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findMotoServer, pinnedMotoVersion, startMoto, type MotoServer } from '../test/moto/server';
import { watchdogBuildOptions } from './bundle-watchdog';
import { existingInfrastructure, stackVariables } from './verify/fixtures';
import { HoldFailed, proveHold, type HoldStep } from './verify/hold-proof';
import { startLambdaRuntime, type LambdaRuntime } from './verify/lambda-runtime';
import { forMoto, MOTO_GAPS, type PatchReport, type StackJson, withStatePaths } from './verify/moto-patch';
import { stacksIn, synthExampleApp } from './verify/synth';
import { emptyBuckets } from './verify/teardown';
import { countChanges, describeChanges, lastLines, TofuStack } from './verify/tofu';
import {
  REPO_ROOT,
  requireToolchain,
  ToolchainMissingError,
  tofuEnvironment,
  type ToolchainManifest,
} from './verify/toolchain';

/** Stacks in the order they apply (the watchdog's stack reads the service's state). */
const APPLY_ORDER = ['switchback-example', 'payments-service', 'payments-watchdog'];
const HOLD_STACK = 'switchback-example';

/** r0 is a service's first release: the known-good color only. Later releases carry a 10% canary. */
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

type Cell = string;
interface Row {
  stack: string;
  validate: Cell;
  plan: Cell;
  apply: Cell;
  replan: Cell;
  hold: Cell;
  destroy: Cell;
  ms: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

class Harness {
  readonly rows = new Map<string, Row>();
  readonly patches = new Map<string, PatchReport>();
  readonly failures: string[] = [];
  /** Errors a step has already reported (so the run's own catch does not report them twice). */
  readonly reported = new WeakSet<object>();
  holdSteps: HoldStep[] = [];

  constructor(
    readonly work: string,
    readonly tofuBinary: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  row(stack: string): Row {
    let row = this.rows.get(stack);
    if (!row) {
      row = { stack, validate: '–', plan: '–', apply: '–', replan: '–', hold: '–', destroy: '–', ms: 0 };
      this.rows.set(stack, row);
    }
    return row;
  }

  /** Runs one step of one stack, recording ✓/✗ and time in its row; rethrows a failure. */
  async step(stack: string, column: keyof Omit<Row, 'stack' | 'ms'>, run: () => Promise<string | void>) {
    const row = this.row(stack);
    const started = Date.now();
    try {
      const note = await run();
      const cell = `✓ ${seconds(Date.now() - started)}${note ? ` ${note}` : ''}`;
      row[column] = row[column] === '–' ? cell : `${row[column]}; ${cell}`;
    } catch (error) {
      row[column] = `✗ ${seconds(Date.now() - started)}`;
      this.failures.push(`${stack} ${column}: ${(error as Error).message}`);
      if (error instanceof Object) this.reported.add(error);
      throw error;
    } finally {
      row.ms += Date.now() - started;
    }
  }

  tofuStack(name: string, dir: string): TofuStack {
    return new TofuStack(name, dir, this.tofuBinary, this.env);
  }
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
  const synthDir = (release: string) => join(work, `synth-${release}`);
  synthExampleApp(synthDir('r1'), releaseEnvironment('r1'));
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
  let moto: MotoServer | undefined;
  let runtime: LambdaRuntime | undefined;
  const applied: TofuStack[] = [];
  try {
    moto = await startMoto();
    runtime = await startLambdaRuntime(moto.endpoint);
    // Interrupted: moto holds every applied resource in memory, so stopping it leaves nothing behind.
    const started = moto;
    const interrupted = (signal: NodeJS.Signals) => {
      console.error(`verify:terraform: ${signal}: stopping moto (its state goes with it)`);
      void started.stop().finally(() => process.exit(130));
    };
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
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

    const prepare = (name: string, release: string) => {
      if (!existsSync(synthDir(release))) synthExampleApp(synthDir(release), releaseEnvironment(release));
      const stack = stacksIn(synthDir(release)).find((candidate) => candidate.name === name);
      if (!stack) throw new Error(`stack ${name} was not synthesized`);
      const { stack: patched, report } = forMoto(read(stack.file), target);
      harness.patches.set(name, report);
      layStack(stack.dir, join(work, 'apply', name), patched, stackVariables(name, outputs));
    };
    const tofuStacks = new Map<string, TofuStack>();
    for (const name of APPLY_ORDER) {
      const tofu = harness.tofuStack(name, join(work, 'apply', name));
      tofuStacks.set(name, tofu);
      // The hold's stack first goes live on the known-good color only (r0), so that r1's capture
      // records a state worth going back to; the others apply r1 directly.
      for (const release of name === HOLD_STACK ? ['r0', 'r1'] : ['r1']) {
        prepare(name, release);
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
    }

    // 3. The hold, on the checkout service.
    const holdRuntime = runtime;
    const holdMoto = moto;
    await harness.step(HOLD_STACK, 'hold', async () => {
      try {
        harness.holdSteps = await proveHold({
          motoEndpoint: holdMoto.endpoint,
          runtime: holdRuntime,
          stack: tofuStacks.get(HOLD_STACK) as TofuStack,
          outputs,
          prepareRelease: (release) => prepare(HOLD_STACK, release),
        });
        return `proven (${harness.holdSteps.length} steps)`;
      } catch (error) {
        if (error instanceof HoldFailed) harness.holdSteps = error.steps;
        throw error;
      }
    });
  } finally {
    // 4. Destroy whatever was applied, even after a failure: the example app and the payments pair
    // (watchdog before service, whose state it reads) side by side, as they share nothing; the
    // existing infrastructure they stand on last. Most of a destroy is the provider's own waiting.
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
    const inOrder = async (names: string[]) => {
      for (const name of names) {
        const tofu = applied.find((candidate) => candidate.name === name);
        if (tofu) await destroy(tofu);
      }
    };
    const sideBySide = [[HOLD_STACK], ['payments-watchdog', 'payments-service']];
    await Promise.all(sideBySide.map(inOrder));
    const rest = applied.filter((tofu) => !sideBySide.flat().includes(tofu.name)).reverse();
    await inOrder(rest.map((tofu) => tofu.name)); // anything else, newest first (the fixtures last)
    await runtime?.stop();
    await moto?.stop();
  }
}

function printReport(harness: Harness, manifest: ToolchainManifest, totalMs: number): void {
  console.log('');
  console.log(
    `OpenTofu ${manifest.tofu.version}; hashicorp/aws offered as ${manifest.awsProvider.registeredVersion}, ` +
      `built from ${manifest.awsProvider.sourceVersion} (${manifest.awsProvider.moduleVersion}); moto ${pinnedMotoVersion()}`,
  );
  const header = ['stack', 'validate', 'plan', 'apply', 're-plan', 'hold', 'destroy', 'time'];
  const rows = [...harness.rows.values()].map((row) => [
    row.stack,
    row.validate,
    row.plan,
    row.apply,
    row.replan,
    row.hold,
    row.destroy,
    seconds(row.ms),
  ]);
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => row[index].length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, index) => cell.padEnd(widths[index])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  rows.forEach((row) => console.log(line(row)));

  console.log('\nNot applied as synthesized (scripts/verify/moto-patch.ts, MOTO_GAPS):');
  for (const [stack, report] of harness.patches) {
    for (const item of report.replaced)
      console.log(`  ${stack}: ${item.address} → stand-in ${item.by} (${item.gap})`);
    for (const item of report.adjusted) console.log(`  ${stack}: ${item.address} adjusted (${item.gap})`);
    for (const item of report.dropped) console.log(`  ${stack}: ${item.address} not applied (${item.gap})`);
  }
  console.log(`  (types on the list: ${[...new Set(MOTO_GAPS.map((gap) => gap.type))].join(', ')})`);

  if (harness.holdSteps.length > 0) {
    console.log('\nThe hold, proven by plan (checkout service):');
    for (const step of harness.holdSteps)
      console.log(`  ${step.ok ? '✓' : '✗'} ${step.step}: ${step.detail}`);
  }
  if (harness.failures.length > 0) {
    console.log('\nFailures:');
    for (const failure of harness.failures) console.log(`  - ${lastLines(failure, 25)}`);
  }
  console.log(
    `\nverify:terraform ${harness.failures.length === 0 ? 'passed' : 'FAILED'} in ${seconds(totalMs)}`,
  );
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
  await build(watchdogBuildOptions);
  const work = mkdtempSync(join(tmpdir(), 'switchback-verify-'));
  const harness = new Harness(work, toolchain.paths.tofu, tofuEnvironment(toolchain.paths));
  console.log(`verify:terraform: work folder ${work}`);
  try {
    await run(harness);
  } catch (error) {
    if (!(error instanceof Object) || !harness.reported.has(error)) {
      harness.failures.push((error as Error).stack ?? String(error));
    }
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
