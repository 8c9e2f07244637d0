import { SNSClient } from '@aws-sdk/client-sns';
import { createNotifyAdapter, snsSubject } from '../../../lambdas/watchdog/adapters';
import {
  type CommandRecord,
  createTopic,
  describeBackends,
  recordCommands,
  type TopicWatch,
} from './backends';
import { rejectionOf } from './fixtures';

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
});

describeBackends('the notify adapter (SNS)', (backend) => {
  const emulator = () => backend().emulator();
  let client: SNSClient;
  let topicArn: string;
  let topic: TopicWatch;
  let sent: CommandRecord;

  beforeEach(async () => {
    client = new SNSClient(backend().sdkConfig());
    sent = recordCommands(client);
    topicArn = await createTopic(backend(), 'shop-switchback');
    // A subscriber on the topic sees what it delivers.
    topic = await backend().watchTopic(topicArn);
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

      // Then the topic delivered it
      await delivered(topic, 1);
      expect(topic.messages()).toEqual([
        {
          subject: 'Switchback rolled back shop release r42',
          message: '{"outcome":"rolled-back","releaseId":"r42"}',
        },
      ]);
    });

    it('makes a subject SNS accepts out of a long one with line breaks and non-ASCII text', async () => {
      const notify = createNotifyAdapter(client, topicArn);
      await notify.publish(`  Rollback — checkout\n${'x'.repeat(200)}`, {});
      await delivered(topic, 1);
      const [published] = topic.messages();
      expect(published?.subject).toBe(`Rollback ? checkout ${'x'.repeat(99 - 20)}`);
      expect(published?.subject).toHaveLength(99);
    });

    it('leaves out the subject rather than send an empty one', async () => {
      await createNotifyAdapter(client, topicArn).publish('\n', { a: 1 });
      expect(sent.inputs('Publish')).toEqual([expect.not.objectContaining({ Subject: expect.anything() })]);
      await delivered(topic, 1);
      expect(topic.messages()).toEqual([{ message: '{"a":1}' }]);
    });

    it('is a no-op without a topic', async () => {
      await createNotifyAdapter(client, undefined).publish('anything', { a: 1 });
      expect(sent.count()).toBe(0);
    });

    it('maps a topic that does not exist to not-found', async () => {
      const notify = createNotifyAdapter(client, topicArn.replace('shop-switchback', 'gone'));
      expect(await rejectionOf(() => notify.publish('s', {}))).toMatchObject({
        kind: 'not-found',
        operation: 'Publish',
      });
    });

    backend.needs(
      ['faults', 'requestLog'],
      'maps throttling that outlasts the SDK retries to throttled',
      async () => {
        emulator().faults.add({ service: 'sns', action: 'Publish', throttle: 'always' });
        const error = await rejectionOf(() => createNotifyAdapter(client, topicArn).publish('s', {}));
        expect(error).toMatchObject({ kind: 'throttled', code: 'Throttling' });
        expect(emulator().requestLog.count({ action: 'Publish' })).toBe(3);
      },
    );
  });
});

/**
 * Waits until the topic has delivered `count` messages (SNS delivers asynchronously; the test's
 * timeout bounds the wait).
 */
async function delivered(topic: TopicWatch, count: number): Promise<void> {
  while (topic.messages().length < count) await new Promise((resolve) => setTimeout(resolve, 5));
}
