/**
 * The watchdog benchmark's scenarios: a released world (captured, moved to green, alarm in ALARM),
 * one alarm invocation measured from the outside (the emulator's request log and the audit record),
 * and the records built from the runs' medians.
 */
import {
  CreateRuleCommand,
  ModifyRuleCommand,
  type Action,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { watchdogConfigKey, type WatchdogConfigInput } from '../../lib';
import type { BlueGreen } from '../../test/emulator/elbv2-fixtures';
import type { Emulator, RequestLogEntry } from '../../test/emulator/index';
import {
  createWorld,
  createWorldRuntime,
  SERVICE,
  snsAlarmEvent,
  type World,
} from '../../test/watchdog/harness';
import { median, round, type BenchRecord } from '../record';

export const RUNS = Number(process.env.BENCH_RUNS ?? '5');
/** Latency added to every AWS call in the timed cases. */
export const LATENCY_MS = 20;
/** The protected alarm of every world. */
export const ALARM = 'checkout-5xx';

/** A world whose release was captured on blue and then moved to green: an alarm rolls it back. */
export interface Released {
  readonly world: World;
  /** ARNs of the listener rules the watchdog protects, per listener. */
  readonly ruleArns: string[][];
}

export interface ReleaseOptions {
  readonly listeners: number;
  /** Listener rules per listener, protected by priority (1..n) along with the default actions. @default 0 */
  readonly rulesPerListener?: number;
  readonly releaseId?: string;
}

const forward = (pair: BlueGreen, blue: number, green: number): Action[] => [
  {
    Type: 'forward',
    ForwardConfig: {
      TargetGroups: [
        { TargetGroupArn: pair.blueArn, Weight: blue },
        { TargetGroupArn: pair.greenArn, Weight: green },
      ],
    },
  },
];

/**
 * Builds a world, adds the listener rules (and names them in the stored configuration by
 * priority, before the capture reads it), captures the release on blue, moves every listener and
 * rule to green and sets the protected alarm to ALARM.
 */
export async function released(emulator: Emulator, options: ReleaseOptions): Promise<Released> {
  const world = await createWorld(emulator, { listeners: options.listeners });
  const rules = options.rulesPerListener ?? 0;
  const ruleArns = await Promise.all(world.pairs.map((pair) => createRules(world.elbv2, pair, rules)));
  if (rules > 0) await protectRulePriorities(world, rules);
  // Alarm names are per emulator, not per world: a previous world may have left it in ALARM.
  world.setAlarm(ALARM, 'OK');
  await world.invoke({ action: 'capture', releaseId: options.releaseId ?? 'r1' });
  await world.shiftToGreen();
  await Promise.all(
    world.pairs.flatMap((pair, i) =>
      ruleArns[i].map((RuleArn) =>
        world.elbv2.send(new ModifyRuleCommand({ RuleArn, Actions: forward(pair, 0, 100) })),
      ),
    ),
  );
  // A release bakes for minutes before an alarm fires: the capture's reads (two Describe calls per
  // listener) have long been refilled in ELBv2's Describe budget by then, which the watchdog's
  // client-side budget models (40 tokens, 10 a second). Wait for that refill, as time would.
  await new Promise((resolve) => setTimeout(resolve, DESCRIBE_BUDGET_REFILL_MS));
  world.setAlarm(ALARM, 'ALARM');
  return { world, ruleArns };
}

/** Time for an empty ELBv2 Describe budget (40 tokens at 10 a second) to fill again. */
const DESCRIBE_BUDGET_REFILL_MS = 4_100;

async function createRules(
  elbv2: ElasticLoadBalancingV2Client,
  pair: BlueGreen,
  count: number,
): Promise<string[]> {
  const arns: string[] = [];
  for (let priority = 1; priority <= count; priority++) {
    const out = await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: pair.listenerArn,
        Priority: priority,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [`/r${priority}/*`] } }],
        Actions: forward(pair, 100, 0),
      }),
    );
    arns.push(out.Rules?.[0]?.RuleArn as string);
  }
  return arns;
}

/** Adds `rulePriorities: [1..count]` to every listener of the world's stored configuration. */
async function protectRulePriorities(world: World, count: number): Promise<void> {
  const key = watchdogConfigKey(SERVICE);
  const stored = world.emulator.s3.text(world.bucket, key);
  if (stored === undefined) throw new Error(`no watchdog configuration at ${world.bucket}/${key}`);
  const config = JSON.parse(stored) as WatchdogConfigInput;
  const priorities = Array.from({ length: count }, (_, i) => i + 1);
  const next: WatchdogConfigInput = {
    ...config,
    listeners: config.listeners.map((l) => ({ ...l, rulePriorities: priorities })),
  };
  await world.s3.send(new PutObjectCommand({ Bucket: world.bucket, Key: key, Body: JSON.stringify(next) }));
}

/** One alarm invocation, seen from outside the watchdog. */
export interface AlarmRun {
  /** The handler call, from just before it (or before the fresh runtime is built) to its return. */
  readonly invocationMs: number;
  /** From the state change to the answer of the last successful ModifyListener/ModifyRule. */
  readonly trafficMovedMs?: number;
  /** The audit record's timeToRollbackMs (state change to traffic verified), when it has one. */
  readonly verifiedMs?: number;
  /** The audit record's outcome, or `no audit record`. */
  readonly outcome: string;
  /** The handler's error, when it threw. */
  readonly error?: string;
  /** Listeners and rules with a successful Modify* call. */
  readonly targetsMoved: number;
  readonly calls: readonly RequestLogEntry[];
}

