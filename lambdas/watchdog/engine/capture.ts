/**
 * Capture: record the live state as the release's manifest before the release changes anything. If
 * capture fails, the deploy stops: no release without a way back.
 */
import {
  currentReleaseKey,
  parseReleaseManifest,
  releaseManifestKey,
  type CurrentRelease,
  type ReleaseManifest,
  type CaptureOverrides,
  type CaptureResultAnswer,
  type ProtectedListener,
  type ShiftState,
  type WatchdogState,
} from '../../../lib';
import type { AlarmState, StoredJson } from '../ports';
import { acquireLock, readCurrentRelease, readState, releaseLockQuietly, writeState } from './coordination';
import { rememberRelease } from './warm';
import { coordination, isoNow, type EngineContext } from './context';
import { auditRecord, recordDecision } from './audit';
import {
  passBackupGate,
  refuseCapture as refuse,
  type CapturedBackup,
  type GateCheck as Check,
} from './backup-readiness';
import { passFreezeGate } from './freeze';
import { captureKillSwitches } from './kill-switches';
import { forwardedTargetGroups } from './plan';
import { resolveListener } from './resolve';
import { withRetry } from './retry';

/** The answer to a capture, in lib's answer shape (the CLI parses it with the same schema). */
export type CaptureResult = CaptureResultAnswer;

/** Capture refused: a protected alarm is already in ALARM (it would never send a transition). */
export class CaptureRefusedError extends Error {
  constructor(
    readonly releaseId: string,
    readonly alarms: readonly string[],
  ) {
    super(
      `capture of release ${releaseId} refused: ${alarms.join(', ')} already in ALARM or missing, so a breach would never be signalled. ` +
        'Fix the alarm, or set policy.allowCaptureWhileAlarming to release anyway.',
    );
    this.name = 'CaptureRefusedError';
  }
}

/**
 * Capture refused: the release shifts traffic from the color its stack declares active, but live
 * traffic is not on that color (a promotion the stack has not followed): its apply would send traffic
 * back to the declared color, and the shift would move it the wrong way.
 */
export class CaptureColorMismatchError extends Error {
  constructor(
    readonly releaseId: string,
    readonly mismatches: readonly string[],
  ) {
    super(
      `capture of release ${releaseId} refused: ${mismatches.join('; ')}. ` +
        "Set the listener's activeColor to the color serving traffic (after a promotion, the promoted color) and deploy again.",
    );
    this.name = 'CaptureColorMismatchError';
  }
}

/**
 * Records the live state as the manifest of `releaseId`. A release not captured yet passes its gates
 * first, before the service's lock is taken (a rollback of the live release never waits on them): the
 * deploy freeze, the protected alarms, and the backup readiness (which starts the pre-release backups
 * and may wait for them). A refusal is audited, notified and thrown, so the deploy stops.
 */
