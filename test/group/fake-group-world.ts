/**
 * A rollback group's coordinator over in-memory ports: members' watchdogs that answer as the watchdog
 * does (rollbacks with request ids, duplicates, freezes, unfreezes), the group's store (the watchdog
 * tests' fake S3, with its conditional writes), the topic, and a signer that names what it signed.
 */
import {
  groupConfigSchema,
  groupRecordPrefix,
  groupRecordSchema,
  type GroupConfig,
  type GroupConfigInput,
  type GroupRecord,
  type MemberReport,
} from '../../lib';
import { callerRequestDigest } from '../../lib/caller-proof';
import { createGroupHandler } from '../../lambdas/group/handler';
import type { MemberAnswer, MemberPort, ProofPort } from '../../lambdas/group/ports';
import type { AwsCallError } from '../../lambdas/watchdog/ports';
import {
  FakeBucket,
  fakeNotify,
  fakeStore,
  ManualClock,
  RecordingLog,
  type Notification,
} from '../watchdog/fakes';
import { ACCOUNT, T0 } from '../watchdog/fixtures';

export const GROUP = 'shop';
export const GROUP_BUCKET = 'shop-group-store';
export const GROUP_TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:switchback-shop-group`;

/** A member's watchdog ARN; `region` lets a member live elsewhere. */
export const watchdogArn = (service: string, region = 'us-east-1') =>
  `arn:aws:lambda:${region}:${ACCOUNT}:function:switchback-${service}-watchdog`;

/**
 * web calls api, api calls orders, worker calls orders. After orders rolls back, callers first is
 * web, worker (both called by nobody that follows), then api; callees first is the reverse.
 */
export const SHOP_MEMBERS: GroupConfigInput['members'] = [
  { service: 'web', watchdogFunctionArn: watchdogArn('web'), dependsOn: ['api'] },
  { service: 'api', watchdogFunctionArn: watchdogArn('api', 'eu-west-1'), dependsOn: ['orders'] },
  { service: 'worker', watchdogFunctionArn: watchdogArn('worker'), dependsOn: ['orders'] },
  { service: 'orders', watchdogFunctionArn: watchdogArn('orders') },
];

/** One invoke of a member's watchdog. */
export interface MemberCall {
  readonly service: string;
  readonly functionArn: string;
  readonly payload: Record<string, unknown>;
}

/** How a member answers the next requests of an action, instead of doing what a watchdog does. */
export type MemberBehaviour =
  | { readonly answer: MemberAnswer }
  | { readonly throws: AwsCallError | Error }
  /** Answers `duplicate` to a rollback with a request id it has seen (its receipts), else rolls back. */
  | 'watchdog';

/** The members' watchdogs: each call journaled; answers as a watchdog's unless told otherwise. */
export class FakeMembers implements MemberPort {
  readonly calls: MemberCall[] = [];
  private readonly requestIds = new Set<string>();
  private readonly scripted = new Map<string, MemberBehaviour[]>();
  private decisions = 0;

  constructor(private readonly members: GroupConfigInput['members']) {}

  /** The next `action` requests to `service` behave so (in turn; then as a watchdog). */
  script(service: string, action: string, ...behaviours: MemberBehaviour[]): void {
    this.scripted.set(`${service}|${action}`, behaviours);
  }

  async invoke(functionArn: string, payload: Record<string, unknown>): Promise<MemberAnswer> {
    const service = this.members.find((m) => m.watchdogFunctionArn === functionArn)?.service ?? '?';
    this.calls.push({ service, functionArn, payload: structuredClone(payload) });
    const action = String(payload.action);
    const behaviour = this.scripted.get(`${service}|${action}`)?.shift() ?? 'watchdog';
    if (behaviour !== 'watchdog') {
      if ('throws' in behaviour) throw behaviour.throws;
      return behaviour.answer;
    }
    switch (action) {
      case 'rollback': {
        const requestId = String(payload.requestId);
        if (this.requestIds.has(requestId)) return ok('rollback', { outcome: 'duplicate', steps: [] });
        this.requestIds.add(requestId);
        return ok('rollback', {
          decisionId: `${service}-dec-${++this.decisions}`,
          outcome: 'rolled-back',
          steps: [],
        });
      }
      case 'freeze':
        return ok('freeze', { outcome: 'frozen', until: payload.until });
      case 'unfreeze':
        return ok('unfreeze', { outcome: 'unfrozen' });
      default:
        return { result: { status: 'rejected', reason: `unknown action ${action}` } };
    }
  }

  /** [service, action] of each call, in order. */
  actions(): [string, string][] {
    return this.calls.map((c) => [c.service, String(c.payload.action)]);
  }
}

/** A watchdog's answer. */
export function ok(kind: string, result: unknown): MemberAnswer {
  return { result: { status: 'ok', kind, result } };
}

/** Signs by naming the digest it signed and the member it was for. */
export class FakeProofs implements ProofPort {
  readonly signed: { functionArn: string; digest: string }[] = [];

  async sign(request: Record<string, unknown>, functionArn: string) {
    const digest = callerRequestDigest(request);
    this.signed.push({ functionArn, digest });
    return { query: `Action=GetCallerIdentity&X-Fake-Digest=${digest}`, host: 'sts.us-east-1.amazonaws.com' };
  }
}

export interface GroupWorldOptions {
  readonly members?: GroupConfigInput['members'];
  readonly order?: GroupConfigInput['order'];
  readonly onMemberRollback?: GroupConfigInput['onMemberRollback'];
  readonly freezeMinutes?: number;
}

export function createGroupWorld(options: GroupWorldOptions = {}) {
  const clock = new ManualClock(T0);
  const bucket = new FakeBucket(GROUP_BUCKET);
  const published: Notification[] = [];
  const log = new RecordingLog();
  const membersConfig = options.members ?? SHOP_MEMBERS;
  const members = new FakeMembers(membersConfig);
  const proofs = new FakeProofs();
  const config: GroupConfig = groupConfigSchema().parse({
    schemaVersion: 1,
    group: GROUP,
    order: options.order ?? 'callers-first',
    onMemberRollback: options.onMemberRollback ?? 'follow',
    members: membersConfig,
    store: { bucket: GROUP_BUCKET },
    notificationTopicArn: GROUP_TOPIC,
    ...(options.freezeMinutes !== undefined ? { freezeMinutes: options.freezeMinutes } : {}),
  } satisfies GroupConfigInput);
  let configLoads = 0;
  // One-shot write failures by key (S3 down at the wrong moment).
  const failingWrites = new Map<string, Error>();
  const bucketStore = fakeStore(bucket);
  const store: typeof bucketStore = {
    ...bucketStore,
    async putJson(key, body, condition) {
      const failure = failingWrites.get(key);
      if (failure) {
        failingWrites.delete(key);
        throw failure;
      }
      return bucketStore.putJson(key, body, condition);
    },
  };
  const handler = createGroupHandler({
    loadConfig: async () => {
      configLoads++;
      return config;
    },
    portsFor: () => ({ members, store, notify: fakeNotify(GROUP_TOPIC, published), proofs }),
    clock,
    log,
  });

  return {
    clock,
    bucket,
    published,
    log,
    members,
    proofs,
    config,
    configLoads: () => configLoads,
    /** The next write of `key` fails with `error`. */
    failNextWrite: (key: string, error: Error) => failingWrites.set(key, error),
    invoke: (event: unknown, remainingMs?: number) =>
      handler(event, {
        awsRequestId: 'req-group',
        ...(remainingMs !== undefined ? { getRemainingTimeInMillis: () => remainingMs } : {}),
      }),
    /** The group's decisions in the store, oldest first. */
    records(): GroupRecord[] {
      return bucket.keys(groupRecordPrefix(GROUP)).map((key) => groupRecordSchema.parse(bucket.json(key)));
    },
  };
}

export type GroupWorld = ReturnType<typeof createGroupWorld>;

/** A member's report as its watchdog sends it. */
export function report(service: string, fields: Partial<MemberReport> = {}): MemberReport {
  return {
    action: 'member-rolled-back',
    group: GROUP,
    service,
    releaseId: 'r7',
    decisionId: `${service}-cause-1`,
    at: new Date(T0).toISOString(),
    outcome: 'rolled-back',
    byGroup: false,
    ...fields,
  };
}
