import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  PutCompositeAlarmCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListTopicsCommand,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { SnsDelivery } from './index';
import { errorOf, useEmulator } from './testing';

const emulator = useEmulator();
let cloudwatch: CloudWatchClient;
let sns: SNSClient;

beforeEach(() => {
  cloudwatch = new CloudWatchClient({ ...emulator().clientConfig(), maxAttempts: 1 });
  sns = new SNSClient({ ...emulator().clientConfig(), maxAttempts: 1 });
});
afterEach(() => {
  cloudwatch.destroy();
  sns.destroy();
});

const alarm = (name: string, actions: string[] = []) =>
  cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'App',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'Service', Value: 'api' }],
      AlarmActions: actions,
      OKActions: actions,
    }),
  );

describe('CloudWatch alarms', () => {
  it('creates alarms in INSUFFICIENT_DATA and describes them by name, prefix and state', async () => {
    await alarm('api-errors');
    await alarm('db-errors');
    const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['api-errors'] }));
    expect(out.MetricAlarms).toHaveLength(1);
    expect(out.MetricAlarms?.[0]).toMatchObject({
      AlarmName: 'api-errors',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-errors',
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'Unchecked: Initial alarm creation',
      MetricName: 'Errors',
      Threshold: 5,
      Dimensions: [{ Name: 'Service', Value: 'api' }],
      ActionsEnabled: true,
    });
    expect(out.MetricAlarms?.[0]?.StateUpdatedTimestamp).toBeInstanceOf(Date);
    expect(out.CompositeAlarms).toEqual([]);
    const byPrefix = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'db' }));
    expect(byPrefix.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['db-errors']);
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: 'db-errors', StateValue: 'ALARM', StateReason: 'test' }),
    );
    const inAlarm = await cloudwatch.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }));
    expect(inAlarm.MetricAlarms?.map((a) => [a.AlarmName, a.StateValue, a.StateReason])).toEqual([
      ['db-errors', 'ALARM', 'test'],
    ]);
  });

  it('answers ResourceNotFound (404) for an unknown alarm, via the query-compatible error header', async () => {
    const err = await errorOf(() =>
      cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' })),
    );
    expect(err.name).toBe('ResourceNotFound');
    expect(err.message).toBe('Alarm nope not found');
    expect(err.$metadata.httpStatusCode).toBe(404);
    const del = await errorOf(() => cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['nope'] })));
    expect(del.name).toBe('ResourceNotFound');
  });

  it('answers MissingParameter, InvalidParameterValue, InvalidParameterCombination and InvalidFormat', async () => {
    const missing = await errorOf(() =>
      cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: 'x' } as never)),
    );
    expect(missing.name).toBe('MissingRequiredParameterException');
    const period = await errorOf(() =>
      cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: 'x',
          MetricName: 'm',
          EvaluationPeriods: 1,
          ComparisonOperator: 'GreaterThanThreshold',
          Period: 45,
        }),
      ),
    );
    expect(period.name).toBe('InvalidParameterValueException');
    const combo = await errorOf(() =>
      cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['a'], AlarmNamePrefix: 'a' })),
    );
    expect(combo.name).toBe('InvalidParameterCombinationException');
    await alarm('fmt');
    const format = await errorOf(() =>
      cloudwatch.send(
        new SetAlarmStateCommand({
          AlarmName: 'fmt',
          StateValue: 'OK',
          StateReason: 'x',
          StateReasonData: '{not json',
        }),
      ),
    );
    expect(format.name).toBe('InvalidFormatFault');
  });

  it('publishes the alarm notification to SNS topics in its actions on a state change', async () => {
    const topic = await sns.send(new CreateTopicCommand({ Name: 'alarms' }));
    const topicArn = topic.TopicArn as string;
    await alarm('api-errors', [topicArn]);
    const delivered = new Promise<SnsDelivery>((resolve) => emulator().sns.subscribe(topicArn, resolve));
    await cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: 'api-errors',
        StateValue: 'ALARM',
        StateReason: 'Threshold crossed',
      }),
    );
    const message = JSON.parse((await delivered).message) as Record<string, unknown>;
    expect(message).toMatchObject({
      AlarmName: 'api-errors',
      NewStateValue: 'ALARM',
      OldStateValue: 'INSUFFICIENT_DATA',
      NewStateReason: 'Threshold crossed',
    });
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: 'api-errors', StateValue: 'ALARM', StateReason: 'still' }),
    );
    expect(emulator().sns.publishedMessages(topicArn)).toHaveLength(1);
    emulator().cloudwatch.setAlarmState('api-errors', 'OK');
    expect(
      emulator()
        .sns.publishedMessages(topicArn)
        .map((m) => m.subject),
    ).toEqual(['ALARM: "api-errors" in us-east-1', 'OK: "api-errors" in us-east-1']);
  });

  it('keeps composite alarms apart: described only when AlarmTypes asks, set and notified like metric alarms', async () => {
    const topic = await sns.send(new CreateTopicCommand({ Name: 'rollback' }));
    const topicArn = topic.TopicArn as string;
    await alarm('api-errors');
    await alarm('api-latency');
    await cloudwatch.send(
      new PutCompositeAlarmCommand({
        AlarmName: 'api-rollback',
        AlarmRule: 'ALARM("api-errors") OR ALARM("api-latency")',
        AlarmActions: [topicArn],
      }),
    );
    const names = ['api-errors', 'api-rollback'];
    const metricOnly = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }));
    expect(metricOnly.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['api-errors']);
    expect(metricOnly.CompositeAlarms).toEqual([]);
    const both = await cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
    );
    expect(both.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['api-errors']);
    expect(both.CompositeAlarms?.[0]).toMatchObject({
      AlarmName: 'api-rollback',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-rollback',
      AlarmRule: 'ALARM("api-errors") OR ALARM("api-latency")',
      StateValue: 'INSUFFICIENT_DATA',
    });
    const paged = await cloudwatch.send(
      new DescribeAlarmsCommand({
        AlarmNames: names,
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        MaxRecords: 1,
      }),
    );
    expect([paged.MetricAlarms?.length, paged.CompositeAlarms?.length, paged.NextToken]).toEqual([
      1,
      0,
      expect.any(String),
    ]);
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: 'api-rollback', StateValue: 'ALARM', StateReason: 'drill' }),
    );
    const [published] = emulator().sns.publishedMessages(topicArn);
    expect(JSON.parse(published.message)).toMatchObject({
      AlarmName: 'api-rollback',
      NewStateValue: 'ALARM',
      AlarmRule: 'ALARM("api-errors") OR ALARM("api-latency")',
    });
    expect(emulator().cloudwatch.compositeAlarm('api-rollback')?.StateValue).toBe('ALARM');
    await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['api-rollback'] }));
    expect(emulator().cloudwatch.compositeAlarms()).toEqual([]);
  });

  it('records PutMetricData and refuses the reserved AWS/ namespace', async () => {
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'App',
        MetricData: [{ MetricName: 'Latency', Value: 12.5, Unit: 'Milliseconds', Timestamp: new Date(0) }],
      }),
    );
    expect(emulator().cloudwatch.metricData({ metricName: 'Latency' })).toEqual([
      expect.objectContaining({
        Namespace: 'App',
        MetricName: 'Latency',
        Value: 12.5,
        Unit: 'Milliseconds',
        Timestamp: new Date(0),
      }),
    ]);
    const err = await errorOf(() =>
      cloudwatch.send(
        new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: [{ MetricName: 'x', Value: 1 }] }),
      ),
    );
    expect(err.name).toBe('InvalidParameterValueException');
  });
});

