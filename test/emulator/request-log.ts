import { ServiceName } from './core/types';

/** One call as the emulator saw it. */
export interface RequestLogEntry {
  /** 1, 2, 3... in arrival order. */
  readonly seq: number;
  /** Arrival time, milliseconds since the epoch (the emulator's clock). */
  readonly time: number;
  /** `unknown` when the request named no service the emulator speaks. */
  readonly service: ServiceName | 'unknown';
  /** The operation (`ModifyListener`, `PutObject`); `unknown` when it could not be decoded. */
  readonly action: string;
  readonly region: string;
  /** Identifying inputs only (ARNs, names, bucket and key, version ids), never bodies or values. */
  readonly params: Readonly<Record<string, string | readonly string[]>>;
  /** HTTP status answered; 0 when the connection was dropped without an answer. */
  readonly status: number;
  /** The wire error code, when the answer was an error (or `ConnectionDropped`). */
  readonly errorCode?: string;
  /** Fault effects applied to this call (`latency`, `throttle`, `error`, `drop-before`, ...). */
  readonly faults: readonly string[];
  /** The SDK's attempt number from its `amz-sdk-request` header, when sent. */
  readonly attempt?: number;
  readonly durationMs: number;
}

/** A filter over the log. */
export interface RequestLogFilter {
  readonly service?: ServiceName | 'unknown';
  readonly action?: string;
}

/** The inputs worth recording: the ones that say which resource a call touched. */
const KEY_PARAMS = [
  'LoadBalancerArn',
  'LoadBalancerArns',
  'ListenerArn',
  'ListenerArns',
  'RuleArn',
  'RuleArns',
  'TargetGroupArn',
  'TargetGroupArns',
  'Name',
  'Names',
  'FunctionName',
  'Qualifier',
  'FunctionVersion',
  'Bucket',
  'Key',
  'VersionId',
  'CopySource',
  'AlarmName',
  'AlarmNames',
  'StateValue',
  'Namespace',
  'TopicArn',
  'TargetArn',
  'ParameterVersion',
  'Labels',
  'ResourceArns',
  'BackupVaultName',
  'ResourceArn',
  'BackupJobId',
];

/** Picks the identifying inputs of a call for the log. */
export function keyParams(params: Readonly<Record<string, unknown>>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name of KEY_PARAMS) {
    const value = params[name];
    if (typeof value === 'string' || typeof value === 'number') out[name] = String(value);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
      out[name] = [...(value as string[])];
  }
  return out;
}

/** Every call the emulator received, for tests to assert counts and order. */
export class RequestLog {
  private log: RequestLogEntry[] = [];
  private seq = 0;
  private readonly listeners = new Set<(entry: RequestLogEntry) => void>();

  /** Records a finished call (used by the edge). */
  record(entry: Omit<RequestLogEntry, 'seq'>): RequestLogEntry {
    const full = { seq: ++this.seq, ...entry };
    this.log.push(full);
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /** Calls `listener` with every later entry; returns a function that stops it. */
  subscribe(listener: (entry: RequestLogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Entries in arrival order, optionally filtered. */
  entries(filter: RequestLogFilter = {}): RequestLogEntry[] {
    return this.log.filter(
      (e) =>
        (filter.service === undefined || e.service === filter.service) &&
        (filter.action === undefined || e.action === filter.action),
    );
  }

  /** How many calls match. */
  count(filter: RequestLogFilter = {}): number {
    return this.entries(filter).length;
  }

  /** `service:Action` of each matching call, in order: handy for asserting a sequence. */
  actions(filter: RequestLogFilter = {}): string[] {
    return this.entries(filter).map((e) => `${e.service}:${e.action}`);
  }

  /** Forgets every entry (sequence numbers keep growing). */
  clear(): void {
    this.log = [];
  }
}
