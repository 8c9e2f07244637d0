/**
 * The drift-free hold, proven by Terraform itself against moto, on the checkout service of the
 * example app: r0 serves the known-good color only; release r1 goes live with a 10% canary (its
 * capture, run by the real watchdog bundle, records r0's state and starts the release's backup), an
 * alarm set with SetAlarmState rolls it back, and then
 *   - `tofu plan` of r1 must leave the listeners alone (the hold: data.aws_s3_objects + a local
 *     expression, evaluated by Terraform),
 *   - after the operator's acknowledgement, `tofu plan` of r1 must put the canary weights back,
 *   - a new release id, r2, must go live normally (captured, canary restored, re-plan clean);
 *   - the watchdog's traffic shift: r3 puts all traffic back on one color, r4 declares a linear shift
 *     (the candidate at 0%); each schedule tick sets the next step (50%, 100%, then promotes), and a
 *     `tofu plan` of r4 after each step must leave the listeners alone (the newest traffic marker in
 *     the store decides the weights at plan time), so a re-apply never fights the watchdog.
 */
import { CloudWatchClient, DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { presignCallerProof, stsHostFor } from '../../lib/caller-proof';
import type { LambdaRuntime } from './lambda-runtime';
import { describeChanges, type PlannedChange, type TofuStack } from './tofu';

export interface HoldStep {
  readonly step: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface HoldContext {
  readonly motoEndpoint: string;
  readonly runtime: LambdaRuntime;
  readonly stack: TofuStack;
  /** The fixture's outputs (load balancer ARNs). */
  readonly outputs: Record<string, string>;
  /** Re-synthesizes the example app for `releaseId` into the stack's folder. */
  readonly prepareRelease: (releaseId: string) => Promise<void>;
}

const SERVICE = 'checkout';
const FUNCTION = `switchback-${SERVICE}-watchdog`;
const ALARM = `${SERVICE}-rollback`;
const REGION = 'us-east-1';
const credentials = { accessKeyId: 'switchback-verify', secretAccessKey: 'switchback-verify' };

type Weights = Record<string, number>;

/** The weights of the production listener's default forward, by target group ARN. */
async function productionWeights(
  elbv2: ElasticLoadBalancingV2Client,
  loadBalancerArn: string,
): Promise<Weights> {
  const { Listeners = [] } = await elbv2.send(
    new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }),
  );
  const production = Listeners.find((listener) => listener.Port === 443);
  if (!production) throw new Error(`no listener on port 443 of ${loadBalancerArn}`);
  const forward = production.DefaultActions?.find((action) => action.Type === 'forward');
  const groups = forward?.ForwardConfig?.TargetGroups ?? [];
  if (groups.length === 0 && forward?.TargetGroupArn) return { [forward.TargetGroupArn]: 100 };
  return Object.fromEntries(groups.map((group) => [group.TargetGroupArn ?? '?', group.Weight ?? 1]));
}

function show(weights: Weights): string {
  return Object.entries(weights)
    .map(([arn, weight]) => `${/targetgroup\/([^/]+)/.exec(arn)?.[1] ?? arn}=${weight}`)
    .join(' ');
}

const isCanary = (weights: Weights) =>
  Object.values(weights)
    .sort((a, b) => a - b)
    .join('/') === '10/90';

function listenerChanges(changes: readonly PlannedChange[]): PlannedChange[] {
  return changes.filter(
    (change) =>
      (change.type === 'aws_lb_listener' || change.type === 'aws_lb_listener_rule') &&
      change.address.includes(SERVICE),
  );
}