describe('SNS', () => {
  it('creates topics idempotently, lists them and reads attributes', async () => {
    const a = await sns.send(
      new CreateTopicCommand({ Name: 'events', Attributes: { DisplayName: 'Events' } }),
    );
    const b = await sns.send(new CreateTopicCommand({ Name: 'events' }));
    expect(a.TopicArn).toBe('arn:aws:sns:us-east-1:123456789012:events');
    expect(b.TopicArn).toBe(a.TopicArn);
    const list = await sns.send(new ListTopicsCommand({}));
    expect(list.Topics).toEqual([{ TopicArn: a.TopicArn }]);
    const attrs = await sns.send(new GetTopicAttributesCommand({ TopicArn: a.TopicArn }));
    expect(attrs.Attributes).toMatchObject({
      TopicArn: a.TopicArn,
      DisplayName: 'Events',
      Owner: '123456789012',
    });
    await sns.send(new DeleteTopicCommand({ TopicArn: a.TopicArn }));
    expect(emulator().sns.topics()).toEqual([]);
  });

  it('publishes messages with subject and attributes, inspectable in order', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'rollbacks' }));
    const out = await sns.send(
      new PublishCommand({
        TopicArn,
        Message: '{"rolledBack":true}',
        Subject: 'Rollback',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
      }),
    );
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    await sns.send(new PublishCommand({ TopicArn, Message: 'second' }));
    const messages = emulator().sns.publishedMessages(TopicArn);
    expect(messages.map((m) => m.message)).toEqual(['{"rolledBack":true}', 'second']);
    expect(messages[0]).toMatchObject({
      messageId: out.MessageId,
      subject: 'Rollback',
      messageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
    });
  });

  it('answers NotFound for a missing topic and InvalidParameter for bad input', async () => {
    const arn = 'arn:aws:sns:us-east-1:123456789012:nope';
    const notFound = await errorOf(() => sns.send(new PublishCommand({ TopicArn: arn, Message: 'x' })));
    expect(notFound.name).toBe('NotFoundException');
    expect(notFound.$metadata.httpStatusCode).toBe(404);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 't' }));
    const cases = [
      () => sns.send(new CreateTopicCommand({ Name: 'bad name' })),
      () => sns.send(new PublishCommand({ TopicArn: 'not-an-arn', Message: 'x' })),
      () => sns.send(new PublishCommand({ Message: 'x' })),
      () => sns.send(new PublishCommand({ TopicArn, Message: 'x', Subject: 'line\nbreak' })),
      () => sns.send(new PublishCommand({ TopicArn, Message: 'x'.repeat(262145) })),
      () => sns.send(new PublishCommand({ TopicArn, Message: '{}', MessageStructure: 'json' })),
    ];
    for (const call of cases) {
      const err = await errorOf(call);
      expect([err.name, err.$metadata.httpStatusCode]).toEqual(['InvalidParameterException', 400]);
    }
  });

  it('answers ParameterValueInvalid for a message attribute without a value', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'attrs' }));
    const err = await errorOf(() =>
      sns.send(
        new PublishCommand({ TopicArn, Message: 'x', MessageAttributes: { k: { DataType: 'String' } } }),
      ),
    );
    expect([err.name, err.$metadata.httpStatusCode]).toEqual(['InvalidParameterValueException', 400]);
  });

  it('requires a group id on FIFO topics', async () => {
    const { TopicArn } = await sns.send(
      new CreateTopicCommand({
        Name: 'orders.fifo',
        Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' },
      }),
    );
    expect((await errorOf(() => sns.send(new PublishCommand({ TopicArn, Message: 'x' })))).name).toBe(
      'InvalidParameterException',
    );
    const out = await sns.send(new PublishCommand({ TopicArn, Message: 'x', MessageGroupId: 'g' }));
    expect(out.SequenceNumber).toMatch(/^\d{20}$/);
  });
});
