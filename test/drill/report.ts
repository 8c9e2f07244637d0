/**
 * The drill's outputs: the table printed per scenario, `report.json`, and one self-contained HTML page
 * per scenario with an inline SVG timeline (requests per second per color and the error rate, the
 * release, the alarm's state changes, the switch, shift steps, smoke checks, promotion, verification
 * and kill switch marked) and the same timeline as text (pasteable into a note), plus an index page.
 */
import type { ControlPlaneName } from './control-plane';
import type { ScenarioResult, Timeline } from './run-scenario';

/** How to colour the table (identity functions when stdout is not a terminal). */
export interface TableColors {
  green(text: string): string;
  red(text: string): string;
  dim(text: string): string;
}

const PLAIN: TableColors = { green: (t) => t, red: (t) => t, dim: (t) => t };

const ms = (value: number | null): string => (value === null ? '—' : `${value} ms`);

/** The per-scenario table, as Markdown (so it pastes into a note as it is). */
export function renderTable(results: readonly ScenarioResult[], colors: TableColors = PLAIN): string {
  const header = [
    'scenario',
    'detect',
    'switch',
    'failed after detect',
    'served blue',
    'served green',
    'green share',
    'audit records',
    'rollbacks',
    'passed',
  ];
  const rows = results.map((r) => [
    r.scenario,
    r.detectMs === null ? '—' : `${r.detectMs} ms (${r.detectedBy})`,
    r.switchMs !== null ? `${r.switchMs} ms` : r.switchRefused ? 'refused' : 'no switch',
    String(r.failedAfterDetect),
    String(r.servedBlue),
    String(r.servedGreen),
    r.members ? membersCell(r.members) : weightsCell(r.greenWeights),
    `${r.auditRecords} (${Object.entries(r.auditOutcomes)
      .map(([outcome, n]) => `${n} ${outcome}`)
      .join(', ')})`,
    String(r.rollbacks),
    r.passed ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] as number)).join(' | ')} |`;
  const colored = (row: string[], passed: boolean) => {
    const text = line(row);
    return passed
      ? text.replace('| yes', `| ${colors.green('yes')}`)
      : text.replace('| NO ', `| ${colors.red('NO')} `);
  };
  return [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map((row, i) => colored(row, results[i]?.passed ?? false)),
  ].join('\n');
}

/** The production listener's share to green after the release, each change once: `20→0`. */
function weightsCell(weights: readonly number[]): string {
  return weights.length === 0 ? '—' : weights.join('→');
}

/** Each service's share, in a scenario of several: `api 0→20→0, worker 0→20→0, billing 0→20`. */
function membersCell(members: NonNullable<ScenarioResult['members']>): string {
  return members.map((m) => `${m.service} ${weightsCell(m.greenWeights)}`).join(', ');
}

/** The failed checks of failed scenarios, one line each (empty when all passed). */
export function renderFailures(results: readonly ScenarioResult[]): string[] {
  return results.flatMap((r) =>
    r.checks.filter((c) => !c.passed).map((c) => `${r.scenario}: ${c.name} — ${c.detail}`),
  );
}

/** The document written to `report.json`. */
export interface DrillReport {
  readonly generatedAt: string;
  readonly passed: boolean;
  /** Which emulator served the AWS APIs: ours, or moto. */
  readonly controlPlane: ControlPlaneName;
  /** How drill time maps to AWS time. */
  readonly timeScale: {
    readonly factor: number;
    readonly alarmPeriodMs: number;
    readonly description: string;
  };
  readonly load: { readonly requestsPerSecond: number; readonly canaryWeightPercent: number };
  /** Where the per-scenario fields are described. */
  readonly fields: Readonly<Record<string, string>>;
  readonly scenarios: readonly ScenarioResult[];
}

/** What each field of a scenario row means (written into the report so it explains itself). */
export const FIELD_DESCRIPTIONS: Readonly<Record<string, string>> = {
  detectMs:
    "release (canary weight applied, or the shift begun) to the trigger: the composite alarm going to ALARM, the operator request, or the watchdog's rollback on a failed smoke check (detectedBy: alarm, operator, check); for a release refused at capture, the deploy's capture sent to its refusal (detectedBy: gate)",
  switchMs:
    'trigger to the first production request the data plane routed with the listener sending nothing to green',
  watchdogTimeToRollbackMs:
    "the watchdog's own measure (audit record): alarm state change to listener verified",
  failedAfterDetect: 'production requests sent at or after the trigger that got a 5xx or no answer in time',
  servedBlue: 'production requests answered by blue, whole scenario',
  servedGreen: 'production requests answered by green, whole scenario',
  greenWeights:
    "the production listener's share of traffic to green as the data plane routed requests after the release, each change once (the table's green share: 0→10→20→30→0)",
  ticks:
    'schedule ticks the drill sent (asynchronously, once per scaled minute) in scenarios with a schedule',
  shiftPhase: "the shift's phase in the watchdog's state at the end (null without a shifting plan)",
  auditRecords: 'decision records the watchdog wrote to the store (auditOutcomes: by outcome)',
  rollbacks: 'audit records with outcome rolled-back',
  switchRefused:
    'the audit shows the watchdog refusing to switch: a partial or refused record with a blocked traffic step (the table says refused; no switch otherwise)',
  timedOutInvocations:
    "invocations that outlasted the function's timeout (Sandbox.Timedout); the container was killed and cold-started again",
  timeouts:
    'what was still running when the scenario was stopped at its deadline (maxRunMs); empty when it finished',
  throttledCalls: 'throttled control-plane answers after the release (emulator request log)',
  sdkRetries: 'SDK retry attempts after the release (amz-sdk-request attempt > 1)',
  passed: "all of the scenario's checks passed (see checks)",
  members:
    "in a scenario of several services (a rollback group): each service's share to green (greenWeights), final weights, rollbacks, requests served by green and audit outcomes; the row's other figures are the first service's (its table cell: each service's share)",
  deploys:
    "the deploys' captures in order, in the release-safety scenarios: release id and outcome (captured, or refused with the watchdog's named error)",
};

/** An HTML page with a scenario's figures and its timeline as inline SVG (no scripts, no links out). */
export function renderScenarioPage(result: ScenarioResult, timeline: Timeline, timeScale: number): string {
  const rows = result.checks
    .map(
      (c) =>
        `<tr><td class="${c.passed ? 'pass' : 'fail'}">${c.passed ? 'pass' : 'FAIL'}</td><td>${escape(c.name)}</td><td>${escape(c.detail)}</td></tr>`,
    )
    .join('\n');
  const figures: Array<[string, string]> = [
    ['detect', `${ms(result.detectMs)}${result.detectedBy ? ` (${result.detectedBy})` : ''}`],
    [
      'switch',
      result.switchMs !== null ? ms(result.switchMs) : result.switchRefused ? 'refused' : 'no switch',
    ],
    ["watchdog's time to rollback", ms(result.watchdogTimeToRollbackMs)],
    ['failed after detect', String(result.failedAfterDetect)],
    ['failed before detect', String(result.failedBeforeDetect)],
    ['served blue / green', `${result.servedBlue} / ${result.servedGreen}`],
    ['audit records', `${result.auditRecords} ${JSON.stringify(result.auditOutcomes)}`],
    [
      'invocations (failed, timed out)',
      `${result.invocations} (${result.failedInvocations}, ${result.timedOutInvocations})`,
    ],
    ['throttled calls / SDK retries', `${result.throttledCalls} / ${result.sdkRetries}`],
    ['final weights blue/green', result.finalWeights.join('/')],
    ['green share (production)', weightsCell(result.greenWeights)],
    ['shift phase', result.shiftPhase ?? '—'],
    ['schedule ticks', String(result.ticks)],
    ['notifications', String(result.notifications)],
    ...(result.deploys ? [['deploys', result.deploys.join('; ')] as [string, string]] : []),
    ...(result.members ?? []).map((m): [string, string] => [
      m.service,
      `green share ${weightsCell(m.greenWeights)}; weights ${m.finalWeights.join('/')} at the end; ${m.rollbacks} rollback(s); ${JSON.stringify(m.auditOutcomes)}`,
    ]),
  ];
  const charts = timeline.lanes
    ? timeline.lanes
        .map(
          (lane) =>
            `<h2>${escape(lane.name)}</h2>\n${timelineSvg({ ...timeline, buckets: lane.buckets }, timeScale)}`,
        )
        .join('\n')
    : timelineSvg(timeline, timeScale);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drill: ${escape(result.title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
.pass{color:#176f2c;font-weight:600}.fail{color:#b00020;font-weight:600}
</style></head><body>
<p><a href="index.html">All scenarios</a></p>
<h1>${escape(result.title)} <span class="${result.passed ? 'pass' : 'fail'}">${result.passed ? 'passed' : 'FAILED'}</span></h1>
<p>${escape(result.proves)}</p>
${charts}
<pre>${escape(renderTimelineText(timeline))}</pre>
<p>Time axis: seconds since the release. One drill second is ${timeScale} s of CloudWatch time
(alarm periods of 60 s run in ${Math.round(60_000 / timeScale)} ms).</p>
<table>${figures.map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(v)}</td></tr>`).join('\n')}</table>
<h2>Checks</h2><table><tr><th></th><th>check</th><th>detail</th></tr>${rows}</table>
</body></html>
`;
}

/** The index page: the table and a link per scenario. */
export function renderIndexPage(report: DrillReport): string {
  const rows = report.scenarios
    .map(
      (r) =>
        `<tr><td><a href="${r.scenario}.html">${escape(r.scenario)}</a></td><td>${escape(`${ms(r.detectMs)}`)}</td><td>${escape(ms(r.switchMs))}</td><td>${r.failedAfterDetect}</td><td>${r.servedBlue}</td><td>${r.servedGreen}</td><td>${r.auditRecords}</td><td class="${r.passed ? 'pass' : 'fail'}">${r.passed ? 'passed' : 'FAILED'}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchback fire drill</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
