import { CloudwatchCompositeAlarm } from '@cdktf/provider-aws/lib/cloudwatch-composite-alarm';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { SERVICE_NAME_PATTERN, type ProtectedAlarm } from '../lib';
import { sanitizeName } from './internal/names';
import { isKnown, PropValidator, show } from './internal/validation';
import { inOwnFramework } from './internal/framework';

/** A statistic a KPI alarm evaluates. */
export type KpiStatistic = 'Sum' | 'Average' | 'Minimum' | 'Maximum' | 'SampleCount';

/** How a KPI alarm compares its statistic with the threshold. */
export type KpiComparison =
  | 'GreaterThanOrEqualToThreshold'
  | 'GreaterThanThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';

/** How an alarm treats a period without data points. */
export type MissingDataTreatment = 'breaching' | 'notBreaching' | 'ignore' | 'missing';

/** One dimension of a custom metric. */
export interface KpiDimension {
  /** The dimension's name, 1-255 characters. */
  readonly name: string;
  /** The dimension's value, 1-1024 characters (may be a Terraform reference). */
  readonly value: string;
}

/**
 * A business metric the application publishes (orders per minute, payment failures, sign-ups), alarmed
 * on as one more member of the rollback composite.
 */
export interface KpiAlarmOptions {
  /** The metric's namespace, such as `Checkout`. 1-255 characters, not starting with ':'. */
  readonly namespace: string;
  /** The metric's name, such as `OrdersPlaced`. 1-255 characters. */
  readonly metricName: string;
  /**
   * The dimensions the application publishes the metric with; give the ones that select the
   * candidate's series (for example `{ name: 'Color', value: 'green' }`). At most 30.
   * @default - no dimensions
   */
  readonly dimensions?: KpiDimension[];
  /** The statistic evaluated over each period. */
  readonly statistic: KpiStatistic;
  /**
   * How the statistic is compared with `threshold`: a `LessThan…` comparison for a KPI that must stay
   * above a floor (orders per minute), a `GreaterThan…` one for a KPI that must stay below a ceiling
   * (payment failures).
   */
  readonly comparison: KpiComparison;
  /** The threshold, in the metric's own unit. */
  readonly threshold: number;
  /**
   * Whether the application publishes the metric at high (1 second) resolution. Only a high-resolution
   * KPI allows a `periodSeconds` of 10, 20 or 30.
   * @default false
   */
  readonly highResolution?: boolean;
  /**
   * How a period without data points is treated.
   * @default - 'breaching' for a `LessThan…` comparison: a floor KPI that stops reporting (the
   * candidate crashed, or stopped taking orders) is as bad as one that drops; 'notBreaching' for a
   * `GreaterThan…` comparison: a ceiling KPI such as an error count is usually published only when
   * non-zero, so silence means none
   */
  readonly treatMissingData?: MissingDataTreatment;
}