export async function captureRelease(
  context: EngineContext,
  releaseId: string,
  overrides: CaptureOverrides = {},
): Promise<CaptureResult> {
  const { config, ports, clock } = context;
  const manifestKey = releaseManifestKey(config.service, releaseId);
  const startedAt = isoNow(context);
  const retry = <T>(fn: () => Promise<T>) =>
    withRetry(fn, { budgetMs: config.policy.stepTimeBudgetMs, clock }).then((r) => r.value);
  // Manifests are never deleted: one found now is there under the lock too.
  const [found, stateBefore] = await Promise.all([
    ports.store.getJson(manifestKey),
    readState(coordination(context)),
  ]);
  const gates = found
    ? undefined
    : await passGates(context, releaseId, overrides, stateBefore, startedAt, retry);

  const lease = await acquireLock(coordination(context), context.lockWaitMs);
  if (!lease)
    throw new Error(
      `capture of ${releaseId}: another watchdog run holds the lock of ${config.service}; retry`,
    );
  try {
    // Capturing again after the release moved traffic would record the release itself as known-good.
    const existing = found ?? (await ports.store.getJson(manifestKey));
    if (existing) return await alreadyCaptured(context, releaseId, manifestKey, existing);
    // Not found before the lock either: the gates ran.
    const passed = gates as PassedGates;
    // A rollback of the live release may have latched while the gates ran.
    const state = await readState(coordination(context));
    const freeze = await passFreezeGate(context, state, releaseId, overrides.freeze, startedAt);

    // Test listeners follow the candidate by design: there is nothing to restore on them.
    const production = config.listeners.filter((l) => l.role === 'production');
    const resolutions = await Promise.all(production.map((l) => resolveListener(l, ports.traffic, retry)));
    // A listener that does not exist yet (the first release) has no way back to capture.
    const absent = resolutions.flatMap((r) => (r.found ? [] : [`${r.name}: ${r.reason}`]));
    const listeners = resolutions.flatMap((resolution) => {
      if (!resolution.found) return [];
      const { name, listenerArn, targetGroupArns, live, rules } = resolution.listener;
      const knownGood = forwardedTargetGroups([...live.defaultActions, ...rules.flatMap((r) => r.actions)]);
      return [
        {
          name,
          listenerArn,
          knownGoodTargetGroupArns: knownGood,
          candidateTargetGroupArns: [targetGroupArns.blue, targetGroupArns.green].filter(
            (arn) => !knownGood.includes(arn),
          ),
          defaultActions: live.defaultActions,
          rules: rules.map((r) => ({ ruleArn: r.ruleArn, priority: r.priority, actions: r.actions })),
        },
      ];
    });
    const mismatches = config.shifting ? misdeclaredColors(production, resolutions) : [];
    if (mismatches.length > 0) {
      await refuse(
        context,
        startedAt,
        releaseId,
        [{ name: 'declared-color-is-live', passed: false, detail: mismatches.join('; ') }],
        new CaptureColorMismatchError(releaseId, mismatches),
        passed.backups,
      );
    }
    const [aliases, parameters, artifacts, killSwitches] = await Promise.all([
      Promise.all(
        config.aliases.map((a) => retry(() => ports.aliases.describeAlias(a.functionName, a.aliasName))),
      ),
      Promise.all(
        config.parameters.map(async (p) => ({
          name: p.name,
          version: await retry(() => ports.parameters.currentVersion(p.name)),
        })),
      ),
      Promise.all(
        config.artifacts.map(async (a) => ({
          key: a.key,
          versionId: await retry(() => ports.artifacts.currentVersionId(a.key)),
        })),
      ),
      captureKillSwitches(context),
    ]);

    const now = clock.now();
    const manifest: ReleaseManifest = parseReleaseManifest({
      schemaVersion: 1,
      service: config.service,
      releaseId,
      capturedAt: new Date(now).toISOString(),
      evaluationWindowEndsAt: new Date(now + config.policy.evaluationWindowMinutes * 60_000).toISOString(),
      listeners,
      aliases,
      parameters,
      artifacts,
      alarms: passed.alarms.map((a) => ({ name: a.name, state: a.value })),
      backups: passed.backups,
      ...(config.shifting ? { shifting: config.shifting } : {}),
      killSwitches,
    });
    const written = await ports.store.putJson(manifestKey, manifest, { ifNoneMatch: true });
    if (written === 'precondition-failed')
      throw new Error(`release ${releaseId} was captured concurrently; run capture again`);
    await writePointer(context, releaseId, manifestKey, written.versionId, manifest, state);

    const overridden = [...(freeze.overridden ? ['freeze' as const] : []), ...passed.overridden];
    await recordDecision(
      context,
      auditRecord(context, startedAt, {
        trigger: { kind: 'capture' },
        releaseId,
        checks: [
          freeze.check,
          passed.alarmCheck,
          ...passed.backupChecks,
          {
            name: 'listeners-exist',
            passed: absent.length === 0,
            ...(absent.length ? { detail: `not captured: ${absent.join('; ')}` } : {}),
          },
        ],
        decision: 'capture',
        outcome: 'captured',
        recoveryPoints: passed.backups.flatMap((b) => (b.recoveryPointArn ? [b.recoveryPointArn] : [])),
        ...(overridden.length > 0 ? { overrides: overridden } : {}),
      }),
      // A release let past a gate is news: the override is notified with its reason.
      overridden.length > 0,
    );
    return {
      status: 'captured',
      ...(overridden.length > 0 ? { overridden } : {}),
      releaseId,
      manifestKey,
      ...(written.versionId ? { manifestVersionId: written.versionId } : {}),
      evaluationWindowEndsAt: manifest.evaluationWindowEndsAt,
    };
  } finally {
    await releaseLockQuietly(coordination(context), lease, context.log);
  }
}

