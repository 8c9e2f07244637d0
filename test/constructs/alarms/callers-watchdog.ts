/** A watchdog of the caller's own, as an IRollbackWatchdog (a construct, as every framework needs). */
import { Construct } from 'constructs';
import type { IRollbackWatchdog } from '../../../index';

class CallersWatchdog extends Construct implements IRollbackWatchdog {
  public readonly serviceName = 'checkout';
  public readonly functionName = 'checkout-watchdog';
  constructor(
    scope: Construct,
    public readonly functionArn: string,
  ) {
    super(scope, 'Watchdog');
  }
}

/** A watchdog of the caller's own under `scope`, whose function ARN is `functionArn` (right or wrong). */
export function callersWatchdog(scope: Construct, functionArn: string): IRollbackWatchdog {
  return new CallersWatchdog(scope, functionArn);
}
