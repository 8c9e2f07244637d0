/** docs/emulator.md: one entry of the request log. */
import type { RequestLogEntry } from '../../test/emulator';

export const entry: RequestLogEntry = {
  seq: 12, // 1, 2, 3...
  time: 1767225600000, // the emulator's clock
  service: 'elbv2', // or 'unknown'
  action: 'ModifyListener',
  region: 'us-east-1', // from the SigV4 scope
  params: { ListenerArn: 'arn:aws:elasticloadbalancing:...' }, // identifying inputs only, never bodies or values
  status: 200, // 0 = connection dropped
  errorCode: undefined, // e.g. 'Throttling', 'ListenerNotFound', 'ConnectionDropped'
  faults: [], // e.g. ['latency', 'throttle']
  attempt: 1, // the SDK's attempt number (amz-sdk-request header)
  durationMs: 1.8,
};