.pass{color:#176f2c;font-weight:600}.fail{color:#b00020;font-weight:600}
</style></head><body>
<h1>Switchback fire drill <span class="${report.passed ? 'pass' : 'fail'}">${report.passed ? 'passed' : 'FAILED'}</span></h1>
<p>${escape(report.timeScale.description)} Generated ${escape(report.generatedAt)}.</p>
<table><tr><th>scenario</th><th>detect</th><th>switch</th><th>failed after detect</th><th>served blue</th><th>served green</th><th>audit records</th><th></th></tr>
${rows}</table>
</body></html>
`;
}

const COLORS = { blue: '#1f5fbf', green: '#2e9b46', error: '#b00020' };
const MARK_COLORS: Readonly<Record<Timeline['marks'][number]['kind'], string>> = {
  release: '#444',
  alarm: '#b00020',
  ok: '#777',
  manual: '#8a4b00',
  switch: '#1f5fbf',
  decision: '#6a3d9a',
  weight: '#2e9b46',
  check: '#0b6e75',
  promote: '#176f2c',
  verify: '#b35900',
  'kill-switch': '#8a4b00',
  flag: '#555',
  deploy: '#444',
  operator: '#8a4b00',
  backup: '#0b6e75',
  group: '#6a3d9a',
};

/** Two stacked charts over the same time axis: requests/s per color, and the error rate. */
export function timelineSvg(timeline: Timeline, timeScale: number): string {
  const width = 860;
  const left = 56;
  const right = 16;
  const chartHeight = 150;
  const gap = 46;
  const top = 40;
  const { buckets, marks, bucketMs } = timeline;
  if (buckets.length === 0) return '<p>No traffic was recorded.</p>';
  const t0 = Math.min(buckets[0]?.t ?? 0, ...marks.map((m) => m.t));
  const t1 = Math.max((buckets[buckets.length - 1]?.t ?? 0) + bucketMs, ...marks.map((m) => m.t));
  const x = (t: number) => left + ((t - t0) / Math.max(1, t1 - t0)) * (width - left - right);
  const perSecond = (n: number) => (n * 1000) / bucketMs;
  const maxRate = Math.max(1, ...buckets.map((b) => perSecond(Math.max(b.blue, b.green))));
  const rateTop = top;
  const errorTop = top + chartHeight + gap;
  const height = errorTop + chartHeight + 40;
  const yRate = (v: number) => rateTop + chartHeight - (v / maxRate) * chartHeight;
  const yError = (pct: number) => errorTop + chartHeight - (pct / 100) * chartHeight;
  const path = (points: Array<[number, number]>) =>
    points.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
  const mid = (t: number) => x(t + bucketMs / 2);
  const blueLine = path(buckets.map((b) => [mid(b.t), yRate(perSecond(b.blue))]));
  const greenLine = path(buckets.map((b) => [mid(b.t), yRate(perSecond(b.green))]));
  const errorLine = path(
    buckets.map((b) => [mid(b.t), yError(b.sent === 0 ? 0 : (100 * b.failed) / b.sent)]),
  );
  const ticks: string[] = [];
  const step = t1 - t0 > 12_000 ? 2000 : 1000;
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    for (const base of [rateTop, errorTop]) {
      ticks.push(
        `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${base + chartHeight}" y2="${base + chartHeight + 4}" stroke="#999"/>`,
      );
    }
    ticks.push(
      `<text x="${x(t).toFixed(1)}" y="${errorTop + chartHeight + 16}" text-anchor="middle" font-size="11">${t / 1000}s</text>`,
    );
  }
  const markLines = marks.map((m, i) => {
    const color = MARK_COLORS[m.kind];
    const dash =
      m.kind === 'ok' || m.kind === 'decision' || m.kind === 'check' || m.kind === 'verify'
        ? ' stroke-dasharray="4 3"'
        : m.kind === 'release'
          ? ' stroke-dasharray="2 2"'
          : '';
    const px = x(m.t).toFixed(1);
    return `<line x1="${px}" x2="${px}" y1="${rateTop - 6}" y2="${errorTop + chartHeight}" stroke="${color}" stroke-width="1.5"${dash}/>
<text x="${px}" y="${rateTop - 10 - (i % 3) * 11}" text-anchor="middle" font-size="11" fill="${color}">${escape(m.label)}</text>`;
  });
  const axis = (base: number, label: string, max: string) =>
    `<line x1="${left}" x2="${width - right}" y1="${base + chartHeight}" y2="${base + chartHeight}" stroke="#999"/>
<line x1="${left}" x2="${left}" y1="${base}" y2="${base + chartHeight}" stroke="#999"/>
<text x="${left - 6}" y="${base + 10}" text-anchor="end" font-size="11">${max}</text>
<text x="${left - 6}" y="${base + chartHeight}" text-anchor="end" font-size="11">0</text>
<text x="${left + 6}" y="${base + 12}" font-size="12" fill="#444">${label}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Traffic and error rate over time">
<rect width="100%" height="100%" fill="#fff"/>
${axis(rateTop, 'production requests/s: <tspan fill="' + COLORS.blue + '">blue</tspan>, <tspan fill="' + COLORS.green + '">green</tspan>', maxRate.toFixed(0))}
${axis(errorTop, 'failed requests (5xx or no answer), % of sent', '100%')}
<path d="${blueLine}" fill="none" stroke="${COLORS.blue}" stroke-width="2"/>
<path d="${greenLine}" fill="none" stroke="${COLORS.green}" stroke-width="2"/>
<path d="${errorLine}" fill="none" stroke="${COLORS.error}" stroke-width="2"/>
${ticks.join('\n')}
${markLines.join('\n')}
<text x="${width - right}" y="${height - 6}" text-anchor="end" font-size="11" fill="#666">seconds since the release (×${timeScale} for CloudWatch time)</text>
</svg>`;
}

