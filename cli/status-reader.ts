/**
 * Reads a service's status without invoking the watchdog: its configuration, release pointer, state
 * and lock from the store; each protected listener's live forward from ELBv2; alarm states from
 * CloudWatch. Read-only calls, so any number of operators can poll while the watchdog works.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  type Action,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ContractError,
  currentReleaseKey,
  currentReleaseSchema,
  parseContract,
  parseWatchdogConfig,
  watchdogConfigKey,
  watchdogLockKey,
  watchdogLockSchema,
  watchdogStateKey,
  watchdogStateSchema,
  type ProtectedListener,
  type ServiceStatusAnswer,
} from '../lib';
import { CliError, EXIT } from './errors';
import type { WatchdogGateway } from './watchdog-gateway';

type ListenerStatus = ServiceStatusAnswer['listeners'][number];

export async function readServiceStatus(
  gateway: WatchdogGateway,
  service: string,
  now: number,
): Promise<ServiceStatusAnswer> {
  try {
    return await readStatusOrThrow(gateway, service, now);
  } catch (error) {
    // A document in the store that breaks its contract is a finding for the operator, not a crash.
    if (error instanceof ContractError)
      throw new CliError(`the store of ${service}: ${error.message}`, EXIT.failed);
    throw error;
  }
}

async function readStatusOrThrow(
  gateway: WatchdogGateway,
  service: string,
  now: number,
): Promise<ServiceStatusAnswer> {
  const configDocument = await gateway.readJson(watchdogConfigKey(service));
  if (configDocument === undefined) {
    throw new CliError(
      `the store has no configuration for ${service} (${watchdogConfigKey(service)}): is the service deployed?`,
      EXIT.setup,
    );
  }
  const config = parseWatchdogConfig(configDocument);
  // A standalone watchdog acts on the service's region; so do these reads.
  const clientConfig = { ...gateway.clientConfig, ...(config.region ? { region: config.region } : {}) };
  const elbv2 = new ElasticLoadBalancingV2Client(clientConfig);
  const cloudwatch = new CloudWatchClient(clientConfig);
  try {
    const [release, state, lock, alarms, listeners] = await Promise.all([
      gateway.readJson(currentReleaseKey(service)),
      gateway.readJson(watchdogStateKey(service)),
      gateway.readJson(watchdogLockKey(service)),
      readAlarms(
        gateway,
        cloudwatch,
        config.alarms.map((a) => a.name),
      ),
      Promise.all(
        config.listeners.map((listener) =>
          // One unreadable listener must not hide the others.
          readListener(gateway, elbv2, listener).catch((error: unknown): ListenerStatus => ({
            name: listener.name,
            forwardsTo: [],
            activeColor: 'none',
            error: error instanceof Error ? error.message : String(error),
          })),
        ),
      ),
    ]);
    const current =
      release === undefined ? undefined : parseContract('current release', currentReleaseSchema, release);
    const parsedLock = lock === undefined ? undefined : watchdogLockSchema.safeParse(lock);
    const held =
      parsedLock?.success === true &&
      !parsedLock.data.released &&
      Date.parse(parsedLock.data.expiresAt) > now;
    return {
      service,
      ...(current ? { release: current } : {}),
      evaluationWindowLeftSeconds: current
        ? Math.max(0, Math.round((Date.parse(current.evaluationWindowEndsAt) - now) / 1000))
        : 0,
      state: parseContract('watchdog state', watchdogStateSchema, state ?? { schemaVersion: 1 }),
      lock:
        held && parsedLock?.success
          ? { held: true, owner: parsedLock.data.owner, expiresAt: parsedLock.data.expiresAt }
          : { held: false },
      alarms,
      listeners,
    };
  } finally {
    elbv2.destroy();
    cloudwatch.destroy();
  }
}

async function readAlarms(gateway: WatchdogGateway, cloudwatch: CloudWatchClient, names: string[]) {
  if (names.length === 0) return [];
  const found = new Map<string, { arn?: string; value: string; updatedAt?: string }>();
  // DescribeAlarms takes at most 100 names per call, and pages its answer.
  for (let i = 0; i < names.length; i += 100) {
    let token: string | undefined;
    do {
      const out = await gateway.call(() =>
        cloudwatch.send(
          new DescribeAlarmsCommand({
            AlarmNames: names.slice(i, i + 100),
            AlarmTypes: ['CompositeAlarm', 'MetricAlarm'],
            NextToken: token,
          }),
        ),
      );
      for (const alarm of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) {
        if (!alarm.AlarmName) continue;
        found.set(alarm.AlarmName, {
          ...(alarm.AlarmArn ? { arn: alarm.AlarmArn } : {}),
          value: alarm.StateValue ?? 'INSUFFICIENT_DATA',
          ...(alarm.StateUpdatedTimestamp ? { updatedAt: alarm.StateUpdatedTimestamp.toISOString() } : {}),
        });
      }
      token = out.NextToken;
    } while (token);
  }
  return names.map((name) => ({ name, ...(found.get(name) ?? { value: 'MISSING' }) }));
}

async function readListener(
  gateway: WatchdogGateway,
  elbv2: ElasticLoadBalancingV2Client,
  listener: ProtectedListener,
): Promise<ListenerStatus> {
  const none = (error: string): ListenerStatus => ({
    name: listener.name,
    forwardsTo: [],
    activeColor: 'none',
    error,
  });
  let listenerArn = listener.listenerArn;
  let actions: Action[] | undefined;
  if (!listenerArn) {
    let marker: string | undefined;
    do {
      const out = await gateway.call(() =>
        elbv2.send(
          new DescribeListenersCommand({ LoadBalancerArn: listener.loadBalancerArn, Marker: marker }),
        ),
      );
      const match = (out.Listeners ?? []).find((l) => l.Port === listener.port);
      if (match?.ListenerArn) {
        listenerArn = match.ListenerArn;
        actions = match.DefaultActions;
      }
      marker = listenerArn ? undefined : out.NextMarker;
    } while (marker);
    if (!listenerArn) return none(`no listener on port ${listener.port} of ${listener.loadBalancerArn}`);
  } else {
    const out = await gateway.call(() =>
      elbv2.send(new DescribeListenersCommand({ ListenerArns: [listenerArn as string] })),
    );
    actions = out.Listeners?.[0]?.DefaultActions;
  }
  let groups = listener.targetGroupArns;
  if (!groups && listener.targetGroupNames) {
    const names = listener.targetGroupNames;
    const [blue, green] = await Promise.all(
      [names.blue, names.green].map((name) => targetGroupArn(gateway, elbv2, name)),
    );
    if (!blue || !green) return none(`target group ${blue ? names.green : names.blue} not found`);
    groups = { blue, green };
  }
  const problems = [
    ...unrestorable(actions ?? [], 'its default action'),
    ...(listener.ruleArns.length + listener.rulePriorities.length > 0
      ? await ruleProblems(gateway, elbv2, listenerArn, listener)
      : []),
  ];
  const colorOf = (arn: string) =>
    (arn === groups?.blue ? 'blue' : arn === groups?.green ? 'green' : 'other') as 'blue' | 'green' | 'other';
  const forwardsTo = (actions ?? []).flatMap((action) => {
    if (action.Type !== 'forward') return [];
    const weighted = action.ForwardConfig?.TargetGroups;
    if (weighted && weighted.length > 0) {
      return weighted.map((g) => ({
        color: colorOf(g.TargetGroupArn ?? ''),
        targetGroupArn: g.TargetGroupArn ?? '',
        weight: g.Weight ?? 1,
      }));
    }
    return action.TargetGroupArn
      ? [{ color: colorOf(action.TargetGroupArn), targetGroupArn: action.TargetGroupArn, weight: 1 }]
      : [];
  });
  const receiving = new Set(forwardsTo.filter((f) => f.weight > 0).map((f) => f.color));
  const activeColor =
    receiving.size === 0
      ? 'none'
      : receiving.size > 1 || receiving.has('other')
        ? 'mixed'
        : [...receiving][0];
  return {
    name: listener.name,
    listenerArn,
    forwardsTo,
    activeColor: activeColor as ListenerStatus['activeColor'],
    // What the watchdog would refuse to restore, shown here rather than found out in an incident.
    ...(problems.length > 0 ? { error: problems.join('; ') } : {}),
  };
}

/** The action types the watchdog can restore (see its ELBv2 adapter). */
const RESTORABLE_ACTIONS = new Set(['forward', 'redirect', 'fixed-response']);