/** Props of {@link RollbackAlarms}. */
export interface RollbackAlarmsProps {
  /**
   * The load balancer's CloudWatch dimension value, `app/<name>/<id>`: the `arnSuffix` of an
   * `aws_lb` (may be a Terraform reference).
   */
  readonly loadBalancerArnSuffix: string;
  /**
   * The candidate target group's CloudWatch dimension value, `targetgroup/<name>/<id>`: the
   * `arnSuffix` of the target group a release deploys to, such as
   * `listener.candidateColor === 'green' ? listener.greenTargetGroup.arnSuffix : …` (may be a
   * Terraform reference).
   */
  readonly targetGroupArnSuffix: string;
  /**
   * The service name: lowercase letters, digits and hyphens, 1-40 characters. It names the alarms
   * (`<serviceName>-5xx-rate`, …, `<serviceName>-rollback`) unless `alarmNamePrefix` is given.
   * @default - the construct id, lowercased, with other characters turned into hyphens
   */
  readonly serviceName?: string;
  /**
   * The prefix of every alarm name, `<prefix>-<kind>`: letters, digits and `._/-`, starting with a letter
   * or digit, short enough that every name fits CloudWatch's 255 characters. Set it when two stacks of
   * the same service share an account and region (`prod-checkout`, `staging/checkout`).
   * @default - the service name
   */
  readonly alarmNamePrefix?: string;
  /**
   * The share of the candidate's responses that are 5XX, in percent (0 < x ≤ 100), above which the
   * 5xx-rate alarm breaches.
   * @default 5
   */
  readonly errorRatePercent?: number;
  /** The p99 target response time, in seconds (> 0), above which the latency alarm breaches. @default 2 */
  readonly p99LatencySeconds?: number;
  /**
   * The number of unhealthy candidate targets (an integer ≥ 1) at or above which the unhealthy-hosts
   * alarm breaches.
   * @default 1
   */
  readonly unhealthyHostThreshold?: number;
  /** A fourth member alarm on a business metric the application publishes. @default - no KPI alarm */
  readonly kpi?: KpiAlarmOptions;
  /**
   * The length of one evaluation period, in seconds: a multiple of 60 up to 86400, or 10, 20 or 30 with
   * a high-resolution KPI. The load balancer alarms use at least 60 s, since the load balancer
   * publishes its metrics once a minute; a sub-minute period applies to the KPI alarm only.
   * @default 60
   */
  readonly periodSeconds?: number;
  /** The number of most recent periods each member alarm evaluates. @default 3 */
  readonly evaluationPeriods?: number;
  /**
   * How many of the `evaluationPeriods` must breach for a member to go to ALARM (M of N), at most
   * `evaluationPeriods`.
   * @default - 2, or `evaluationPeriods` when that is smaller
   */
  readonly datapointsToAlarm?: number;
  /**
   * How many member alarms (k) must be in ALARM together for the composite to go to ALARM, from 1 to the
   * number of members (3, or 4 with a KPI). One noisy alarm alone does not roll a release back.
   * @default 2
   */
  readonly requiredBreaches?: number;
  /**
   * What the composite notifies when it goes to ALARM: the watchdog Lambda's ARN (the fastest trigger),
   * SNS topics, at most 5. The composite has no OK or INSUFFICIENT_DATA actions: the watchdog acts only
   * on ALARM, and a switchback is never undone automatically.
   * @default - no actions (wire them later, for example from the watchdog construct)
   */
  readonly alarmActionArns?: string[];
  /**
   * The release's evaluation window, in minutes (1-10080), as in the watchdog's rollback policy. When
   * given, synth checks the composite can fire inside it: the slowest member's period × evaluation
   * periods must be shorter than the window.
   * @default - no check
   */
  readonly evaluationWindowMinutes?: number;
}

/** The metric alarms RollbackAlarms defines, in the order the composite rule lists them. */
export type RollbackAlarmKind = '5xx-rate' | 'p99-latency' | 'unhealthy-hosts' | 'kpi';

/**
 * CloudWatch alarms on the candidate target group of a blue-green release — 5XX rate, p99 latency,
 * unhealthy hosts and, optionally, a business KPI — and a composite alarm that goes to ALARM when at
 * least `requiredBreaches` of them are in ALARM together. The composite is what the rollback watchdog
 * protects: its ALARM action invokes the watchdog; the member alarms have no actions.
 */
export class RollbackAlarms extends Construct {
  /** The service name. */
  public readonly serviceName: string;
  /** The prefix of every alarm name. */
  public readonly alarmNamePrefix: string;
  /** The alarm on the candidate's 5XX rate, in percent of its requests. */
  public readonly errorRateAlarm: CloudwatchMetricAlarm;
  /** The alarm on the candidate's p99 target response time. */
  public readonly latencyAlarm: CloudwatchMetricAlarm;
  /** The alarm on the candidate's unhealthy target count. */
  public readonly unhealthyHostsAlarm: CloudwatchMetricAlarm;
  /** The alarm on the business KPI, when one is given. */
  public readonly kpiAlarm?: CloudwatchMetricAlarm;
  /** The member alarms, in the order the composite rule lists them. */
  public readonly memberAlarms: CloudwatchMetricAlarm[];
  /** The member alarms' names, in the same order. */
  public readonly memberAlarmNames: string[];
  /** How many members must be in ALARM together for the composite to go to ALARM. */
  public readonly requiredBreaches: number;
  /** The composite's rule: every combination of `requiredBreaches` members, OR-ed. */
  public readonly alarmRule: string;
  /** The composite alarm the watchdog protects. */
  public readonly compositeAlarm: CloudwatchCompositeAlarm;
  /** The composite alarm's name. */
  public readonly compositeAlarmName: string;