export async function proveHold(context: HoldContext): Promise<HoldStep[]> {
  const steps: HoldStep[] = [];
  let underway = 'r1: reading the capture and the listeners';
  const record = (step: string, ok: boolean, detail: string) => {
    steps.push({ step, ok, detail });
    if (!ok) throw new HoldFailed(steps);
  };
  const elbv2 = new ElasticLoadBalancingV2Client({
    region: REGION,
    endpoint: context.motoEndpoint,
    credentials,
  });
  const cloudwatch = new CloudWatchClient({ region: REGION, endpoint: context.motoEndpoint, credentials });
  const loadBalancerArn = context.outputs[`${SERVICE}_load_balancer_arn`];
  try {
    const capture = context.runtime.invocations.find(
      (call) => call.functionName === FUNCTION && (call.event as { releaseId?: string }).releaseId === 'r1',
    );
    record(
      'r1: its apply ran the capture (the real watchdog bundle) before moving traffic',
      capture?.ok === true,
      JSON.stringify(capture?.result ?? 'no capture invocation').slice(0, 300),
    );

    // moto has no StartBackupJob: the runtime's stand-in checked the vault and role against moto.
    const backups = context.runtime.backupJobs.filter((job) => job.releaseTag === 'r1');
    record(
      "r1: the capture started the release's backup (StartBackupJob, vault and role as Terraform made them)",
      backups.length > 0 && backups.every((job) => job.vaultName.includes(SERVICE)),
      backups.length === 0
        ? 'no StartBackupJob for r1'
        : backups.map((job) => `${job.resourceArn} → vault ${job.vaultName}, role ${job.roleArn}`).join('; '),
    );

    const live = await productionWeights(elbv2, loadBalancerArn);
    record('r1: the canary is live (90/10)', isCanary(live), show(live));

    // The known-good (blue, 90%) group needs a healthy target, or the watchdog refuses to flip.
    const blue = Object.entries(live).find(([, weight]) => weight === 90)?.[0] as string;
    await elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: blue, Targets: [{ Id: '10.0.1.10', Port: 8080 }] }),
    );

    await cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: ALARM,
        StateValue: 'ALARM',
        StateReason: 'verify:terraform breach',
      }),
    );
    const { MetricAlarms = [], CompositeAlarms = [] } = await cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: [ALARM] }),
    );
    const alarm = [...MetricAlarms, ...CompositeAlarms][0];
    if (!alarm?.AlarmArn || !alarm.StateUpdatedTimestamp) throw new Error(`alarm ${ALARM} is not in moto`);
    underway = 'r1: the alarm invokes the watchdog';
    const rollback = await context.runtime.invoke(FUNCTION, REGION, {
      source: 'aws.cloudwatch',
      alarmArn: alarm.AlarmArn,
      alarmData: {
        alarmName: ALARM,
        state: { value: 'ALARM', timestamp: alarm.StateUpdatedTimestamp.toISOString() },
        previousState: { value: 'OK' },
      },
    });
    const afterRollback = await productionWeights(elbv2, loadBalancerArn);
    record(
      'r1: the alarm rolled it back (all traffic to the known-good group)',
      rollback.ok &&
        afterRollback[blue] === 100 &&
        Object.values(afterRollback).reduce((a, b) => a + b, 0) === 100,
      `${show(afterRollback)}; watchdog: ${JSON.stringify(rollback.result).slice(0, 300)}`,
    );

    underway = 'r1: tofu plan after the rollback';
    const held = await context.stack.plan();
    record(
      'r1 re-planned after the rollback: no change to the listeners (the hold)',
      listenerChanges(held.changes).length === 0,
      held.changes.length === 0 ? 'plan: no changes' : describeChanges(held.changes).join('; '),
    );

    underway = 'r1: the operator acknowledges the rollback';
    const acknowledged = await context.runtime.invoke(
      FUNCTION,
      REGION,
      withCallerProof(context.runtime, {
        action: 'acknowledge',
        releaseId: 'r1',
        requestedBy: 'verify:terraform',
        reason: 'the harness lets r1 go live again',
      }),
    );
    record(
      'r1: the operator acknowledged the rollback (with a caller proof, as the CLI sends it)',
      acknowledged.ok && (acknowledged.result as { status?: string } | null)?.status === 'ok',
      `${JSON.stringify(acknowledged.result).slice(0, 300)}; proof signed as ${context.runtime.sts.callerArn}`,
    );

    underway = 'r1: tofu plan after the acknowledgement';
    const released = await context.stack.plan();
    const restores = listenerChanges(released.changes).filter((change) =>
      JSON.stringify(change.change.after).includes('"weight":10'),
    );
    record(
      'r1 re-planned after the acknowledgement: the canary weights come back',
      restores.length > 0,
      describeChanges(listenerChanges(released.changes)).join('; ') || 'no listener change planned',
    );

    // With r1's canary gone the breach ends; moto evaluates no alarm, so the harness says so. (A
    // capture refuses to start a release while its rollback alarm is in ALARM.)
    await cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: ALARM,
        StateValue: 'OK',
        StateReason: 'verify:terraform recovery',
      }),
    );
    underway = 'r2: tofu apply of a new release id';
    await context.prepareRelease('r2');
    await context.stack.apply();
    const captured = context.runtime.invocations.filter(
      (call) => call.functionName === FUNCTION && (call.event as { releaseId?: string }).releaseId === 'r2',
    );
    const r2 = await productionWeights(elbv2, loadBalancerArn);
    record(
      'r2: a new release id goes live normally (captured, canary live)',
      captured.length === 1 && captured[0].ok && isCanary(r2),
      `${show(r2)}; capture: ${JSON.stringify(captured[0]?.result ?? 'none').slice(0, 200)}`,
    );
    underway = 'r2: tofu plan after its apply';
    const settled = await context.stack.plan();
    record(
      'r2 re-planned: no changes',
      settled.changes.length === 0,
      settled.changes.length === 0 ? 'plan: no changes' : describeChanges(settled.changes).join('; '),
    );
    await proveShift(context, { elbv2, cloudwatch }, loadBalancerArn, record, (step) => (underway = step));
    return steps;
  } catch (error) {
    if (error instanceof HoldFailed) throw error;
    // A tofu or AWS call failed between steps: reported as the step that was under way.
    steps.push({ step: underway, ok: false, detail: lastLine((error as Error).message) });
    throw new HoldFailed(steps);
  } finally {
    elbv2.destroy();
    cloudwatch.destroy();
  }
}