function unrestorable(actions: readonly Action[], where: string): string[] {
  return actions
    .filter((action) => !RESTORABLE_ACTIONS.has(action.Type ?? ''))
    .map((action) => `${where} has a ${action.Type} action, which the watchdog cannot restore`);
}

async function targetGroupArn(
  gateway: WatchdogGateway,
  elbv2: ElasticLoadBalancingV2Client,
  name: string,
): Promise<string | undefined> {
  try {
    const out = await elbv2.send(new DescribeTargetGroupsCommand({ Names: [name] }));
    return out.TargetGroups?.[0]?.TargetGroupArn;
  } catch (error) {
    if ((error as { name?: string }).name === 'TargetGroupNotFoundException') return undefined;
    return gateway.call(() => Promise.reject(error));
  }
}

/** Configured rules that are missing, or whose actions the watchdog cannot restore. */
async function ruleProblems(
  gateway: WatchdogGateway,
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
  listener: ProtectedListener,
): Promise<string[]> {
  const rules: Rule[] = [];
  let marker: string | undefined;
  do {
    const out = await gateway.call(() =>
      elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn, Marker: marker })),
    );
    rules.push(...(out.Rules ?? []));
    marker = out.NextMarker;
  } while (marker);
  const named = rules.filter(
    (r) =>
      (r.RuleArn !== undefined && listener.ruleArns.includes(r.RuleArn)) ||
      listener.rulePriorities.includes(Number(r.Priority)),
  );
  const missing = [
    ...listener.ruleArns.filter((arn) => !rules.some((r) => r.RuleArn === arn)),
    ...listener.rulePriorities
      .filter((p) => !rules.some((r) => Number(r.Priority) === p))
      .map((p) => `priority ${p}`),
  ];
  return [
    ...(missing.length > 0 ? [`configured rules not found: ${missing.join(', ')}`] : []),
    ...named.flatMap((rule) => unrestorable(rule.Actions ?? [], `rule ${rule.Priority}`)),
  ];
}
