/**
 * A rollback's traffic marker (seq 9999): written ahead with the latch, so that `cdktf deploy` of the
 * rolled-back release keeps the restored weights. Without it (blue cannot be resolved) that deploy
 * would move traffic back to the candidate: the rollback still goes on, and a person is paged.
 */
import type { ReleaseManifest, StepRecord } from '../../../lib';
import type { EngineContext } from './context';
import { blueTargetGroupArn } from './shift-traffic';
import { blueWeightPercentOf, ROLLBACK_MARKER_SEQ, writeTrafficMarker } from './traffic-markers';

/** Blue's ARN, or why it cannot be known. */
export type ResolvedBlue = { readonly arn: string } | { readonly error: string };

/**
 * The blue target group of the release's (first) production listener, or why it cannot be known
 * (then the rollback writes no traffic marker, and says so).
 */
export async function resolveBlue(context: EngineContext, manifest: ReleaseManifest): Promise<ResolvedBlue> {
  const captured = manifest.listeners[0];
  if (!captured) return { error: 'no production listener was captured' };
  try {
    return { arn: await blueTargetGroupArn(context, captured) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Writes the marker once blue is known; answers a failed `marker` step (logged) when it cannot be,
 * else nothing (a marker written is not a step of the rollback's record).
 */
export async function writeRollbackMarker(
  context: EngineContext,
  manifest: ReleaseManifest,
  blue: Promise<ResolvedBlue>,
): Promise<StepRecord | undefined> {
  const started = context.clock.now();
  const actions = manifest.listeners[0]?.defaultActions;
  const resolved = await blue;
  if (actions === undefined) return undefined;
  if ('arn' in resolved) {
    await writeTrafficMarker(
      context,
      manifest.releaseId,
      ROLLBACK_MARKER_SEQ,
      blueWeightPercentOf(actions, resolved.arn),
    );
    return undefined;
  }
  context.log.warn('the blue target group could not be resolved: no rollback traffic marker', {
    releaseId: manifest.releaseId,
    error: resolved.error,
  });
  return {
    kind: 'marker',
    target: `traffic marker ${ROLLBACK_MARKER_SEQ}`,
    outcome: 'failed',
    attempts: 0,
    startedAt: new Date(started).toISOString(),
    durationMs: Math.max(0, context.clock.now() - started),
    detail: `not written, the blue target group could not be resolved (${resolved.error}): a cdktf deploy of ${manifest.releaseId} would not keep the rollback's weights`,
  };
}

/**
 * No rollback marker: the next `cdktf deploy` of the release would use the newest step's marker
 * (or the declared weights) and move traffic back to the candidate. A person must know.
 */
export async function pageMissingMarker(
  context: EngineContext,
  releaseId: string,
  marker: StepRecord,
): Promise<void> {
  try {
    await context.ports.notify.publish(
      `[switchback] ${context.config.service}: rollback of release ${releaseId} has NO traffic marker, action needed`,
      {
        service: context.config.service,
        releaseId,
        decisionId: context.invocationId,
        problem: marker.detail,
        action: `do not re-apply ${releaseId}; acknowledge the rollback or deploy a new release`,
      },
    );
  } catch (error) {
    context.log.error('notification failed', { decisionId: context.invocationId, error: String(error) });
  }
}
