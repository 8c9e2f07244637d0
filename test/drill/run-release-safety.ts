/**
 * Runs one release-safety scenario end to end on loopback, on a fresh control plane: build its
 * services (one, or a rollback group of several and its coordinator), start each service's users,
 * router and alarms, let the baseline period pass, play the scenario's script (deploys through the
 * real bundle, releases, the operator's CLI), then read what happened from the deploys' answers, the
 * stores and the traffic records (release-safety-summary.ts).
 */
import { runCli } from '../../cli/program';
import type { AuditRecord, GroupRecord } from '../../lib';
import { startControlPlane, type ControlPlane } from './control-plane';
import { buildGroupWorld, coordinatorFunctionName, type GroupWorld } from './group-world';
import {
  RELEASE_SAFETY_SCENARIOS,
  type DeployRecord,
  type OperatorCall,
  type ReleaseSafetyScenarioName,
  type ScriptMark,
  type Stage,
} from './release-safety-scenarios';
import { summarizeReleaseSafety, type ObservedService } from './release-safety-summary';
import type { DrillSettings } from './run-scenario';
import { buildServiceWorld, type FunctionCredentials, type ServiceWorld } from './service-world';
import type { ScenarioRun } from './summary';
import { FunctionError, type WatchdogFunction } from './watchdog-function';

/** Lets the evaluation of the period before the script publish first. */
const START_AFTER_BOUNDARY_MS = 30;
/** How often a wait reads the store. */
const POLL_MS = 250;
/**
 * The services of a group share the machine with four function containers: each gets this share of the
 * drill's request rate (20 requests/s of 80), so the three together send less than one service does.
 */
const GROUP_RATE_SHARE = 0.25;

/** Thrown to end a script at its deadline; what timed out is in the run's `timeouts`. */
class DeadlinePassed extends Error {}

/**
 * Who the coordinator is: the credentials its container gets (its role's) and the ARN STS answers for
 * them. On the emulator, credentials it knows for an assumed role of the coordinator's name.
 */
export interface CoordinatorIdentity {
  readonly credentials: FunctionCredentials;
  readonly arn: string;
}

