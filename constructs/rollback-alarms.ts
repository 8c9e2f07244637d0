import { CloudwatchCompositeAlarm } from '@cdktf/provider-aws/lib/cloudwatch-composite-alarm';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Fn, Lazy, Token } from 'cdktf';
import { Construct } from 'constructs';
import { kOfNRule } from './alarms/k-of-n';
import {
  KpiComparison,
  MissingDataTreatment,
  RollbackAlarmKind,
  type RollbackAlarmsProps,
} from './alarms/props';
import { knownActions, MAX_ALARM_ACTIONS, resolveSettings, validateActionArn } from './alarms/settings';
import type { IRollbackWatchdog, ProtectedAlarmProps } from './contracts';
import { isKnown, PropValidator, show } from './internal/validation';
import { inOwnFramework } from './internal/framework';

// The props live in ./alarms/props; they stay importable from here.
export {
  KpiComparison,
  KpiStatistic,
  MissingDataTreatment,
  RollbackAlarmKind,
  type KpiAlarmOptions,
  type KpiDimension,
  type RollbackAlarmsOptions,
  type RollbackAlarmsProps,
} from './alarms/props';

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
  /** The actions given as `alarmActionArns` (a list, or a list only Terraform knows). */
  private readonly initialActions: string[];
  /** The actions added by `addAlarmAction` and `addWatchdog`, in order. */
  private readonly addedActions: string[] = [];

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
      alarmName: settings.names[RollbackAlarmKind.FIVE_XX_RATE],
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
      treatMissingData: MissingDataTreatment.NOT_BREACHING,
    });

    this.latencyAlarm = new CloudwatchMetricAlarm(this, 'LatencyAlarm', {
      alarmName: settings.names[RollbackAlarmKind.P99_LATENCY],
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
      treatMissingData: MissingDataTreatment.NOT_BREACHING,
    });

    this.unhealthyHostsAlarm = new CloudwatchMetricAlarm(this, 'UnhealthyHostsAlarm', {
      alarmName: settings.names[RollbackAlarmKind.UNHEALTHY_HOSTS],
      alarmDescription: `The candidate target group has at least ${text(settings.unhealthyHostThreshold)} unhealthy targets. ${member}`,
      ...alb,
      metricName: 'UnHealthyHostCount',
      statistic: 'Maximum',
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: settings.unhealthyHostThreshold,
      ...evaluation,
      // Before the candidate has registered targets the count may not be reported: not a breach.
      treatMissingData: MissingDataTreatment.NOT_BREACHING,
    });

    const kpi = props.kpi;
    if (kpi) {
      this.kpiAlarm = new CloudwatchMetricAlarm(this, 'KpiAlarm', {
        alarmName: settings.names[RollbackAlarmKind.KPI],
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
    this.initialActions = props.alarmActionArns ?? [];

    this.compositeAlarm = new CloudwatchCompositeAlarm(this, 'CompositeAlarm', {
      alarmName: this.compositeAlarmName,
      alarmDescription: `At least ${settings.requiredBreaches} of ${this.memberAlarmNames.length} rollback alarms of ${settings.serviceName} are in ALARM: the watchdog switches the release back.`,
      alarmRule: this.alarmRule,
      actionsEnabled: true,
      // Read at synth, so that actions added after construction (addWatchdog, addAlarmAction) count.
      alarmActions: Lazy.listValue({ produce: () => this.alarmActions() }),
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
  public get protectedAlarms(): ProtectedAlarmProps[] {
    return [{ name: this.compositeAlarmName, arn: this.compositeAlarmArn }];
  }

  /**
   * Adds an action the composite notifies when it goes to ALARM: a Lambda function, an SNS topic or a
   * Systems Manager action, by ARN (may be a Terraform reference). The composite takes at most 5
   * actions, `alarmActionArns` included; a known ARN is checked here.
   */
  public addAlarmAction(arn: string): void {
    this.addAction('addAlarmAction(arn)', arn);
  }

  /**
   * Makes the composite invoke the rollback watchdog when it goes to ALARM (the fastest trigger): adds
   * the watchdog function's ARN as an alarm action. Counts toward the 5 actions the composite takes.
   */
  public addWatchdog(watchdog: IRollbackWatchdog): void {
    this.addAction('addWatchdog(watchdog)', watchdog.functionArn);
  }

  private addAction(method: string, arn: string): void {
    const check = new PropValidator(this);
    if (typeof arn !== 'string') {
      check.fail(method, arn, 'must be an alarm action ARN (a string, which may be a Terraform reference).');
    }
    validateActionArn(check, method, arn);
    const count = knownActions(this.initialActions).length + this.addedActions.length + 1;
    if (count > MAX_ALARM_ACTIONS) {
      check.conflict(
        method,
        `got ${isKnown(arn) ? show(arn) : 'a Terraform reference'}, which would be alarm action number ${count}; CloudWatch takes at most ${MAX_ALARM_ACTIONS} per alarm state, alarmActionArns included (fan out through an SNS topic).`,
      );
    }
    this.addedActions.push(arn);
  }

  /** The composite's alarm actions at synth: those given, then those added. */
  private alarmActions(): string[] {
    if (this.addedActions.length === 0) return this.initialActions;
    // A list only Terraform knows cannot be spread: concatenate it in Terraform.
    if (Token.isUnresolved(this.initialActions)) return Fn.concat([this.initialActions, this.addedActions]);
    return [...this.initialActions, ...this.addedActions];
  }
}

const ALB_NAMESPACE = 'AWS/ApplicationELB';
const COMPARISON_SYMBOLS: Record<KpiComparison, string> = {
  [KpiComparison.GREATER_THAN_OR_EQUAL_TO_THRESHOLD]: '≥',
  [KpiComparison.GREATER_THAN_THRESHOLD]: '>',
  [KpiComparison.LESS_THAN_THRESHOLD]: '<',
  [KpiComparison.LESS_THAN_OR_EQUAL_TO_THRESHOLD]: '≤',
};

function defaultKpiMissingData(comparison: KpiComparison): MissingDataTreatment {
  return comparison === KpiComparison.LESS_THAN_THRESHOLD ||
    comparison === KpiComparison.LESS_THAN_OR_EQUAL_TO_THRESHOLD
    ? MissingDataTreatment.BREACHING
    : MissingDataTreatment.NOT_BREACHING;
}

/** A number for a message or description, whether known or a Terraform reference. */
function text(value: number): string {
  return isKnown(value) ? String(value) : Token.asString(value);
}
