/**
 * The fire drill, end to end: every scenario runs once against the real watchdog bundle (built by
 * the global setup), and each test reads one scenario's outcome from the report and the files. The
 * watchdog verifies each rollback and audits the verification once a later invocation finds the
 * alarms OK: whether one comes before a scenario ends depends on its run, so the rollback scenarios
 * count their decisions without the verification records. The
 * last drills run with a watchdog that does nothing or never answers, to show the drill's checks do
 * fail, and that a hung watchdog ends the run at its deadline with its report written.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as program from '../../cli/program';
import {
  renderTable,
  runDrill,
  SCENARIO_NAMES,
  type DrillReport,
  type ScenarioName,
  type ScenarioResult,
} from './index';

const outDir = mkdtempSync(join(tmpdir(), 'switchback-drill-'));
let report: DrillReport;

beforeAll(async () => {
  ({ report } = await runDrill({ outDir }));
}, 300_000);

const row = (name: ScenarioName): ScenarioResult => {
  const found = report.scenarios.find((r) => r.scenario === name);
  if (!found) throw new Error(`no row for ${name}`);
  return found;
};
const failedChecks = (r: ScenarioResult) => r.checks.filter((c) => !c.passed);
/** The audit's outcomes without the verification records (see the file's comment). */
const decisions = (r: ScenarioResult) =>
  Object.fromEntries(
    Object.entries(r.auditOutcomes).filter(
      ([outcome]) => !['verified', 'verification-failed'].includes(outcome),
    ),
  );
const verifications = (r: ScenarioResult) =>
  (r.auditOutcomes.verified ?? 0) + (r.auditOutcomes['verification-failed'] ?? 0);
const alarmsAfterRelease = (r: ScenarioResult) => r.alarmTransitions.filter((t) => t.to === 'ALARM').length;
/** The steps of the rollback as its check reports them (`listener:applied, rule:applied`...). */
const rollbackDetail = (r: ScenarioResult) =>
  r.checks.find((c) => c.name.startsWith('rollback audited with its'))?.detail;