/** Rows of the text timeline: this many ms each. */
const TEXT_ROW_MS = 500;
/** Characters of the share bar: one per 5 % of production traffic. */
const BAR_WIDTH = 20;

/**
 * The timeline as text, one row per half second: the production listener's share to green as a bar
 * (`█` green, `·` blue), requests sent and the share that failed, and what happened in the row.
 */
export function renderTimelineText(timeline: Timeline): string {
  if (timeline.lanes) return renderLanesText(timeline, timeline.lanes);
  const rows = new Map<
    number,
    { sent: number; failed: number; greenWeightPercent: number; marks: string[] }
  >();
  const row = (t: number) => {
    const at = Math.floor(t / TEXT_ROW_MS) * TEXT_ROW_MS;
    const found = rows.get(at) ?? { sent: 0, failed: 0, greenWeightPercent: 0, marks: [] };
    rows.set(at, found);
    return found;
  };
  for (const bucket of timeline.buckets) {
    const r = row(bucket.t);
    r.sent += bucket.sent;
    r.failed += bucket.failed;
    r.greenWeightPercent = Math.max(r.greenWeightPercent, bucket.greenWeightPercent);
  }
  for (const mark of timeline.marks) row(mark.t).marks.push(mark.label);
  const lines = ['     t  production share (█ green, · blue)  green  sent  failed  marks'];
  for (const [t, r] of [...rows.entries()].sort((a, b) => a[0] - b[0])) {
    const green = Math.round((r.greenWeightPercent / 100) * BAR_WIDTH);
    const bar = '█'.repeat(green) + '·'.repeat(BAR_WIDTH - green);
    const failed = r.sent === 0 ? '' : `${Math.round((100 * r.failed) / r.sent)}%`;
    lines.push(
      `${`${(t / 1000).toFixed(1)}s`.padStart(6)}  ${bar.padEnd(35)} ${`${r.greenWeightPercent}%`.padStart(5)}  ${String(r.sent).padStart(4)}  ${failed.padStart(6)}  ${r.marks.join(', ')}`.trimEnd(),
    );
  }
  return lines.join('\n');
}

