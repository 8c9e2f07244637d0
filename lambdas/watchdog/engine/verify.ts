/**
 * Verified rollbacks. After a rollback has been read back, recorded and notified (time-to-rollback
 * does not wait for any of this): the verification smoke checks run against production, the
 * protected alarms are read, and the live state is compared with the manifest. All well: a `verify`
 * record and a "rolled back and verified" notification. A check failing or something differing:
 * `verification-failed` and a second page naming what is still wrong. Alarms not OK yet (they take
 * minutes to recover): the state keeps `verifying` with a deadline, and each schedule tick calls
 * {@link continueVerification} until they are OK (verified) or the deadline passes (failed).
 *
 * An AppConfig kill switch still deploying (a gradual strategy outlasts the step budget) is waited for
 * as the alarms are: pending until the same deadline, re-read on each tick, failed only then.
 *
 * Kill switches alone (mode `instead-of-traffic`) that fail verification are not the whole answer:
 * the release is then recorded as an unfinished rollback, and the tick's finish path rolls traffic
 * back (see restore-release.ts).
 */
import {
  rollbackMarkerKey,
  type AuditRecord,
  type ReleaseManifest,
  type SmokeCheckResult,
  type StepRecord,
  type Verification,
  type WatchdogState,
} from '../../../lib';
import type { AlarmState, WriteCondition } from '../ports';
import { auditRecord, recordDecision } from './audit';
import {
  acquireLock,
  readCurrentRelease,
  readVersionedState,
  releaseLockQuietly,
  writeState,
} from './coordination';
import { coordination, isoNow, type EngineContext } from './context';
import { manifestDiff } from './diff';
import { manifestOf } from './facts';
import { protectedAlarmsNotOk } from './protected-alarms';
import { withRetry } from './retry';
import { runSmokeChecks } from './smoke-checks';

/** What a verification came to. */
export interface VerificationOutcome {
  readonly status: Verification['status'];
  readonly releaseId: string;
  /** The rollback (or kill-switch) decision verified. */
  readonly follows: string;
  /** The `verify` record's decision id; none while pending (no record is written then). */
  readonly decisionId?: string;
  readonly verification: Verification;
  /** Kill switches alone did not do: the release is now an unfinished rollback, and traffic follows. */
  readonly trafficRollbackFollows: boolean;
}

/** What a verification checks, and of which decision. */
export interface VerificationRequest {
  readonly manifest: ReleaseManifest;
  /** The rollback's decision id (the `follows` of the verify record). */
  readonly decisionId: string;
  /** The decision turned kill switches off and left traffic and configuration as they were. */
  readonly switchesOnly: boolean;
  /**
   * Whether the rollback's writes were read back. A kill switch still deploying (step `unverified`)
   * counts as read back here: the diff reads it again and waits for it (see killSwitchDiff).
   */
  readonly readBack: boolean;
  /** The rollback's traffic steps as read back (right after a rollback); absent: read the listeners. */
  readonly trafficReadBack?: readonly StepRecord[];
}

/** The verification record's id: apart from the decision it follows, whichever run writes it. */
const verifyDecisionId = (context: EngineContext) => `${context.invocationId}-verify`;

/**
 * Verifies the rollback that this run has just recorded (under its lock). Pending: `state.verifying`
 * is written and nothing is recorded yet; final: the record, the notification and the state.
 */
export async function verifyAfterRollback(
  context: EngineContext,
  request: VerificationRequest,
  stateAfterRollback: WatchdogState,
): Promise<VerificationOutcome> {
  const since = context.clock.now();
  const alarmsOkBy = since + alarmsOkWithinMs(context);
  const verification = await verifyNow(context, request, alarmsOkBy);
  // The state this run wrote last, under its lock: replaced as the rollback replaced it (no read).
  return settle(context, request, verification, {
    since: new Date(since).toISOString(),
    state: stateAfterRollback,
  });
}

