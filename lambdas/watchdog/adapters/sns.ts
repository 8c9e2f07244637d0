/**
 * The notify port over SNS: one message per decision on the configured topic, or nothing when no
 * topic is configured.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { NotifyPort } from '../ports';
import { call } from './errors';

/**
 * SNS refuses subjects with control characters, of 100 characters or more (the documented limit
 * is "less than 100"), or that start with a space. Email subscribers see the subject.
 */
const MAX_SUBJECT_LENGTH = 99;

/**
 * A subject SNS accepts: printable ASCII (anything else becomes `?`, line breaks and tabs become
 * spaces), trimmed, at most 99 characters. Undefined when nothing printable is left.
 */
export function snsSubject(subject: string): string | undefined {
  const printable = subject
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[^\x20-\x7e]/gu, '?')
    .trim();
  const cut = printable.slice(0, MAX_SUBJECT_LENGTH).trimEnd();
  return cut === '' ? undefined : cut;
}

/** The notify port over an SNS client; publishing is a no-op when `topicArn` is undefined. */
export function createNotifyAdapter(client: SNSClient, topicArn: string | undefined): NotifyPort {
  return {
    async publish(subject: string, message: unknown): Promise<void> {
      if (topicArn === undefined) return;
      await call('Publish', () =>
        client.send(
          new PublishCommand({
            TopicArn: topicArn,
            Subject: snsSubject(subject),
            Message: JSON.stringify(message) ?? 'null',
          }),
        ),
      );
    },
  };
}