type Retry = <T>(fn: () => Promise<T>) => Promise<T>;
type Gate = 'backupReadiness' | 'freeze';

/** What a new release's gates found: it passed them, or was let past by its overrides. */
interface PassedGates {
  readonly alarms: AlarmState[];
  readonly alarmCheck: Check;
  readonly backupChecks: Check[];
  readonly backups: CapturedBackup[];
  readonly overridden: Gate[];
}

/** The gates of a new release, cheapest first; throws (audited, notified) at the first that refuses. */
async function passGates(
  context: EngineContext,
  releaseId: string,
  overrides: CaptureOverrides,
  state: WatchdogState,
  startedAt: string,
  retry: Retry,
): Promise<PassedGates> {
  const { config, ports } = context;
  const freeze = await passFreezeGate(context, state, releaseId, overrides.freeze, startedAt);
  const passed = freeze.overridden ? [freeze.check] : [];

  const alarms =
    config.alarms.length > 0
      ? await retry(() => ports.alarms.alarmStates(config.alarms.map((a) => a.name)))
      : [];
  const blocking = blockingAlarms(
    config.alarms.map((a) => a.name),
    alarms,
  );
  if (blocking.length > 0 && !config.policy.allowCaptureWhileAlarming) {
    await refuse(
      context,
      startedAt,
      releaseId,
      [...passed, { name: 'alarms-not-in-alarm', passed: false, detail: blocking.join(', ') }],
      new CaptureRefusedError(releaseId, blocking),
    );
  }
  const alarmCheck: Check = {
    name: 'alarms-not-in-alarm',
    passed: blocking.length === 0,
    ...(blocking.length ? { detail: `allowed by policy: ${blocking.join(', ')}` } : {}),
  };

  const earlier = [...passed, alarmCheck];
  const backup = await passBackupGate(context, releaseId, overrides.backupReadiness, startedAt, earlier);
  return {
    alarms,
    alarmCheck,
    backupChecks: backup.checks,
    backups: backup.backups,
    overridden: backup.overridden ? ['backupReadiness'] : [],
  };
}

/** A release captured before (a retried capture): its work finished, its manifest answered. */
async function alreadyCaptured(
  context: EngineContext,
  releaseId: string,
  manifestKey: string,
  existing: StoredJson,
): Promise<CaptureResult> {
  const manifest = parseReleaseManifest(existing.body);
  const pointer = await readCurrentRelease(coordination(context));
  if (
    pointer &&
    pointer.releaseId !== releaseId &&
    Date.parse(pointer.capturedAt) > Date.parse(manifest.capturedAt)
  ) {
    // Its manifest describes the state before an older deploy: not a way back from today's.
    throw new Error(
      `release ${releaseId} was captured before the current release ${pointer.releaseId}; a release id is used once: deploy with a new release id`,
    );
  }
  if (!pointer || pointer.releaseId !== releaseId) {
    // The previous run wrote the manifest but died before the pointer: finish its work.
    await writePointer(context, releaseId, manifestKey, existing.versionId, manifest);
  } else {
    // Or before the state: start the shift if it has not started (a started one is never restarted).
    await armForRelease(context, manifest);
  }
  context.log.info('release already captured', { releaseId });
  return {
    status: 'already-captured',
    releaseId,
    manifestKey,
    ...(existing.versionId ? { manifestVersionId: existing.versionId } : {}),
    evaluationWindowEndsAt: manifest.evaluationWindowEndsAt,
  };
}

