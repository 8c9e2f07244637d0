/**
 * The vault's events to an SNS topic: which events (failed jobs must be reported), and the encrypted
 * topic AWS Backup may publish to, unless a topic is given.
 */
import { BackupVaultNotifications } from '@cdktf/provider-aws/lib/backup-vault-notifications';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { ARN_PATTERNS } from '../../lib';
import { accountKeyPolicy } from '../internal/key-policy';
import { isKnown, type PropValidator } from '../internal/validation';
import type { BackupContext } from './context';

/** The vault events AWS Backup still sends to SNS (the others are deprecated and never sent). */
export enum BackupVaultEvent {
  /** A backup job started. */
  BACKUP_JOB_STARTED = 'BACKUP_JOB_STARTED',
  /** A backup job ended, whatever its state: the only event that reports a failed backup job. */
  BACKUP_JOB_COMPLETED = 'BACKUP_JOB_COMPLETED',
  /** A copy job started. */
  COPY_JOB_STARTED = 'COPY_JOB_STARTED',
  /** A copy job succeeded. */
  COPY_JOB_SUCCESSFUL = 'COPY_JOB_SUCCESSFUL',
  /** A copy job failed. */
  COPY_JOB_FAILED = 'COPY_JOB_FAILED',
  /** A restore job started. */
  RESTORE_JOB_STARTED = 'RESTORE_JOB_STARTED',
  /** A restore job ended, whatever its state: the only event that reports a failed restore. */
  RESTORE_JOB_COMPLETED = 'RESTORE_JOB_COMPLETED',
  /** A recovery point's lifecycle or tags changed. */
  RECOVERY_POINT_MODIFIED = 'RECOVERY_POINT_MODIFIED',
  /** An object of an S3 backup could not be backed up. */
  S3_BACKUP_OBJECT_FAILED = 'S3_BACKUP_OBJECT_FAILED',
  /** An object of an S3 restore could not be restored. */
  S3_RESTORE_OBJECT_FAILED = 'S3_RESTORE_OBJECT_FAILED',
}

export const DEFAULT_EVENTS: readonly BackupVaultEvent[] = [
  BackupVaultEvent.BACKUP_JOB_COMPLETED,
  BackupVaultEvent.COPY_JOB_FAILED,
  BackupVaultEvent.RESTORE_JOB_COMPLETED,
  BackupVaultEvent.S3_BACKUP_OBJECT_FAILED,
  BackupVaultEvent.S3_RESTORE_OBJECT_FAILED,
];
const SUPPORTED_EVENTS: readonly string[] = Object.values(BackupVaultEvent);
const DEPRECATED_EVENTS: readonly string[] = [
  'BACKUP_JOB_SUCCESSFUL',
  'BACKUP_JOB_FAILED',
  'BACKUP_JOB_EXPIRED',
  'RESTORE_JOB_SUCCESSFUL',
  'RESTORE_JOB_FAILED',
  'BACKUP_PLAN_CREATED',
  'BACKUP_PLAN_MODIFIED',
];

/** What the schedule does, which decides the events that must be sent. */
export interface NotifiedJobs {
  /** A rule copies recovery points. */
  readonly copies: boolean;
  /** Restore testing runs restore jobs. */
  readonly restoreTesting: boolean;
}

/** A given topic must be an SNS topic, and a standard one. */
export function validateNotificationTopic(check: PropValidator, topicArn: string | undefined): void {
  check.matches('notificationTopicArn', topicArn, ARN_PATTERNS.snsTopic, 'must be an SNS topic ARN.');
  if (isKnown(topicArn) && (topicArn as string).endsWith('.fifo')) {
    check.fail(
      'notificationTopicArn',
      topicArn,
      'AWS Backup publishes to standard topics only, not FIFO topics.',
    );
  }
}

