/** docs/emulator.md: the emulator in-process, through the real SDK, with a fault. */
import { strict as assert } from 'node:assert';
import {
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { S3Client } from '@aws-sdk/client-s3';
import { startEmulator } from '../../test/emulator';
import { createBlueGreen } from '../../test/emulator/elbv2-fixtures';

export async function throttledSwitch(): Promise<void> {
  const emu = await startEmulator(); // { port?: 0, host?: '127.0.0.1', defaultRegion?: 'us-east-1', clock?: Date.now }
  const elbv2 = new ElasticLoadBalancingV2Client(emu.clientConfig()); // { endpoint, region, credentials }
  const s3 = new S3Client(emu.s3ClientConfig()); // the same, plus forcePathStyle: true
  const { listenerArn, greenArn } = await createBlueGreen(elbv2);

  emu.faults.add({ service: 'elbv2', action: 'ModifyListener', throttle: 'always', times: 2 });
  await elbv2.send(
    new ModifyListenerCommand({
      ListenerArn: listenerArn,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: greenArn }],
    }),
  );
  // The SDK retried through two throttles; the third attempt switched the listener.
  const statuses = emu.requestLog.entries({ action: 'ModifyListener' }).map((e) => e.status);
  assert.deepEqual(statuses, [400, 400, 200]);

  emu.reset(); // empty state, no faults, no handlers or subscribers, empty log
  s3.destroy();
  await emu.stop();
}
