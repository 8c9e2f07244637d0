/**
 * How a release moves production traffic to its candidate: a plan of steps, each a weight held for a
 * bake time while every protected alarm stays OK, then optionally a promotion. A class with static
 * factories (like AWS CDK's `EcsDeploymentConfig`), so every jsii language gets the same presets.
 */
import { DEFAULT_DELIVERY } from '../../lib';

/** One step of a traffic shift: the candidate's weight, held for a bake time. */
export interface TrafficShiftStep {
  /** The candidate's share of production traffic at this step, 1-100, above the previous step's. */
  readonly weightPercent: number;
  /**
   * Minutes the step runs with every protected alarm OK before the next step (or the promotion), 0-1440.
   * A step takes at least one schedule tick (a minute) whatever its bake time.
   */
  readonly bakeMinutes: number;
}

/** What happens after the last step of a shift has baked. */
export interface TrafficShiftingOptions {
  /**
   * The candidate takes all production traffic and becomes the known-good color after the last step
   * has baked. Without it the shift holds the last step's weight, and a later release (or
   * `switchback promote`) finishes it.
   * @default true
   */
  readonly promote?: boolean;
}

/**
 * A release's traffic-shifting plan, carried out by the watchdog on its schedule tick: with a plan,
 * Terraform declares the candidate at 0% on the production listener and the watchdog sets each
 * step's weight, bakes it, runs the after-step checks, and promotes. Any breach rolls back.
 *
 * Use a preset (`canary`, `linear`, `allAtOnce`) or `custom` steps. The plan is checked when a
 * watchdog takes it (weights 1-100 and increasing, at most 20 steps, the shift inside the
 * evaluation window), with errors naming the watchdog's `shifting` prop.
 */
export class TrafficShifting {
  /**
   * `percent` of production traffic to the candidate for `bakeMinutes`, then (with `promote`) all of
   * it: CodeDeploy's `Canary10Percent5Minutes` is `TrafficShifting.canary(10, 5)`.
   * @param percent the canary's weight, 1-99
   * @param bakeMinutes how long the canary runs with the alarms OK, 0-1440
   */
  public static canary(
    percent: number,
    bakeMinutes: number,
    options?: TrafficShiftingOptions,
  ): TrafficShifting {
    return new TrafficShifting([{ weightPercent: percent, bakeMinutes }], options);
  }

  /**
   * `stepPercent` more of production traffic every `intervalMinutes`, up to 100% (the last step is
   * capped at 100): CodeDeploy's `Linear10PercentEvery1Minute` is `TrafficShifting.linear(10, 1)`.
   * @param stepPercent the weight added at each step, 5-100 (a plan has at most 20 steps)
   * @param intervalMinutes each step's bake time, 0-1440
   */
  public static linear(
    stepPercent: number,
    intervalMinutes: number,
    options?: TrafficShiftingOptions,
  ): TrafficShifting {
    if (!Number.isInteger(stepPercent) || stepPercent < 1 || stepPercent > 100) {
      throw new RangeError(
        `TrafficShifting.linear(stepPercent): got ${stepPercent}; must be an integer from 1 to 100 known at synth (the steps are computed from it).`,
      );
    }
    const steps: TrafficShiftStep[] = [];
    for (let weight = stepPercent; ; weight += stepPercent) {
      steps.push({ weightPercent: Math.min(weight, 100), bakeMinutes: intervalMinutes });
      if (weight >= 100) break;
    }
    return new TrafficShifting(steps, options);
  }

  /**
   * All production traffic to the candidate at once, held for `bakeMinutes` with the alarms OK, then
   * promoted: the pre-traffic checks still run before any production request reaches the candidate.
   * @param bakeMinutes how long all traffic runs on the candidate before the promotion, 0-1440 (0 when
   * left out)
   */
  public static allAtOnce(bakeMinutes?: number): TrafficShifting {
    return new TrafficShifting([{ weightPercent: 100, bakeMinutes: bakeMinutes ?? 0 }], {});
  }

  /**
   * Steps of your own, e.g. 1%, 10%, 50% (Argo Rollouts' `setWeight` and `pause`).
   * @param steps 1-20 steps, weights 1-100 in increasing order
   */
  public static custom(steps: TrafficShiftStep[], options?: TrafficShiftingOptions): TrafficShifting {
    return new TrafficShifting(steps, options);
  }

  /** The steps, in order. */
  public readonly steps: TrafficShiftStep[];
  /** Whether the candidate is promoted after the last step has baked. */
  public readonly promote: boolean;

  private constructor(steps: readonly TrafficShiftStep[], options: TrafficShiftingOptions | undefined) {
    this.steps = steps.map((step) => ({ weightPercent: step.weightPercent, bakeMinutes: step.bakeMinutes }));
    this.promote = options?.promote ?? DEFAULT_DELIVERY.promote;
  }

  /**
   * Minutes the shift lasts at least: the bake times, plus one schedule tick (a minute) per step,
   * plus one more for the promotion when there is one. The time from the capture to the apply (the
   * deploy itself) comes on top.
   */
  public get minimumDurationMinutes(): number {
    const steps = this.steps.reduce((sum, step) => sum + step.bakeMinutes + 1, 0);
    return this.promote ? steps + 1 : steps;
  }
}