  constructor(scope: Construct, id: string, props: RollbackAlarmsProps) {
    super(inOwnFramework(scope, 'RollbackAlarms', id), id);
    const settings = resolveSettings(this, id, props);
    this.serviceName = settings.serviceName;
    this.alarmNamePrefix = settings.prefix;
    this.requiredBreaches = settings.requiredBreaches;

    const alb = {
      namespace: ALB_NAMESPACE,
      dimensions: {
        LoadBalancer: props.loadBalancerArnSuffix,
        TargetGroup: props.targetGroupArnSuffix,
      },
      period: settings.loadBalancerPeriodSeconds,
    };
    const evaluation = {
      evaluationPeriods: settings.evaluationPeriods,
      datapointsToAlarm: settings.datapointsToAlarm,
    };
    const member = `Member of ${settings.names.rollback}.`;

    this.errorRateAlarm = new CloudwatchMetricAlarm(this, 'ErrorRateAlarm', {
      alarmName: settings.names['5xx-rate'],
      alarmDescription: `More than ${text(settings.errorRatePercent)}% of the candidate target group's responses are 5XX. ${member}`,
      comparisonOperator: 'GreaterThanThreshold',
      threshold: settings.errorRatePercent,
      ...evaluation,
      metricQuery: [
        {
          id: 'errors',
          label: 'Target 5XX responses',
          returnData: false,
          metric: { ...alb, metricName: 'HTTPCode_Target_5XX_Count', stat: 'Sum' },
        },
        {
          id: 'requests',
          label: 'Requests',
          returnData: false,
          metric: { ...alb, metricName: 'RequestCount', stat: 'Sum' },
        },
        {
          id: 'error_rate',
          label: '5XX rate (%)',
          // The load balancer publishes both counts only for periods that have some: FILL turns a
          // period with requests but no 5XX into 0 %, and the IF guards the division. A period without
          // requests stays without a data point.
          expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
          returnData: true,
        },
      ],
      // No traffic is not an error: before the canary weight moves, the candidate has no requests.
      treatMissingData: 'notBreaching',
    });

    this.latencyAlarm = new CloudwatchMetricAlarm(this, 'LatencyAlarm', {
      alarmName: settings.names['p99-latency'],
      alarmDescription: `The candidate target group's p99 response time is above ${text(settings.p99LatencySeconds)} s. ${member}`,
      ...alb,
      metricName: 'TargetResponseTime',
      extendedStatistic: 'p99',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: settings.p99LatencySeconds,
      ...evaluation,
      // With 'ignore', a p99 counts only from 1000 samples per evaluation period (CloudWatch's
      // 10 / (1 - 0.99)), which a canary rarely gets, so the alarm would never fire. The k-of-n
      // composite is what absorbs a noisy p99 from a handful of requests.
      evaluateLowSampleCountPercentiles: 'evaluate',
      // No requests, no response times: not a breach.
      treatMissingData: 'notBreaching',
    });

    this.unhealthyHostsAlarm = new CloudwatchMetricAlarm(this, 'UnhealthyHostsAlarm', {
      alarmName: settings.names['unhealthy-hosts'],
      alarmDescription: `The candidate target group has at least ${text(settings.unhealthyHostThreshold)} unhealthy targets. ${member}`,
      ...alb,
      metricName: 'UnHealthyHostCount',
      statistic: 'Maximum',
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: settings.unhealthyHostThreshold,
      ...evaluation,
      // Before the candidate has registered targets the count may not be reported: not a breach.
      treatMissingData: 'notBreaching',
    });

    const kpi = props.kpi;
    if (kpi) {
      this.kpiAlarm = new CloudwatchMetricAlarm(this, 'KpiAlarm', {
        alarmName: settings.names.kpi,
        alarmDescription: `The business KPI ${kpi.namespace}/${kpi.metricName} (${kpi.statistic}) is ${COMPARISON_SYMBOLS[kpi.comparison]} ${text(kpi.threshold)}. ${member}`,
        namespace: kpi.namespace,
        metricName: kpi.metricName,
        ...(kpi.dimensions?.length
          ? { dimensions: Object.fromEntries(kpi.dimensions.map((d) => [d.name, d.value])) }
          : {}),
        statistic: kpi.statistic,
        period: settings.periodSeconds,
        comparisonOperator: kpi.comparison,
        threshold: kpi.threshold,
        ...evaluation,
        treatMissingData: kpi.treatMissingData ?? defaultKpiMissingData(kpi.comparison),
      });
    }

    this.memberAlarms = [this.errorRateAlarm, this.latencyAlarm, this.unhealthyHostsAlarm];
    if (this.kpiAlarm) this.memberAlarms.push(this.kpiAlarm);
    this.memberAlarmNames = settings.memberKinds.map((kind) => settings.names[kind]);
    this.alarmRule = kOfNRule(this.memberAlarmNames, settings.requiredBreaches);
    this.compositeAlarmName = settings.names.rollback;

    this.compositeAlarm = new CloudwatchCompositeAlarm(this, 'CompositeAlarm', {
      alarmName: this.compositeAlarmName,
      alarmDescription: `At least ${settings.requiredBreaches} of ${this.memberAlarmNames.length} rollback alarms of ${settings.serviceName} are in ALARM: the watchdog switches the release back.`,
      alarmRule: this.alarmRule,
      actionsEnabled: true,
      alarmActions: props.alarmActionArns ?? [],
      // The watchdog acts only on ALARM; a return to OK never undoes a switchback.
      okActions: [],
      insufficientDataActions: [],
      // The rule names the members as text, a dependency Terraform cannot see: this creates the members
      // first and deletes them last, so the rule never names an alarm that does not exist.
      dependsOn: this.memberAlarms,
    });
  }

