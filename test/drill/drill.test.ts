/**
 * The fire drill, end to end: every scenario runs once against the real watchdog bundle (built by
 * the global setup), and each test reads one scenario's outcome from the report and the files. A
 * last drill runs with a watchdog that does nothing, to show the drill's checks do fail.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDrill, SCENARIO_NAMES, type DrillReport, type ScenarioName, type ScenarioResult } from './index';

const outDir = mkdtempSync(join(tmpdir(), 'switchback-drill-'));
let report: DrillReport;

beforeAll(async () => {
  ({ report } = await runDrill({ outDir }));
}, 150_000);

const row = (name: ScenarioName): ScenarioResult => {
  const found = report.scenarios.find((r) => r.scenario === name);
  if (!found) throw new Error(`no row for ${name}`);
  return found;
};
const failedChecks = (r: ScenarioResult) => r.checks.filter((c) => !c.passed);

describe('the fire drill', () => {
  it('switches a 5xx release back to blue after the error-rate alarm, with one audited rollback', () => {
    const r = row('5xx-release');
    expect(failedChecks(r)).toEqual([]);
    expect(r.detectedBy).toBe('alarm');
    expect(r.servedGreen).toBeGreaterThan(0); // the release did reach green
    expect(r.finalWeights).toEqual([100, 0]);
    expect(r.switchMs).not.toBeNull();
    expect(r.rollbacks).toBe(1);
    expect(r.auditOutcomes).toEqual(expect.objectContaining({ captured: 1, 'rolled-back': 1 }));
    expect(r.notifications).toBeGreaterThanOrEqual(1);
  });

  it('switches a slow release back after the p99 latency alarm, with no request failing', () => {
    const r = row('slow-release');
    expect(failedChecks(r)).toEqual([]);
    expect(r.checks).toContainEqual(
      expect.objectContaining({ name: 'the p99-latency alarm fired', passed: true }),
    );
    expect(r.finalWeights).toEqual([100, 0]);
    expect(r.rollbacks).toBe(1);
    expect(r.failedBeforeDetect + r.failedAfterDetect).toBe(0);
  });

  it('rolls back once when the alarm flaps, and never sends production traffic back to green', () => {
    const r = row('flapping-alarm');
    expect(failedChecks(r)).toEqual([]);
    expect(r.alarmTransitions.filter((t) => t.to === 'ALARM').length).toBeGreaterThanOrEqual(2);
    expect(r.alarmTransitions.filter((t) => t.to === 'OK').length).toBeGreaterThanOrEqual(1);
    expect(r.rollbacks).toBe(1);
    expect(r.auditOutcomes.skipped).toBeGreaterThanOrEqual(1);
    expect(r.finalWeights).toEqual([100, 0]);
  });

  it('still switches back when ELBv2 and CloudWatch throttle the watchdog, through retries', () => {
    const r = row('throttled-control-plane');
    expect(failedChecks(r)).toEqual([]);
    expect(r.throttledCalls).toBeGreaterThanOrEqual(8);
    expect(r.sdkRetries).toBeGreaterThan(0);
    expect(r.finalWeights).toEqual([100, 0]);
    expect(r.rollbacks).toBe(1);
  });

  it('does not flip to a blue without healthy targets: the listener stays as released and the audit says why', () => {
    const r = row('unhealthy-blue');
    expect(failedChecks(r)).toEqual([]);
    expect(r.detectedBy).toBe('alarm');
    expect(r.finalWeights).toEqual([100 - report.load.canaryWeightPercent, report.load.canaryWeightPercent]);
    expect(r.switchMs).toBeNull();
    expect(r.rollbacks).toBe(0);
    expect(r.auditOutcomes.partial).toBeGreaterThanOrEqual(1);
    expect(r.checks.find((c) => c.name === 'audit says why')?.detail).toMatch(/fewer than 1 healthy target/);
    // The invocation failed, so Lambda retried it (twice) before the on-failure destination.
    expect(r.failedInvocations).toBe(3);
  });

  it("switches back on the operator's rollback through the Lambda API, before any alarm", () => {
    const r = row('manual-override');
    expect(failedChecks(r)).toEqual([]);
    expect(r.detectedBy).toBe('operator');
    expect(r.finalWeights).toEqual([100, 0]);
    expect(r.rollbacks).toBe(1);
  });

  it('writes report.json with a row per scenario and the documented fields', () => {
    const written = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')) as DrillReport;
    expect(written.passed).toBe(true);
    expect(written.timeScale).toEqual(expect.objectContaining({ factor: 60, alarmPeriodMs: 1000 }));
    expect(written.scenarios.map((s) => s.scenario)).toEqual([...SCENARIO_NAMES]);
    for (const scenario of written.scenarios) {
      expect(scenario).toEqual(
        expect.objectContaining({
          scenario: expect.any(String),
          detectMs: expect.any(Number),
          failedAfterDetect: expect.any(Number),
          servedBlue: expect.any(Number),
          servedGreen: expect.any(Number),
          auditRecords: expect.any(Number),
          passed: true,
        }),
      );
      expect(scenario.switchMs === null || typeof scenario.switchMs === 'number').toBe(true);
    }
  });

  it('writes a self-contained timeline page per scenario and an index linking them', () => {
    const index = readFileSync(join(outDir, 'index.html'), 'utf8');
    for (const scenario of SCENARIO_NAMES) {
      expect(index).toContain(`href="${scenario}.html"`);
      const page = readFileSync(join(outDir, `${scenario}.html`), 'utf8');
      expect(page).toContain('<svg');
      expect(page).toContain('>release</text>');
      expect(page).not.toMatch(/<script|src="http/);
    }
    expect(readFileSync(join(outDir, '5xx-release.html'), 'utf8')).toContain('>switch</text>');
    expect(readFileSync(join(outDir, '5xx-release.html'), 'utf8')).toContain('>ALARM</text>');
  });
});

describe('the fire drill with a watchdog that does nothing', () => {
  it('fails the scenario: traffic stays on the release and no rollback is audited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchback-drill-noop-'));
    const bundlePath = join(dir, 'index.js');
    writeFileSync(
      bundlePath,
      "exports.handler = async () => ({ status: 'ok', kind: 'noop', result: {} });\n",
    );

    const { report: broken } = await runDrill({
      scenarios: ['5xx-release'],
      settings: { bundlePath, maxRunMs: 4000 },
    });

    const r = broken.scenarios[0] as ScenarioResult;
    expect(broken.passed).toBe(false);
    expect(r.passed).toBe(false);
    expect(r.finalWeights).toEqual([80, 20]);
    expect(failedChecks(r).map((c) => c.name)).toEqual(
      expect.arrayContaining(['listener ends on blue', 'traffic ends on blue', 'exactly one rollback']),
    );
  }, 30_000);
});
