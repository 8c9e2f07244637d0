/**
 * The drift-free hold: at plan time the BlueGreenListener reads its release's markers in the store,
 * so a `cdktf deploy` of the same release keeps the weights the watchdog set (a shift step, a
 * promotion, a rollback) instead of fighting it, until the release is acknowledged.
 *
 * All of it is Terraform expressions over one `aws_s3_objects` listing of
 * `audit/<service>/holds/<releaseId>.`, evaluated at plan time:
 *   - the newest traffic marker: the last of the sorted marker keys of this release, with a default
 *     marker `…traffic-0000-blue-<declared blue>` so the list is never empty (the watchdog numbers
 *     its markers from 1, a rollback's is 9999, so a real marker always sorts after the default);
 *   - blue's weight: the declared one when the release is acknowledged, else the newest marker's
 *     (its key ends with the weight, three digits), except that a rolled-back release whose newest
 *     marker is not the rollback's (sequence 9999) keeps the candidate at no traffic: a watchdog that
 *     writes no traffic markers (a rolled-back marker only), or a rollback mid-shift whose 9999
 *     marker write failed (the newest marker is the step the rollback undid).
 * Each conditional is a Terraform local of its own: cdktf does not parenthesize a conditional nested
 * in another, so a local keeps each expression whole and unambiguous.
 */
import { DataAwsS3Objects } from '@cdktf/provider-aws/lib/data-aws-s3-objects';
import { Fn, Op, TerraformLocal, Token, type IResolvable } from 'cdktf';
import type { Construct } from 'constructs';
import {
  acknowledgementKey,
  releaseHoldPrefix,
  ROLLBACK_MARKER_SEQ,
  rollbackMarkerKey,
  trafficMarkerPrefix,
} from '../../lib';
import { isKnown } from '../internal/validation';

/** Where a marker key's sequence starts, counted from its end: `<seq 4>-blue-<weight 3>`. */
const MARKER_SEQ_FROM_END = '0000-blue-000'.length;

/** What the hold is computed from. */
export interface TrafficHoldInput {
  readonly serviceName: string;
  readonly storeBucket: string;
  readonly releaseId: string;
  /** Blue's weight as the props declare it (a shift declares the candidate at 0). */
  readonly declaredBlueWeightPercent: number;
  /** Blue's weight with the candidate at no traffic: what a rolled-back release is held at. */
  readonly heldBlueWeightPercent: number;
}

/** The hold's expressions: whether the release is rolled back and held, and the weights to render. */
export interface TrafficHold {
  /** Rolled back and not acknowledged (a boolean expression). */
  readonly rollbackHeld: IResolvable;
  /** Blue's weight, 0-100 (a number expression). */
  readonly blueWeightPercent: number;
  /** Green's weight: 100 - blue (a number expression). */
  readonly greenWeightPercent: number;
}

/** Defines the listing and the locals of the hold under `scope`. */
export function defineTrafficHold(scope: Construct, input: TrafficHoldInput): TrafficHold {
  const { serviceName, releaseId } = input;
  const holds = new DataAwsS3Objects(scope, 'ReleaseHolds', {
    bucket: input.storeBucket,
    // This release's holds only: the listing stays small however many releases came before.
    prefix: `${releaseHoldPrefix(serviceName)}${releaseId}.`,
  });
  // A key with a release id only Terraform knows is joined by Terraform from its parts: cdktf
  // garbles (and warns about) a reference inside a string argument of a function.
  const spliced = (key: string, literal = (text: string) => text, release = () => releaseId) =>
    isKnown(releaseId)
      ? literal(key)
      : Fn.join(
          '',
          key
            .split(releaseId)
            .flatMap((part, index) => (index === 0 ? [literal(part)] : [release(), literal(part)])),
        );
  const rolledBack = Fn.contains(holds.keys, spliced(rollbackMarkerKey(serviceName, releaseId)));
  const acknowledged = Fn.contains(holds.keys, spliced(acknowledgementKey(serviceName, releaseId)));
  const held = new TerraformLocal(scope, 'RollbackHeld', Op.and(rolledBack, Op.not(acknowledged)));

  const markerPrefix = trafficMarkerPrefix(serviceName, releaseId);
  const defaultMarker = spliced(`${markerPrefix}0000-blue-${threeDigits(input.declaredBlueWeightPercent)}`);
  // Only this release's traffic markers: the listing's prefix `<releaseId>.` also lists a release
  // whose id continues it (`r7` lists `r7.v2.…`), whose markers could sort after this release's.
  // (Dots as `[.]`: HCL strings know no `\.` escape; Terraform escapes a release id it resolves.)
  const markerPattern = spliced(`${markerPrefix}[0-9]{4}-blue-[0-9]{3}`, dotsMatchDots, () =>
    Fn.replace(releaseId, '.', '[.]'),
  );
  const markers = Fn.regexall(markerPattern, Fn.join(' ', holds.keys));
  const newest = new TerraformLocal(
    scope,
    'TrafficMarker',
    Fn.element(Fn.reverse(Fn.sort(Fn.concat([[defaultMarker], markers]))), 0),
  );
  // A rolled-back release is held at no traffic unless its newest marker is the rollback's own
  // (9999, which records the weights the rollback set): a rollback mid-shift whose marker write
  // failed leaves a step's marker newest, and that step's weight is the one the rollback undid.
  const newestSeq = Fn.tonumber(Fn.substr(newest.asString, -MARKER_SEQ_FROM_END, 4));
  const watchdogBlue = new TerraformLocal(
    scope,
    'WatchdogBlueWeight',
    Fn.conditional(
      Op.and(rolledBack, Op.lt(newestSeq, ROLLBACK_MARKER_SEQ)),
      input.heldBlueWeightPercent,
      Fn.tonumber(Fn.substr(newest.asString, -3, 3)),
    ),
  );
  const blue = new TerraformLocal(
    scope,
    'BlueWeightPercent',
    Fn.conditional(acknowledged, input.declaredBlueWeightPercent, watchdogBlue.expression),
  );
  return {
    rollbackHeld: held.expression as IResolvable,
    blueWeightPercent: blue.asNumber,
    greenWeightPercent: Token.asNumber(Op.sub(100, blue.expression)),
  };
}

function dotsMatchDots(text: string): string {
  return text.replace(/\./g, '[.]');
}

function threeDigits(weight: number): string {
  return String(weight).padStart(3, '0');
}
