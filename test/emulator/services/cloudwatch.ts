import { AwsError, constraintMessage } from '../core/aws-error';
import { ACCOUNT_ID } from '../core/ids';
import { Params, ValidationErrors } from '../core/params';
import { Operation, paginate, read, Runtime, ServiceDefinition, write } from '../core/service';
import { JsonRpcProtocol } from '../protocols/json-rpc';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
const ALARM_STATES: readonly AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];

const COMPARISONS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
] as const;
const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;

export interface Dimension {
  Name: string;
  Value: string;
}

/** What metric and composite alarms share, in the shape DescribeAlarms returns. */
interface AlarmFields {
  AlarmName: string;
  AlarmArn: string;
  AlarmDescription?: string;
  AlarmConfigurationUpdatedTimestamp: Date;
  ActionsEnabled: boolean;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
  StateValue: AlarmState;
  StateReason: string;
  StateReasonData?: string;
  StateUpdatedTimestamp: Date;
  StateTransitionedTimestamp: Date;
}

/** A metric alarm, kept in the shape DescribeAlarms returns. */
export interface MetricAlarm extends AlarmFields {
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Dimensions: Dimension[];
  Period?: number;
  Unit?: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold?: number;
  ComparisonOperator: string;
  TreatMissingData?: string;
  Metrics?: unknown[];
}

/** A composite alarm, kept in the shape DescribeAlarms returns. Its rule is stored, never evaluated. */
export interface CompositeAlarm extends AlarmFields {
  AlarmRule: string;
}

/** One datum received by PutMetricData. */
export interface MetricDatum {
  Namespace: string;
  MetricName: string;
  Dimensions: Dimension[];
  Timestamp: Date;
  Value?: number;
  Values?: number[];
  Counts?: number[];
  StatisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
  Unit?: string;
}

export interface CloudWatchState {
  alarms: Map<string, MetricAlarm>;
  compositeAlarms: Map<string, CompositeAlarm>;
  metricData: MetricDatum[];
}

/** CloudWatch's Query-compatible codes: the SDK maps them to its exception names. */
const validation: ValidationErrors = {
  missing: (member) =>
    new AwsError(
      'MissingParameter',
      `The parameter ${member.charAt(0).toUpperCase()}${member.slice(1)} is required.`,
    ),
  invalid: (message) => new AwsError('InvalidParameterValue', message),
};

function readDimensions(p: Params): Dimension[] {
  const dims = (p.list('Dimensions') ?? []).map((d) => ({
    Name: d.reqStr('Name'),
    Value: d.reqStr('Value'),
  }));
  if (dims.length > 30)
    throw validation.invalid('The collection Dimensions must not have a size greater than 30.');
  return dims;
}

function alarmNotFound(name: string): AwsError {
  return new AwsError('ResourceNotFound', `Alarm ${name} not found`, { status: 404 });
}

/** Moves an alarm to a new state and, when it changed and actions are enabled, notifies SNS actions. */
export function transition(
  alarm: MetricAlarm | CompositeAlarm,
  to: AlarmState,
  reason: string,
  reasonData: string | undefined,
  runtime: Runtime,
  region: string,
): void {
  const from = alarm.StateValue;
  const now = new Date(runtime.now());
  alarm.StateValue = to;
  alarm.StateReason = reason;
  alarm.StateReasonData = reasonData;
  alarm.StateUpdatedTimestamp = now;
  if (from === to) return;
  alarm.StateTransitionedTimestamp = now;
  if (!alarm.ActionsEnabled) return;
  const actions =
    to === 'ALARM' ? alarm.AlarmActions : to === 'OK' ? alarm.OKActions : alarm.InsufficientDataActions;
  const message = JSON.stringify({
    AlarmName: alarm.AlarmName,
    AlarmDescription: alarm.AlarmDescription ?? null,
    AWSAccountId: ACCOUNT_ID,
    AlarmConfigurationUpdatedTimestamp: alarm.AlarmConfigurationUpdatedTimestamp.toISOString(),
    NewStateValue: to,
    NewStateReason: reason,
    // CloudWatch writes the offset without a colon: 2026-11-21T12:00:00.000+0000.
    StateChangeTime: now.toISOString().replace('Z', '+0000'),
    Region: region,
    AlarmArn: alarm.AlarmArn,
    OldStateValue: from,
    ...('AlarmRule' in alarm
      ? { AlarmRule: alarm.AlarmRule }
      : {
          Trigger: {
            MetricName: alarm.MetricName,
            Namespace: alarm.Namespace,
            Statistic: alarm.Statistic?.toUpperCase(),
            Dimensions: alarm.Dimensions.map((d) => ({ name: d.Name, value: d.Value })),
            Period: alarm.Period,
            EvaluationPeriods: alarm.EvaluationPeriods,
            ComparisonOperator: alarm.ComparisonOperator,
            Threshold: alarm.Threshold,
            TreatMissingData: alarm.TreatMissingData,
          },
        }),
  });
  for (const arn of actions.filter((a) => a.startsWith('arn:aws:sns:'))) {
    runtime.publishToTopic(arn, message, `${to}: "${alarm.AlarmName}" in ${region}`);
  }
}