  /** The composite alarm's ARN. */
  public get compositeAlarmArn(): string {
    return this.compositeAlarm.arn;
  }

  /**
   * The alarms the watchdog protects, in the shape of the watchdog configuration's `alarms` entries:
   * the composite only (the members have no actions).
   */
  public get protectedAlarms(): ProtectedAlarm[] {
    return [{ name: this.compositeAlarmName, arn: this.compositeAlarmArn }];
  }
}

const ALB_NAMESPACE = 'AWS/ApplicationELB';
/** The longest alarm name CloudWatch accepts. */
const ALARM_NAME_MAX_LENGTH = 255;
/** The most actions CloudWatch accepts per alarm state. */
const MAX_ALARM_ACTIONS = 5;
/** The most dimensions a CloudWatch metric has. */
const MAX_DIMENSIONS = 30;

const ALARM_NAME_PREFIX = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const LOAD_BALANCER_ARN_SUFFIX = /^app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/;
const TARGET_GROUP_ARN_SUFFIX = /^targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/;
/** A name CloudWatch accepts for a namespace, metric or dimension: printable ASCII, not starting with ':'. */
const CLOUDWATCH_NAME = /^[\x20-\x39\x3b-\x7e][\x20-\x7e]{0,254}$/;
const ALARM_ACTION_ARN = /^arn:aws[a-z-]*:(sns|lambda|ssm|ssm-incidents):[a-z0-9-]*:\d{12}:.+$/;
const HIGH_RESOLUTION_PERIODS: readonly number[] = [10, 20, 30];

const STATISTICS: readonly KpiStatistic[] = ['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount'];
const COMPARISONS: readonly KpiComparison[] = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
];
const COMPARISON_SYMBOLS: Record<KpiComparison, string> = {
  GreaterThanOrEqualToThreshold: '≥',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
};
const MISSING_DATA: readonly MissingDataTreatment[] = ['breaching', 'notBreaching', 'ignore', 'missing'];

type NameKind = RollbackAlarmKind | 'rollback';

