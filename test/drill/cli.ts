/**
 * `npm run drill`: runs the fire drill and prints one row per scenario. Exit codes: 0 when every
 * scenario passed, 1 when any failed, 2 for bad usage or a missing bundle.
 */
import { createColors } from 'picocolors';
import { parseArgs } from 'node:util';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CONTROL_PLANES,
  type ControlPlaneName,
  MOTO_SCENARIOS,
  renderFailures,
  renderTable,
  runDrill,
  SCENARIO_NAMES,
  aboutScenario,
  type ScenarioName,
} from './index';
import { DEFAULT_BUNDLE_PATH } from './watchdog-function';

/** The drill's exit codes. */
export const DRILL_EXIT = { passed: 0, failed: 1, usage: 2 } as const;

/** What the command line asked for. */
export interface DrillCommand {
  readonly scenarios: readonly ScenarioName[];
  readonly controlPlane: ControlPlaneName;
  readonly outDir: string;
  /** The watchdog bundle to run: the repository's build, or one taken out of a packed package. */
  readonly bundlePath: string;
  readonly json: boolean;
  readonly help: boolean;
}

/** The help text. */
export const USAGE = `Usage: npm run drill -- [options]

Rehearses a bad release end to end on loopback (no AWS): the local emulator (or moto) as control plane,
an HTTP data plane routing by the listener's live weights, CloudWatch-like alarms and the real
watchdog bundle (dist/watchdog/index.js).

Options:
  --scenario <name>   run only these scenarios (repeatable, or a comma list); default: all
                      ${SCENARIO_NAMES.join(', ')}
  --control-plane <emulator|moto>
                      which emulator serves the AWS APIs (default: emulator); moto (from
                      .venv-moto, see requirements/moto.txt) runs ${MOTO_SCENARIOS.join(', ')}
  --out <dir>         where report.json and the HTML timelines go (default: drill-report)
  --bundle <file>     the watchdog bundle to run (default: dist/watchdog/index.js), e.g. the
                      one inside a packed cdktf-switchback or cdktn-switchback
  --json              print report.json to stdout instead of the table
  --help              show this help

Exit codes: 0 all scenarios passed, 1 a scenario failed, 2 bad usage.`;

/** Parses the command line; throws an Error naming what was wrong and what is allowed. */
export function parseDrillArgs(argv: readonly string[]): DrillCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        scenario: { type: 'string', multiple: true },
        out: { type: 'string' },
        bundle: { type: 'string' },
        'control-plane': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}; allowed options: --scenario <name>, --control-plane <emulator|moto>, --out <dir>, --bundle <file>, --json, --help`,
    );
  }
  const requested = (parsed.values.scenario ?? []).flatMap((value) =>
    value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );
  const unknown = requested.filter((s) => !(SCENARIO_NAMES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario ${unknown.map((s) => `'${s}'`).join(', ')}; allowed: ${SCENARIO_NAMES.join(', ')}`,
    );
  }
  if (parsed.values.scenario !== undefined && requested.length === 0) {
    throw new Error(`--scenario needs a name; allowed: ${SCENARIO_NAMES.join(', ')}`);
  }
  const plane = parsed.values['control-plane'] ?? 'emulator';
  if (!(CONTROL_PLANES as readonly string[]).includes(plane)) {
    throw new Error(`unknown control plane '${plane}'; allowed: ${CONTROL_PLANES.join(', ')}`);
  }
  const controlPlane = plane as ControlPlaneName;
  const emulatorOnly =
    controlPlane === 'moto' ? requested.filter((s) => !MOTO_SCENARIOS.includes(s as ScenarioName)) : [];
  if (emulatorOnly.length > 0) {
    throw new Error(
      `${emulatorOnly.map((s) => `'${s}' runs on the emulator only: ${aboutScenario(s as ScenarioName).needsEmulator ?? ''}`).join('; ')}; on moto: ${MOTO_SCENARIOS.join(', ')}`,
    );
  }
  const out = parsed.values.out;
  if (out !== undefined && out.trim() === '') throw new Error('--out needs a directory');
  const bundle = parsed.values.bundle;
  if (bundle !== undefined && bundle.trim() === '') throw new Error('--bundle needs a file');
  return {
    scenarios:
      requested.length > 0
        ? ([...new Set(requested)] as ScenarioName[])
        : [...(controlPlane === 'moto' ? MOTO_SCENARIOS : SCENARIO_NAMES)],
    controlPlane,
    outDir: out ?? 'drill-report',
    // Absolute: the function's process loads it with require(), which reads a relative path as a package name.
    bundlePath: bundle === undefined ? DEFAULT_BUNDLE_PATH : resolve(bundle),
    json: parsed.values.json === true,
    help: parsed.values.help === true,
  };
}

/** Runs the command; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let command: DrillCommand;
  try {
    command = parseDrillArgs(argv);
  } catch (error) {
    process.stderr.write(`drill: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return DRILL_EXIT.usage;
  }
  if (command.help) {
    process.stdout.write(`${USAGE}\n`);
    return DRILL_EXIT.passed;
  }
  if (!existsSync(command.bundlePath) || !statSync(command.bundlePath).isFile()) {
    const hint =
      command.bundlePath === DEFAULT_BUNDLE_PATH
        ? "run 'npm run drill' (it builds it) or 'npx tsx scripts/bundle-watchdog.ts'"
        : 'name an existing file with --bundle';
    process.stderr.write(`drill: the watchdog bundle ${command.bundlePath} is missing; ${hint}\n`);
    return DRILL_EXIT.usage;
  }
  const colors = createColors(process.stdout.isTTY === true && !process.env.NO_COLOR);
  const errColors = createColors(process.stderr.isTTY === true && !process.env.NO_COLOR);
  const { report, files } = await runDrill({
    scenarios: command.scenarios,
    outDir: command.outDir,
    settings: { controlPlane: command.controlPlane, bundlePath: command.bundlePath },
    onProgress: ({ scenario, result }) => {
      if (!result) process.stderr.write(`drill: ${scenario} ...\n`);
      else
        process.stderr.write(
          `drill: ${scenario} ${result.passed ? errColors.green('passed') : errColors.red('FAILED')} (${(result.durationMs / 1000).toFixed(1)} s)\n`,
        );
    },
  });
  if (command.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(`\n${renderTable(report.scenarios, colors)}\n\n`);
    process.stdout.write(`${report.timeScale.description}\n`);
    for (const failure of renderFailures(report.scenarios))
      process.stdout.write(`${colors.red('✗')} ${failure}\n`);
    process.stdout.write(
      `Report: ${files.find((f) => f.endsWith('report.json')) ?? ''}; timelines: ${files.find((f) => f.endsWith('index.html')) ?? ''}\n`,
    );
  }
  return report.passed ? DRILL_EXIT.passed : DRILL_EXIT.failed;
}

if (require.main === module) {
  // The pinned SDK warns once per process about the Node version: noise in the drill's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `drill: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = DRILL_EXIT.failed;
    },
  );
}
