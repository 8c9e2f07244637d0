/**
 * The alarm port over CloudWatch: the current state of named metric and composite alarms.
 */
import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { type AlarmPort, type AlarmState, type AlarmStateValue, AwsCallError } from '../ports';
import { call } from './errors';

/** DescribeAlarms takes at most 100 alarm names per call, and returns at most 100 alarms per page. */
const NAMES_PER_CALL = 100;

/** Options for {@link createAlarmAdapter}. */
export interface AlarmAdapterOptions {
  /** Alarms per DescribeAlarms page (1-100). @default 100 */
  readonly pageSize?: number;
}

/** What DescribeAlarms says about a metric or composite alarm (the fields this adapter reads). */
interface DescribedAlarm {
  readonly AlarmName?: string;
  readonly AlarmArn?: string;
  readonly StateValue?: string;
  readonly StateUpdatedTimestamp?: Date;
  /** When the state value last changed (StateUpdatedTimestamp also moves with the reason). */
  readonly StateTransitionedTimestamp?: Date;
}

const STATE_VALUES: ReadonlySet<string> = new Set<AlarmStateValue>(['OK', 'ALARM', 'INSUFFICIENT_DATA']);

function alarmState(alarm: DescribedAlarm): AlarmState {
  const { AlarmName: name, AlarmArn: arn, StateValue: value } = alarm;
  // The transition time is what the state-change event carries: the tick derives the same event id.
  const updated = alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp;
  if (!name || !arn || !value || !STATE_VALUES.has(value) || !updated) {
    throw new AwsCallError(
      'invalid',
      'DescribeAlarms',
      'MalformedAlarm',
      `alarm ${name ?? '(no name)'} has no ARN, state or state timestamp CloudWatch should report`,
    );
  }
  return { name, arn, value: value as AlarmStateValue, updatedAt: updated.toISOString() };
}

/** The alarm port over a CloudWatch client. */
export function createAlarmAdapter(client: CloudWatchClient, options: AlarmAdapterOptions = {}): AlarmPort {
  const describe = async (names: string[]): Promise<AlarmState[]> => {
    const states: AlarmState[] = [];
    let token: string | undefined;
    do {
      const out = await call('DescribeAlarms', () =>
        client.send(
          new DescribeAlarmsCommand({
            AlarmNames: names,
            // Without AlarmTypes, DescribeAlarms leaves composite alarms out.
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            MaxRecords: options.pageSize ?? NAMES_PER_CALL,
            NextToken: token,
          }),
        ),
      );
      for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])])
        states.push(alarmState(a));
      token = out.NextToken;
    } while (token);
    return states;
  };

  return {
    async alarmStates(names: readonly string[]): Promise<AlarmState[]> {
      const unique = [...new Set(names)];
      const batches: string[][] = [];
      for (let i = 0; i < unique.length; i += NAMES_PER_CALL)
        batches.push(unique.slice(i, i + NAMES_PER_CALL));
      const results = await Promise.all(batches.map(describe));
      return results.flat();
    },
  };
}
