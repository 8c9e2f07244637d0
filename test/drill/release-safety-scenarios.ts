/**
 * The release-safety scenarios: a stale backup that refuses a release, a rollback group whose API
 * breaches and whose worker follows, and a deploy frozen by an unacknowledged rollback. Unlike the
 * other scenarios (one service, one release), each is a short script of deploys, releases and an
 * operator's commands, played by run-release-safety.ts on one control plane with one or more services;
 * each check is an outcome read from the deploys' answers, the stores (audit and group records) and
 * the traffic records — never a timing.
 */
import { BackupClient, DescribeBackupJobCommand, StartBackupJobCommand } from '@aws-sdk/client-backup';
import type { AuditRecord, CaptureOverrides, GroupRecord, WatchdogState } from '../../lib';
import type { Emulator } from '../emulator/index';
import type { PlaneClientConfig } from './control-plane';
import type { AppBehaviour } from './data-plane';
import type { GroupMemberSpec } from './group-world';
import { check, type Check } from './scenario-kit';
import type { AlarmOverrides, ReleaseSafetyConfig } from './service-world';
import type { Notification } from './world';

/** The release-safety scenarios, in the order the drill runs them (after the others). */
export const RELEASE_SAFETY_SCENARIO_NAMES = ['stale-backup', 'group-follows', 'frozen-deploy'] as const;

/** A release-safety scenario's name. */
export type ReleaseSafetyScenarioName = (typeof RELEASE_SAFETY_SCENARIO_NAMES)[number];

/** One deploy's capture, as the deploy's `aws_lambda_invocation` saw it. */
export interface DeployRecord {
  readonly service: string;
  readonly releaseId: string;
  /** When the capture was sent and answered (epoch ms). */
  readonly at: number;
  readonly answeredAt: number;
  /** `captured`: the deploy goes on; `refused`: the invocation failed, the deploy stops. */
  readonly outcome: 'captured' | 'already-captured' | 'refused';
  /** For a refused capture: the error's name (the watchdog's named error) and message. */
  readonly errorType?: string;
  readonly errorMessage?: string;
  /** The gates the release was let past by its overrides (the capture's answer). */
  readonly overridden?: readonly string[];
  /** The overrides the deploy declared. */
  readonly overrides?: CaptureOverrides;
}