/**
 * Called by the schedule tick when `state.verifying` is set. Under the lock: the alarms read again;
 * all OK → verified (smoke checks and the diff run again, as of now); the deadline passed → failed
 * (a page naming the alarms still not OK); otherwise still pending (nothing written). A verification
 * whose rollback is no longer the latched one (acknowledged, a new release, a later rollback) is
 * dropped. Kill switches still deploying keep it pending too (re-read each time the alarms are OK).
 * Undefined when there is nothing to do or another run holds the lock (the next tick looks again).
 * `alarmsRead`: the protected alarms' states as the tick has just read them (not read again).
 */
export async function continueVerification(
  context: EngineContext,
  state: WatchdogState,
  alarmsRead?: readonly AlarmState[],
): Promise<VerificationOutcome | undefined> {
  const waiting = state.verifying;
  if (!waiting) return undefined;
  // Still waiting is the usual answer, minute after minute: it reads the alarms and writes nothing
  // (no lock either). Only an answer that ends the verification takes the lock and reads again.
  const obsolete = state.latched?.decisionId !== waiting.decisionId;
  const alarmsBefore = obsolete ? [] : await alarmsNotOkNow(context, alarmsRead);
  if (!obsolete && alarmsBefore.length > 0 && context.clock.now() < Date.parse(waiting.alarmsOkBy)) {
    return pendingOutcome(context, waiting, alarmsBefore);
  }
  const coord = coordination(context);
  const lease = await acquireLock(coord, context.lockWaitMs);
  if (!lease) {
    context.log.info('verification: another run holds the lock; the next tick looks again');
    return undefined;
  }
  try {
    const [{ state: current, condition }, release] = await Promise.all([
      readVersionedState(coord),
      readCurrentRelease(coord),
    ]);
    const pending = current.verifying;
    if (!pending) return undefined;
    const stillLatched =
      current.latched?.releaseId === pending.releaseId &&
      current.latched.decisionId === pending.decisionId &&
      release?.releaseId === pending.releaseId;
    if (!stillLatched || !release) {
      context.log.info('verification dropped: its rollback is no longer the latched one', { ...pending });
      await writeState(coord, { ...current, verifying: undefined }, condition);
      return undefined;
    }
    const alarmsNotOk = await alarmsNotOkNow(context, alarmsRead);
    const deadline = Date.parse(pending.alarmsOkBy);
    if (alarmsNotOk.length > 0 && context.clock.now() < deadline) {
      return pendingOutcome(context, pending, alarmsNotOk);
    }
    const manifest = await manifestOf(context, release);
    // Whether traffic was held back for this release: kill switches alone write no hold.
    const switchesOnly =
      context.config.killSwitches?.mode === 'instead-of-traffic' &&
      (await context.ports.store.getJson(rollbackMarkerKey(context.config.service, pending.releaseId))) ===
        undefined;
    const request = { manifest, decisionId: pending.decisionId, switchesOnly, readBack: true };
    const verification = await verifyNow(context, request, deadline, alarmsNotOk);
    if (verification.status === 'pending') {
      // Kill switches still deploying: the state already says pending, until the same deadline.
      context.log.info('verification pending: waiting for the kill switches', {
        releaseId: pending.releaseId,
        diff: verification.diff,
        alarmsOkBy: pending.alarmsOkBy,
      });
      return pendingOutcome(context, pending, alarmsNotOk, verification.diff);
    }
    return await settle(context, request, verification, { since: pending.since, state: current, condition });
  } finally {
    await releaseLockQuietly(coord, lease, context.log);
  }
}

function pendingOutcome(
  context: EngineContext,
  pending: NonNullable<WatchdogState['verifying']>,
  alarmsNotOk: string[],
  diff: string[] = [],
): VerificationOutcome {
  return {
    status: 'pending',
    releaseId: pending.releaseId,
    follows: pending.decisionId,
    verification: {
      status: 'pending',
      readBack: true,
      smokeChecks: [],
      alarmsNotOk,
      alarmsOkBy: pending.alarmsOkBy,
      diff,
      checkedAt: isoNow(context),
    },
    trafficRollbackFollows: false,
  };
}

