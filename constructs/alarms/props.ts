/** What RollbackAlarms is given: the candidate's dimensions, thresholds, evaluation, the KPI and actions. */

/** A statistic a KPI alarm evaluates over each period. */
export enum KpiStatistic {
  /** The sum of the values. */
  SUM = 'Sum',
  /** The mean of the values. */
  AVERAGE = 'Average',
  /** The lowest value. */
  MINIMUM = 'Minimum',
  /** The highest value. */
  MAXIMUM = 'Maximum',
  /** The number of values. */
  SAMPLE_COUNT = 'SampleCount',
}

/** How a KPI alarm compares its statistic with the threshold. */
export enum KpiComparison {
  /** Breaches at or above the threshold (a ceiling). */
  GREATER_THAN_OR_EQUAL_TO_THRESHOLD = 'GreaterThanOrEqualToThreshold',
  /** Breaches above the threshold (a ceiling). */
  GREATER_THAN_THRESHOLD = 'GreaterThanThreshold',
  /** Breaches below the threshold (a floor). */
  LESS_THAN_THRESHOLD = 'LessThanThreshold',
  /** Breaches at or below the threshold (a floor). */
  LESS_THAN_OR_EQUAL_TO_THRESHOLD = 'LessThanOrEqualToThreshold',
}

/** How an alarm treats a period without data points. */
export enum MissingDataTreatment {
  /** A period without data breaches. */
  BREACHING = 'breaching',
  /** A period without data is within the threshold. */
  NOT_BREACHING = 'notBreaching',
  /** The alarm keeps its state. */
  IGNORE = 'ignore',
  /** The period is left out of the evaluation. */
  MISSING = 'missing',
}

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
  /**
   * The metric's namespace, such as `Checkout`. 1-255 characters, not starting with ':'. (Named as in
   * CloudWatch and the AWS CDK's `MetricProps`.)
   */
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
   * How the statistic is compared with `threshold`: a `LESS_THAN…` comparison for a KPI that must stay
   * above a floor (orders per minute), a `GREATER_THAN…` one for a KPI that must stay below a ceiling
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
   * @default - `BREACHING` for a `LESS_THAN…` comparison: a floor KPI that stops reporting (the
   * candidate crashed, or stopped taking orders) is as bad as one that drops; `NOT_BREACHING` for a
   * `GREATER_THAN…` comparison: a ceiling KPI such as an error count is usually published only when
   * non-zero, so silence means none
   */
  readonly treatMissingData?: MissingDataTreatment;
}

/**
 * What can be tuned on {@link RollbackAlarms}: thresholds, evaluation, the KPI and the names. A
 * `SwitchbackService` takes these; it supplies the rest ({@link RollbackAlarmsProps}) itself.
 */
export interface RollbackAlarmsOptions {
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
}

/** Props of {@link RollbackAlarms}: the options, and what the alarms watch and notify. */
export interface RollbackAlarmsProps extends RollbackAlarmsOptions {
  /**
   * The load balancer's CloudWatch dimension value, `app/<name>/<id>`: the `arnSuffix` of an
   * `aws_lb` (may be a Terraform reference).
   */
  readonly loadBalancerArnSuffix: string;
  /**
   * The candidate target group's CloudWatch dimension value, `targetgroup/<name>/<id>`: the
   * `arnSuffix` of the target group a release deploys to, such as
   * `listener.candidateColor === Color.GREEN ? listener.greenTargetGroup.arnSuffix : …` (may be a
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
   * What the composite notifies when it goes to ALARM: the watchdog Lambda's ARN (the fastest trigger),
   * SNS topics, at most 5 together with those added by {@link RollbackAlarms.addAlarmAction} and
   * {@link RollbackAlarms.addWatchdog}. The composite has no OK or INSUFFICIENT_DATA actions: the
   * watchdog acts only on ALARM, and a switchback is never undone automatically.
   * @default - no actions (add them later with `addWatchdog` or `addAlarmAction`)
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

/**
 * The metric alarms RollbackAlarms defines, in the order the composite rule lists them; each value is
 * the suffix of the alarm's name, `<alarmNamePrefix>-<kind>`.
 */
export enum RollbackAlarmKind {
  /** The candidate's 5XX rate, in percent of its requests. */
  FIVE_XX_RATE = '5xx-rate',
  /** The candidate's p99 target response time. */
  P99_LATENCY = 'p99-latency',
  /** The candidate's unhealthy target count. */
  UNHEALTHY_HOSTS = 'unhealthy-hosts',
  /** The business KPI. */
  KPI = 'kpi',
}