/** Runs one release-safety scenario on a fresh control plane. */
export async function runReleaseSafetyScenario(
  name: ReleaseSafetyScenarioName,
  settings: DrillSettings,
): Promise<ScenarioRun> {
  const scenario = RELEASE_SAFETY_SCENARIOS[name];
  const startedAt = Date.now();
  const errors: string[] = [];
  const timeouts: string[] = [];
  const deploys: DeployRecord[] = [];
  const operatorCalls: OperatorCall[] = [];
  const marks: ScriptMark[] = [];
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  const periodMs = (60 * 1000) / settings.timeScale;
  let plane: ControlPlane | undefined;
  let services: ServiceWorld[] = [];
  let group: GroupWorld | undefined;
  let coordinatorArn: string | undefined;
  let scriptStartedAt = Number.NaN;
  let logSeqAtStart = Number.POSITIVE_INFINITY;
  let deadline = Number.POSITIVE_INFINITY;

  try {
    plane = await startControlPlane(settings.controlPlane);
    const cp = plane;
    closers.push(() => cp.stop());
    const common = {
      plane: cp,
      bundlePath: settings.bundlePath,
      timeScale: settings.timeScale,
      functionTimeoutSeconds: settings.functionTimeoutSeconds,
      requestTimeoutMs: settings.requestTimeoutMs,
      ...(scenario.alarmOverrides ? { alarmOverrides: scenario.alarmOverrides } : {}),
    };
    if (scenario.group) {
      const identity = coordinatorIdentity(cp, scenario.group.name);
      coordinatorArn = identity.arn;
      group = await buildGroupWorld({
        ...common,
        requestsPerSecond: Math.max(10, Math.round(settings.requestsPerSecond * GROUP_RATE_SHARE)),
        group: scenario.group.name,
        order: scenario.group.order,
        onMemberRollback: scenario.group.onMemberRollback,
        members: scenario.services,
        coordinatorCredentials: identity.credentials,
        ...(scenario.config ? { memberConfig: scenario.config } : {}),
      });
      const g = group;
      closers.push(() => g.close());
      services = [...g.members];
    } else {
      for (const [index, spec] of scenario.services.entries()) {
        const world = await buildServiceWorld({
          ...common,
          requestsPerSecond: settings.requestsPerSecond,
          service: spec.service,
          listenerPort: 80 + index,
          ...(scenario.config ? { config: scenario.config } : {}),
        });
        closers.push(() => world.close());
        services.push(world);
      }
    }
    const byService = new Map(services.map((s) => [s.service, s]));
    const world = (service: string): ServiceWorld => {
      const found = byService.get(service);
      if (!found) throw new Error(`scenario ${name} has no service ${service}`);
      return found;
    };
    if (scenario.prepare) {
      if (!cp.emulator)
        throw new Error(`scenario ${name} runs on the emulator only: ${scenario.needsEmulator}`);
      await scenario.prepare({ emulator: cp.emulator, clientConfig: () => cp.clientConfig() });
    }

    const evaluators = await Promise.all(services.map((s) => s.startTraffic()));
    const boundary = Math.max(...evaluators.map((e) => e.origin)) + settings.baselinePeriods * periodMs;
    await sleep(boundary + START_AFTER_BOUNDARY_MS - Date.now());
    scriptStartedAt = Date.now();
    logSeqAtStart = cp.requestLog().at(-1)?.seq ?? 0;
    deadline = scriptStartedAt + settings.maxRunMs;

    const checkDeadline = (what: string) => {
      if (Date.now() > deadline) {
        timeouts.push(
          `stopped ${settings.maxRunMs} ms after the last deploy began, still waiting for ${what}`,
        );
        throw new DeadlinePassed();
      }
    };
    const waitUntil = async (what: string, done: () => Promise<boolean> | boolean) => {
      for (;;) {
        if (await done()) return;
        checkDeadline(what);
        await sleep(POLL_MS);
      }
    };
    const stage: Stage = {
      periodMs,
      emulator() {
        if (!cp.emulator)
          throw new Error(`scenario ${name} runs on the emulator only: ${scenario.needsEmulator}`);
        return cp.emulator;
      },
      clientConfig: () => cp.clientConfig(),
      async deploy(service, releaseId, overrides) {
        const at = Date.now();
        // Each deploy has the run's time budget after it, as a one-release scenario has after its release.
        deadline = Math.max(deadline, at + settings.maxRunMs);
        marks.push({ at, kind: 'deploy', label: `deploy ${releaseId}` });
        const payload = { action: 'capture', releaseId, ...(overrides ? { overrides } : {}) };
        const answer = await within(world(service).invoke(payload), deadline).catch((error: unknown) => ({
          done: true as const,
          error,
        }));
        if (!answer.done) {
          timeouts.push(
            `the capture of ${service} ${releaseId} had not answered when the run's deadline came`,
          );
          throw new DeadlinePassed();
        }
        const record = deployRecord(service, releaseId, at, answer, overrides);
        deploys.push(record);
        marks.push({ at: record.answeredAt, kind: 'deploy', label: deployLabel(record), service });
        return record;
      },
      async release(names) {
        // The services' writes start together: the release is their start.
        marks.push({ at: Date.now(), kind: 'release', label: 'release' });
        await Promise.all(
          names.map((service) =>
            world(service).setWeights(100 - settings.canaryWeightPercent, settings.canaryWeightPercent),
          ),
        );
      },
      green: (service, behaviour) => world(service).green(behaviour),
      untilAudit: (service, what, done) =>
        waitUntil(what, async () => done(await world(service).auditRecords())),
      untilGroupRecords: (what, done) =>
        waitUntil(what, async () => done(group ? await group.groupRecords() : [])),
      untilAlarmOk: (service) =>
        waitUntil(`${service}'s alarm to be OK again`, () => {
          const s = world(service);
          const changes = s.transitions.filter((t) => t.alarm === s.compositeName && t.at >= scriptStartedAt);
          return changes.some((t) => t.to === 'ALARM') && changes.at(-1)?.to === 'OK';
        }),
      async periods(count) {
        const until = Date.now() + count * periodMs;
        while (Date.now() < until) {
          checkDeadline(`${count} alarm period(s) to pass`);
          await sleep(Math.min(POLL_MS, until - Date.now()));
        }
      },
      async operator(service, argv) {
        const at = Date.now();
        marks.push({ at, kind: 'operator', label: `operator: ${argv.slice(0, 2).join(' ')}` });
        const call = await operatorCli(cp, [...argv, '--function', world(service).functionName, '--json']);
        const record = { at, argv, ...call };
        operatorCalls.push(record);
        return record;
      },
      mark: (kind, label) => marks.push({ at: Date.now(), kind, label }),
    };
    await scenario.play(stage);
    await sleep(settings.tailMs);
  } catch (error) {
    if (!(error instanceof DeadlinePassed))
      errors.push(error instanceof Error ? error.message : String(error));
  }

  // Stop the users and the alarms, then let the functions finish what they started.
  await Promise.all(services.map((s) => s.stopTraffic().catch(() => undefined)));
  const functions: WatchdogFunction[] = [
    ...services.map((s) => s.watchdog),
    ...(group ? [group.coordinator] : []),
  ];
  const settleBy = Math.max(Date.now(), deadline === Number.POSITIVE_INFINITY ? 0 : deadline) + 5000;
  if (!(await within(Promise.all(functions.map((f) => f.idle())), settleBy)).done) {
    timeouts.push('a watchdog or the coordinator was still busy after the traffic stopped');
  }

  let observed: ObservedService[] = [];
  let groupRecords: GroupRecord[] = [];
  try {
    observed = await Promise.all(services.map((s) => observe(s)));
    groupRecords = group ? await group.groupRecords() : [];
  } catch (error) {
    errors.push(`reading the outcome failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const log = plane?.requestLog() ?? [];
  const groupNotifications = group?.notificationMessages() ?? [];
  const coordinatorInvocations = group ? [...group.coordinator.invocations] : [];
  const watchdogLog = [
    ...services.flatMap((s) => s.watchdog.logLines.map((line) => `[${s.service}] ${line}`)),
    ...(group ? group.coordinator.logLines.map((line) => `[coordinator] ${line}`) : []),
  ];
  await closeAll();
  return summarizeReleaseSafety({
    scenario,
    startedAt,
    scriptStartedAt,
    logAfterStart: log.filter((e) => e.seq > logSeqAtStart),
    services: observed,
    deploys,
    operatorCalls,
    marks,
    groupRecords,
    groupNotifications,
    coordinatorInvocations,
    ...(coordinatorArn ? { coordinatorCallerArn: coordinatorArn } : {}),
    watchdogLog,
    errors,
    timeouts,
  });
}

/** What the summary needs of a service, read before the control plane stops. */
async function observe(world: ServiceWorld): Promise<ObservedService> {
  const [finalWeights, audit, state] = await Promise.all([
    world.weights(),
    world.auditRecords(),
    world.watchdogState(),
  ]);
  return {
    service: world.service,
    compositeName: world.compositeName,
    finalWeights,
    audit: audit as AuditRecord[],
    ...(state ? { state } : {}),
    routed: [...world.routed],
    client: [...world.client],
    transitions: [...world.transitions],
    notifications: world.notificationMessages(),
    invocations: [...world.watchdog.invocations],
    coldStartMs: world.watchdog.initMs,
    evaluationErrors: [...world.errors],
  };
}

/** A deploy's capture answer as the deploy saw it. */
function deployRecord(
  service: string,
  releaseId: string,
  at: number,
  answer: { done: true; value: unknown } | { done: true; error: unknown },
  overrides: DeployRecord['overrides'],
): DeployRecord {
  const answeredAt = Date.now();
  const base = { service, releaseId, at, answeredAt, ...(overrides ? { overrides } : {}) };
  if ('error' in answer) {
    // The function failed: Terraform's aws_lambda_invocation fails, and the deploy with it.
    if (answer.error instanceof FunctionError)
      return {
        ...base,
        outcome: 'refused',
        errorType: answer.error.errorType,
        errorMessage: answer.error.message,
      };
    throw answer.error;
  }
  const response = answer.value as {
    status?: string;
    reason?: string;
    result?: { status?: string; overridden?: string[] };
  } | null;
  if (response?.status !== 'ok') {
    return {
      ...base,
      outcome: 'refused',
      errorType: 'rejected',
      errorMessage: response?.reason ?? JSON.stringify(response),
    };
  }
  return {
    ...base,
    outcome: response.result?.status === 'already-captured' ? 'already-captured' : 'captured',
    ...(response.result?.overridden ? { overridden: response.result.overridden } : {}),
  };
}

/** How a capture's answer reads on the timeline. */
function deployLabel(record: DeployRecord): string {
  if (record.outcome !== 'refused')
    return record.overridden?.length
      ? `captured (overridden: ${record.overridden.join(', ')})`
      : record.outcome;
  const why: Record<string, string> = {
    CaptureBackupNotReadyError: 'backup not ready',
    CaptureFrozenError: 'frozen',
  };
  return `refused: ${why[record.errorType ?? ''] ?? record.errorType ?? 'failed'}`;
}

/**
 * The coordinator's credentials, as Lambda gives its container those of its role (temporary, with a
 * session token), made known to the emulator's STS as that role's session: what STS answers when the
 * coordinator's caller proof is checked.
 */
function coordinatorIdentity(plane: ControlPlane, group: string): CoordinatorIdentity {
  const emulator = plane.emulator;
  if (!emulator) throw new Error("the coordinator needs the emulator's STS");
  const name = coordinatorFunctionName(group);
  const credentials = {
    accessKeyId: 'ASIADRILLCOORDINATOR',
    secretAccessKey: `drill-${group}-coordinator-secret`,
    sessionToken: `drill-${group}-coordinator-session`,
  };
  const identity = emulator.sts.addIdentity({
    ...credentials,
    arn: `arn:aws:sts::${emulator.accountId}:assumed-role/${name}/${name}`,
  });
  return { credentials, arn: identity.arn };
}

/** `switchback <argv>` as an operator runs it, pointed at the control plane by AWS_ENDPOINT_URL. */
async function operatorCli(
  plane: ControlPlane,
  argv: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { AWS_ENDPOINT_URL: plane.endpoint, AWS_REGION: plane.clientConfig().region },
    clientConfig: { credentials: plane.clientConfig().credentials },
  });
  return { code, stdout, stderr };
}

/** Waits for `promise` until `deadline` (epoch ms); `done: false` when the deadline came first. */
async function within<T>(
  promise: Promise<T>,
  deadline: number,
): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(
      () => resolve({ done: false }),
      Math.max(0, Math.min(deadline - Date.now(), 2 ** 31 - 1)),
    );
  });
  try {
    return await Promise.race([promise.then((value) => ({ done: true as const, value })), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