/** Events AWS Backup still sends, including those that report each kind of job the schedule runs failing. */
export function validateEvents(
  check: PropValidator,
  events: readonly BackupVaultEvent[],
  jobs: NotifiedJobs,
): void {
  events.forEach((event, index) => {
    if (DEPRECATED_EVENTS.includes(event)) {
      check.fail(
        `notificationEvents[${index}]`,
        event,
        'is deprecated: AWS Backup no longer sends it. Failed backup and restore jobs are reported by BACKUP_JOB_COMPLETED and RESTORE_JOB_COMPLETED, with a State message attribute (filter subscriptions on it).',
      );
    }
    if (!SUPPORTED_EVENTS.includes(event)) {
      check.fail(`notificationEvents[${index}]`, event, `must be one of ${SUPPORTED_EVENTS.join(', ')}.`);
    }
  });
  const require = (event: BackupVaultEvent, why: string) => {
    if (!events.includes(event)) check.fail('notificationEvents', events, `must include ${event}: ${why}`);
  };
  require(BackupVaultEvent.BACKUP_JOB_COMPLETED, 'it is the only event that reports failed backup jobs.');
  if (jobs.copies) {
    require(BackupVaultEvent.COPY_JOB_FAILED, 'a rule copies recovery points, and failed copies must be reported.');
  }
  if (jobs.restoreTesting) {
    require(BackupVaultEvent.RESTORE_JOB_COMPLETED, 'restore testing runs restore jobs, and failed restores must be reported.');
  }
}

/** The notification resources, as BackupSchedule exposes them. */
export interface Notifications {
  readonly notificationKey?: KmsKey;
  readonly notificationTopic?: SnsTopic;
  readonly notificationTopicArn: string;
  readonly notifications: BackupVaultNotifications;
}

/** The vault's notifications to the given topic, or to an encrypted topic defined for them. */
export function defineNotifications(
  context: BackupContext,
  vaultName: string,
  topicArn: string | undefined,
  events: readonly BackupVaultEvent[],
): Notifications {
  const defined = topicArn === undefined ? defineTopic(context) : undefined;
  const notificationTopicArn = topicArn ?? (defined as DefinedTopic).topic.arn;
  const notifications = new BackupVaultNotifications(context.scope, 'Notifications', {
    backupVaultName: vaultName,
    snsTopicArn: notificationTopicArn,
    backupVaultEvents: [...events],
    ...(defined ? { dependsOn: [defined.policy] } : {}),
    ...context.regional,
  });
  return {
    notificationKey: defined?.key,
    notificationTopic: defined?.topic,
    notificationTopicArn,
    notifications,
  };
}

interface DefinedTopic {
  readonly key: KmsKey;
  readonly topic: SnsTopic;
  readonly policy: SnsTopicPolicy;
}

function defineTopic(context: BackupContext): DefinedTopic {
  const { scope, serviceName, regional } = context;
  const key = new KmsKey(scope, 'NotificationKey', {
    description: `Encrypts the AWS Backup event topic of ${serviceName}`,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    policy: accountKeyPolicy(context.partition(), context.accountId(), [
      {
        // An AWS service can publish to an encrypted topic only when the topic's customer managed key
        // lets it (the AWS managed alias/aws/sns key cannot). This key encrypts this topic only.
        Sid: 'BackupPublishesEncrypted',
        Effect: 'Allow',
        Principal: { Service: 'backup.amazonaws.com' },
        Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        Resource: '*',
      },
    ]),
    ...regional,
  });
  const topic = new SnsTopic(scope, 'NotificationTopic', {
    name: `${serviceName}-backup-events`,
    kmsMasterKeyId: key.arn,
    ...regional,
  });
  const topicPolicyDocument = new DataAwsIamPolicyDocument(scope, 'NotificationTopicPolicyDocument', {
    statement: [
      {
        // Scoped to this topic and the AWS Backup service. No aws:SourceAccount condition: AWS Backup
        // does not support cross-account topics (another account's vault cannot be pointed here),
        // and it does not document sending that key, whose absence would silently drop the failure
        // notifications this topic exists for.
        sid: 'BackupPublishesVaultEvents',
        effect: 'Allow',
        principals: [{ type: 'Service', identifiers: ['backup.amazonaws.com'] }],
        actions: ['sns:Publish'],
        resources: [topic.arn],
      },
    ],
  });
  const policy = new SnsTopicPolicy(scope, 'NotificationTopicPolicy', {
    arn: topic.arn,
    policy: topicPolicyDocument.json,
    ...regional,
  });
  return { key, topic, policy };
}