type Record_ = (step: string, ok: boolean, detail: string) => void;

/** r3 back on blue only, then r4's shift carried out by the watchdog's ticks, re-planned at each step. */
async function proveShift(
  context: HoldContext,
  clients: { elbv2: ElasticLoadBalancingV2Client; cloudwatch: CloudWatchClient },
  loadBalancerArn: string,
  record: Record_,
  underway: (step: string) => void,
): Promise<void> {
  const { elbv2, cloudwatch } = clients;
  underway('r3: tofu apply (all traffic on the known-good color)');
  await context.prepareRelease('r3');
  await context.stack.apply();
  const r3 = await productionWeights(elbv2, loadBalancerArn);
  const blue = Object.entries(r3).find(([, weight]) => weight === 100)?.[0];
  record('r3: one color serves all traffic', blue !== undefined, show(r3));
  const green = Object.keys(r3).find((arn) => arn !== blue) as string;
  // The shift waits for a healthy candidate before its first step: never send traffic to an empty group.
  await elbv2.send(
    new RegisterTargetsCommand({ TargetGroupArn: green, Targets: [{ Id: '10.0.2.10', Port: 8080 }] }),
  );

  underway('r4: tofu apply of a release with a linear shift');
  await context.prepareRelease('r4');
  await context.stack.apply();
  const declared = await productionWeights(elbv2, loadBalancerArn);
  record(
    'r4: applied with the candidate at 0% (the shift is the watchdog’s)',
    declared[green] === 0,
    show(declared),
  );
  // A step needs every protected alarm OK; moto evaluates none, and an alarm it re-created on apply
  // would be INSUFFICIENT_DATA, so the harness says OK (a healthy release).
  await cloudwatch.send(
    new SetAlarmStateCommand({
      AlarmName: ALARM,
      StateValue: 'OK',
      StateReason: 'verify:terraform healthy r4',
    }),
  );

  const expected = [
    { green: 50, label: 'step 1 (50%)' },
    { green: 100, label: 'step 2 (100%)' },
    { green: 100, label: 'promotion' },
  ];
  for (const { green: share, label } of expected) {
    underway(`r4: the tick that sets ${label}`);
    const tick = await context.runtime.invoke(FUNCTION, REGION, { action: 'tick' });
    const live = await productionWeights(elbv2, loadBalancerArn);
    record(
      `r4: a schedule tick sets ${label}`,
      tick.ok && live[green] === share && live[blue as string] === 100 - share,
      `${show(live)}; tick: ${JSON.stringify(tick.result).slice(0, 200)}`,
    );
    underway(`r4: tofu plan after ${label}`);
    const replanned = await context.stack.plan();
    record(
      `r4 re-planned after ${label}: no change to the listeners (the marker holds the watchdog's weights)`,
      listenerChanges(replanned.changes).length === 0,
      listenerChanges(replanned.changes).length === 0
        ? 'plan: no listener change'
        : describeChanges(listenerChanges(replanned.changes)).join('; '),
    );
  }
  const status = await context.runtime.invoke(FUNCTION, REGION, { action: 'status' });
  const promotion = (status.result as { result?: { state?: { promotion?: { releaseId?: string } } } })?.result
    ?.state?.promotion;
  record(
    'r4: the promotion is recorded (the next release starts from the candidate)',
    status.ok && promotion?.releaseId === 'r4',
    JSON.stringify(promotion ?? 'no promotion').slice(0, 200),
  );
}

/**
 * `request` with the caller proof the CLI would sign (a manual action needs one: the default policy
 * requires verified callers), for the watchdog's STS endpoint, with the credentials it knows.
 */
function withCallerProof(runtime: LambdaRuntime, request: Record<string, unknown>): Record<string, unknown> {
  const callerProof = presignCallerProof({
    credentials: runtime.sts.credentials,
    region: REGION,
    host: stsHostFor(REGION, runtime.sts.endpoint),
    request,
  });
  return { ...request, callerProof };
}

function lastLine(message: string): string {
  const lines = message.trim().split('\n');
  return lines.find((line) => line.startsWith('Error:')) ?? lines[lines.length - 1] ?? message;
}

/** A step of the proof failed: the steps so far, the last one failed. */
export class HoldFailed extends Error {
  constructor(readonly steps: HoldStep[]) {
    super(`hold proof failed at: ${steps[steps.length - 1]?.step}`);
  }
}
