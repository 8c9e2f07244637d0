/**
 * The watchdog's ports in memory, for handler tests without the emulator, the SDK or a network. Each
 * fake keeps the behaviour the engine relies on from the real service: S3's versions, delete markers
 * and conditional writes (ETags are MD5s of the content, as S3 gives them), ELBv2's listeners, rules
 * and target health (with its not-found and validation errors), CloudWatch's alarm states, Lambda
 * aliases, SSM parameter history. Every port call is journaled, and faults can be injected per call.
 */
import { FakeBackup, FakeGroup, FakeIdentity } from './fake-release-safety';
import { createHash } from 'node:crypto';
import {
  auditKeyPrefix,
  parseAuditRecord,
  parseWatchdogConfig,
  watchdogConfigKey,
  watchdogLockKey,
  type AuditRecord,
  type CapturedAlias,
  type ListenerAction,
  type RollbackPolicy,
  type WatchdogConfig,
  type WatchdogConfigInput,
} from '../../lib';
import type { Log, MetricsSink } from '../../lambdas/watchdog/engine/context';
import type { Probe } from '../../lambdas/watchdog/engine/health-ping';
import type { Clock } from '../../lambdas/watchdog/engine/retry';
import { createHandler, type HandlerDependencies } from '../../lambdas/watchdog/handler';
import {
  AwsCallError,
  type AlarmPort,
  type AlarmState,
  type AlarmStateValue,
  type AliasPort,
  type ArtifactPort,
  type ListenerState,
  type RuleState,
  type NotifyPort,
  type SmokeCheckPort,
  type ParameterPort,
  type StoredJson,
  type StorePort,
  type TargetHealthSummary,
  type TrafficPort,
  type WatchdogPorts,
  type WriteCondition,
} from '../../lambdas/watchdog/ports';
import { ACCOUNT, alarmArn, listenerArn, T0, targetGroupArn } from './fixtures';

const clone = <T>(value: T): T => structuredClone(value);

/** Lets other pending work run first, as a network round trip would. */
const roundTrip = () => Promise.resolve();

// ---------------------------------------------------------------------------------------------
// Time, logs, metrics

/** A clock that moves only when told to, or when the code under test sleeps. */
export class ManualClock implements Clock {
  constructor(private current = T0) {}

  now(): number {
    return this.current;
  }

  /** Moves time on by `ms`, then yields a macrotask turn so that other runs' pending work goes first. */
  async sleep(ms: number): Promise<void> {
    this.current += Math.max(0, ms);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

export interface LogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly extra?: Record<string, unknown>;
}

/** A log that prints nothing and keeps what was logged. */
export class RecordingLog implements Log {
  readonly entries: LogEntry[] = [];
  keys: Record<string, unknown> = {};

  info(message: string, extra?: Record<string, unknown>): void {
    this.entries.push({ level: 'info', message, ...(extra ? { extra } : {}) });
  }
  warn(message: string, extra?: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', message, ...(extra ? { extra } : {}) });
  }
  error(message: string, extra?: Record<string, unknown>): void {
    this.entries.push({ level: 'error', message, ...(extra ? { extra } : {}) });
  }
  withKeys(keys: Record<string, unknown>): void {
    this.keys = { ...this.keys, ...keys };
  }
  clearKeys(): void {
    this.keys = {};
  }
}

/** Metrics kept in memory; `flush` counts flushes. */
export class RecordingMetrics implements MetricsSink {
  readonly decisions: string[] = [];
  readonly timesToRollback: number[] = [];
  readonly services: string[] = [];
  flushes = 0;

  timeToRollback(milliseconds: number): void {
    this.timesToRollback.push(milliseconds);
  }
  decision(outcome: string): void {
    this.decisions.push(outcome);
  }
  forService(service: string): void {
    this.services.push(service);
  }
  flush(): void {
    this.flushes++;
  }
}

// ---------------------------------------------------------------------------------------------
// The journal of port calls, and injected faults

export interface PortCall {
  /** `port.method`, e.g. `traffic.restoreListenerActions`. */
  readonly operation: string;
  readonly args: unknown[];
}

export interface Fault {
  /** `port.method` to fail. */
  readonly operation: string;
  /** Which calls to fail. @default every call */
  readonly match?: (args: unknown[]) => boolean;
  readonly error: Error;
  /** Fails this many matching calls, then passes. @default until removed */
  readonly times?: number;
}

export class Journal {
  readonly calls: PortCall[] = [];
  private readonly faults = new Set<{ fault: Fault; left: number }>();

