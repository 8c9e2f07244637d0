/**
 * The coordinator's composition root through the real AWS SDK against the emulator: its configuration
 * read from the group's store, members' watchdogs invoked through the Lambda API (answers and function
 * errors as Lambda delivers them), caller proofs signed with the coordinator's own credentials that
 * STS accepts for exactly the request they came with, the record in S3 and the notification on SNS.
 */
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CALLER_REQUEST_HEADER,
  groupConfigKey,
  groupRecordPrefix,
  type GroupConfigInput,
  type MemberReport,
} from '../../lib';
import { callerRequestDigest } from '../../lib/caller-proof';
import { createGroupRuntime } from '../../lambdas/group/runtime';
import { useEmulator } from '../emulator/testing';

const emulator = useEmulator();
const ACCOUNT = '123456789012';
const BUCKET = 'shop-group-store';
const COORDINATOR_ROLE = `arn:aws:sts::${ACCOUNT}:assumed-role/shop-coordinator/switchback-shop-coordinator`;
const COORDINATOR_KEYS = { accessKeyId: 'AKIACOORDINATOR0001', secretAccessKey: 'coordinator-secret-key' };
const arnOf = (service: string) =>
  `arn:aws:lambda:us-east-1:${ACCOUNT}:function:switchback-${service}-watchdog`;

/** Deploys the group: its store and configuration, its topic, and members answering as `answer` says. */
async function deployGroup(answer: (service: string, event: Record<string, unknown>) => unknown) {
  const config = emulator().clientConfig();
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const sns = new SNSClient(config);
  const lambda = new LambdaClient(config);
  const topic = await sns.send(new CreateTopicCommand({ Name: 'switchback-shop-group' }));
  const group: GroupConfigInput = {
    schemaVersion: 1,
    group: 'shop',
    order: 'callers-first',
    onMemberRollback: 'follow',
    members: [
      { service: 'web', watchdogFunctionArn: arnOf('web'), dependsOn: ['orders'] },
      { service: 'worker', watchdogFunctionArn: arnOf('worker'), dependsOn: ['orders'] },
      { service: 'orders', watchdogFunctionArn: arnOf('orders') },
    ],
    store: { bucket: BUCKET },
    notificationTopicArn: topic.TopicArn as string,
  };
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: groupConfigKey('shop'), Body: JSON.stringify(group) }),
  );
  const received: { service: string; event: Record<string, unknown> }[] = [];
  for (const { service } of group.members) {
    emulator().lambda.registerHandler(`switchback-${service}-watchdog`, async (event) => {
      received.push({ service, event: event as Record<string, unknown> });
      return answer(service, event as Record<string, unknown>);
    });
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: `switchback-${service}-watchdog`,
        Role: `arn:aws:iam::${ACCOUNT}:role/${service}-watchdog`,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Code: { ZipFile: new TextEncoder().encode('watchdog') },
      }),
    );
  }
  [s3, sns, lambda].forEach((c) => c.destroy());
  emulator().sts.addIdentity({ ...COORDINATOR_KEYS, arn: COORDINATOR_ROLE });
  const runtime = createGroupRuntime({
    env: { SWITCHBACK_GROUP_CONFIG_BUCKET: BUCKET, SWITCHBACK_GROUP_CONFIG_KEY: groupConfigKey('shop') },
    clientConfig: { ...config, credentials: COORDINATOR_KEYS, maxAttempts: 1 },
  });
  return { runtime, received, topicArn: topic.TopicArn as string };
}

const ordersRolledBack: MemberReport = {
  action: 'member-rolled-back',
  group: 'shop',
  service: 'orders',
  releaseId: 'r7',
  decisionId: 'orders-dec-1',
  at: new Date().toISOString().replace(/\.\d{3}Z$/, '.000Z'),
  outcome: 'rolled-back',
  byGroup: false,
};

/** Asks the emulator's STS who signed `proof`, for the request it came with (what a watchdog does). */
async function whoSigned(event: Record<string, unknown>): Promise<{ status: number; body: string }> {
  const proof = event.callerProof as { query: string; host: string };
  const response = await fetch(`${emulator().endpoint}/?${proof.query}`, {
    headers: { [CALLER_REQUEST_HEADER]: callerRequestDigest(event) },
  });
  return { status: response.status, body: await response.text() };
}

describe('the coordinator runtime', () => {
  it('rolls the followers back through the Lambda API with proofs STS accepts as the coordinator, and records and notifies', async () => {
    const { runtime, received, topicArn } = await deployGroup((service, event) => ({
      status: 'ok',
      kind: event.action,
      result: { decisionId: `${service}-dec-9`, outcome: 'rolled-back', steps: [] },
    }));

    const answer = await runtime.handler(ordersRolledBack, { getRemainingTimeInMillis: () => 60_000 });

    expect(answer).toEqual(
      expect.objectContaining({ status: 'ok', result: expect.objectContaining({ outcome: 'followed' }) }),
    );
    expect(received.map((r) => [r.service, r.event.action])).toEqual([
      ['web', 'rollback'],
      ['worker', 'rollback'],
    ]);
    // STS answers with the coordinator's role for the request as received ...
    const who = await whoSigned(received[0].event);
    expect(who.status).toBe(200);
    expect(who.body).toContain(`<Arn>${COORDINATOR_ROLE}</Arn>`);
    // ... and refuses the same proof with another request
    const forged = await whoSigned({ ...received[0].event, reason: 'something else' });
    expect(forged.status).toBe(403);

    // The record is in the group's store, the notification on its topic
    const s3 = new S3Client({ ...emulator().clientConfig(), forcePathStyle: true });
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: groupRecordPrefix('shop') }),
    );
    s3.destroy();
    expect(listed.Contents?.map((o) => o.Key)).toEqual([
      expect.stringMatching(/^audit\/groups\/shop\/decisions\/.*-g-[0-9a-f]{32}\.json$/),
    ]);
    expect(
      emulator()
        .sns.publishedMessages(topicArn)
        .map((m) => m.subject),
    ).toEqual(['[switchback] group shop: 2 followed the rollback of orders r7']);
  });

  it('takes a function error as Lambda delivers it as a failed follower, and stops there', async () => {
    const { runtime, received } = await deployGroup((service) => {
      if (service === 'web') {
        const error = new Error('rollback web-dec-3 is partial: listener L: blocked');
        error.name = 'PartialRollbackError';
        throw error;
      }
      return { status: 'ok', kind: 'freeze', result: { outcome: 'frozen' } };
    });

    const answer = await runtime.handler(ordersRolledBack);

    if (answer.status !== 'ok') throw new Error(`rejected: ${answer.reason}`);
    expect(answer.result.outcome).toBe('partial');
    expect(answer.result.members).toContainEqual(
      expect.objectContaining({ service: 'web', outcome: 'failed', decisionId: 'web-dec-3' }),
    );
    expect(received.map((r) => [r.service, r.event.action])).toEqual([
      ['web', 'rollback'],
      ['web', 'freeze'],
      ['worker', 'freeze'],
    ]);
  });

  it('fails at cold start with a clear message when its environment is incomplete', () => {
    expect(() => createGroupRuntime({ env: {} })).toThrow(
      "the group coordinator's environment is incomplete: SWITCHBACK_GROUP_CONFIG_BUCKET, SWITCHBACK_GROUP_CONFIG_KEY must be set",
    );
  });
});
