/**
 * Synth-time checks of a watchdog's progressive-delivery props. Each prop is parsed with the part of
 * lib's schema it becomes (so bounds and patterns are written once, in lib) and named in the error;
 * the rules that tie props together (a shift inside the evaluation window, checks that need a plan)
 * are checked here.
 */
import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import { DEFAULT_ROLLBACK_POLICY, deliveryConfigParts } from '../../lib';
import { PropValidator, show } from '../internal/validation';
import type { RollbackWatchdogOptions } from '../watchdog/props';
import { parseAs } from '../watchdog/validation';
import { checkConfig, killSwitchConfig } from './configuration';
import { KillSwitchKind, KillSwitchMode, type KillSwitch } from './kill-switch';
import { SmokeCheckKind, type SmokeCheck } from './smoke-check';
import { TrafficShifting } from './traffic-shifting';

let synthParts: ReturnType<typeof deliveryConfigParts> | undefined;

/** lib's delivery schema parts for synth (Terraform references pass the format checks), built once. */
function partsAtSynth(): ReturnType<typeof deliveryConfigParts> {
  synthParts ??= deliveryConfigParts({ isUnresolved: (value) => Token.isUnresolved(value) });
  return synthParts;
}

/** Why the numbers of a plan must be known at synth. */
const KNOWN_AT_SYNTH =
  'the shift is checked against the evaluation window now, and the watchdog reads it as data';

/** Checks the progressive-delivery props, throwing a SwitchbackValidationError naming the first bad one. */
export function validateDeliveryProps(scope: IConstruct, props: RollbackWatchdogOptions): void {
  const check = new PropValidator(scope);
  validateShifting(scope, check, props);
  validateChecks(scope, check, props);
  validateKillSwitches(scope, check, props);
}

function validateShifting(scope: IConstruct, check: PropValidator, props: RollbackWatchdogOptions): void {
  const shifting = props.shifting;
  if (shifting === undefined) return;
  if (!(shifting instanceof TrafficShifting)) {
    check.conflict(
      'shifting',
      'must be a TrafficShifting (TrafficShifting.canary, .linear, .allAtOnce or .custom).',
    );
  }
  shifting.steps.forEach((step, index) => {
    check.literal(`shifting.steps[${index}].weightPercent`, step.weightPercent, KNOWN_AT_SYNTH);
    check.literal(`shifting.steps[${index}].bakeMinutes`, step.bakeMinutes, KNOWN_AT_SYNTH);
  });
  parseAs(scope, 'shifting', partsAtSynth().shifting, { steps: shifting.steps, promote: shifting.promote });

  // Breaches roll back automatically only inside the evaluation window: a shift still running when
  // it closes would move traffic with nothing to roll it back.
  const windowMinutes = props.evaluationWindowMinutes ?? DEFAULT_ROLLBACK_POLICY.evaluationWindowMinutes;
  const bake = shifting.steps.reduce((sum, step) => sum + step.bakeMinutes, 0);
  const lasts = shifting.minimumDurationMinutes;
  if (lasts > windowMinutes) {
    check.conflict(
      'shifting',
      `the shift lasts at least ${lasts} minutes (bake times ${bake} plus one schedule tick per step, ${shifting.steps.length}${shifting.promote ? ', plus one for the promotion' : ''}), longer than evaluationWindowMinutes (${windowMinutes}), which must also cover the time from the capture to the apply (the deploy itself): the window would close mid-shift and later steps would take traffic with no automatic rollback; shorten the bake times or raise evaluationWindowMinutes (leaving room for the deploy).`,
    );
  }
  if (props.scheduleTick === false) {
    check.conflict(
      'shifting',
      'needs the schedule tick, which carries the shift out one step at a time; leave scheduleTick out (or true), or drop shifting.',
    );
  }
}