  /** Fails matching calls with `fault.error` until removed (or `times` calls failed). */
  addFault(fault: Fault): { remove(): void } {
    const entry = { fault, left: fault.times ?? Number.POSITIVE_INFINITY };
    this.faults.add(entry);
    return { remove: () => this.faults.delete(entry) };
  }

  /** Calls of `operation`, in order. */
  callsOf(operation: string): PortCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  /** Records the call and throws the fault injected for it, if any. */
  enter(operation: string, args: unknown[]): void {
    this.calls.push({ operation, args: clone(args) });
    for (const entry of this.faults) {
      if (entry.fault.operation !== operation || entry.left <= 0) continue;
      if (entry.fault.match && !entry.fault.match(args)) continue;
      entry.left--;
      throw entry.fault.error;
    }
  }
}

/** Wraps a port so each of its methods is journaled (and can be made to fail) before it runs. */
export function journaled<T extends object>(port: string, target: T, journal: Journal): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return async (...args: unknown[]) => {
        await roundTrip();
        journal.enter(`${port}.${property}`, args);
        return (value as (...a: unknown[]) => Promise<unknown>).apply(object, args);
      };
    },
  });
}

/** An error as an adapter maps it (the engine retries `throttled` and `transient` only). */
export const awsError = (kind: AwsCallError['kind'], operation: string, code: string, message = code) =>
  new AwsCallError(kind, operation, code, message);

// ---------------------------------------------------------------------------------------------
// S3: one versioned bucket, seen as the store (JSON documents) and as artifacts

interface ObjectVersion {
  readonly versionId: string;
  readonly etag: string;
  readonly body: string;
  readonly deleteMarker: boolean;
  readonly metadata: Readonly<Record<string, string>>;
}

/** A successful write to the bucket. */
export interface BucketWrite {
  readonly key: string;
  readonly kind: 'put' | 'delete' | 'copy';
  readonly versionId: string;
}

/** A versioned S3 bucket. */
export class FakeBucket {
  private readonly objects = new Map<string, ObjectVersion[]>();
  private nextVersion = 1;
  /** Every successful write, in order. */
  readonly writes: BucketWrite[] = [];

  constructor(readonly name: string) {}

  private newVersionId(): string {
    return `3sL4kqtJlcpXroDTDmJ.${String(this.nextVersion++).padStart(8, '0')}`;
  }

  /** The current version, unless there is none or it is a delete marker. */
  current(key: string): ObjectVersion | undefined {
    const versions = this.objects.get(key);
    const latest = versions?.[versions.length - 1];
    return latest && !latest.deleteMarker ? latest : undefined;
  }

  version(key: string, versionId: string): ObjectVersion | undefined {
    return this.objects.get(key)?.find((v) => v.versionId === versionId && !v.deleteMarker);
  }

  put(
    key: string,
    body: string,
    metadata: Record<string, string> = {},
    kind: 'put' | 'copy' = 'put',
  ): ObjectVersion {
    const version: ObjectVersion = {
      versionId: this.newVersionId(),
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      body,
      deleteMarker: false,
      metadata: { ...metadata },
    };
    this.objects.set(key, [...(this.objects.get(key) ?? []), version]);
    this.writes.push({ key, kind, versionId: version.versionId });
    return version;
  }

  /** Adds a delete marker (a versioned bucket adds one even when the key has no object). */
  delete(key: string): void {
    const marker: ObjectVersion = {
      versionId: this.newVersionId(),
      etag: '',
      body: '',
      deleteMarker: true,
      metadata: {},
    };
    this.objects.set(key, [...(this.objects.get(key) ?? []), marker]);
    this.writes.push({ key, kind: 'delete', versionId: marker.versionId });
  }

