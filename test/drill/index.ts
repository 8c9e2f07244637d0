/**
 * The local fire drill: rehearses a bad release end to end on loopback, with no AWS. The emulator is
 * the control plane, a small HTTP data plane routes by the listener's live actions, an alarm
 * evaluator publishes CloudWatch-like state changes, and the real watchdog bundle acts on them.
 *
 * @example
 * const { report } = await runDrill({ scenarios: ['5xx-release'], outDir: 'drill-report' });
 * console.log(report.scenarios[0].detectMs);
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  FIELD_DESCRIPTIONS,
  renderIndexPage,
  renderScenarioPage,
  renderTimelineText,
  type DrillReport,
} from './report';
import { runReleaseSafetyScenario } from './run-release-safety';
import { runScenario, type DrillSettings, type ScenarioResult } from './run-scenario';
import {
  aboutScenario,
  DRILL_SCENARIO_NAMES,
  isReleaseSafetyScenario,
  type DrillScenarioName,
} from './scenarios';
import { DEFAULT_BUNDLE_PATH } from './watchdog-function';

export {
  SCENARIOS,
  RELEASE_SAFETY_SCENARIOS,
  aboutScenario,
  DRILL_SCENARIO_NAMES as SCENARIO_NAMES,
  type DrillScenarioName as ScenarioName,
  type Check,
} from './scenarios';
export { CONTROL_PLANES, type ControlPlaneName } from './control-plane';
export type { ScenarioResult, DrillSettings, Timeline } from './run-scenario';
export type { DrillReport } from './report';
export { renderTable, renderFailures, renderTimelineText } from './report';

/**
 * Every scenario, in the order the drill runs them: the one-service ones, then the release-safety
 * ones (exported as `SCENARIO_NAMES`).
 */
const SCENARIO_NAMES = DRILL_SCENARIO_NAMES;
/** Any scenario's name (exported as `ScenarioName`). */
type ScenarioName = DrillScenarioName;

/** The drill's defaults: one drill second per CloudWatch minute, 80 requests/s, a 20 % canary. */
export const DEFAULT_DRILL_SETTINGS: DrillSettings = {
  timeScale: 60,
  requestsPerSecond: 80,
  canaryWeightPercent: 20,
  requestTimeoutMs: 2000,
  baselinePeriods: 1,
  tailMs: 1000,
  maxRunMs: 20_000,
  functionTimeoutSeconds: 60,
  bundlePath: DEFAULT_BUNDLE_PATH,
  controlPlane: 'emulator',
};

/** Options of {@link runDrill}. */
export interface DrillOptions {
  /**
   * Which scenarios, in the order given. @default all, in {@link SCENARIO_NAMES} order (on moto,
   * those moto can serve)
   */
  readonly scenarios?: readonly ScenarioName[];
  /** Where report.json, the timelines and the watchdog logs go. @default - nothing is written */
  readonly outDir?: string;
  /** Overrides of {@link DEFAULT_DRILL_SETTINGS}. */
  readonly settings?: Partial<DrillSettings>;
  /** Called before and after each scenario (progress output). */
  onProgress?(event: { readonly scenario: ScenarioName; readonly result?: ScenarioResult }): void;
}

/** What a drill produced. */
export interface DrillOutcome {
  readonly report: DrillReport;
  /** Files written, when `outDir` was given. */
  readonly files: readonly string[];
}

/** The scenarios moto can serve as the control plane: those that need none of the emulator's hooks. */
export const MOTO_SCENARIOS: readonly ScenarioName[] = SCENARIO_NAMES.filter(
  (name) => aboutScenario(name).needsEmulator === undefined,
);

/**
 * Runs the scenarios one after another (each on a fresh control plane and a fresh watchdog container) and,
 * when `outDir` is given, writes `report.json`, `<scenario>.html`, `<scenario>.timeline.txt`,
 * `<scenario>.watchdog.log`, `<scenario>.audit.json` and `index.html` there. Throws only for bad options; a failed scenario is a row with `passed: false`.
 */
export async function runDrill(options: DrillOptions = {}): Promise<DrillOutcome> {
  const settings = { ...DEFAULT_DRILL_SETTINGS, ...options.settings };
  const onMoto = settings.controlPlane === 'moto';
  const scenarios = options.scenarios ?? (onMoto ? MOTO_SCENARIOS : SCENARIO_NAMES);
  const unknown = scenarios.filter((s) => !(SCENARIO_NAMES as readonly string[]).includes(s));
  if (unknown.length > 0 || scenarios.length === 0) {
    throw new Error(
      `unknown or no scenario: ${unknown.map((s) => `'${s}'`).join(', ') || '(none given)'}; allowed: ${SCENARIO_NAMES.join(', ')}`,
    );
  }
  if (onMoto) {
    const refused = scenarios.filter((s) => aboutScenario(s).needsEmulator !== undefined);
    if (refused.length > 0) {
      throw new Error(
        `${refused.map((s) => `'${s}' runs on the emulator only: ${aboutScenario(s).needsEmulator}`).join('; ')}; on moto: ${MOTO_SCENARIOS.join(', ')}`,
      );
    }
  }
  const files: string[] = [];
  if (options.outDir) await mkdir(options.outDir, { recursive: true });
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    options.onProgress?.({ scenario });
    const run = isReleaseSafetyScenario(scenario)
      ? await runReleaseSafetyScenario(scenario, settings)
      : await runScenario(scenario, settings);
    results.push(run.result);
    options.onProgress?.({ scenario, result: run.result });
    if (options.outDir) {
      const page = join(options.outDir, `${scenario}.html`);
      const log = join(options.outDir, `${scenario}.watchdog.log`);
      const text = join(options.outDir, `${scenario}.timeline.txt`);
      const audit = join(options.outDir, `${scenario}.audit.json`);
      await writeFile(page, renderScenarioPage(run.result, run.timeline, settings.timeScale));
      await writeFile(log, run.watchdogLog.join('\n') + '\n');
      await writeFile(text, renderTimelineText(run.timeline) + '\n');
      await writeFile(audit, JSON.stringify(run.audit, null, 2) + '\n');
      files.push(page, log, text, audit);
    }
  }
  const report: DrillReport = {
    generatedAt: new Date().toISOString(),
    passed: results.every((r) => r.passed),
    controlPlane: settings.controlPlane,
    timeScale: {
      factor: settings.timeScale,
      alarmPeriodMs: (60 * 1000) / settings.timeScale,
      description: `Time runs ${settings.timeScale}x faster than CloudWatch: a 60 s alarm period lasts ${(60 * 1000) / settings.timeScale} ms, Lambda's retry delays shrink the same way; request latencies, timeouts and the watchdog's own work run in real time.`,
    },
    load: {
      requestsPerSecond: settings.requestsPerSecond,
      canaryWeightPercent: settings.canaryWeightPercent,
    },
    fields: FIELD_DESCRIPTIONS,
    scenarios: results,
  };
  if (options.outDir) {
    const json = join(options.outDir, 'report.json');
    const index = join(options.outDir, 'index.html');
    await writeFile(json, JSON.stringify(report, null, 2) + '\n');
    await writeFile(index, renderIndexPage(report));
    files.push(json, index);
  }
  return { report, files };
}
