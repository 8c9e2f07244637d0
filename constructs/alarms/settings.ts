/**
 * RollbackAlarms' props checked (throwing on the first bad one, naming the prop) and completed with
 * their defaults: the alarm names, thresholds, periods and k of the composite.
 */
import { Token } from 'cdktf';
import type { Construct } from 'constructs';
import { ARN_PATTERNS } from '../../lib';
import { checkServiceName, defaultServiceName } from '../internal/service-name';
import { isKnown, PropValidator, show } from '../internal/validation';
import {
  KpiComparison,
  KpiStatistic,
  MissingDataTreatment,
  RollbackAlarmKind,
  type KpiAlarmOptions,
  type RollbackAlarmsProps,
} from './props';

/** The longest alarm name CloudWatch accepts. */
const ALARM_NAME_MAX_LENGTH = 255;
/** The most actions CloudWatch accepts per alarm state. */
export const MAX_ALARM_ACTIONS = 5;
/** The most dimensions a CloudWatch metric has. */
const MAX_DIMENSIONS = 30;

const ALARM_NAME_PREFIX = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const LOAD_BALANCER_ARN_SUFFIX = /^app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/;
const TARGET_GROUP_ARN_SUFFIX = /^targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/;
/** A name CloudWatch accepts for a namespace, metric or dimension: printable ASCII, not starting with ':'. */
const CLOUDWATCH_NAME = /^[\x20-\x39\x3b-\x7e][\x20-\x7e]{0,254}$/;
const ALARM_ACTION_ARN = ARN_PATTERNS.alarmAction;
const HIGH_RESOLUTION_PERIODS: readonly number[] = [10, 20, 30];

const STATISTICS: readonly KpiStatistic[] = Object.values(KpiStatistic);
const COMPARISONS: readonly KpiComparison[] = Object.values(KpiComparison);
const MISSING_DATA: readonly MissingDataTreatment[] = Object.values(MissingDataTreatment);

/** What an alarm name ends with: a member's kind, or `rollback` for the composite. */
export type NameKind = RollbackAlarmKind | 'rollback';