  /** Keys with a current (not deleted) object, sorted as ListObjectsV2 lists them. */
  keys(prefix = ''): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix) && this.current(k)).sort();
  }

  /** Every key ever written (delete markers included). */
  keysEverWritten(prefix = ''): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  /** The current object parsed as JSON, or undefined. */
  json(key: string): unknown {
    const current = this.current(key);
    return current ? (JSON.parse(current.body) as unknown) : undefined;
  }
}

/** The store port over a fake bucket: what `createStoreAdapter` does over S3. */
export function fakeStore(bucket: FakeBucket): StorePort {
  return {
    async getJson(key: string, versionId?: string): Promise<StoredJson | undefined> {
      const found = versionId === undefined ? bucket.current(key) : bucket.version(key, versionId);
      if (!found) {
        // No object is an answer; a missing version is an error.
        if (versionId === undefined) return undefined;
        throw awsError('not-found', 'GetObject', 'NoSuchVersion', `version ${versionId} of ${key}`);
      }
      let body: unknown;
      try {
        body = JSON.parse(found.body);
      } catch {
        throw awsError('invalid', 'GetObject', 'InvalidJson', `s3://${bucket.name}/${key} is not JSON`);
      }
      return { body, etag: found.etag, versionId: found.versionId };
    },

    async putJson(key: string, body: unknown, condition?: WriteCondition) {
      const current = bucket.current(key);
      if (condition && 'ifNoneMatch' in condition && current) return 'precondition-failed';
      // If-Match on a key with no current object fails too (S3 answers NoSuchKey; the adapter maps it).
      if (condition && 'ifMatch' in condition && current?.etag !== condition.ifMatch)
        return 'precondition-failed';
      const written = bucket.put(key, JSON.stringify(body));
      return { etag: written.etag, versionId: written.versionId };
    },

    async deleteObject(key: string): Promise<void> {
      bucket.delete(key);
    },
  };
}

/** Object metadata naming the version a restore copied (as the artifact adapter writes it). */
const RESTORED_FROM = 'switchback-restored-from';

/** The artifact port over a fake bucket: what `createArtifactAdapter` does over S3. */
export function fakeArtifacts(bucket: FakeBucket): ArtifactPort {
  const matchesVersion = async (key: string, versionId: string): Promise<boolean> => {
    const live = bucket.current(key);
    return live !== undefined && (live.versionId === versionId || live.metadata[RESTORED_FROM] === versionId);
  };
  return {
    async currentVersionId(key: string): Promise<string> {
      const live = bucket.current(key);
      if (!live) throw awsError('not-found', 'HeadObject', 'NotFound', `s3://${bucket.name}/${key}`);
      return live.versionId;
    },
    matchesVersion,
    async restoreVersion(key: string, versionId: string): Promise<void> {
      if (await matchesVersion(key, versionId)) return;
      const source = bucket.version(key, versionId);
      if (!source)
        throw awsError(
          'not-found',
          'HeadObject',
          'NotFound',
          `version ${versionId} of ${key} does not exist`,
        );
      bucket.put(key, source.body, { ...source.metadata, [RESTORED_FROM]: versionId }, 'copy');
    },
  };
}

// ---------------------------------------------------------------------------------------------
// ELBv2

interface FakeRule {
  readonly ruleArn: string;
  readonly priority: string;
  actions: ListenerAction[];
  readonly unsupported?: string;
}

interface FakeListener {
  readonly listenerArn: string;
  readonly loadBalancerArn: string;
  readonly port: number;
  defaultActions: ListenerAction[];
  readonly rules: FakeRule[];
}

type TargetState = 'healthy' | 'unhealthy' | 'initial' | 'draining';

interface FakeTargetGroup {
  readonly arn: string;
  readonly name: string;
  readonly targets: Map<string, TargetState>;
}

/** Listeners, rules and target groups of application load balancers. */
export class FakeTraffic implements TrafficPort {
  private readonly listeners = new Map<string, FakeListener>();
  private readonly targetGroups = new Map<string, FakeTargetGroup>();

  addTargetGroup(name: string, targets: Record<string, TargetState> = { 'i-1': 'healthy' }): string {
    const arn = targetGroupArn(name);
    this.targetGroups.set(arn, { arn, name, targets: new Map(Object.entries(targets)) });
    return arn;
  }