function alarmsOkWithinMs(context: EngineContext): number {
  return (context.config.verification?.alarmsOkWithinMinutes ?? 10) * 60_000;
}

/**
 * Smoke checks, alarms (unless already read) and the diff, at once; the status they come to. Alarms
 * not OK and kill switches still deploying are waited for until `alarmsOkBy`; anything else wrong
 * fails at once.
 */
async function verifyNow(
  context: EngineContext,
  request: VerificationRequest,
  alarmsOkBy: number,
  alarmsRead?: string[],
): Promise<Verification> {
  const [smokeChecks, alarmsNotOk, { wrong: wrongDiff, settling }] = await Promise.all([
    runSmokeChecks(
      context,
      context.config.verification?.checks ?? [],
      'verification',
      request.manifest.releaseId,
    ),
    alarmsRead ? Promise.resolve(alarmsRead) : alarmsNotOkNow(context),
    manifestDiff(context, request.manifest, {
      switchesOnly: request.switchesOnly,
      ...(request.trafficReadBack ? { trafficReadBack: request.trafficReadBack } : {}),
    }),
  ]);
  const wrong = smokeChecks.some((c) => !c.passed) || wrongDiff.length > 0 || !request.readBack;
  const waiting = alarmsNotOk.length > 0 || settling.length > 0;
  const status: Verification['status'] = wrong
    ? 'failed'
    : !waiting
      ? 'verified'
      : context.clock.now() < alarmsOkBy
        ? 'pending'
        : 'failed';
  return {
    status,
    readBack: request.readBack,
    smokeChecks,
    alarmsNotOk,
    ...(waiting ? { alarmsOkBy: new Date(alarmsOkBy).toISOString() } : {}),
    diff: [...wrongDiff, ...settling],
    checkedAt: isoNow(context),
  };
}

/**
 * The protected alarms not OK now, named (one that cannot be found is not OK). `alarmsRead`: states
 * already read (by the tick); otherwise they are read here.
 */
async function alarmsNotOkNow(context: EngineContext, alarmsRead?: readonly AlarmState[]): Promise<string[]> {
  const { alarms } = context.config;
  if (alarms.length === 0) return [];
  let states: readonly AlarmState[];
  try {
    states =
      alarmsRead ??
      (
        await withRetry(() => context.ports.alarms.alarmStates(alarms.map((a) => a.name)), {
          budgetMs: context.config.policy.stepTimeBudgetMs,
          clock: context.clock,
        })
      ).value;
  } catch {
    return alarms.map((a) => `${a.name} (could not be read)`);
  }
  return protectedAlarmsNotOk(alarms, states).map(({ alarm, state }) =>
    state ? `${alarm.name} (${state.value})` : `${alarm.name} (not found)`,
  );
}

/**
 * Pending: the state keeps the verification for the tick. Final: the `verify` record, its
 * notification, and the state without it (with an unfinished rollback when kill switches alone
 * failed verification).
 */