const operations: Record<string, Operation<CloudWatchState>> = {
  PutMetricAlarm: write((state, { params: p, region, runtime }) => {
    const name = p.reqStr('AlarmName');
    if (name.length > 255)
      throw validation.invalid(
        constraintMessage(name, 'alarmName', 'Member must have length less than or equal to 255'),
      );
    const evaluationPeriods = p.reqInt('EvaluationPeriods');
    const comparison = p.reqEnum('ComparisonOperator', COMPARISONS);
    const metrics = p.raw('Metrics');
    const metricName = p.str('MetricName');
    if (metrics === undefined && metricName === undefined) throw validation.missing('metricName');
    const statistic = p.enumStr('Statistic', STATISTICS);
    const period = p.int('Period');
    if (period !== undefined && period !== 10 && period !== 20 && period !== 30 && period % 60 !== 0) {
      throw validation.invalid('The parameter Period must be 10, 20, 30 or a multiple of 60.');
    }
    if (evaluationPeriods < 1)
      throw validation.invalid('The parameter EvaluationPeriods must be greater than or equal to 1.');
    const datapoints = p.int('DatapointsToAlarm');
    if (datapoints !== undefined && datapoints > evaluationPeriods) {
      throw validation.invalid('DatapointsToAlarm must be less than or equal to EvaluationPeriods.');
    }
    const now = new Date(runtime.now());
    const existing = state.alarms.get(name);
    const alarm: MetricAlarm = {
      AlarmName: name,
      AlarmArn: `arn:aws:cloudwatch:${region}:${ACCOUNT_ID}:alarm:${name}`,
      AlarmDescription: p.str('AlarmDescription'),
      AlarmConfigurationUpdatedTimestamp: now,
      ActionsEnabled: p.bool('ActionsEnabled') ?? true,
      OKActions: p.strList('OKActions') ?? [],
      AlarmActions: p.strList('AlarmActions') ?? [],
      InsufficientDataActions: p.strList('InsufficientDataActions') ?? [],
      StateValue: existing?.StateValue ?? 'INSUFFICIENT_DATA',
      StateReason: existing?.StateReason ?? 'Unchecked: Initial alarm creation',
      StateReasonData: existing?.StateReasonData,
      StateUpdatedTimestamp: existing?.StateUpdatedTimestamp ?? now,
      StateTransitionedTimestamp: existing?.StateTransitionedTimestamp ?? now,
      MetricName: metricName,
      Namespace: p.str('Namespace'),
      Statistic: statistic,
      ExtendedStatistic: p.str('ExtendedStatistic'),
      Dimensions: readDimensions(p),
      Period: period,
      Unit: p.str('Unit'),
      EvaluationPeriods: evaluationPeriods,
      DatapointsToAlarm: datapoints,
      Threshold: p.num('Threshold'),
      ComparisonOperator: comparison,
      TreatMissingData: p.enumStr('TreatMissingData', [
        'breaching',
        'notBreaching',
        'ignore',
        'missing',
      ] as const),
      Metrics: Array.isArray(metrics) ? structuredClone(metrics) : undefined,
    };
    state.alarms.set(name, alarm);
    return {};
  }),

  PutCompositeAlarm: write((state, { params: p, region, runtime }) => {
    const name = p.reqStr('AlarmName');
    if (name.length > 255)
      throw validation.invalid(
        constraintMessage(name, 'alarmName', 'Member must have length less than or equal to 255'),
      );
    const rule = p.reqStr('AlarmRule');
    if (rule.length > 10240)
      throw validation.invalid(
        constraintMessage('...', 'alarmRule', 'Member must have length less than or equal to 10240'),
      );
    const now = new Date(runtime.now());
    const existing = state.compositeAlarms.get(name);
    state.compositeAlarms.set(name, {
      AlarmName: name,
      AlarmArn: `arn:aws:cloudwatch:${region}:${ACCOUNT_ID}:alarm:${name}`,
      AlarmDescription: p.str('AlarmDescription'),
      AlarmRule: rule,
      AlarmConfigurationUpdatedTimestamp: now,
      ActionsEnabled: p.bool('ActionsEnabled') ?? true,
      OKActions: p.strList('OKActions') ?? [],
      AlarmActions: p.strList('AlarmActions') ?? [],
      InsufficientDataActions: p.strList('InsufficientDataActions') ?? [],
      StateValue: existing?.StateValue ?? 'INSUFFICIENT_DATA',
      StateReason: existing?.StateReason ?? 'Unchecked: Initial alarm creation',
      StateReasonData: existing?.StateReasonData,
      StateUpdatedTimestamp: existing?.StateUpdatedTimestamp ?? now,
      StateTransitionedTimestamp: existing?.StateTransitionedTimestamp ?? now,
    });
    return {};
  }),

  DescribeAlarms: read((state, { params: p }) => {
    const names = p.strList('AlarmNames');
    const prefix = p.str('AlarmNamePrefix');
    if (names && names.length > 0 && prefix !== undefined) {
      throw new AwsError(
        'InvalidParameterCombination',
        'AlarmNamePrefix and AlarmNames cannot be specified together.',
      );
    }
    const stateValue = p.enumStr('StateValue', ALARM_STATES);
    const actionPrefix = p.str('ActionPrefix');
    const types = p.strList('AlarmTypes');
    const selected = <A extends MetricAlarm | CompositeAlarm>(all: Iterable<A>): A[] =>
      [...all]
        .filter((a) => !names || names.length === 0 || names.includes(a.AlarmName))
        .filter((a) => prefix === undefined || a.AlarmName.startsWith(prefix))
        .filter((a) => stateValue === undefined || a.StateValue === stateValue)
        .filter(
          (a) =>
            actionPrefix === undefined ||
            [...a.AlarmActions, ...a.OKActions, ...a.InsufficientDataActions].some((x) =>
              x.startsWith(actionPrefix),
            ),
        )
        .sort((a, b) => a.AlarmName.localeCompare(b.AlarmName));
    // Without AlarmTypes, DescribeAlarms describes metric alarms only, as CloudWatch does.
    const wantMetric = !types || types.length === 0 || types.includes('MetricAlarm');
    const wantComposite = types?.includes('CompositeAlarm') ?? false;
    const alarms: Array<MetricAlarm | CompositeAlarm> = [
      ...(wantMetric ? selected(state.alarms.values()) : []),
      ...(wantComposite ? selected(state.compositeAlarms.values()) : []),
    ];
    const max = p.int('MaxRecords') ?? 50;
    if (max < 1 || max > 100) throw validation.invalid('The parameter MaxRecords must be between 1 and 100.');
    const { page, next } = paginate(
      alarms,
      p.str('NextToken'),
      max,
      () => new AwsError('InvalidNextToken', 'The service cannot process the given NextToken.'),
    );
    return {
      MetricAlarms: structuredClone(page.filter((a) => !('AlarmRule' in a))),
      CompositeAlarms: structuredClone(page.filter((a) => 'AlarmRule' in a)),
      NextToken: next,
    };
  }),

  SetAlarmState: write((state, { params: p, runtime, region }) => {
    const name = p.reqStr('AlarmName');
    const to = p.reqEnum('StateValue', ALARM_STATES);
    const reason = p.reqStr('StateReason');
    const reasonData = p.str('StateReasonData');
    if (reasonData !== undefined) {
      try {
        JSON.parse(reasonData);
      } catch {
        throw new AwsError('InvalidFormat', 'Invalid JSON in StateReasonData');
      }
    }
    const alarm = state.alarms.get(name) ?? state.compositeAlarms.get(name);
    if (!alarm) throw alarmNotFound(name);
    transition(alarm, to, reason, reasonData, runtime, region);
    return {};
  }),

  DeleteAlarms: write((state, { params: p }) => {
    const names = p.strList('AlarmNames') ?? [];
    const missing = names.filter((n) => !state.alarms.has(n) && !state.compositeAlarms.has(n));
    if (missing.length > 0) throw alarmNotFound(missing[0]);
    for (const n of names) {
      state.alarms.delete(n);
      state.compositeAlarms.delete(n);
    }
    return {};
  }),

  PutMetricData: write((state, { params: p, runtime }) => {
    const namespace = p.reqStr('Namespace');
    if (namespace.startsWith('AWS/')) {
      throw validation.invalid(`The value AWS/ for parameter Namespace is invalid.`);
    }
    const data = p.list('MetricData');
    if (!data || data.length === 0) throw validation.missing('metricData');
    if (data.length > 1000)
      throw validation.invalid('The collection MetricData must not have a size greater than 1000.');
    for (const d of data) {
      const ts = d.num('Timestamp');
      const stats = d.obj('StatisticValues');
      state.metricData.push({
        Namespace: namespace,
        MetricName: d.reqStr('MetricName'),
        Dimensions: readDimensions(d),
        Timestamp: new Date(ts === undefined ? runtime.now() : ts * 1000),
        Value: d.num('Value'),
        Values: d.numList('Values'),
        Counts: d.numList('Counts'),
        StatisticValues: stats && {
          SampleCount: stats.reqNum('SampleCount'),
          Sum: stats.reqNum('Sum'),
          Minimum: stats.reqNum('Minimum'),
          Maximum: stats.reqNum('Maximum'),
        },
        Unit: d.str('Unit'),
      });
    }
    return {};
  }),
};