  addListener(listener: {
    listenerArn: string;
    loadBalancerArn: string;
    port: number;
    defaultActions: ListenerAction[];
  }): void {
    this.validate('CreateListener', listener.defaultActions);
    this.listeners.set(listener.listenerArn, { ...clone(listener), rules: [] });
  }

  addRule(listenerArnValue: string, rule: FakeRule): void {
    this.listener('CreateRule', listenerArnValue).rules.push(clone(rule));
  }

  /** What a deploy does: sets default actions directly (not through the port, not journaled). */
  setDefaultActions(listenerArnValue: string, actions: ListenerAction[]): void {
    this.validate('ModifyListener', actions);
    this.listener('ModifyListener', listenerArnValue).defaultActions = clone(actions);
  }

  /** Replaces the group's targets (e.g. `{ 'i-1': 'healthy', 'i-2': 'unhealthy' }`). */
  setTargets(targetGroupArnValue: string, targets: Record<string, TargetState>): void {
    const group = this.group('DescribeTargetHealth', targetGroupArnValue);
    group.targets.clear();
    for (const [id, state] of Object.entries(targets)) group.targets.set(id, state);
  }

  setTargetHealth(targetGroupArnValue: string, state: TargetState): void {
    const group = this.group('DescribeTargetHealth', targetGroupArnValue);
    for (const id of group.targets.keys()) group.targets.set(id, state);
  }

  /** The live default actions of a listener. */
  defaultActionsOf(listenerArnValue: string): ListenerAction[] {
    return clone(this.listener('DescribeListeners', listenerArnValue).defaultActions);
  }

  private listener(operation: string, arn: string): FakeListener {
    const found = this.listeners.get(arn);
    if (!found) throw awsError('not-found', operation, 'ListenerNotFound', `listener ${arn} not found`);
    return found;
  }

  private group(operation: string, arn: string): FakeTargetGroup {
    const found = this.targetGroups.get(arn);
    if (!found)
      throw awsError('not-found', operation, 'TargetGroupNotFound', `target group ${arn} not found`);
    return found;
  }

  /** ELBv2 refuses an empty action list, and a forward to a target group that does not exist. */
  private validate(operation: string, actions: readonly ListenerAction[]): void {
    if (actions.length === 0)
      throw awsError('invalid', operation, 'ValidationError', 'at least one action is required');
    for (const action of actions) {
      if (action.type !== 'forward') continue;
      if (action.forwardConfig.targetGroups.length === 0)
        throw awsError('invalid', operation, 'ValidationError', 'a forward action needs a target group');
      for (const g of action.forwardConfig.targetGroups) this.group(operation, g.targetGroupArn);
    }
  }

  async describeListener(arn: string): Promise<ListenerState> {
    const listener = this.listener('DescribeListeners', arn);
    return clone({
      listenerArn: listener.listenerArn,
      defaultActions: listener.defaultActions,
      rules: listener.rules.map((r) => ({
        ruleArn: r.ruleArn,
        priority: r.priority,
        actions: r.unsupported ? [] : r.actions,
        ...(r.unsupported ? { unsupported: r.unsupported } : {}),
      })),
    });
  }

  async describeDefaultActions(arns: readonly string[]): Promise<Map<string, ListenerAction[]>> {
    const found = new Map<string, ListenerAction[]>();
    for (const arn of arns) {
      const listener = this.listeners.get(arn);
      if (listener) found.set(arn, clone(listener.defaultActions));
    }
    return found;
  }

  async describeRules(arn: string): Promise<RuleState[]> {
    return (await this.describeListener(arn)).rules;
  }

  async restoreListenerActions(arn: string, actions: ListenerAction[]): Promise<void> {
    const listener = this.listener('ModifyListener', arn);
    this.validate('ModifyListener', actions);
    listener.defaultActions = clone(actions);
  }

  async restoreRuleActions(ruleArn: string, actions: ListenerAction[]): Promise<void> {
    const rule = [...this.listeners.values()].flatMap((l) => l.rules).find((r) => r.ruleArn === ruleArn);
    if (!rule) throw awsError('not-found', 'ModifyRule', 'RuleNotFound', `rule ${ruleArn} not found`);
    this.validate('ModifyRule', actions);
    rule.actions = clone(actions);
  }

