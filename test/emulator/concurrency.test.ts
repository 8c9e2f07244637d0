import {
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { BlueGreen, createBlueGreen } from './elbv2-fixtures';
import { useEmulator } from './testing';

const emulator = useEmulator();

describe('concurrent calls', () => {
  it('applies parallel ModifyListener calls on different listeners, each exactly once', async () => {
    const elbv2 = new ElasticLoadBalancingV2Client({ ...emulator().clientConfig(), maxAttempts: 1 });
    const setups: BlueGreen[] = [];
    for (let i = 0; i < 10; i++) setups.push(await createBlueGreen(elbv2, `c${i}`));
    emulator().requestLog.clear();
    emulator().faults.add({ service: 'elbv2', action: 'ModifyListener', latencyMs: { min: 0, max: 40 } });
    const flips = await Promise.all(
      setups.map((bg) =>
        elbv2.send(
          new ModifyListenerCommand({
            ListenerArn: bg.listenerArn,
            DefaultActions: [{ Type: 'forward', TargetGroupArn: bg.greenArn }],
          }),
        ),
      ),
    );
    expect(flips.map((f) => f.Listeners?.[0]?.ListenerArn)).toEqual(setups.map((bg) => bg.listenerArn));
    const described = await elbv2.send(
      new DescribeListenersCommand({ ListenerArns: setups.map((bg) => bg.listenerArn) }),
    );
    expect(described.Listeners?.map((l) => l.DefaultActions?.[0]?.TargetGroupArn)).toEqual(
      setups.map((bg) => bg.greenArn),
    );
    const log = emulator().requestLog.entries({ action: 'ModifyListener' });
    expect(log).toHaveLength(10);
    expect(new Set(log.map((e) => e.params.ListenerArn)).size).toBe(10);
    expect(log.every((e) => e.status === 200)).toBe(true);
    elbv2.destroy();
  });

  it('lets exactly one of 20 parallel If-None-Match writers create an S3 key', async () => {
    const s3 = new S3Client({ ...emulator().s3ClientConfig(), maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: 'locks' }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: 'locks', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    emulator().faults.add({ service: 's3', action: 'PutObject', latencyMs: { min: 0, max: 20 } });
    const writers = Array.from({ length: 20 }, (_, i) => `writer-${i}`);
    const results = await Promise.allSettled(
      writers.map((Body) =>
        s3.send(new PutObjectCommand({ Bucket: 'locks', Key: 'rollback.lock', Body, IfNoneMatch: '*' })),
      ),
    );
    const winners = writers.filter((_, i) => results[i].status === 'fulfilled');
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(19);
    for (const loser of losers) {
      const err = loser.reason as Error & { $metadata: { httpStatusCode?: number } };
      expect([err.name, err.$metadata.httpStatusCode]).toEqual(['PreconditionFailed', 412]);
    }
    expect(emulator().s3.text('locks', 'rollback.lock')).toBe(winners[0]);
    expect(emulator().s3.versions('locks', 'rollback.lock')).toHaveLength(1);
    s3.destroy();
  });

  it('gives parallel SSM overwrites distinct consecutive versions', async () => {
    const ssm = new SSMClient({ ...emulator().clientConfig(), maxAttempts: 1 });
    await ssm.send(new PutParameterCommand({ Name: '/counter', Value: '0', Type: 'String' }));
    const outs = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        ssm.send(new PutParameterCommand({ Name: '/counter', Value: String(i + 1), Overwrite: true })),
      ),
    );
    expect(outs.map((o) => o.Version).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: 15 }, (_, i) => i + 2),
    );
    ssm.destroy();
  });
});