/** CloudWatch: AWS JSON 1.0 (`GraniteServiceVersion20100801.<Action>`), awsQueryCompatible errors. */
export const cloudWatchService: ServiceDefinition<CloudWatchState> = {
  name: 'cloudwatch',
  protocol: new JsonRpcProtocol({
    targetPrefix: 'GraniteServiceVersion20100801',
    jsonVersion: '1.0',
    queryCompatible: true,
  }),
  errors: validation,
  throttlingError: () => new AwsError('Throttling', 'Rate exceeded', { status: 400 }),
  internalErrorCode: 'InternalServiceError',
  unknownAction: (action) => new AwsError('UnknownOperationException', `Unknown operation ${action}`),
  createState: () => ({ alarms: new Map(), compositeAlarms: new Map(), metricData: [] }),
  operations,
};

/** In-process access to CloudWatch for tests and drills. Everything returned is a copy. */
export class CloudWatchInspector {
  constructor(
    private readonly state: () => CloudWatchState,
    private readonly runtime: Runtime,
  ) {}

  alarms(): MetricAlarm[] {
    return structuredClone([...this.state().alarms.values()]);
  }

  alarm(name: string): MetricAlarm | undefined {
    return structuredClone(this.state().alarms.get(name));
  }

  compositeAlarms(): CompositeAlarm[] {
    return structuredClone([...this.state().compositeAlarms.values()]);
  }

  compositeAlarm(name: string): CompositeAlarm | undefined {
    return structuredClone(this.state().compositeAlarms.get(name));
  }

  /**
   * Moves an alarm to a state as if CloudWatch evaluated it, notifying its SNS actions (the
   * emulator does not evaluate alarms from metric data).
   */
  setAlarmState(name: string, to: AlarmState, reason = 'Set by the emulator', region = 'us-east-1'): void {
    const alarm = this.state().alarms.get(name) ?? this.state().compositeAlarms.get(name);
    if (!alarm) throw new Error(`No alarm ${name} in the emulator`);
    transition(alarm, to, reason, undefined, this.runtime, region);
  }

  /** Data received by PutMetricData, optionally of one namespace and metric. */
  metricData(filter: { readonly namespace?: string; readonly metricName?: string } = {}): MetricDatum[] {
    return structuredClone(
      this.state().metricData.filter(
        (d) =>
          (filter.namespace === undefined || d.Namespace === filter.namespace) &&
          (filter.metricName === undefined || d.MetricName === filter.metricName),
      ),
    );
  }
}