  async targetHealth(arn: string): Promise<TargetHealthSummary> {
    const targets = [...this.group('DescribeTargetHealth', arn).targets.values()];
    return {
      targetGroupArn: arn,
      healthy: targets.filter((s) => s === 'healthy').length,
      total: targets.length,
    };
  }

  async findListenerArn(loadBalancerArn: string, port: number): Promise<string | undefined> {
    return [...this.listeners.values()].find((l) => l.loadBalancerArn === loadBalancerArn && l.port === port)
      ?.listenerArn;
  }

  async findTargetGroupArns(names: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const group of this.targetGroups.values())
      if (names.includes(group.name)) found.set(group.name, group.arn);
    return found;
  }
}

// ---------------------------------------------------------------------------------------------
// CloudWatch, Lambda, SSM, SNS, Backup

/** Alarms and their states. */
export class FakeAlarms implements AlarmPort {
  private readonly alarms = new Map<string, AlarmState>();

  constructor(private readonly clock: Clock) {}

  /** Creates the alarm, or changes its state (stamped with the clock's time). */
  set(name: string, value: AlarmStateValue, arn = alarmArn(name)): void {
    this.alarms.set(name, {
      name,
      arn,
      value,
      updatedAt: new Date(this.clock.now()).toISOString(),
    });
  }

  async alarmStates(names: readonly string[]): Promise<AlarmState[]> {
    return [...new Set(names)].flatMap((name) => {
      const state = this.alarms.get(name);
      return state ? [clone(state)] : [];
    });
  }
}

/** Lambda functions' published versions and aliases. */
export class FakeAliases implements AliasPort {
  private readonly functions = new Map<
    string,
    { versions: Set<string>; aliases: Map<string, CapturedAlias> }
  >();

  addFunction(functionName: string, versions: string[]): void {
    this.functions.set(functionName, { versions: new Set(versions), aliases: new Map() });
  }

  /** What a deploy does: points the alias (not journaled). */
  setAlias(alias: CapturedAlias): void {
    this.write('UpdateAlias', alias, true);
  }

  private fn(operation: string, functionName: string) {
    const found = this.functions.get(functionName);
    if (!found)
      throw awsError(
        'not-found',
        operation,
        'ResourceNotFoundException',
        `function ${functionName} not found`,
      );
    return found;
  }

  private write(operation: string, alias: CapturedAlias, create: boolean): void {
    const fn = this.fn(operation, alias.functionName);
    if (!create && !fn.aliases.has(alias.aliasName))
      throw awsError(
        'not-found',
        operation,
        'ResourceNotFoundException',
        `alias ${alias.aliasName} not found`,
      );
    for (const version of [alias.functionVersion, ...Object.keys(alias.additionalVersionWeights)]) {
      if (!fn.versions.has(version))
        throw awsError('not-found', operation, 'ResourceNotFoundException', `version ${version} not found`);
    }
    fn.aliases.set(alias.aliasName, clone(alias));
  }

  async describeAlias(functionName: string, aliasName: string): Promise<CapturedAlias> {
    const alias = this.fn('GetAlias', functionName).aliases.get(aliasName);
    if (!alias)
      throw awsError('not-found', 'GetAlias', 'ResourceNotFoundException', `alias ${aliasName} not found`);
    return clone(alias);
  }

  async restoreAlias(alias: CapturedAlias): Promise<void> {
    this.write('UpdateAlias', alias, false);
  }
}

/** SSM parameters with their version history. */
export class FakeParameters implements ParameterPort {
  private readonly history = new Map<string, { value: string; type: string }[]>();

  /** What a deploy does: writes a new version (not journaled). */
  put(name: string, value: string, type = 'String'): number {
    const versions = this.history.get(name) ?? [];
    versions.push({ value, type });
    this.history.set(name, versions);
    return versions.length;
  }

  valueOf(name: string): string | undefined {
    return this.history.get(name)?.at(-1)?.value;
  }

  private versions(operation: string, name: string) {
    const versions = this.history.get(name);
    if (!versions) throw awsError('not-found', operation, 'ParameterNotFound', `parameter ${name} not found`);
    return versions;
  }