async function settle(
  context: EngineContext,
  request: VerificationRequest,
  verification: Verification,
  {
    since,
    state,
    condition,
  }: { readonly since: string; readonly state: WatchdogState; readonly condition?: WriteCondition },
): Promise<VerificationOutcome> {
  const coord = coordination(context);
  const { manifest, decisionId: follows } = request;
  const releaseId = manifest.releaseId;
  const base = { status: verification.status, releaseId, follows, verification };
  if (verification.status === 'pending') {
    await writeState(
      coord,
      {
        ...state,
        verifying: { releaseId, decisionId: follows, since, alarmsOkBy: verification.alarmsOkBy ?? since },
      },
      condition,
    );
    context.log.info('verification pending: waiting for the alarms or kill switches', {
      releaseId,
      alarmsNotOk: verification.alarmsNotOk,
      diff: verification.diff,
      alarmsOkBy: verification.alarmsOkBy,
    });
    return { ...base, trafficRollbackFollows: false };
  }
  const failed = verification.status === 'failed';
  const escalate = failed && request.switchesOnly;
  const problems = whatIsWrong(verification);
  const now = isoNow(context);
  await writeState(
    coord,
    {
      ...state,
      verifying: undefined,
      ...(escalate
        ? {
            unfinished: {
              releaseId,
              decisionId: follows,
              since: now,
              detail: `kill switches did not do: ${problems}`.slice(0, 2000),
              lastPagedAt: now,
              attempts: 0,
            },
          }
        : {}),
    },
    condition,
  );
  const decisionId = verifyDecisionId(context);
  const record: AuditRecord = auditRecord(context, now, {
    decisionId,
    trigger: { kind: 'tick', source: 'verification', reason: `verifying decision ${follows}` },
    releaseId,
    checks: checksOf(verification),
    decision: 'verify',
    outcome: failed ? 'verification-failed' : 'verified',
    ...(failed
      ? {
          reason: escalate
            ? `${problems}; traffic is rolled back next (kill switches alone did not do)`
            : problems,
        }
      : {}),
    verification,
    follows,
  });
  // The subject says it in words a pager shows; the record is the message, as for every decision.
  await recordDecision(context, record, false);
  try {
    await context.ports.notify.publish(subjectOf(context, record, request.switchesOnly), record);
  } catch (error) {
    context.log.error('notification failed', { decisionId, error: String(error) });
  }
  return { ...base, decisionId, trafficRollbackFollows: escalate };
}

function checksOf(verification: Verification): AuditRecord['checks'] {
  const failedChecks = verification.smokeChecks.filter((c) => !c.passed);
  return [
    { name: 'read-back', passed: verification.readBack },
    {
      name: 'smoke-checks',
      passed: failedChecks.length === 0,
      detail: `${verification.smokeChecks.length - failedChecks.length} of ${verification.smokeChecks.length} passed`,
    },
    {
      name: 'alarms-ok',
      passed: verification.alarmsNotOk.length === 0,
      ...(verification.alarmsNotOk.length > 0 ? { detail: verification.alarmsNotOk.join(', ') } : {}),
    },
    {
      name: 'matches-manifest',
      passed: verification.diff.length === 0,
      ...(verification.diff.length > 0 ? { detail: verification.diff.join('; ').slice(0, 2000) } : {}),
    },
  ];
}

/** What is still wrong, in one line for a page. */
export function whatIsWrong(verification: Verification): string {
  const parts = [
    ...(verification.readBack ? [] : ['the rollback was not read back']),
    ...verification.smokeChecks.filter((c) => !c.passed).map(describeFailedCheck),
    ...(verification.alarmsNotOk.length > 0
      ? [
          `alarms not OK${verification.alarmsOkBy ? ` by ${verification.alarmsOkBy}` : ''}: ${verification.alarmsNotOk.join(', ')}`,
        ]
      : []),
    ...verification.diff,
  ];
  return parts.join('; ');
}

function describeFailedCheck(check: SmokeCheckResult): string {
  return `smoke check ${check.kind} ${check.target} failed${check.detail ? ` (${check.detail})` : ''}`;
}

function subjectOf(context: EngineContext, record: AuditRecord, switchesOnly: boolean): string {
  const what = switchesOnly ? 'kill switches' : 'rollback';
  const release = record.releaseId ? ` of release ${record.releaseId}` : '';
  return record.outcome === 'verified'
    ? `[switchback] ${context.config.service}: ${switchesOnly ? 'kill switches turned off' : 'rolled back'} and verified${release ? `, release ${record.releaseId}` : ''}`
    : `[switchback] ${context.config.service}: ${what}${release} NOT verified, action needed`;
}