describe('the fire drill', () => {
  it('switches a 5xx release back to blue after the error-rate alarm, with one audited rollback', () => {
    const r = row('5xx-release');
    expect(failedChecks(r)).toEqual([]);
    expect(r.detectedBy).toBe('alarm');
    expect(r.servedGreen).toBeGreaterThan(0); // the release did reach green
    expect(r.finalWeights).toEqual([100, 0]);
    expect(r.switchMs).not.toBeNull();
    // One ALARM (green gets no traffic after the switch, so it never fires again): the deploy's
    // capture and one rollback of the one production listener, notified once; nothing else.
    expect(alarmsAfterRelease(r)).toBe(1);
    expect(r.rollbacks).toBe(1);
    expect(decisions(r)).toEqual({ captured: 1, 'rolled-back': 1 });
    expect(r.auditRecords).toBe(2 + verifications(r));
    expect(rollbackDetail(r)).toBe('trigger alarm checkout-rollback, steps listener:applied');
    expect(r.notifications).toBe(1 + verifications(r));
    expect(r.invocations).toBe(2);
    expect(r.failedInvocations).toBe(0);
  });

  it('switches a slow release back after the p99 latency alarm, with no request failing', () => {
    const r = row('slow-release');
    expect(failedChecks(r)).toEqual([]);
    expect(r.checks).toContainEqual(
      expect.objectContaining({ name: 'the p99-latency alarm fired', passed: true }),
    );
    expect(r.finalWeights).toEqual([100, 0]);
    expect(alarmsAfterRelease(r)).toBe(1);
    expect(r.rollbacks).toBe(1);
    expect(decisions(r)).toEqual({ captured: 1, 'rolled-back': 1 });
    expect(rollbackDetail(r)).toBe('trigger alarm checkout-rollback, steps listener:applied');
    expect(r.notifications).toBe(1 + verifications(r));
    expect(r.failedBeforeDetect + r.failedAfterDetect).toBe(0);
  });

  it('rolls back once when the alarm flaps, and never sends production traffic back to green', () => {
    const r = row('flapping-alarm');
    expect(failedChecks(r)).toEqual([]);
    // How many times it flaps depends on how long the run lasts; what the watchdog does with each
    // ALARM does not: the first rolls back, every later one is audited as skipped and notified.
    const alarms = alarmsAfterRelease(r);
    expect(alarms).toBeGreaterThanOrEqual(2);
    expect(r.alarmTransitions.filter((t) => t.to === 'OK').length).toBeGreaterThanOrEqual(1);
    expect(r.rollbacks).toBe(1);
    expect(decisions(r)).toEqual({ captured: 1, 'rolled-back': 1, skipped: alarms - 1 });
    expect(rollbackDetail(r)).toBe('trigger alarm checkout-rollback, steps listener:applied');
    expect(r.notifications).toBe(alarms + verifications(r));
    expect(r.invocations).toBe(alarms + 1);
    expect(r.finalWeights).toEqual([100, 0]);
  });

  it('still switches back when ELBv2 and CloudWatch throttle the watchdog, through retries', () => {
    const r = row('throttled-control-plane');
    expect(failedChecks(r)).toEqual([]);
    // The faults throttle exactly six ELBv2 calls and two DescribeAlarms.
    expect(r.throttledCalls).toBe(8);
    expect(r.sdkRetries).toBeGreaterThan(0);
    expect(r.finalWeights).toEqual([100, 0]);
    expect(r.rollbacks).toBe(1);
    expect(decisions(r)).toEqual({ captured: 1, 'rolled-back': 1 });
    expect(rollbackDetail(r)).toBe('trigger alarm checkout-rollback, steps listener:applied');
    expect(r.notifications).toBe(1 + verifications(r));
    expect(r.failedInvocations).toBe(0);
  });

  it('does not flip to a blue without healthy targets: the listener stays as released and the audit says why', () => {
    const r = row('unhealthy-blue');
    expect(failedChecks(r)).toEqual([]);
    expect(r.detectedBy).toBe('alarm');
    expect(r.finalWeights).toEqual([100 - report.load.canaryWeightPercent, report.load.canaryWeightPercent]);
    expect(r.switchMs).toBeNull();
    expect(r.rollbacks).toBe(0);
    expect(r.switchRefused).toBe(true);
    // One ALARM; the invocation fails and Lambda runs it twice more: three partial records, each
    // notified, besides the capture.
    expect(alarmsAfterRelease(r)).toBe(1);
    expect(r.auditOutcomes).toEqual({ captured: 1, partial: 3 });
    expect(r.notifications).toBe(3);
    expect(r.invocations).toBe(4);
    expect(r.checks.find((c) => c.name === 'audit says why')?.detail).toMatch(
      /need 1 healthy target\(s\).*has 0 healthy/,
    );
    // The invocation failed, so Lambda retried it (twice) before the on-failure destination.
    expect(r.failedInvocations).toBe(3);
  });

  it("switches back on the operator's rollback through the Lambda API, before any alarm", () => {
    const r = row('manual-override');
    expect(failedChecks(r)).toEqual([]);
    expect(r.detectedBy).toBe('operator');
    expect(r.finalWeights).toEqual([100, 0]);
    expect(r.rollbacks).toBe(1);
    // The test listener keeps green failing, so the alarm fires once after the operator's rollback:
    // that ALARM is audited as skipped. Both decisions are notified; the capture is not.
    expect(alarmsAfterRelease(r)).toBe(1);
    expect(decisions(r)).toEqual({ captured: 1, 'rolled-back': 1, skipped: 1 });
    expect(rollbackDetail(r)).toBe('trigger rollback by drill-operator, steps listener:applied');
    expect(r.notifications).toBe(2 + verifications(r));
  });

  it('promotes a healthy canary on the schedule tick: 10 %, then all the traffic, green known-good', () => {
    const r = row('canary-promotes');
    expect(failedChecks(r)).toEqual([]);
    expect(r.greenWeights).toEqual([0, 10, 100]);
    expect(r.shiftPhase).toBe('promoted');
    expect(r.detectedBy).toBeNull();
    expect(r.rollbacks).toBe(0);
    // The step with its pre-traffic check, then the after-step check and the promotion.
    expect(r.auditOutcomes).toEqual({ captured: 1, shifted: 1, promoted: 1 });
    expect(r.ticks).toBeGreaterThanOrEqual(2);
    expect(r.servedGreen).toBeGreaterThan(0);
  });

  it('stops a linear shift at 30 % when green breaks there, and rolls it back to blue', () => {
    const r = row('linear-breach');
    expect(failedChecks(r)).toEqual([]);
    expect(r.detectedBy).toBe('alarm');
    expect(r.greenWeights).toEqual([0, 10, 20, 30, 0]);
    expect(r.finalWeights).toEqual([100, 0]);
    expect(r.shiftPhase).toBe('rolled-back');
    expect(decisions(r)).toEqual({ captured: 1, shifted: 3, 'rolled-back': 1 });
    expect(rollbackDetail(r)).toBe('trigger alarm checkout-rollback, steps listener:applied');
  });

  it('rolls back a candidate that fails its pre-traffic check before any production request reaches it', () => {
    const r = row('pre-traffic-fails');
    expect(failedChecks(r)).toEqual([]);
    expect(r.detectedBy).toBe('check');
    expect(r.alarmTransitions.filter((t) => t.to === 'ALARM')).toEqual([]);
    expect(r.greenWeights).toEqual([0]);
    expect(r.servedGreen).toBe(0);
    expect(r.finalWeights).toEqual([100, 0]);
    expect(r.shiftPhase).toBe('rolled-back');
    expect(r.rollbacks).toBe(1);
  });

  it('pages a second time when blue is still unhealthy after the flip: the verification fails', () => {
    const r = row('unhealthy-blue-after-flip');
    expect(failedChecks(r)).toEqual([]);
    expect(r.greenWeights).toEqual([20, 0]);
    expect(r.rollbacks).toBe(1);
    expect(r.auditOutcomes).toEqual({ captured: 1, 'rolled-back': 1, 'verification-failed': 1 });
    expect(r.notifications).toBe(2);
    // Blue answers 503 once it has the traffic back: users see it, the watchdog says so.
    expect(r.failedAfterDetect).toBeGreaterThan(0);
  });

  it('turns the kill switch off instead of moving traffic: the errors stop, no listener is written', () => {
    const r = row('kill-switch');
    expect(failedChecks(r)).toEqual([]);
    expect(r.detectedBy).toBe('alarm');
    expect(r.auditOutcomes).toEqual({ captured: 1, 'kill-switched': 1 });
    expect(r.finalWeights).toEqual([100 - report.load.canaryWeightPercent, report.load.canaryWeightPercent]);
    expect(r.greenWeights).toEqual([report.load.canaryWeightPercent]);
    expect(r.switchMs).toBeNull();
    expect(r.rollbacks).toBe(0);
    expect(r.notifications).toBe(1);
  });

  it('writes report.json with a row per scenario and the documented fields', () => {
    const written = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')) as DrillReport;
    expect(written.passed).toBe(true);
    expect(written.controlPlane).toBe('emulator');
    expect(written.timeScale).toEqual(expect.objectContaining({ factor: 60, alarmPeriodMs: 1000 }));
    expect(written.scenarios.map((s) => s.scenario)).toEqual([...SCENARIO_NAMES]);
    for (const scenario of written.scenarios) {
      expect(scenario).toEqual(
        expect.objectContaining({
          scenario: expect.any(String),
          failedAfterDetect: expect.any(Number),
          servedBlue: expect.any(Number),
          servedGreen: expect.any(Number),
          auditRecords: expect.any(Number),
          passed: true,
        }),
      );
      expect(scenario.switchMs === null || typeof scenario.switchMs === 'number').toBe(true);
      // Only the canary that promotes itself has nothing to detect.
      expect({ scenario: scenario.scenario, detected: typeof scenario.detectMs === 'number' }).toEqual({
        scenario: scenario.scenario,
        detected: scenario.scenario !== 'canary-promotes',
      });
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

  it('marks the progressive-delivery steps on the timelines: weights, checks, promotion, verification, kill switch', () => {
    const marks = (scenario: ScenarioName) => readFileSync(join(outDir, `${scenario}.html`), 'utf8');
    for (const [scenario, label] of [
      ['canary-promotes', 'pre-traffic ✓'],
      ['canary-promotes', 'after-step ✓'],
      ['canary-promotes', 'green 10%'],
      ['canary-promotes', 'promoted'],
      ['linear-breach', 'green 30%'],
      ['linear-breach', 'switch'],
      ['pre-traffic-fails', 'pre-traffic ✗'],
      ['unhealthy-blue-after-flip', 'verification failed'],
      ['kill-switch', 'kill switch'],
      ['kill-switch', 'flag off'],
    ] as const) {
      expect({ scenario, page: marks(scenario).includes(`>${label}</text>`) }).toEqual({
        scenario,
        page: true,
      });
    }
    // The same timeline as text, one row per half second, beside each page.
    expect(readFileSync(join(outDir, 'linear-breach.timeline.txt'), 'utf8')).toMatch(
      /██████·{14} +30%.*green 30%/,
    );
  });
});

/** Writes a stand-in for the watchdog bundle; returns its path. */
function fakeBundle(source: string): string {
  const bundlePath = join(mkdtempSync(join(tmpdir(), 'switchback-drill-fake-')), 'index.js');
  writeFileSync(bundlePath, source);
  return bundlePath;
}

describe('the fire drill with moto as the control plane', () => {
  it('switches a 5xx release back to blue on moto too: the bundle talks to moto, with one audited rollback', async () => {
    // Given moto (a peer's emulator) serving ELBv2, CloudWatch, S3, SNS and Lambda's API
    const dir = mkdtempSync(join(tmpdir(), 'switchback-drill-moto-'));

    // When the 5xx release is drilled on it
    const { report: onMoto } = await runDrill({
      scenarios: ['5xx-release'],
      outDir: dir,
      settings: { controlPlane: 'moto' },
    });

    // Then it passes every check the emulator's run does
    const r = onMoto.scenarios[0] as ScenarioResult;
    expect(onMoto.controlPlane).toBe('moto');
    expect(failedChecks(r)).toEqual([]);
    expect(r.detectedBy).toBe('alarm');
    expect(r.servedGreen).toBeGreaterThan(0);
    expect(r.finalWeights).toEqual([100, 0]);
    expect(alarmsAfterRelease(r)).toBe(1);
    expect(r.rollbacks).toBe(1);
    expect(decisions(r)).toEqual({ captured: 1, 'rolled-back': 1 });
    expect(rollbackDetail(r)).toBe('trigger alarm checkout-rollback, steps listener:applied');
    expect(r.notifications).toBe(1 + verifications(r));
    const written = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as DrillReport;
    expect(written.controlPlane).toBe('moto');
  }, 60_000);

  it('refuses a scenario that needs the emulator, saying what moto lacks', async () => {
    await expect(
      runDrill({ scenarios: ['throttled-control-plane'], settings: { controlPlane: 'moto' } }),
    ).rejects.toThrow(
      /'throttled-control-plane' runs on the emulator only: it injects throttling .*; on moto: 5xx-release, slow-release, flapping-alarm, pre-traffic-fails, unhealthy-blue-after-flip, kill-switch/,
    );
  });
});

describe('the fire drill with a watchdog that does nothing', () => {
  it('fails the scenario: traffic stays on the release and no rollback is audited', async () => {
    const bundlePath = fakeBundle(
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
    // The alarm still fires (its checks pass); everything the watchdog should have done fails, and
    // the run, waiting for a switch that never comes, ends at its deadline.
    expect(failedChecks(r).map((c) => c.name)).toEqual([
      'listener ends on blue',
      'traffic ends on blue',
      'exactly one rollback',
      'rollback audited with its alarm',
      'finished in time',
    ]);
    expect(r.rollbacks).toBe(0);
    expect(r.auditRecords).toBe(0);
    expect(r.notifications).toBe(0);
  }, 30_000);
});

describe('the fire drill with a watchdog that never answers', () => {
  it('stops at the deadline when the capture hangs, fails with a check naming it, and writes the report', async () => {
    const bundlePath = fakeBundle('exports.handler = () => new Promise(() => {});\n');
    const dir = mkdtempSync(join(tmpdir(), 'switchback-drill-hung-'));

    const { report: hung } = await runDrill({
      scenarios: ['5xx-release'],
      outDir: dir,
      settings: { bundlePath, maxRunMs: 3000 },
    });

    const r = hung.scenarios[0] as ScenarioResult;
    expect(hung.passed).toBe(false);
    expect(r.passed).toBe(false);
    expect(failedChecks(r)).toContainEqual(
      expect.objectContaining({
        name: 'finished in time',
        detail: expect.stringMatching(/capture invocation had not answered 3000 ms after it was sent/),
      }),
    );
    expect(r.timeouts).toHaveLength(1);
    expect(r.finalWeights).toEqual([100, 0]); // the release was never made
    const written = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as DrillReport;
    expect(written.scenarios.map((s) => [s.scenario, s.passed])).toEqual([['5xx-release', false]]);
    expect(existsSync(join(dir, '5xx-release.html'))).toBe(true);
  }, 30_000);

  it('times out its invocations as Lambda does and stops the run while the watchdog is still busy', async () => {
    // Answers the deploy's capture, then hangs on every alarm notification.
    const bundlePath = fakeBundle(
      "exports.handler = (event) => event.action === 'capture' ? Promise.resolve({ status: 'ok', kind: 'capture', result: {} }) : new Promise(() => {});\n",
    );

    const { report: hung } = await runDrill({
      scenarios: ['5xx-release'],
      settings: { bundlePath, maxRunMs: 5000, functionTimeoutSeconds: 1 },
    });

    const r = hung.scenarios[0] as ScenarioResult;
    expect(r.passed).toBe(false);
    expect(r.detectedBy).toBe('alarm');
    expect(r.timedOutInvocations).toBeGreaterThanOrEqual(1);
    expect(r.failedInvocations).toBe(r.timedOutInvocations);
    expect(r.finalWeights).toEqual([80, 20]);
    expect(failedChecks(r)).toContainEqual(
      expect.objectContaining({
        name: 'finished in time',
        detail: expect.stringMatching(
          /stopped 5000 ms after the release without finishing: .*the watchdog still busy/,
        ),
      }),
    );
    expect(renderTable([r])).toMatch(/\| no switch +\|/);
  }, 30_000);
});

describe('the fire drill stopped before the operator acts', () => {
  afterEach(() => jest.restoreAllMocks());

  it("never runs the operator's rollback once the scenario is torn down", async () => {
    const runCli = jest.spyOn(program, 'runCli');

    // One alarm period lasts 5 s (timeScale 12), so the operator acts 2.5 s after the release; the
    // run is stopped 1.5 s after it, and the test waits past the operator's moment.
    const { report: stopped } = await runDrill({
      scenarios: ['manual-override'],
      settings: { timeScale: 12, baselinePeriods: 0, maxRunMs: 1500 },
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));

    const r = stopped.scenarios[0] as ScenarioResult;
    expect(failedChecks(r)).toContainEqual(
      expect.objectContaining({ name: 'finished in time', detail: expect.stringMatching(/no trigger yet/) }),
    );
    expect(runCli).not.toHaveBeenCalled();
  }, 30_000);
});