  private wanted(name: string, version: number) {
    const versions = this.versions('GetParameterHistory', name);
    const wanted = versions[version - 1];
    if (!wanted)
      throw awsError('not-found', 'GetParameterHistory', 'ParameterVersionNotFound', `${name}:${version}`);
    return { wanted, newest: versions[versions.length - 1] };
  }

  async currentVersion(name: string): Promise<number> {
    return this.versions('GetParameter', name).length;
  }

  async matchesVersion(name: string, version: number): Promise<boolean> {
    const { wanted, newest } = this.wanted(name, version);
    return wanted.value === newest.value && wanted.type === newest.type;
  }

  async restoreVersion(name: string, version: number): Promise<void> {
    if (await this.matchesVersion(name, version)) return;
    const { wanted } = this.wanted(name, version);
    this.put(name, wanted.value, wanted.type);
  }

  async currentValue(name: string): Promise<string> {
    return this.versions('GetParameter', name).at(-1)?.value ?? '';
  }

  async putValue(name: string, value: string): Promise<number> {
    const versions = this.versions('GetParameterHistory', name);
    const newest = versions[versions.length - 1];
    if (newest?.value === value) return versions.length;
    return this.put(name, value, newest?.type);
  }
}

/** What a fake smoke-check target answers. */
export type FakeHttpAnswer = { readonly status: number; readonly body?: string } | { readonly error: string };
export type FakeFunctionAnswer = { readonly functionError?: string; readonly result: unknown };

/**
 * Smoke-check targets: URLs that answer a status and a body (200 "ok" unless told otherwise) and
 * user functions that answer a result (`{ passed: true }` unless told otherwise). Every request is kept.
 */
export class FakeSmokeChecks implements SmokeCheckPort {
  private readonly urls = new Map<string, FakeHttpAnswer>();
  private readonly functions = new Map<string, FakeFunctionAnswer>();
  /** Each invocation's payload, in order. */
  readonly invocations: { readonly functionArn: string; readonly payload: unknown }[] = [];
  /** Each URL requested, in order. */
  readonly requests: string[] = [];

  answer(url: string, answer: FakeHttpAnswer): void {
    this.urls.set(url, answer);
  }

  respond(functionArn: string, answer: FakeFunctionAnswer): void {
    this.functions.set(functionArn, answer);
  }

  async httpGet(url: string): Promise<{ status?: number; body?: string; error?: string }> {
    this.requests.push(url);
    return clone(this.urls.get(url) ?? { status: 200, body: 'ok' });
  }

  async invokeFunction(functionArn: string, payload: unknown): Promise<FakeFunctionAnswer> {
    this.invocations.push({ functionArn, payload: clone(payload) });
    return clone(this.functions.get(functionArn) ?? { result: { passed: true } });
  }
}

export interface Notification {
  readonly subject: string;
  readonly message: unknown;
}

