/**
 * The runbook's progressive-delivery sections, from the synthesized watchdog configuration: the
 * shifting plan and its smoke checks with the commands to take over a shift, the kill switches, and
 * how a rollback is verified. Each section appears only when the configuration has its part.
 */
import { DEFAULT_DELIVERY, type SmokeCheck, type WatchdogConfig } from '../../lib';

/** The "Traffic shifting" section (plan, hooks, pause/resume/promote/rollback), or nothing. */
export function shiftingSection(config: WatchdogConfig | undefined, flags: string): string[] {
  const plan = config?.shifting;
  const hooks = config?.hooks;
  if (!plan && !hooks) return [];
  const lines: string[] = ['## Traffic shifting', ''];
  if (plan) {
    lines.push(
      'Each release starts with no production traffic on the candidate. On its one-minute tick the watchdog moves the candidate up one step at a time; a step holds for its bake time with every protected alarm OK before the next:',
      '',
      '| Step | Candidate traffic | Bake |',
      '| --- | --- | --- |',
      ...plan.steps.map((step, i) => `| ${i + 1} | ${step.weightPercent}% | ${step.bakeMinutes} min |`),
      '',
      plan.promote
        ? 'After the last step has baked, the candidate takes all traffic and becomes the known-good color (promotion): the next release starts from it.'
        : 'After the last step has baked, the shift holds that weight (the plan does not promote): `switchback promote` makes the candidate the known-good color.',
      '',
      'Any breach during the shift rolls back through the normal path. If the weights are changed by hand, the watchdog stops the shift and pages instead of overwriting them. A `cdktf deploy` of the same release keeps the weights the watchdog set.',
      '',
    );
  }
  if (hooks && (hooks.preTraffic.length > 0 || hooks.afterEachStep.length > 0)) {
    lines.push('Smoke checks (against the test listener, which always forwards to the candidate):', '');
    if (hooks.preTraffic.length > 0) {
      lines.push(
        `- Before the first step: ${hooks.preTraffic.map(describeCheck).join('; ')}. A failure stops the release before any production traffic moves.`,
      );
    }
    if (hooks.afterEachStep.length > 0) {
      lines.push(
        `- After each step has baked: ${hooks.afterEachStep.map(describeCheck).join('; ')}. A failure rolls back.`,
      );
    }
    lines.push('');
  }
  lines.push(
    'Take over a shift (each action is audited; `status` shows the plan, the current step and the time left in its bake):',
    '',
    '```sh',
    `switchback status ${flags}`,
    `switchback pause ${flags} --reason "<why>"      # no more steps; a breach still rolls back`,
    `switchback resume ${flags} --reason "<why>"     # continue from the current step`,
    `switchback promote ${flags} --reason "<why>"    # skip the remaining steps (asks; --yes in scripts)`,
    `switchback rollback ${flags} --reason "<why>"   # back to the known-good color, at any step`,
    '```',
    '',
  );
  return lines;
}

/** The "Kill switches" section, or nothing. */
export function killSwitchSection(config: WatchdogConfig | undefined): string[] {
  const killSwitches = config?.killSwitches;
  if (!killSwitches) return [];
  const mode =
    killSwitches.mode === 'before-traffic'
      ? 'On a breach the watchdog turns these switches off first (the fastest way back), then moves traffic and configuration back as below.'
      : `On a breach the watchdog turns these switches off **instead of** moving traffic: the release keeps its traffic and configuration. Traffic still rolls back when a switch cannot be turned off or the protected alarms are not all OK within ${config?.verification?.alarmsOkWithinMinutes ?? DEFAULT_DELIVERY.alarmsOkWithinMinutes} minutes; a rollback by hand (\`switchback rollback\`) always moves traffic too, switches first.`;
  return [
    '## Kill switches',
    '',
    mode,
    '',
    '| Switch | Turned off by |',
    '| --- | --- |',
    ...killSwitches.switches.map((s) =>
      s.kind === 'ssm-parameter'
        ? `| SSM parameter \`${s.name}\` | writing \`${s.offValue}\` as a new version |`
        : `| AppConfig application \`${s.applicationId}\`, environment \`${s.environmentId}\`, profile \`${s.configurationProfileId}\` | stopping a deployment in progress, then deploying the version captured before the release (strategy \`${s.deploymentStrategyId}\`) |`,
    ),
    '',
    "Each switch is a step of the rollback (`kill-switch` in `switchback history`), read back like the others. Turning a switch on again is a person's decision once the release is fixed: the value captured before the release is in the release manifest (`killSwitches`).",
    '',
  ];
}

/** The verification bullet of the "Verify" section: what the watchdog checks after every rollback. */
export function verificationLines(config: WatchdogConfig | undefined, flags: string): string[] {
  const minutes = config?.verification?.alarmsOkWithinMinutes ?? DEFAULT_DELIVERY.alarmsOkWithinMinutes;
  const checks = config?.verification?.checks ?? [];
  return [
    `- The watchdog verifies every rollback itself: it reads the listeners back, ${checks.length > 0 ? `runs ${checks.map(describeCheck).join('; ')} against production, ` : ''}waits up to ${minutes} minutes for every protected alarm to be OK, and compares the live state with the release manifest. \`switchback history ${flags}\` shows the \`verify\` record (smoke checks, alarms not OK, each difference); a failed verification pages a second time, naming what is still wrong.`,
  ];
}

function describeCheck(check: SmokeCheck): string {
  if (check.kind === 'lambda')
    return `the function \`${check.functionArn}\` (passes unless it fails or answers \`{"passed": false}\`)`;
  return `\`GET ${check.url}\` expecting ${check.expectedStatus}${check.bodyPattern ? ` and a body matching \`${check.bodyPattern}\`` : ''}`;
}