export interface AlarmOptions {
  /** A new runtime (new clients, no cached configuration) built inside the timed span. @default false */
  readonly coldContainer?: boolean;
}

/**
 * Sends the protected alarm's ALARM notification, stamped with the time it is sent (so the
 * audit record's timeToRollbackMs runs from the handler's start), with the request log cleared.
 */
export async function invokeAlarm(world: World, options: AlarmOptions = {}): Promise<AlarmRun> {
  return invokeEvent(world, ALARM, 'ALARM', options);
}

/** Sends an alarm notification and reads what it did from the request log and the audit records. */
export async function invokeEvent(
  world: World,
  alarmName: string,
  state: 'ALARM' | 'OK',
  options: AlarmOptions = {},
): Promise<AlarmRun> {
  const auditBefore = (await world.auditRecords()).length;
  world.emulator.requestLog.clear();
  const stateChangedAt = Date.now();
  const started = performance.now();
  let error: string | undefined;
  try {
    const handler = options.coldContainer ? createWorldRuntime(world) : world.invoke;
    await handler(snsAlarmEvent(alarmName, state, stateChangedAt));
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  const invocationMs = performance.now() - started;
  const calls = world.emulator.requestLog.entries();

  const modified = calls.filter(
    (c) =>
      c.service === 'elbv2' &&
      (c.action === 'ModifyListener' || c.action === 'ModifyRule') &&
      c.status === 200,
  );
  const lastModify = Math.max(...modified.map((c) => c.time + c.durationMs));
  const targets = new Set(modified.map((c) => String(c.params.ListenerArn ?? c.params.RuleArn)));
  const record = (await world.auditRecords()).slice(auditBefore).find((r) => r.trigger.kind === 'alarm');
  return {
    invocationMs,
    trafficMovedMs: modified.length > 0 ? lastModify - stateChangedAt : undefined,
    verifiedMs: record?.timeToRollbackMs,
    outcome: record?.outcome ?? 'no audit record',
    error,
    targetsMoved: targets.size,
    calls,
  };
}

/**
 * `s3:GetObject ×2, sns:Publish` for a list of calls; with `keys`, S3 calls name their key (ids in
 * the file name as `*`) and error answers their status: `s3:PutObject audit/checkout/lock.json 412`.
 */
export function describeCalls(
  calls: readonly RequestLogEntry[],
  options: { readonly keys?: boolean } = {},
): string {
  const counts = new Map<string, number>();
  for (const c of calls) {
    const key = typeof c.params.Key === 'string' ? c.params.Key.replace(/[^/]*\d[^/]*(?=\.json$)/, '*') : '';
    const name = [
      `${c.service}:${c.action}`,
      ...(options.keys && key ? [key] : []),
      ...(options.keys && c.status >= 300 ? [String(c.status)] : []),
    ].join(' ');
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, n]) => (n === 1 ? name : `${name} ×${n}`)).join(', ') || 'none';
}

/** `rolled-back 3/5, partial 2/5`. */
export function tally(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${v} ${n}/${values.length}`).join(', ');
}

/**
 * The median over the runs that produced a value, as a record; `baseline` is the same metric's
 * runs of the baseline case. Runs without a value are counted in the note; when no run has one
 * there is no figure, and no record (the caller records how many runs had one).
 */
export function medianRecord(
  name: string,
  metric: string,
  unit: string,
  values: readonly (number | undefined)[],
  baseline?: readonly (number | undefined)[],
  digits = 0,
): BenchRecord[] {
  const present = values.filter((v): v is number => v !== undefined);
  if (present.length === 0) return [];
  const base = baseline?.filter((v): v is number => v !== undefined) ?? [];
  const notes: string[] = [];
  if (present.length < values.length) notes.push(`${present.length}/${values.length} runs had a value`);
  if (baseline && base.length < baseline.length)
    notes.push(`baseline: ${base.length}/${baseline.length} runs had a value`);
  const baselineValue = base.length > 0 ? round(median(base), digits) : undefined;
  return [
    {
      case: name,
      metric,
      value: round(median(present), digits),
      unit,
      ...(baselineValue !== undefined ? { baseline: baselineValue } : {}),
      ...(baselineValue !== undefined && median(base) !== 0
        ? { ratio: round(median(present) / median(base), 2) }
        : {}),
      ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    },
  ];
}

/** A count over the runs (e.g. runs that rolled back), against the baseline's count. */
export function countRecord(
  name: string,
  metric: string,
  count: number,
  baseline: number | undefined,
  note: string,
): BenchRecord {
  return {
    case: name,
    metric,
    value: count,
    unit: 'runs',
    ...(baseline !== undefined ? { baseline } : {}),
    ...(baseline ? { ratio: round(count / baseline, 2) } : {}),
    note,
  };
}

/** Progress on stderr, so stdout keeps only the table. */
export function tick(mark = '.'): void {
  process.stderr.write(mark);
}
