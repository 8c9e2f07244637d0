/**
 * Traffic markers: one object per weight the watchdog sets for a release's production listeners (a
 * shift step, a promotion, a rollback). The BlueGreenListener reads the newest at plan time, so a
 * `cdktf deploy` of the same release keeps what the watchdog set instead of fighting it.
 */
import { trafficMarkerKey, type ListenerAction } from '../../../lib';
import type { EngineContext } from './context';

// lib's, which the BlueGreenListener's hold reads too.
export { ROLLBACK_MARKER_SEQ } from '../../../lib';

/** Writes the marker; `seq` orders it after the release's earlier markers (1-9998 for steps). */
export async function writeTrafficMarker(
  context: Pick<EngineContext, 'config' | 'ports' | 'invocationId' | 'clock'>,
  releaseId: string,
  seq: number,
  blueWeightPercent: number,
): Promise<void> {
  await context.ports.store.putJson(
    trafficMarkerKey(context.config.service, releaseId, seq, blueWeightPercent),
    {
      releaseId,
      blueWeightPercent,
      decisionId: context.invocationId,
      writtenAt: new Date(context.clock.now()).toISOString(),
    },
  );
}

/**
 * Blue's share (percent, rounded) of the forward actions' weights: the figure a marker records.
 * Actions that forward nowhere count as all blue (nothing goes to the candidate).
 */
export function blueWeightPercentOf(actions: readonly ListenerAction[], blueTargetGroupArn: string): number {
  let blue = 0;
  let total = 0;
  for (const action of actions) {
    if (action.type !== 'forward') continue;
    for (const group of action.forwardConfig.targetGroups) {
      total += group.weight;
      if (group.targetGroupArn === blueTargetGroupArn) blue += group.weight;
    }
  }
  return total === 0 ? 100 : Math.round((blue * 100) / total);
}
