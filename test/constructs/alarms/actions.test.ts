/** RollbackAlarms' actions added after construction: addAlarmAction and addWatchdog. */
import { TerraformVariable } from 'cdktf';
import { RollbackAlarms, type RollbackAlarmsProps } from '../../../index';
import { callersWatchdog } from './callers-watchdog';
import { blockAt, synth, type SynthesizedStack } from '../../support/synth';

const WATCHDOG_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:checkout-watchdog';
const BASE: RollbackAlarmsProps = {
  loadBalancerArnSuffix: 'app/shop/50dc6c495c0c9188',
  targetGroupArnSuffix: 'targetgroup/checkout-green-1a2b3c4d/73e2d6bc24d8a067',
  serviceName: 'checkout',
};
const composite = (json: SynthesizedStack) =>
  blockAt(json, 'aws_cloudwatch_composite_alarm', 'Checkout/CompositeAlarm');

function synthAlarms(props: Partial<RollbackAlarmsProps> = {}): { json: SynthesizedStack } {
  return { json: synth((stack) => new RollbackAlarms(stack, 'Checkout', { ...BASE, ...props })) };
}

describe('RollbackAlarms actions added after construction', () => {
  const SNS_ARN = 'arn:aws:sns:us-east-1:123456789012:checkout-pager';
  const watchdogAt = callersWatchdog;

  it('notifies an action added with addAlarmAction, after those given as props', () => {
    const { json } = synthAlarms({ alarmActionArns: [WATCHDOG_ARN] });
    const added = synth((stack) => {
      const alarms = new RollbackAlarms(stack, 'Checkout', { ...BASE, alarmActionArns: [WATCHDOG_ARN] });
      alarms.addAlarmAction(SNS_ARN);
    });

    expect(composite(json).alarm_actions).toEqual([WATCHDOG_ARN]);
    expect(composite(added).alarm_actions).toEqual([WATCHDOG_ARN, SNS_ARN]);
  });

  it('invokes a watchdog added with addWatchdog, by its function ARN', () => {
    const json = synth((stack) => {
      const alarms = new RollbackAlarms(stack, 'Checkout', BASE);
      alarms.addWatchdog(watchdogAt(stack, WATCHDOG_ARN));
    });

    expect(composite(json).alarm_actions).toEqual([WATCHDOG_ARN]);
  });

  it('passes the ARN of a watchdog defined in the stack through as a reference', () => {
    const json = synth((stack) => {
      const alarms = new RollbackAlarms(stack, 'Checkout', BASE);
      const fn = new TerraformVariable(stack, 'watchdog_arn', { type: 'string' });
      alarms.addWatchdog(watchdogAt(stack, fn.stringValue));
    });

    expect(composite(json).alarm_actions).toEqual(['${var.watchdog_arn}']);
  });

  it('adds to a list of actions only Terraform knows with concat', () => {
    const json = synth((stack) => {
      const actions = new TerraformVariable(stack, 'actions', { type: 'list(string)' });
      const alarms = new RollbackAlarms(stack, 'Checkout', { ...BASE, alarmActionArns: actions.listValue });
      alarms.addAlarmAction(SNS_ARN);
    });

    expect(composite(json).alarm_actions).toBe(`\${concat(var.actions, ["${SNS_ARN}"])}`);
  });

  it('fails at the addAlarmAction call on an ARN that is not an alarm action, naming the method', () => {
    const build = () =>
      synth((stack) => {
        new RollbackAlarms(stack, 'Checkout', BASE).addAlarmAction('checkout-pager');
      });

    expect(build).toThrow(
      "test/Checkout: invalid prop 'addAlarmAction(arn)': got 'checkout-pager'; must be the ARN of a Lambda function, an SNS topic or a Systems Manager action.",
    );
  });

  it('fails at the add call that would make a sixth action, alarmActionArns included', () => {
    synth((stack) => {
      const alarms = new RollbackAlarms(stack, 'Checkout', {
        ...BASE,
        alarmActionArns: [WATCHDOG_ARN, SNS_ARN, SNS_ARN, SNS_ARN],
      });
      alarms.addAlarmAction(SNS_ARN);
      const fn = new TerraformVariable(stack, 'watchdog_arn', { type: 'string' });
      expect(() => alarms.addWatchdog(watchdogAt(stack, fn.stringValue))).toThrow(
        "test/Checkout: invalid prop 'addWatchdog(watchdog)': got a Terraform reference, which would be alarm action number 6; CloudWatch takes at most 5 per alarm state, alarmActionArns included (fan out through an SNS topic).",
      );
      expect(() => alarms.addAlarmAction(SNS_ARN)).toThrow(
        /'addAlarmAction\(arn\)': .*alarm action number 6/,
      );
    });
  });
});
