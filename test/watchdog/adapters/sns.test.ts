import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { createNotifyAdapter, snsSubject } from '../../../lambdas/watchdog/adapters';
import { useEmulator } from '../../emulator/testing';
import { rejectionOf, sdkConfig } from './fixtures';

const emulator = useEmulator();
let client: SNSClient;
let topicArn: string;

beforeEach(async () => {
  client = new SNSClient(sdkConfig(emulator()));
  topicArn = (await client.send(new CreateTopicCommand({ Name: 'shop-switchback' }))).TopicArn as string;
});
afterEach(() => client.destroy());

describe('publish', () => {
  it('publishes the message as JSON with the subject on the configured topic', async () => {
    // Given a notifier on the topic
    const notify = createNotifyAdapter(client, topicArn);

    // When a decision is published
    await notify.publish('Switchback rolled back shop release r42', {
      outcome: 'rolled-back',
      releaseId: 'r42',
    });

    // Then the topic received it
    expect(emulator().sns.publishedMessages(topicArn)).toEqual([
      expect.objectContaining({
        subject: 'Switchback rolled back shop release r42',
        message: '{"outcome":"rolled-back","releaseId":"r42"}',
      }),
    ]);
  });

  it('makes a subject SNS accepts out of a long one with line breaks and non-ASCII text', async () => {
    const notify = createNotifyAdapter(client, topicArn);
    await notify.publish(`  Rollback — checkout\n${'x'.repeat(200)}`, {});
    const [published] = emulator().sns.publishedMessages(topicArn);
    expect(published.subject).toBe(`Rollback ? checkout ${'x'.repeat(99 - 20)}`);
    expect(published.subject).toHaveLength(99);
  });

  it('is a no-op without a topic', async () => {
    await createNotifyAdapter(client, undefined).publish('anything', { a: 1 });
    expect(emulator().requestLog.count({ action: 'Publish' })).toBe(0);
    expect(emulator().sns.publishedMessages()).toEqual([]);
  });

  it('maps a topic that does not exist to not-found', async () => {
    const notify = createNotifyAdapter(client, topicArn.replace('shop-switchback', 'gone'));
    expect(await rejectionOf(() => notify.publish('s', {}))).toMatchObject({
      kind: 'not-found',
      operation: 'Publish',
    });
  });

  it('maps throttling that outlasts the SDK retries to throttled', async () => {
    emulator().faults.add({ service: 'sns', action: 'Publish', throttle: 'always' });
    const error = await rejectionOf(() => createNotifyAdapter(client, topicArn).publish('s', {}));
    expect(error).toMatchObject({ kind: 'throttled', code: 'Throttling' });
    expect(emulator().requestLog.count({ action: 'Publish' })).toBe(3);
  });
});

describe('snsSubject', () => {
  it.each([
    ['a plain subject', 'Rolled back', 'Rolled back'],
    ['tabs and line breaks', 'a\tb\r\nc', 'a b c'],
    ['non-ASCII characters', 'café ✓', 'caf? ?'],
    ['leading and trailing spaces', '  x  ', 'x'],
    ['nothing printable', ' \n ', undefined],
  ])('handles %s', (_, subject, expected) => {
    expect(snsSubject(subject)).toBe(expected);
  });

  it('leaves out the subject rather than send an empty one', async () => {
    await createNotifyAdapter(client, topicArn).publish('\n', { a: 1 });
    expect(emulator().sns.publishedMessages(topicArn)[0].subject).toBeUndefined();
  });
});
