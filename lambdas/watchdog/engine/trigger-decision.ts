/**
 * The decision a trigger gets: finishing a rollback that began and did not complete, or the pure
 * decision of its kind (decide.ts) over the facts read under the lock.
 */
import { ALREADY_ROLLED_BACK_REASON, type CurrentRelease, type WatchdogState } from '../../../lib';
import type { AlarmState } from '../ports';
import type { EngineContext } from './context';
import { decideOnAlarm, decideOnHealthBreach, type Check, type Decision } from './decide';
import type { Resumed } from './delivery';
import type { Facts } from './facts';
import { describeRequester, type Trigger } from './trigger';

/**
 * A redelivery of a trigger whose rollback began (its latch was written ahead) but did not finish —
 * it was partial, or its run died — finishes that rollback, as long as the release is still the
 * one it began on: a half-restored release is worse than either state, so the latch, cooldown and
 * budget do not apply to it. The latch must name this very trigger: a run that could move nothing
 * writes no latch, and another trigger's later rollback is not this one's to finish (nor is a newer
 * release's). The schedule tick finishes the unfinished rollback the state records, likewise.
 */
export function isFinishing(
  trigger: Trigger,
  { release, state }: Facts,
  eventId: string | undefined,
  resumed: Resumed | undefined,
): boolean {
  return (
    release !== undefined &&
    (trigger.kind === 'finish'
      ? state.unfinished?.releaseId === release.releaseId && state.unfinished.releaseId === trigger.releaseId
      : resumed !== undefined &&
        eventId !== undefined &&
        ((state.latched?.releaseId === release.releaseId && state.latched.eventId === eventId) ||
          // a rollback that could move nothing wrote no latch, only its unfinished record
          state.unfinished?.releaseId === release.releaseId))
  );
}

/** Act when finishing (see {@link isFinishing}); otherwise what the trigger's kind decides. */
export function decideTrigger(
  context: EngineContext,
  trigger: Trigger,
  { release, state, alarmNow }: Facts,
  finishing: boolean,
): Decision {
  return finishing && release
    ? {
        act: true,
        checks: [
          { name: 'finishing-partial-rollback', passed: true, detail: `release ${release.releaseId}` },
        ],
      }
    : decide(context, trigger, release, state, alarmNow);
}

function decide(
  context: EngineContext,
  trigger: Trigger,
  release: CurrentRelease | undefined,
  state: WatchdogState,
  alarmNow: AlarmState | undefined,
): Decision {
  const facts = { now: context.clock.now(), policy: context.config.policy, release, state };
  switch (trigger.kind) {
    case 'alarm':
      return decideOnAlarm(trigger, context.config, alarmNow, facts);
    case 'health-ping':
      return decideOnHealthBreach(facts, trigger.breachedAt);
    case 'finish':
      return {
        act: false,
        reason: 'already-rolled-back',
        detail: `the unfinished rollback of ${trigger.releaseId} is not the current release's, or was acknowledged`,
        checks: [{ name: 'unfinished-rollback-current', passed: false }],
      };
    case 'rollback': {
      const checks: Check[] = [
        {
          name: 'manual-request',
          passed: true,
          detail: `by ${describeRequester(trigger)}${trigger.group ? ` for group ${trigger.group.name} (cause ${trigger.group.cause})` : ''}`,
        },
      ];
      // A group asks a member that already went back (on its own alarm) to go back: nothing to do,
      // and a second restore of the same state would only add noise to its audit.
      if (release && trigger.group && state.latched?.releaseId === release.releaseId) {
        return {
          act: false,
          reason: 'already-rolled-back',
          detail: `${ALREADY_ROLLED_BACK_REASON}: release ${release.releaseId} was rolled back at ${state.latched.rolledBackAt} (decision ${state.latched.decisionId}); the group's request changes nothing`,
          checks: [
            ...checks,
            { name: 'not-rolled-back-already', passed: false, detail: state.latched.decisionId },
          ],
        };
      }
      return release
        ? {
            act: true,
            checks: [...checks, { name: 'release-captured', passed: true, detail: release.releaseId }],
          }
        : {
            act: false,
            reason: 'no-release',
            detail: 'no release has been captured, so there is nothing to go back to',
            checks,
          };
    }
  }
}