function defaultKpiMissingData(comparison: KpiComparison): MissingDataTreatment {
  return comparison.startsWith('LessThan') ? 'breaching' : 'notBreaching';
}

/** A number for a message or description, whether known or a Terraform reference. */
function text(value: number): string {
  return isKnown(value) ? String(value) : Token.asString(value);
}

/**
 * The composite rule "at least k of these alarms are in ALARM": the OR of the AND of every
 * k-combination, in the order given. k = 1 is a plain OR, k = n a plain AND. With at most 4 members
 * of at most 255 characters, the longest rule (2 of 4) stays far below CloudWatch's 10240 characters.
 */
function kOfNRule(alarmNames: readonly string[], k: number): string {
  const terms = combinations(alarmNames, k).map((names) =>
    names.map((name) => `ALARM("${name}")`).join(' AND '),
  );
  if (k === 1 || terms.length === 1) return terms.join(' OR ');
  return terms.map((term) => `(${term})`).join(' OR ');
}

function combinations<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  const result: T[][] = [];
  items.forEach((item, index) => {
    for (const rest of combinations(items.slice(index + 1), k - 1)) result.push([item, ...rest]);
  });
  return result;
}

interface Settings {
  readonly serviceName: string;
  readonly prefix: string;
  readonly names: Record<NameKind, string>;
  readonly memberKinds: readonly RollbackAlarmKind[];
  readonly errorRatePercent: number;
  readonly p99LatencySeconds: number;
  readonly unhealthyHostThreshold: number;
  readonly periodSeconds: number;
  readonly loadBalancerPeriodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly requiredBreaches: number;
}