function validateChecks(scope: IConstruct, check: PropValidator, props: RollbackWatchdogOptions): void {
  const lists: [string, readonly SmokeCheck[] | undefined][] = [
    ['preTrafficChecks', props.preTrafficChecks],
    ['afterStepChecks', props.afterStepChecks],
    ['verificationChecks', props.verificationChecks],
  ];
  const listSchema = partsAtSynth().verification.shape.checks;
  for (const [prop, checks] of lists) {
    if (checks === undefined) continue;
    checks.forEach((smokeCheck, index) => {
      check.oneOf(`${prop}[${index}].kind`, smokeCheck?.kind, Object.values(SmokeCheckKind));
      if (smokeCheck?.kind === undefined) {
        check.conflict(`${prop}[${index}]`, 'must be a SmokeCheck (SmokeCheck.http or SmokeCheck.lambda).');
      }
    });
    parseAs(scope, prop, listSchema, checks.map(checkConfig));
    if (prop !== 'verificationChecks' && checks.length > 0 && props.shifting === undefined) {
      check.conflict(
        prop,
        `needs a shifting plan: the checks run ${prop === 'preTrafficChecks' ? 'before the first step' : 'after each step'} of a shift; give shifting (TrafficShifting.allAtOnce() moves all traffic in one step, after the pre-traffic checks).`,
      );
    }
  }
  if (props.alarmsOkWithinMinutes !== undefined) {
    check.literal(
      'alarmsOkWithinMinutes',
      props.alarmsOkWithinMinutes,
      'the watchdog checks it when it loads its configuration',
    );
    parseAs(
      scope,
      'alarmsOkWithinMinutes',
      partsAtSynth().verification.shape.alarmsOkWithinMinutes,
      props.alarmsOkWithinMinutes,
    );
  }
}

function validateKillSwitches(scope: IConstruct, check: PropValidator, props: RollbackWatchdogOptions): void {
  check.oneOf('killSwitchMode', props.killSwitchMode, Object.values(KillSwitchMode));
  const switches = props.killSwitches ?? [];
  if (props.killSwitchMode === KillSwitchMode.INSTEAD_OF_TRAFFIC && switches.length === 0) {
    check.conflict(
      'killSwitchMode',
      `'${KillSwitchMode.INSTEAD_OF_TRAFFIC}' with no killSwitches would answer a breach with nothing at all; give killSwitches, or leave killSwitchMode out.`,
    );
  }
  if (switches.length === 0) return;
  const seen = new Map<string, number>();
  const restored = new Set((props.parameterNames ?? []).map(withoutLeadingSlash));
  switches.forEach((killSwitch, index) => {
    const where = `killSwitches[${index}]`;
    check.oneOf(`${where}.kind`, killSwitch?.kind, Object.values(KillSwitchKind));
    if (killSwitch?.kind === undefined) {
      check.conflict(where, 'must be a KillSwitch (KillSwitch.ssmParameter or KillSwitch.appConfig).');
    }
    // Known at synth: two switches are compared by these names, and the IAM policy is built from them.
    for (const [field, value] of identifiers(killSwitch)) {
      check.literal(
        `${where}.${field}`,
        value,
        'the watchdog is granted this switch by name, and checks the name when it loads its configuration',
      );
    }
    const key = switchKey(killSwitch);
    const first = seen.get(key);
    if (first !== undefined) {
      check.conflict(where, `is the same kill switch as killSwitches[${first}]; give each switch once.`);
    }
    seen.set(key, index);
    if (
      killSwitch.kind === KillSwitchKind.SSM_PARAMETER &&
      restored.has(withoutLeadingSlash(killSwitch.parameterName ?? ''))
    ) {
      check.conflict(
        `${where}.name`,
        `got ${show(killSwitch.parameterName)}; it is in parameterNames too, whose restore (after the kill switches) would put the captured value back over the off value; keep it in one of the two.`,
      );
    }
  });
  parseAs(scope, 'killSwitches', partsAtSynth().killSwitches.shape.switches, switches.map(killSwitchConfig));
}

function identifiers(killSwitch: KillSwitch): [string, string | undefined][] {
  return killSwitch.kind === KillSwitchKind.APPCONFIG
    ? [
        ['applicationId', killSwitch.applicationId],
        ['environmentId', killSwitch.environmentId],
        ['configurationProfileId', killSwitch.configurationProfileId],
        ['deploymentStrategyId', killSwitch.deploymentStrategyId],
      ]
    : [['name', killSwitch.parameterName]];
}

/** What makes two switches the same: one parameter, or one profile in one environment. */
function switchKey(killSwitch: KillSwitch): string {
  return killSwitch.kind === KillSwitchKind.APPCONFIG
    ? `appconfig:${killSwitch.applicationId}/${killSwitch.environmentId}/${killSwitch.configurationProfileId}`
    : `ssm:${withoutLeadingSlash(killSwitch.parameterName ?? '')}`;
}

function withoutLeadingSlash(name: string): string {
  return name.replace(/^\//, '');
}
