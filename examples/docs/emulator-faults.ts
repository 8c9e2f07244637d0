/** docs/emulator.md: every field of a fault rule. */
import type { Emulator } from '../../test/emulator';

export function addFault(emu: Emulator, arn: string): void {
  emu.faults.add({
    service: 'elbv2', // default: every service
    action: ['DescribeListeners', 'DescribeRules'], // default: every action
    match: (call) => call.params.ListenerArn === arn, // default: every call (Query values are strings)
    // effects, combinable:
    latencyMs: 200, // or { min: 50, max: 400 } (uniform jitter)
    throttle: 'always', // or { kind: 'tokenBucket', capacity: 40, refillPerSecond: 10 }
    error: { status: 500, code: 'InternalFailure', message: '...' }, // defaults: 500 and the service's internal code
    dropConnection: true, // 'before' (= true): no effect on state; 'after': the change happened
    staleReadMs: 2000, // after a matching write, reads see the pre-write state
    // scope:
    nth: 3, // only the 3rd matching call
    times: 2, // at most twice
  });
}