/** SNS: what was published, or nothing when no topic is configured (as the adapter does). */
export function fakeNotify(topicArn: string | undefined, published: Notification[]): NotifyPort {
  return {
    async publish(subject: string, message: unknown): Promise<void> {
      if (topicArn === undefined) return;
      published.push({ subject, message: clone(message) });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A world: the fakes, the configuration in the store, and the handler wired to them

export const SERVICE = 'checkout';
export const BUCKET = 'checkout-artifacts';
export const ALARM = 'checkout-5xx';
export const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:switchback-checkout`;
const LOAD_BALANCER_ARN = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/shop/50dc6c495c0c9188`;

/** As the runtime: configuration cached per container for a minute; `fresh` skips the cache. */
const CONFIG_CACHE_MS = 60_000;

export interface FakeWorldOptions {
  /** Production listeners, each with its own blue and green target groups. @default 1 */
  readonly listeners?: number;
  readonly policy?: Partial<RollbackPolicy>;
  readonly extraConfig?: Partial<WatchdogConfigInput>;
  readonly lockWaitMs?: number;
  readonly probe?: Probe;
}

export interface ListenerPair {
  readonly listenerArn: string;
  readonly blueArn: string;
  readonly greenArn: string;
}

const forward = (pair: ListenerPair, blue: number, green: number): ListenerAction[] => [
  {
    type: 'forward',
    forwardConfig: {
      targetGroups: [
        { targetGroupArn: pair.blueArn, weight: blue },
        { targetGroupArn: pair.greenArn, weight: green },
      ],
    },
  },
];

/** Builds the handler's dependencies over in-memory ports, wired as `createRuntime` wires the real ones. */
export function fakeDependencies(parts: {
  readonly bucket: FakeBucket;
  readonly ports: Omit<WatchdogPorts, 'store' | 'artifacts' | 'notify' | 'backup'>;
  readonly published: Notification[];
  readonly backup: FakeBackup;
  readonly journal: Journal;
  readonly clock: ManualClock;
  readonly log: RecordingLog;
  readonly metrics: RecordingMetrics;
  readonly probe: Probe;
  readonly lockWaitMs?: number;
  readonly onLoadConfig?: () => void;
}): HandlerDependencies {
  const { bucket, journal, clock } = parts;
  let cached: { readonly loaded: Promise<WatchdogConfig>; readonly at: number } | undefined;
  const loadConfig = (options: { readonly fresh?: boolean } = {}): Promise<WatchdogConfig> => {
    parts.onLoadConfig?.();
    const now = clock.now();
    if (!cached || options.fresh || now - cached.at > CONFIG_CACHE_MS) {
      const key = watchdogConfigKey(SERVICE);
      const stored = bucket.current(key);
      const loaded = stored
        ? Promise.resolve().then(() => parseWatchdogConfig(JSON.parse(stored.body)))
        : Promise.reject(new Error(`no watchdog configuration at s3://${bucket.name}/${key}`));
      cached = { loaded, at: now };
      loaded.catch(() => {
        if (cached?.loaded === loaded) cached = undefined;
      });
    }
    return cached.loaded;
  };
  const portsByConfig = new Map<string, WatchdogPorts>();
  const portsFor = (config: WatchdogConfig): WatchdogPorts => {
    if (config.store.bucket !== bucket.name)
      throw new Error(
        `the fake world has bucket ${bucket.name}, the configuration names ${config.store.bucket}`,
      );
    const key = `${config.store.bucket}|${config.region ?? ''}|${config.notificationTopicArn ?? ''}`;
    const existing = portsByConfig.get(key);
    if (existing) return existing;
    const ports: WatchdogPorts = {
      traffic: journaled('traffic', parts.ports.traffic, journal),
      alarms: journaled('alarms', parts.ports.alarms, journal),
      aliases: journaled('aliases', parts.ports.aliases, journal),
      parameters: journaled('parameters', parts.ports.parameters, journal),
      artifacts: journaled('artifacts', fakeArtifacts(bucket), journal),
      store: journaled('store', fakeStore(bucket), journal),
      notify: journaled('notify', fakeNotify(config.notificationTopicArn, parts.published), journal),
      ...(config.backup ? { backup: journaled('backup', parts.backup, journal) } : {}),
      ...(parts.ports.identity ? { identity: journaled('identity', parts.ports.identity, journal) } : {}),
      ...(config.group && parts.ports.group ? { group: journaled('group', parts.ports.group, journal) } : {}),
      ...(parts.ports.checks ? { checks: journaled('checks', parts.ports.checks, journal) } : {}),
      ...(parts.ports.appConfig ? { appConfig: journaled('appConfig', parts.ports.appConfig, journal) } : {}),
    };
    portsByConfig.set(key, ports);
    return ports;
  };
  let ids = 0;
  return {
    loadConfig,
    portsFor,
    clock,
    log: parts.log,
    metrics: parts.metrics,
    probe: parts.probe,
    newId: () => `run-${String(++ids).padStart(4, '0')}`,
    ...(parts.lockWaitMs !== undefined ? { lockWaitMs: parts.lockWaitMs } : {}),
    // A warm container, as Lambda keeps one between runs (what the runtime gives the handler).
    warm: {},
  };
}

/** A service on blue (weight 100) with green attached at 0, its alarm OK, and the watchdog's configuration stored. */
export function createFakeWorld(options: FakeWorldOptions = {}) {
  const clock = new ManualClock();
  const journal = new Journal();
  const bucket = new FakeBucket(BUCKET);
  const traffic = new FakeTraffic();
  const alarms = new FakeAlarms(clock);
  const aliases = new FakeAliases();
  const parameters = new FakeParameters();
  const checks = new FakeSmokeChecks();
  const published: Notification[] = [];
  const backup = new FakeBackup(() => clock.now());
  const identity = new FakeIdentity();
  const group = new FakeGroup();
  const log = new RecordingLog();
  const metrics = new RecordingMetrics();
  let configLoads = 0;

  const pairs: ListenerPair[] = Array.from({ length: options.listeners ?? 1 }, (_, i) => ({
    listenerArn: listenerArn(i + 1),
    blueArn: traffic.addTargetGroup(`checkout${i}-blue`),
    greenArn: traffic.addTargetGroup(`checkout${i}-green`),
  }));
  pairs.forEach((pair, i) =>
    traffic.addListener({
      listenerArn: pair.listenerArn,
      loadBalancerArn: LOAD_BALANCER_ARN,
      port: 443 + i,
      defaultActions: forward(pair, 100, 0),
    }),
  );
  alarms.set(ALARM, 'OK');

  const config: WatchdogConfigInput = {
    schemaVersion: 1,
    service: SERVICE,
    store: { bucket: BUCKET },
    listeners: pairs.map((pair, i) => ({
      name: `listener-${i}`,
      role: 'production' as const,
      listenerArn: pair.listenerArn,
      targetGroupArns: { blue: pair.blueArn, green: pair.greenArn },
    })),
    notificationTopicArn: TOPIC_ARN,
    alarms: [{ name: ALARM, arn: alarmArn(ALARM) }],
    // The engine's tests send manual actions without caller proofs unless they are about them: they
    // set `verifiedCallers: 'required'` (the production default) themselves.
    policy: { verifiedCallers: 'recorded', ...options.policy },
    ...options.extraConfig,
  };
  bucket.put(watchdogConfigKey(SERVICE), JSON.stringify(config));

  const deps = fakeDependencies({
    bucket,
    ports: { traffic, alarms, aliases, parameters, checks, identity, group },
    published,
    backup,
    journal,
    clock,
    log,
    metrics,
    probe: options.probe ?? (async () => true),
    ...(options.lockWaitMs !== undefined ? { lockWaitMs: options.lockWaitMs } : {}),
    onLoadConfig: () => configLoads++,
  });
  const handler = createHandler(deps);

  return {
    clock,
    journal,
    bucket,
    traffic,
    alarms,
    aliases,
    parameters,
    checks,
    published,
    /** Every StartBackupJob, in order. */
    backupJobs: backup.jobs,
    backup,
    identity,
    group,
    log,
    metrics,
    pairs,
    deps,
    /** How many times the handler asked for its configuration. */
    configLoads: () => configLoads,
    invoke: (event: unknown, context: { getRemainingTimeInMillis?(): number } = {}) =>
      handler(event, { awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', ...context }),
    /** What a deploy does after capture: every listener to green. */
    shiftToGreen(): void {
      for (const pair of pairs) traffic.setDefaultActions(pair.listenerArn, forward(pair, 0, 100));
    },
    /** Where each listener's traffic goes now: [blue weight, green weight]. */
    weights(): [number, number][] {
      return pairs.map((pair) => {
        const groups = traffic
          .defaultActionsOf(pair.listenerArn)
          .flatMap((a) => (a.type === 'forward' ? a.forwardConfig.targetGroups : []));
        const weightOf = (arn: string) => groups.find((g) => g.targetGroupArn === arn)?.weight ?? 0;
        return [weightOf(pair.blueArn), weightOf(pair.greenArn)];
      });
    },
    /** The audit records in the store, oldest first. */
    auditRecords(): AuditRecord[] {
      return bucket
        .keys(`${auditKeyPrefix(SERVICE)}decisions/`)
        .map((key) => parseAuditRecord(bucket.json(key)));
    },
    /** Another run's lock, held until `expiresAt`. */
    holdLock(owner: string, expiresAt: number): void {
      bucket.put(
        watchdogLockKey(SERVICE),
        JSON.stringify({
          owner,
          acquiredAt: new Date(expiresAt - 120_000).toISOString(),
          expiresAt: new Date(expiresAt).toISOString(),
          released: false,
        }),
      );
    },
  };
}

export type FakeWorld = ReturnType<typeof createFakeWorld>;
