import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  PutCompositeAlarmCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { createAlarmAdapter } from '../../../lambdas/watchdog/adapters';
import { AwsCallError, type AlarmPort } from '../../../lambdas/watchdog/ports';
import { ManualClock } from '../../emulator/testing';
import { type CommandRecord, describeBackends, recordCommands } from './backends';
import { rejectionOf } from './fixtures';

const clock = new ManualClock();

describeBackends(
  'the alarm adapter (CloudWatch)',
  (backend) => {
    const emulator = () => backend().emulator();
    let client: CloudWatchClient;
    let alarms: AlarmPort;
    let sent: CommandRecord;

    beforeEach(() => {
      client = new CloudWatchClient(backend().sdkConfig());
      alarms = createAlarmAdapter(client);
      sent = recordCommands(client);
    });
    afterEach(() => client.destroy());

    const setState = (name: string, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA') =>
      client.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: 'test' }));

    const metricAlarm = (name: string) =>
      client.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          Namespace: 'Shop',
          MetricName: 'Errors',
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 5,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      );

    describe('alarmStates', () => {
      it('reports the state of metric alarms with their ARN and last update, leaving out those that do not exist', async () => {
        // Given two metric alarms, one set to ALARM and one to OK
        await metricAlarm('shop-5xx');
        await metricAlarm('shop-p99');
        await setState('shop-p99', 'OK');
        await setState('shop-5xx', 'ALARM');

        // When their states are read, with a name that is no alarm
        const states = await alarms.alarmStates(['shop-5xx', 'shop-p99', 'shop-gone']);

        // Then each existing alarm is there with its ARN, state and the time of its last update, as
        // DescribeAlarms reports them
        const described = await client.send(
          new DescribeAlarmsCommand({ AlarmNames: ['shop-5xx', 'shop-p99'] }),
        );
        const updatedAt = (name: string) =>
          described.MetricAlarms?.find((a) => a.AlarmName === name)?.StateUpdatedTimestamp?.toISOString();
        expect(states).toEqual([
          {
            name: 'shop-5xx',
            arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-5xx',
            value: 'ALARM',
            updatedAt: updatedAt('shop-5xx'),
          },
          {
            name: 'shop-p99',
            arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-p99',
            value: 'OK',
            updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          },
        ]);
        expect(states[1]?.updatedAt).toBe(updatedAt('shop-p99'));
        expect(Date.parse(states[0]?.updatedAt ?? '')).toBeGreaterThanOrEqual(
          Date.parse(states[1]?.updatedAt ?? ''),
        );
      });

      backend.needs(
        ['compositeAlarms', 'manualClock', 'initialAlarmState'],
        'reports the state of metric and composite alarms, leaving out those that do not exist',
        async () => {
          // Given two metric alarms and a composite alarm over them, one metric alarm in ALARM
          await metricAlarm('shop-5xx');
          await metricAlarm('shop-p99');
          await client.send(
            new PutCompositeAlarmCommand({
              AlarmName: 'shop-rollback',
              AlarmRule: 'ALARM("shop-5xx") OR ALARM("shop-p99")',
            }),
          );
          clock.advance(90_000);
          emulator().cloudwatch.setAlarmState('shop-5xx', 'ALARM');
          emulator().cloudwatch.setAlarmState('shop-rollback', 'ALARM');

          // When their states are read, with a name that is no alarm
          const states = await alarms.alarmStates(['shop-5xx', 'shop-p99', 'shop-rollback', 'shop-gone']);

          // Then each existing alarm is there with its ARN, state and the time of its last update
          const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
          expect(states).toEqual([
            {
              name: 'shop-5xx',
              arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-5xx',
              value: 'ALARM',
              updatedAt: at(90_000),
            },
            {
              name: 'shop-p99',
              arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-p99',
              value: 'INSUFFICIENT_DATA',
              updatedAt: at(0),
            },
            {
              name: 'shop-rollback',
              arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-rollback',
              value: 'ALARM',
              updatedAt: at(90_000),
            },
          ]);
        },
      );

      it('asks for at most 100 names per call', async () => {
        // Given 250 alarm names (repeats included), three of them existing
        await metricAlarm('alarm-1');
        await metricAlarm('alarm-150');
        await metricAlarm('alarm-240');
        const names = Array.from({ length: 240 }, (_, i) => `alarm-${i + 1}`);

        // When their states are read
        const states = await alarms.alarmStates([...names, ...names.slice(0, 10)]);

        // Then three DescribeAlarms calls asked for 100, 100 and 40 names, and found the three
        const calls = sent.inputs('DescribeAlarms');
        expect(calls.map((c) => (c.AlarmNames as string[]).length).sort()).toEqual([100, 100, 40].sort());
        expect(states.map((s) => s.name).sort()).toEqual(['alarm-1', 'alarm-150', 'alarm-240']);
      });

      backend.needs(['alarmPaging'], 'reads every page of an answer', async () => {
        // Given five alarms and a page size of two
        for (const n of [1, 2, 3, 4, 5]) await metricAlarm(`page-${n}`);
        const paged = createAlarmAdapter(client, { pageSize: 2 });

        // When their states are read
        const states = await paged.alarmStates(['page-1', 'page-2', 'page-3', 'page-4', 'page-5']);

        // Then all five come back, from three pages
        expect(states.map((s) => s.name)).toEqual(['page-1', 'page-2', 'page-3', 'page-4', 'page-5']);
        expect(sent.count('DescribeAlarms')).toBe(3);
      });

      it('makes no call for no names', async () => {
        expect(await alarms.alarmStates([])).toEqual([]);
        expect(sent.count()).toBe(0);
      });

      backend.needs(
        ['faults', 'requestLog'],
        'maps throttling that outlasts the SDK retries to throttled',
        async () => {
          emulator().faults.add({ service: 'cloudwatch', action: 'DescribeAlarms', throttle: 'always' });
          const error = await rejectionOf(() => alarms.alarmStates(['shop-5xx']));
          expect(error).toBeInstanceOf(AwsCallError);
          expect(error).toMatchObject({ kind: 'throttled', operation: 'DescribeAlarms', code: 'Throttling' });
          expect(
            emulator()
              .requestLog.entries({ action: 'DescribeAlarms' })
              .map((e) => e.attempt),
          ).toEqual([1, 2, 3]);
        },
      );
    });
  },
  { emulator: { clock: clock.now } },
);