/** Characters of a service's share bar, with several services: one per 10 %. */
const LANE_BAR_WIDTH = 10;

/**
 * The timeline of several services as text, one row per half second: per service, its production
 * listener's share to green as a bar, that share, and the share of its requests that failed; then what
 * happened in the row.
 */
function renderLanesText(timeline: Timeline, lanes: NonNullable<Timeline['lanes']>): string {
  type Cell = { sent: number; failed: number; greenWeightPercent: number };
  const rows = new Map<number, { cells: Cell[]; marks: string[] }>();
  const row = (t: number) => {
    const at = Math.floor(t / TEXT_ROW_MS) * TEXT_ROW_MS;
    const found = rows.get(at) ?? {
      cells: lanes.map(() => ({ sent: 0, failed: 0, greenWeightPercent: 0 })),
      marks: [],
    };
    rows.set(at, found);
    return found;
  };
  lanes.forEach((lane, i) => {
    for (const bucket of lane.buckets) {
      const cell = row(bucket.t).cells[i] as Cell;
      cell.sent += bucket.sent;
      cell.failed += bucket.failed;
      cell.greenWeightPercent = Math.max(cell.greenWeightPercent, bucket.greenWeightPercent);
    }
  });
  for (const mark of timeline.marks) row(mark.t).marks.push(mark.label);
  const width = LANE_BAR_WIDTH + 14;
  const lines = [
    `     t  ${lanes.map((l) => `${l.name}`.padEnd(width)).join('')}marks`,
    `        ${lanes.map(() => `${'share'.padEnd(LANE_BAR_WIDTH)}${'green'.padStart(5)}${'failed'.padStart(7)}`.padEnd(width)).join('')}(█ green, · blue)`,
  ];
  for (const [t, r] of [...rows.entries()].sort((a, b) => a[0] - b[0])) {
    const cells = r.cells.map((c) => {
      const green = Math.round((c.greenWeightPercent / 100) * LANE_BAR_WIDTH);
      const bar = '█'.repeat(green) + '·'.repeat(LANE_BAR_WIDTH - green);
      const failed = c.sent === 0 ? '' : `${Math.round((100 * c.failed) / c.sent)}%`;
      return `${bar}${`${c.greenWeightPercent}%`.padStart(5)}${failed.padStart(7)}`.padEnd(width);
    });
    lines.push(
      `${`${(t / 1000).toFixed(1)}s`.padStart(6)}  ${cells.join('')}${r.marks.join(', ')}`.trimEnd(),
    );
  }
  return lines.join('\n');
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