/** A `switchback` command the operator ran (the real CLI, in process). */
export interface OperatorCall {
  readonly at: number;
  readonly argv: readonly string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A moment the script marks on the timeline. */
export interface ScriptMark {
  readonly at: number;
  readonly kind: 'deploy' | 'release' | 'operator' | 'backup';
  readonly label: string;
  /** The service it is about, when it is about one (a capture's answer). */
  readonly service?: string;
}

/** What a scenario's script can do, on the scenario's control plane and services. */
export interface Stage {
  /** The length of one (scaled) alarm period. */
  readonly periodMs: number;
  /** The emulator's hooks (the scenarios run on the emulator only). */
  emulator(): Emulator;
  /** Settings for an SDK client of the control plane, as an operator's or a pipeline's. */
  clientConfig(): PlaneClientConfig;
  /**
   * A deploy's capture of `releaseId` through the Lambda API, as `aws_lambda_invocation` runs it; a
   * failed invocation is a refused deploy (recorded, not thrown).
   */
  deploy(service: string, releaseId: string, overrides?: CaptureOverrides): Promise<DeployRecord>;
  /** The release's apply: each service's production listener sends the canary share to green. */
  release(services: readonly string[]): Promise<void>;
  /** How a service's green answers from now on. */
  green(service: string, behaviour: AppBehaviour): void;
  /** Waits until the service's audit records satisfy `done` (read every 250 ms), or the run's deadline. */
  untilAudit(
    service: string,
    what: string,
    done: (records: readonly AuditRecord[]) => boolean,
  ): Promise<void>;
  /** Waits until the group's records satisfy `done`, or the run's deadline. */
  untilGroupRecords(what: string, done: (records: readonly GroupRecord[]) => boolean): Promise<void>;
  /** Waits until the service's composite alarm is OK again after having fired, or the run's deadline. */
  untilAlarmOk(service: string): Promise<void>;
  /** Waits `periods` alarm periods. */
  periods(periods: number): Promise<void>;
  /** Runs `switchback <argv> --function <the service's watchdog> --json` as an operator does. */
  operator(service: string, argv: readonly string[]): Promise<OperatorCall>;
  /** Marks a moment of the script on the timeline. */
  mark(kind: ScriptMark['kind'], label: string): void;
}

/** What the checks see of one service at the end. */
export interface MemberObservations {
  readonly service: string;
  readonly audit: readonly AuditRecord[];
  readonly state?: WatchdogState;
  /** The production listener's weights at the end: [blue, green]. */
  readonly finalWeights: readonly [number, number];
  /** The share to green as the data plane routed requests, each change once (from the first deploy on). */
  readonly greenWeights: readonly number[];
  /** Production requests routed to green during the whole scenario. */
  readonly productionToGreen: number;
  /** Production requests routed to green before the service's first release (the script's). */
  readonly toGreenBeforeRelease: number;
  /** Production requests routed after the service's share went back to 0, and how many to green. */
  readonly routedAfterSwitch: number;
  readonly greenAfterSwitch: number;
  /** When the data plane first routed with no share to green after routing some. */
  readonly switchAt?: number;
  readonly compositeAlarmsAt: readonly number[];
  readonly notifications: readonly Notification[];
  readonly failedInvocations: number;
}

/** What a release-safety scenario's checks read. */
export interface ReleaseSafetyObservations {
  readonly deploys: readonly DeployRecord[];
  readonly operatorCalls: readonly OperatorCall[];
  readonly marks: readonly ScriptMark[];
  /** By service. */
  readonly members: Readonly<Record<string, MemberObservations>>;
  readonly groupRecords: readonly GroupRecord[];
  /** The group coordinator's invocations (none without a group). */
  readonly coordinatorInvocations: readonly { readonly action: string; readonly ok: boolean }[];
  /** The ARN the coordinator's credentials stand for (what STS answers for them). */
  readonly coordinatorCallerArn?: string;
}

/** What a scenario's preparation may use. */
export interface PrepareContext {
  readonly emulator: Emulator;
  clientConfig(): PlaneClientConfig;
}

/** A release-safety scenario: its services, its script and its checks. */
export interface ReleaseSafetyScenario {
  readonly name: ReleaseSafetyScenarioName;
  readonly title: string;
  /** What the scenario proves, in one sentence. */
  readonly proves: string;
  /** Why it runs on our emulator only. */
  readonly needsEmulator: string;
  /** The services; the first is the one the table's detect and switch are about. */
  readonly services: readonly GroupMemberSpec[];
  /** The release-safety parts of every service's watchdog configuration. */
  readonly config?: Omit<ReleaseSafetyConfig, 'group'>;
  /** Changes to every service's member alarms. */
  readonly alarmOverrides?: AlarmOverrides;
  /** The rollback group the services form, when they form one. */
  readonly group?: {
    readonly name: string;
    readonly order: 'callers-first' | 'callees-first';
    readonly onMemberRollback: 'follow' | 'page';
  };
  /** What the table's detect column measures: the first alarm after the release, or a refused deploy. */
  readonly detectedBy: 'alarm' | 'gate';
  /** Before the services' traffic starts: what the account holds (an old recovery point). */
  prepare?(context: PrepareContext): Promise<void> | void;
  /** The script. */
  play(stage: Stage): Promise<void>;
  check(observations: ReleaseSafetyObservations): Check[];
}

/**
 * The scenarios are about errors, gates and freezes, not latency; their healthy candidates must not be
 * rolled back for the drill's own stalls (apps, routers and load share one process, beside several
 * watchdog containers) on a busy machine: the latency alarm fires above 1.5 s, as in canary-promotes.
 */
const STALL_TOLERANT: AlarmOverrides = { 'target-p99-latency': { threshold: 1.5 } };

/** A healthy answer and a failed one. */
const healthy: AppBehaviour = () => ({ status: 200, delayMs: 0 });
const failing: AppBehaviour = () => ({ status: 503, delayMs: 0 });

/** The table that stale-backup's service protects, and its vault. */
export const ORDERS_TABLE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/checkout-orders';
export const BACKUP_VAULT = 'switchback-checkout';
const BACKUP_ROLE_ARN = 'arn:aws:iam::123456789012:role/switchback-checkout-backup';
/** The recovery points may be this old for a release to go out. */
const MAX_RECOVERY_POINT_AGE_HOURS = 24;
/** How old the newest recovery point is when stale-backup starts. */
export const STALE_RECOVERY_POINT_AGE_HOURS = 72;

const outcomes = (records: readonly AuditRecord[]) => records.map((r) => r.outcome).join(', ') || 'none';
const deploysText = (deploys: readonly DeployRecord[]) =>
  deploys
    .map((d) => `${d.service} ${d.releaseId}: ${d.outcome}${d.errorType ? ` (${d.errorType})` : ''}`)
    .join('; ');
const weightsText = (m: MemberObservations | undefined) =>
  m
    ? `${m.service} green ${m.greenWeights.map((w) => `${w}%`).join(' → ') || 'never routed'}`
    : 'no such service';

/** The capture records of a service, in order. */
const captures = (m: MemberObservations | undefined) =>
  (m?.audit ?? []).filter((r) => r.trigger.kind === 'capture');

/** The refused capture's check `name` failed, and the deploy got the watchdog's named error. */
function refusedBy(
  o: ReleaseSafetyObservations,
  service: string,
  releaseId: string,
  errorType: string,
  checkName: string,
): Check[] {
  const deploy = o.deploys.find((d) => d.service === service && d.releaseId === releaseId);
  const refused = captures(o.members[service]).find(
    (r) => r.releaseId === releaseId && r.outcome === 'refused',
  );
  const failed = refused?.checks.find((c) => c.name === checkName);
  return [
    check(
      `the deploy of ${releaseId} stopped: its capture failed with ${errorType}`,
      deploy?.outcome === 'refused' && deploy.errorType === errorType,
      deploy
        ? `${deploy.outcome}${deploy.errorType ? `: ${deploy.errorType}: ${deploy.errorMessage ?? ''}` : ''}`
        : `no deploy of ${releaseId}`,
    ),
    check(
      `the refusal audited with the ${checkName} check failed`,
      refused?.decision === 'refuse' && failed?.passed === false,
      refused
        ? `${refused.decision}/${refused.outcome}: ${refused.checks.map((c) => `${c.name} ${c.passed ? 'passed' : 'FAILED'}${c.detail ? ` (${c.detail})` : ''}`).join('; ')}`
        : `no refused capture record of ${releaseId} (${outcomes(o.members[service]?.audit ?? [])})`,
    ),
  ];
}

/** The release went out after its second capture: green took its canary share, nothing rolled back. */
function wentOut(o: ReleaseSafetyObservations, service: string, releaseId: string): Check[] {
  const m = o.members[service];
  const deploys = o.deploys.filter((d) => d.service === service && d.releaseId === releaseId);
  return [
    check(
      `${releaseId} captured at its next deploy`,
      deploys.at(-1)?.outcome === 'captured' &&
        captures(m).some((r) => r.releaseId === releaseId && r.outcome === 'captured'),
      deploysText(deploys),
    ),
    check(
      `${releaseId} went out: green took its share`,
      (m?.greenWeights.at(-1) ?? 0) > 0 && (m?.finalWeights[1] ?? 0) > 0,
      `${weightsText(m)}; blue/green ${m?.finalWeights.join('/') ?? '?'} at the end`,
    ),
  ];
}

const staleBackup: ReleaseSafetyScenario = {
  name: 'stale-backup',
  alarmOverrides: STALL_TOLERANT,
  title: 'stale backup refuses a release',
  proves:
    'A release of a service whose newest recovery point is older than the readiness gate allows is refused at capture: the deploy stops before traffic moves, audited with the stale recovery point; once an on-demand backup has completed, the same release is captured and goes out.',
  needsEmulator:
    'it seeds an old recovery point and runs an on-demand backup to completion in AWS Backup, which moto does not model',
  services: [{ service: 'checkout' }],
  config: {
    backup: {
      vaultName: BACKUP_VAULT,
      roleArn: BACKUP_ROLE_ARN,
      resourceArns: [ORDERS_TABLE_ARN],
      readiness: { maxRecoveryPointAgeHours: MAX_RECOVERY_POINT_AGE_HOURS },
    },
  },
  detectedBy: 'gate',
  prepare: (context) => seedStaleRecoveryPoint(context),
  async play(stage) {
    // The deploy of release-2: the gate finds the newest recovery point three days old.
    await stage.deploy('checkout', 'release-2');
    await stage.periods(1);
    // The operator takes an on-demand backup of the table and waits for it, then deploys again.
    await takeBackup(stage);
    const again = await stage.deploy('checkout', 'release-2');
    if (again.outcome !== 'captured') return;
    await stage.release(['checkout']);
    await stage.periods(2);
  },
  check: (o) => {
    const m = o.members.checkout;
    const firstDeploy = o.deploys[0];
    const refusal = captures(m).find((r) => r.outcome === 'refused');
    const stale = refusal?.checks.find((c) => c.name === 'recovery-point-fresh');
    const captured = captures(m).find((r) => r.outcome === 'captured');
    const fresh = captured?.checks.find((c) => c.name === 'recovery-point-fresh');
    return [
      ...refusedBy(o, 'checkout', 'release-2', 'CaptureBackupNotReadyError', 'recovery-point-fresh'),
      check(
        'the refusal names the stale recovery point of the table',
        stale?.passed === false &&
          (stale.detail ?? '').includes(ORDERS_TABLE_ARN) &&
          new RegExp(`${STALE_RECOVERY_POINT_AGE_HOURS} h old`).test(stale.detail ?? ''),
        stale?.detail ?? 'no recovery-point-fresh check in the refusal',
      ),
      check(
        'traffic never moved while refused: no production request to green',
        m !== undefined && m.toGreenBeforeRelease === 0 && firstDeploy?.outcome === 'refused',
        `${m?.toGreenBeforeRelease ?? '?'} production request(s) routed to green before the release`,
      ),
      check(
        'the next capture passed the gate with the fresh recovery point',
        fresh?.passed === true && captured?.overrides === undefined,
        fresh
          ? `${fresh.name} ${fresh.passed ? 'passed' : 'FAILED'}${captured?.overrides ? ` (overridden: ${captured.overrides.join(', ')})` : ''}: ${fresh.detail ?? ''}`
          : `no recovery-point-fresh check in a captured record (${outcomes(m?.audit ?? [])})`,
      ),
      ...wentOut(o, 'checkout', 'release-2'),
      check(
        'no rollback',
        (m?.audit ?? []).every((r) => r.decision !== 'rollback'),
        outcomes(m?.audit ?? []),
      ),
    ];
  },
};

const groupFollows: ReleaseSafetyScenario = {
  name: 'group-follows',
  alarmOverrides: STALL_TOLERANT,
  title: 'group: the API breaches, its worker follows',
  proves:
    "In a rollback group of three services, the API's breach rolls the API back through its own watchdog; the group coordinator then rolls back the worker that calls it, through the worker's watchdog with a verified caller proof, while billing (which the API calls) keeps its release; one group record links both rollbacks.",
  needsEmulator:
    "the coordinator and the members invoke each other through the Lambda API, and the members verify the coordinator's caller proof with STS, which moto runs without (no function code without Docker; no signature check)",
  services: [
    { service: 'api', dependsOn: ['billing'] },
    { service: 'worker', dependsOn: ['api'] },
    { service: 'billing' },
  ],
  group: { name: 'shop', order: 'callers-first', onMemberRollback: 'follow' },
  detectedBy: 'alarm',
  async play(stage) {
    // One release of all three (a release train), each a canary; only the API's candidate fails.
    const deploys = await Promise.all(['api', 'worker', 'billing'].map((s) => stage.deploy(s, 'release-2')));
    if (deploys.some((d) => d.outcome === 'refused')) return;
    stage.green('api', failing);
    await stage.release(['api', 'worker', 'billing']);
    await stage.untilAudit('api', "the API's rollback", (records) =>
      records.some((r) => r.outcome === 'rolled-back'),
    );
    await stage.untilGroupRecords('a group record of the follow', (records) =>
      records.some((r) => r.trigger.kind === 'member-rolled-back'),
    );
    await stage.untilAudit('worker', "the worker's rollback", (records) =>
      records.some((r) => r.outcome === 'rolled-back'),
    );
  },
  check: (o) => {
    const api = o.members.api;
    const worker = o.members.worker;
    const billing = o.members.billing;
    const apiRollback = api?.audit.find((r) => r.outcome === 'rolled-back');
    const workerRollback = worker?.audit.find((r) => r.outcome === 'rolled-back');
    const record = o.groupRecords.find((r) => r.trigger.kind === 'member-rolled-back');
    const member = (service: string) => record?.members.find((m) => m.service === service);
    const caller = workerRollback?.trigger.caller;
    return [
      check(
        "the API's alarm fired and its watchdog rolled it back",
        (api?.compositeAlarmsAt.length ?? 0) > 0 &&
          apiRollback?.trigger.kind === 'alarm' &&
          api?.finalWeights[1] === 0 &&
          (api?.routedAfterSwitch ?? 0) > 0 &&
          api?.greenAfterSwitch === 0,
        `${api?.compositeAlarmsAt.length ?? 0} ALARM(s); ${apiRollback ? `rolled back on ${apiRollback.trigger.kind}` : `no rollback (${outcomes(api?.audit ?? [])})`}; ${weightsText(api)}`,
      ),
      check(
        'the coordinator was invoked',
        o.coordinatorInvocations.length > 0 && o.coordinatorInvocations.every((i) => i.ok),
        `${o.coordinatorInvocations.length} invocation(s): ${o.coordinatorInvocations.map((i) => `${i.action}${i.ok ? '' : ' FAILED'}`).join(', ') || 'none'}`,
      ),
      check(
        "the worker rolled back by its own watchdog at the group's request",
        workerRollback?.trigger.kind === 'rollback' &&
          workerRollback.trigger.group?.name === 'shop' &&
          workerRollback.trigger.group.cause === apiRollback?.decisionId &&
          worker?.finalWeights[1] === 0 &&
          worker?.greenAfterSwitch === 0,
        workerRollback
          ? `trigger ${workerRollback.trigger.kind}, requested by ${workerRollback.trigger.requestedBy ?? '?'}, group ${JSON.stringify(workerRollback.trigger.group ?? null)} (the API's decision ${apiRollback?.decisionId ?? 'none'}); ${weightsText(worker)}`
          : `no rollback of the worker (${outcomes(worker?.audit ?? [])})`,
      ),
      check(
        "the worker's caller verified: the coordinator's role",
        caller?.verified === true &&
          caller.arn !== undefined &&
          (o.coordinatorCallerArn === undefined || caller.arn === o.coordinatorCallerArn),
        caller
          ? `${caller.verified ? 'verified' : 'NOT verified'} ${caller.arn ?? ''}${caller.detail ? ` (${caller.detail})` : ''} (the coordinator is ${o.coordinatorCallerArn ?? 'unknown'})`
          : 'no caller in the record',
      ),
      check(
        'billing untouched: no rollback, its release keeps its share',
        billing !== undefined &&
          billing.audit.every((r) => r.decision !== 'rollback') &&
          billing.finalWeights[1] > 0 &&
          (billing.greenWeights.at(-1) ?? 0) > 0,
        `${outcomes(billing?.audit ?? [])}; ${weightsText(billing)}; blue/green ${billing?.finalWeights.join('/') ?? '?'}`,
      ),
      check(
        'one group record links both rollbacks',
        o.groupRecords.filter((r) => r.trigger.kind === 'member-rolled-back').length === 1 &&
          record?.outcome === 'followed' &&
          record.trigger.service === 'api' &&
          record.trigger.decisionId === apiRollback?.decisionId &&
          member('api')?.role === 'cause' &&
          member('worker')?.role === 'follower' &&
          member('worker')?.outcome === 'rolled-back' &&
          member('worker')?.decisionId === workerRollback?.decisionId &&
          (member('billing') === undefined || member('billing')?.role === 'unaffected'),
        record
          ? `${record.outcome}: ${record.members.map((m) => `${m.service} ${m.role} ${m.outcome}${m.decisionId ? ` (${m.decisionId})` : ''}`).join('; ')}`
          : `no group record of a member's rollback (${o.groupRecords.map((r) => `${r.trigger.kind} ${r.outcome}`).join(', ') || 'none'})`,
      ),
    ];
  },
};

const frozenDeploy: ReleaseSafetyScenario = {
  name: 'frozen-deploy',
  alarmOverrides: STALL_TOLERANT,
  title: 'deploy frozen after a rollback',
  proves:
    'After release-1 is rolled back, the deploy of a new release id is refused while the rollback is unacknowledged (audited, freeze named); once the operator acknowledges it through the CLI, with a verified caller, release-2 is captured and goes out.',
  needsEmulator:
    "the operator's CLI invokes the watchdog through the Lambda API with a caller proof STS must verify, which moto runs without (no function code without Docker; no signature check)",
  services: [{ service: 'checkout' }],
  detectedBy: 'alarm',
  async play(stage) {
    const first = await stage.deploy('checkout', 'release-1');
    if (first.outcome === 'refused') return;
    stage.green('checkout', failing);
    await stage.release(['checkout']);
    await stage.untilAudit('checkout', 'the rollback of release-1', (records) =>
      records.some((r) => r.outcome === 'rolled-back'),
    );
    // The fix is built; the alarm settles on the rolled-back release before the pipeline deploys again.
    stage.green('checkout', healthy);
    await stage.untilAlarmOk('checkout');
    await stage.deploy('checkout', 'release-2');
    await stage.periods(1);
    await stage.operator('checkout', [
      'promote',
      '--ack',
      '--release',
      'release-1',
      '--reason',
      'drill: release-1 fixed in release-2',
      '--requested-by',
      'drill-operator',
    ]);
    const again = await stage.deploy('checkout', 'release-2');
    if (again.outcome !== 'captured') return;
    await stage.release(['checkout']);
    await stage.periods(2);
  },
  check: (o) => {
    const m = o.members.checkout;
    const rollback = m?.audit.find((r) => r.outcome === 'rolled-back');
    const ack = m?.audit.find((r) => r.outcome === 'acknowledged');
    const refusal = captures(m).find((r) => r.releaseId === 'release-2' && r.outcome === 'refused');
    const frozen = refusal?.checks.find((c) => c.name === 'deploy-not-frozen');
    const call = o.operatorCalls[0];
    const refusedAt = o.deploys.find((d) => d.releaseId === 'release-2')?.answeredAt ?? 0;
    return [
      check(
        'release-1 rolled back on its alarm',
        rollback?.trigger.kind === 'alarm' && rollback.releaseId === 'release-1',
        rollback
          ? `${rollback.outcome} on ${rollback.trigger.kind}`
          : `no rollback (${outcomes(m?.audit ?? [])})`,
      ),
      ...refusedBy(o, 'checkout', 'release-2', 'CaptureFrozenError', 'deploy-not-frozen'),
      check(
        'the freeze named the unacknowledged rollback of release-1',
        frozen?.passed === false &&
          (frozen.detail ?? '').includes('release-1') &&
          (rollback === undefined || (frozen.detail ?? '').includes(rollback.decisionId)),
        frozen?.detail ?? 'no deploy-not-frozen check in the refusal',
      ),
      check(
        'the operator acknowledged release-1 with a verified caller',
        call?.code === 0 &&
          ack?.releaseId === 'release-1' &&
          ack.trigger.caller?.verified === true &&
          Date.parse(ack.decidedAt) >= refusedAt - 1000,
        ack
          ? `switchback exited ${call?.code ?? '?'}; ${ack.outcome} by ${ack.trigger.requestedBy ?? '?'}, caller ${ack.trigger.caller?.verified ? 'verified' : 'NOT verified'} ${ack.trigger.caller?.arn ?? ''}`
          : `switchback exited ${call?.code ?? '?'}: ${call?.stderr.trim() ?? 'not run'}; no acknowledged record`,
      ),
      check(
        'the capture after the acknowledgement passed the freeze',
        captures(m).some(
          (r) =>
            r.releaseId === 'release-2' &&
            r.outcome === 'captured' &&
            r.checks.some((c) => c.name === 'deploy-not-frozen' && c.passed),
        ),
        captures(m)
          .map((r) => `${r.releaseId} ${r.outcome}`)
          .join('; '),
      ),
      ...wentOut(o, 'checkout', 'release-2'),
      check(
        'traffic did not move while frozen',
        m !== undefined && m.greenWeights.filter((w) => w > 0).length === 2,
        `${weightsText(m)} (release-1's canary, the rollback, then release-2's canary only)`,
      ),
    ];
  },
};

/** The release-safety scenarios by name. */
export const RELEASE_SAFETY_SCENARIOS: Readonly<Record<ReleaseSafetyScenarioName, ReleaseSafetyScenario>> = {
  'stale-backup': staleBackup,
  'group-follows': groupFollows,
  'frozen-deploy': frozenDeploy,
};

/** The account's last scheduled backup of the orders table: three days old when the drill starts. */
function seedStaleRecoveryPoint({ emulator }: PrepareContext): void {
  emulator.backup.seedRecoveryPoint({
    resourceArn: ORDERS_TABLE_ARN,
    backupVaultName: BACKUP_VAULT,
    creationDate: new Date(Date.now() - STALE_RECOVERY_POINT_AGE_HOURS * 3_600_000),
    deleteAfterDays: 35,
  });
}

/** How many times the operator polls the on-demand backup before giving up. */
const BACKUP_POLLS = 20;

/** The operator's on-demand backup of the orders table, through AWS Backup's API, waited for. */
async function takeBackup(stage: Stage): Promise<void> {
  const backup = new BackupClient(stage.clientConfig());
  try {
    const started = await backup.send(
      new StartBackupJobCommand({
        BackupVaultName: BACKUP_VAULT,
        ResourceArn: ORDERS_TABLE_ARN,
        IamRoleArn: BACKUP_ROLE_ARN,
      }),
    );
    for (let poll = 0; poll < BACKUP_POLLS; poll++) {
      const job = await backup.send(new DescribeBackupJobCommand({ BackupJobId: started.BackupJobId }));
      if (job.State === 'COMPLETED') {
        stage.mark('backup', 'backup completed');
        return;
      }
      if (['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'].includes(job.State ?? ''))
        throw new Error(`the on-demand backup ended ${job.State}: ${job.StatusMessage ?? ''}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the on-demand backup had not completed after ${BACKUP_POLLS} polls`);
  } finally {
    backup.destroy();
  }
}