/** Production listeners whose declared active color receives none of the live traffic. */
function misdeclaredColors(
  production: readonly ProtectedListener[],
  resolutions: readonly Awaited<ReturnType<typeof resolveListener>>[],
): string[] {
  return resolutions.flatMap((resolution, index) => {
    const declared = production[index]?.activeColor;
    if (!resolution.found || declared === undefined) return [];
    const { name, targetGroupArns, live } = resolution.listener;
    const forwarded = forwardedTargetGroups(live.defaultActions);
    if (forwarded.length === 0 || forwarded.includes(targetGroupArns[declared])) return [];
    const other = declared === 'blue' ? 'green' : 'blue';
    const serving = forwarded.includes(targetGroupArns[other]) ? other : 'other target groups';
    return [`listener ${name}: the stack declares ${declared} active, but live traffic is all on ${serving}`];
  });
}

function blockingAlarms(names: readonly string[], states: readonly AlarmState[]): string[] {
  return names.filter((name) => {
    const state = states.find((s) => s.name === name);
    return state === undefined || state.value === 'ALARM';
  });
}

/** Points the service at this release's manifest; a new release id re-arms the latch of the previous one. */
async function writePointer(
  context: EngineContext,
  releaseId: string,
  manifestKey: string,
  versionId: string | undefined,
  manifest: ReleaseManifest,
  state?: WatchdogState,
): Promise<void> {
  const pointer: CurrentRelease = {
    releaseId,
    manifestKey,
    ...(versionId ? { manifestVersionId: versionId } : {}),
    capturedAt: manifest.capturedAt,
    evaluationWindowEndsAt: manifest.evaluationWindowEndsAt,
    // Embedded, so a rollback reads pointer and manifest in one round trip.
    manifest,
  };
  await context.ports.store.putJson(currentReleaseKey(context.config.service), pointer);
  rememberRelease(context.warm, releaseId, versionId, manifest);
  await armForRelease(context, manifest, state);
}

/**
 * The state for a newly captured release: the previous release's latch lifted, and its shift started
 * when it has a shifting plan (pre-traffic, no production traffic yet). Writes only what changes, so a
 * capture repeated for the same release never restarts its shift.
 */
async function armForRelease(
  context: EngineContext,
  manifest: ReleaseManifest,
  known?: WatchdogState,
): Promise<void> {
  const state = known ?? (await readState(coordination(context)));
  const next = armedState(state, manifest, isoNow(context));
  if (next !== state) await writeState(coordination(context), next);
}

/** Pure: `state` itself when nothing changes. */
export function armedState(state: WatchdogState, manifest: ReleaseManifest, now: string): WatchdogState {
  const { releaseId } = manifest;
  const staleLatch = state.latched !== undefined && state.latched.releaseId !== releaseId;
  const otherShift = state.shift !== undefined && state.shift.releaseId !== releaseId;
  const startShift = manifest.shifting !== undefined && state.shift?.releaseId !== releaseId;
  if (!staleLatch && !otherShift && !startShift) return state;
  const shift: ShiftState | undefined = startShift
    ? {
        releaseId,
        phase: 'pre-traffic',
        stepIndex: -1,
        candidateWeightPercent: 0,
        stepStartedAt: now,
        markerSeq: 0,
        updatedAt: now,
      }
    : otherShift
      ? undefined
      : state.shift;
  const { latched: _latched, shift: _shift, ...rest } = state;
  return {
    ...rest,
    ...(staleLatch ? {} : state.latched ? { latched: state.latched } : {}),
    ...(shift ? { shift } : {}),
  };
}