/** Validates the props (throwing on the first bad one) and fills in the defaults. */
function resolveSettings(scope: Construct, id: string, props: RollbackAlarmsProps): Settings {
  const check = new PropValidator(scope);

  const serviceName = props.serviceName ?? sanitizeName(id, 40);
  check.matches(
    'serviceName',
    serviceName,
    SERVICE_NAME_PATTERN,
    'must be 1-40 lowercase letters, digits or hyphens, starting and ending with a letter or digit.',
  );
  const memberKinds: RollbackAlarmKind[] = ['5xx-rate', 'p99-latency', 'unhealthy-hosts'];
  if (props.kpi) memberKinds.push('kpi');
  const prefix = props.alarmNamePrefix ?? serviceName;
  const kinds: NameKind[] = [...memberKinds, 'rollback'];
  const names = Object.fromEntries(kinds.map((kind) => [kind, `${prefix}-${kind}`])) as Record<
    NameKind,
    string
  >;
  if (props.alarmNamePrefix !== undefined) {
    check.matches(
      'alarmNamePrefix',
      props.alarmNamePrefix,
      ALARM_NAME_PREFIX,
      "must be letters, digits, '.', '_', '/' or '-', starting with a letter or digit.",
    );
  }
  // A service name (at most 40 characters) always fits; only a long alarmNamePrefix can overflow.
  if (isKnown(prefix)) {
    const longest = kinds.map((kind) => names[kind]).reduce((a, b) => (b.length > a.length ? b : a));
    if (longest.length > ALARM_NAME_MAX_LENGTH) {
      check.conflict(
        'alarmNamePrefix',
        `alarm names are '<prefix>-<kind>', at most ${ALARM_NAME_MAX_LENGTH} characters, but '${longest.slice(0, 40)}…' would be ${longest.length}; use a prefix of at most ${ALARM_NAME_MAX_LENGTH - (longest.length - prefix.length)} characters.`,
      );
    }
  }

  check.matches(
    'loadBalancerArnSuffix',
    props.loadBalancerArnSuffix,
    LOAD_BALANCER_ARN_SUFFIX,
    "must be an application load balancer's CloudWatch dimension, 'app/<name>/<id>': the arnSuffix of the aws_lb, not its ARN.",
  );
  check.matches(
    'targetGroupArnSuffix',
    props.targetGroupArnSuffix,
    TARGET_GROUP_ARN_SUFFIX,
    "must be a target group's CloudWatch dimension, 'targetgroup/<name>/<id>': the arnSuffix of the aws_lb_target_group, not its ARN.",
  );

  const errorRatePercent = props.errorRatePercent ?? 5;
  if (isKnown(errorRatePercent) && !(errorRatePercent > 0 && errorRatePercent <= 100)) {
    check.fail(
      'errorRatePercent',
      errorRatePercent,
      'must be a percentage above 0 and at most 100 (the share of responses that are 5XX).',
    );
  }
  const p99LatencySeconds = props.p99LatencySeconds ?? 2;
  if (isKnown(p99LatencySeconds) && !(p99LatencySeconds > 0 && Number.isFinite(p99LatencySeconds))) {
    check.fail(
      'p99LatencySeconds',
      p99LatencySeconds,
      'must be a number of seconds above 0, such as 2 or 0.5.',
    );
  }
  const unhealthyHostThreshold = props.unhealthyHostThreshold ?? 1;
  check.integerInRange(
    'unhealthyHostThreshold',
    unhealthyHostThreshold,
    1,
    Number.MAX_SAFE_INTEGER,
    'the number of unhealthy targets that breaches',
  );

  if (props.kpi) validateKpi(check, props.kpi);

  const mustBeKnown = (prop: string, value: number | undefined) => {
    if (value !== undefined && !isKnown(value)) {
      check.conflict(
        prop,
        'must be a number known at synth time (the alarms and the composite rule are computed from it), not a Terraform reference.',
      );
    }
  };
  const periodSeconds = props.periodSeconds ?? 60;
  mustBeKnown('periodSeconds', props.periodSeconds);
  if (HIGH_RESOLUTION_PERIODS.includes(periodSeconds)) {
    if (!props.kpi) {
      check.conflict(
        'periodSeconds',
        `a period of ${periodSeconds} s needs a high-resolution KPI, and no kpi is defined; the load balancer publishes its metrics once a minute, so use a multiple of 60.`,
      );
    }
    if (props.kpi?.highResolution !== true) {
      check.conflict(
        'periodSeconds',
        `a period of ${periodSeconds} s needs a high-resolution KPI; set kpi.highResolution to true if the application publishes the metric at 1-second resolution, or use a multiple of 60.`,
      );
    }
  } else if (!(
    Number.isInteger(periodSeconds) &&
    periodSeconds % 60 === 0 &&
    periodSeconds >= 60 &&
    periodSeconds <= 86400
  )) {
    check.fail(
      'periodSeconds',
      periodSeconds,
      'must be a multiple of 60 from 60 to 86400, or 10, 20 or 30 with a high-resolution KPI.',
    );
  }
  const loadBalancerPeriodSeconds = Math.max(periodSeconds, 60);

  const evaluationPeriods = props.evaluationPeriods ?? 3;
  mustBeKnown('evaluationPeriods', props.evaluationPeriods);
  check.integerInRange('evaluationPeriods', evaluationPeriods, 1, Number.MAX_SAFE_INTEGER);
  // CloudWatch caps the time an alarm looks back at: one day for periods under an hour, else 7 days.
  const maxEvaluationSeconds = loadBalancerPeriodSeconds < 3600 ? 86400 : 604800;
  const evaluationSeconds = loadBalancerPeriodSeconds * evaluationPeriods;
  if (evaluationSeconds > maxEvaluationSeconds) {
    check.conflict(
      'evaluationPeriods',
      `a period of ${loadBalancerPeriodSeconds} s × ${evaluationPeriods} evaluation periods = ${evaluationSeconds} s, but CloudWatch evaluates at most ${maxEvaluationSeconds} s (${maxEvaluationSeconds === 86400 ? 'one day for periods under an hour' : 'seven days'}).`,
    );
  }
  const datapointsToAlarm = props.datapointsToAlarm ?? Math.min(2, evaluationPeriods);
  mustBeKnown('datapointsToAlarm', props.datapointsToAlarm);
  check.integerInRange('datapointsToAlarm', datapointsToAlarm, 1, Number.MAX_SAFE_INTEGER);
  if (datapointsToAlarm > evaluationPeriods) {
    check.conflict(
      'datapointsToAlarm',
      `got ${datapointsToAlarm}; must be at most evaluationPeriods (${evaluationPeriods}): an alarm cannot need more breaching periods than it evaluates.`,
    );
  }

  const requiredBreaches = props.requiredBreaches ?? 2;
  mustBeKnown('requiredBreaches', props.requiredBreaches);
  const n = memberKinds.length;
  check.integerInRange(
    'requiredBreaches',
    requiredBreaches,
    1,
    n,
    `at least 1, at most the ${n} alarms defined: ${memberKinds.join(', ')}`,
  );

  // A list only Terraform knows (a list token) is checked by AWS at apply.
  const actions = Token.isUnresolved(props.alarmActionArns) ? [] : (props.alarmActionArns ?? []);
  if (actions.length > MAX_ALARM_ACTIONS) {
    check.conflict(
      'alarmActionArns',
      `got ${actions.length} actions; CloudWatch takes at most ${MAX_ALARM_ACTIONS} per alarm state (fan out through an SNS topic).`,
    );
  }
  actions.forEach((arn, index) =>
    check.matches(
      `alarmActionArns[${index}]`,
      arn,
      ALARM_ACTION_ARN,
      'must be the ARN of a Lambda function, an SNS topic or a Systems Manager action.',
    ),
  );

  const window = props.evaluationWindowMinutes;
  check.integerInRange('evaluationWindowMinutes', window, 1, 10080);
  if (window !== undefined && isKnown(window) && evaluationSeconds >= window * 60) {
    check.conflict(
      'evaluationWindowMinutes',
      `the composite cannot fire inside the evaluation window: its slowest member needs a period of ${loadBalancerPeriodSeconds} s × ${evaluationPeriods} evaluation periods = ${evaluationSeconds} s, which is not shorter than the window of ${window} minutes (${window * 60} s); shorten periodSeconds or evaluationPeriods, or lengthen the window.`,
    );
  }

  return {
    serviceName,
    prefix,
    names,
    memberKinds,
    errorRatePercent,
    p99LatencySeconds,
    unhealthyHostThreshold,
    periodSeconds,
    loadBalancerPeriodSeconds,
    evaluationPeriods,
    datapointsToAlarm,
    requiredBreaches,
  };
}