/** The props with their defaults filled in. */
export interface Settings {
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
export function resolveSettings(scope: Construct, id: string, props: RollbackAlarmsProps): Settings {
  const check = new PropValidator(scope);
  const serviceName = props.serviceName ?? defaultServiceName(id);
  checkServiceName(check, serviceName);
  const naming = alarmNames(check, props, serviceName);
  validateDimensions(check, props);
  const thresholds = resolveThresholds(check, props);
  if (props.kpi) validateKpi(check, props.kpi);
  const evaluation = resolveEvaluation(check, props);
  const requiredBreaches = resolveRequiredBreaches(check, props, naming.memberKinds);
  validateActions(check, props.alarmActionArns);
  validateWindow(check, props.evaluationWindowMinutes, evaluation);
  return {
    serviceName,
    ...naming,
    ...thresholds,
    periodSeconds: evaluation.periodSeconds,
    loadBalancerPeriodSeconds: evaluation.loadBalancerPeriodSeconds,
    evaluationPeriods: evaluation.evaluationPeriods,
    datapointsToAlarm: evaluation.datapointsToAlarm,
    requiredBreaches,
  };
}

/** The alarm names, `<prefix>-<kind>`, each within CloudWatch's length. */
function alarmNames(
  check: PropValidator,
  props: RollbackAlarmsProps,
  serviceName: string,
): Pick<Settings, 'prefix' | 'names' | 'memberKinds'> {
  const memberKinds: RollbackAlarmKind[] = [
    RollbackAlarmKind.FIVE_XX_RATE,
    RollbackAlarmKind.P99_LATENCY,
    RollbackAlarmKind.UNHEALTHY_HOSTS,
  ];
  if (props.kpi) memberKinds.push(RollbackAlarmKind.KPI);
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
  return { prefix, names, memberKinds };
}

/** The candidate's CloudWatch dimensions: the `arnSuffix` of the load balancer and target group. */
function validateDimensions(check: PropValidator, props: RollbackAlarmsProps): void {
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
}

/** The load balancer alarms' thresholds. */
function resolveThresholds(
  check: PropValidator,
  props: RollbackAlarmsProps,
): Pick<Settings, 'errorRatePercent' | 'p99LatencySeconds' | 'unhealthyHostThreshold'> {
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
  return { errorRatePercent, p99LatencySeconds, unhealthyHostThreshold };
}

/** The alarms and the composite rule are computed from these numbers, so they cannot be references. */
function mustBeKnown(check: PropValidator, prop: string, value: number | undefined): void {
  if (value !== undefined && !isKnown(value)) {
    check.conflict(
      prop,
      'must be a number known at synth time (the alarms and the composite rule are computed from it), not a Terraform reference.',
    );
  }
}

interface Evaluation {
  readonly periodSeconds: number;
  readonly loadBalancerPeriodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  /** How far back the slowest member looks: its period × evaluation periods. */
  readonly evaluationSeconds: number;
}

/** The period, the evaluation periods and the M of N each member alarm evaluates. */
function resolveEvaluation(check: PropValidator, props: RollbackAlarmsProps): Evaluation {
  const periodSeconds = props.periodSeconds ?? 60;
  mustBeKnown(check, 'periodSeconds', props.periodSeconds);
  validatePeriod(check, periodSeconds, props.kpi);
  const loadBalancerPeriodSeconds = Math.max(periodSeconds, 60);

  const evaluationPeriods = props.evaluationPeriods ?? 3;
  mustBeKnown(check, 'evaluationPeriods', props.evaluationPeriods);
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
  mustBeKnown(check, 'datapointsToAlarm', props.datapointsToAlarm);
  check.integerInRange('datapointsToAlarm', datapointsToAlarm, 1, Number.MAX_SAFE_INTEGER);
  if (datapointsToAlarm > evaluationPeriods) {
    check.conflict(
      'datapointsToAlarm',
      `got ${datapointsToAlarm}; must be at most evaluationPeriods (${evaluationPeriods}): an alarm cannot need more breaching periods than it evaluates.`,
    );
  }
  return {
    periodSeconds,
    loadBalancerPeriodSeconds,
    evaluationPeriods,
    datapointsToAlarm,
    evaluationSeconds,
  };
}

/** A multiple of a minute (the load balancer's resolution), or sub-minute for a high-resolution KPI. */
function validatePeriod(check: PropValidator, periodSeconds: number, kpi: KpiAlarmOptions | undefined): void {
  if (HIGH_RESOLUTION_PERIODS.includes(periodSeconds)) {
    if (!kpi) {
      check.conflict(
        'periodSeconds',
        `a period of ${periodSeconds} s needs a high-resolution KPI, and no kpi is defined; the load balancer publishes its metrics once a minute, so use a multiple of 60.`,
      );
    }
    if (kpi?.highResolution !== true) {
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
}

/** k of the composite: from 1 to the number of members. */
function resolveRequiredBreaches(
  check: PropValidator,
  props: RollbackAlarmsProps,
  memberKinds: readonly RollbackAlarmKind[],
): number {
  const requiredBreaches = props.requiredBreaches ?? 2;
  mustBeKnown(check, 'requiredBreaches', props.requiredBreaches);
  const n = memberKinds.length;
  check.integerInRange(
    'requiredBreaches',
    requiredBreaches,
    1,
    n,
    `at least 1, at most the ${n} alarms defined: ${memberKinds.join(', ')}`,
  );
  return requiredBreaches;
}

function validateActions(check: PropValidator, alarmActionArns: string[] | undefined): void {
  // A list only Terraform knows (a list token) is checked by AWS at apply.
  const actions = knownActions(alarmActionArns);
  if (actions.length > MAX_ALARM_ACTIONS) {
    check.conflict(
      'alarmActionArns',
      `got ${actions.length} actions; CloudWatch takes at most ${MAX_ALARM_ACTIONS} per alarm state (fan out through an SNS topic).`,
    );
  }
  actions.forEach((arn, index) => validateActionArn(check, `alarmActionArns[${index}]`, arn));
}

/** The actions of a list known at synth (its items may be references); none for a list token. */
export function knownActions(alarmActionArns: string[] | undefined): string[] {
  return Token.isUnresolved(alarmActionArns) ? [] : (alarmActionArns ?? []);
}

/** An alarm action: a Lambda function, an SNS topic or a Systems Manager action, when known. */
export function validateActionArn(check: PropValidator, prop: string, arn: string): void {
  check.matches(
    prop,
    arn,
    ALARM_ACTION_ARN,
    'must be the ARN of a Lambda function, an SNS topic or a Systems Manager action.',
  );
}

/** The composite must be able to fire inside the release's evaluation window. */
function validateWindow(check: PropValidator, window: number | undefined, evaluation: Evaluation): void {
  const { loadBalancerPeriodSeconds, evaluationPeriods, evaluationSeconds } = evaluation;
  check.integerInRange('evaluationWindowMinutes', window, 1, 10080);
  if (window !== undefined && isKnown(window) && evaluationSeconds >= window * 60) {
    check.conflict(
      'evaluationWindowMinutes',
      `the composite cannot fire inside the evaluation window: its slowest member needs a period of ${loadBalancerPeriodSeconds} s × ${evaluationPeriods} evaluation periods = ${evaluationSeconds} s, which is not shorter than the window of ${window} minutes (${window * 60} s); shorten periodSeconds or evaluationPeriods, or lengthen the window.`,
    );
  }
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