function validateKpi(check: PropValidator, kpi: KpiAlarmOptions): void {
  const nameRule = "must be 1-255 printable ASCII characters, not starting with ':'.";
  check.matches('kpi.namespace', kpi.namespace, CLOUDWATCH_NAME, nameRule);
  check.matches('kpi.metricName', kpi.metricName, CLOUDWATCH_NAME, nameRule);
  check.oneOf('kpi.statistic', kpi.statistic, STATISTICS);
  check.oneOf('kpi.comparison', kpi.comparison, COMPARISONS);
  check.oneOf('kpi.treatMissingData', kpi.treatMissingData, MISSING_DATA);
  if (isKnown(kpi.threshold) && !Number.isFinite(kpi.threshold)) {
    check.fail('kpi.threshold', kpi.threshold, 'must be a finite number, in the metric’s own unit.');
  }
  const dimensions = kpi.dimensions ?? [];
  if (dimensions.length > MAX_DIMENSIONS) {
    check.conflict(
      'kpi.dimensions',
      `got ${dimensions.length} dimensions; a CloudWatch metric has at most ${MAX_DIMENSIONS}.`,
    );
  }
  const seen = new Set<string>();
  dimensions.forEach((dimension, index) => {
    const prop = `kpi.dimensions[${index}]`;
    check.matches(`${prop}.name`, dimension.name, CLOUDWATCH_NAME, nameRule);
    if (isKnown(dimension.value) && !(dimension.value.length >= 1 && dimension.value.length <= 1024)) {
      check.fail(`${prop}.value`, dimension.value, 'must be 1-1024 characters.');
    }
    if (isKnown(dimension.name) && seen.has(dimension.name)) {
      check.conflict(
        `${prop}.name`,
        `dimension ${show(dimension.name)} is given twice; each dimension name may appear once.`,
      );
    }
    seen.add(dimension.name);
  });
}
