/**
 * The drift-free hold: the production listener (and its rules) render the weights the watchdog last
 * set for the release, read at plan time from the markers in the store. Asserted on the exact
 * Terraform expressions, which `terraform console` evaluates as the docs describe (see
 * docs/constructs/blue-green-listener.md).
 */
import { TerraformVariable } from 'cdktf';
import { BlueGreenListener, Color, type BlueGreenListenerProps } from '../../../index';
import { SwitchbackValidationError } from '../../../constructs/internal/validation';
import { blockAt, blocksOfType, refTo, synth, type SynthesizedStack } from '../../support/synth';
import { LOAD_BALANCER_ARN, VPC_ID } from '../fixtures';

const HOLD = { storeBucket: 'checkout-artifacts', releaseId: 'r7' };
const HOLDS = 'audit/checkout/holds/r7';

function synthListener(props: Partial<BlueGreenListenerProps>): SynthesizedStack {
  return synth((stack) => {
    new BlueGreenListener(stack, 'Checkout', {
      loadBalancerArn: LOAD_BALANCER_ARN,
      vpcId: VPC_ID,
      serviceName: 'checkout',
      rules: [{ priority: 5, pathPatterns: ['/x'] }],
      ...props,
    });
  });
}

/** The local whose construct id is `id`: its Terraform name and its expression. */
function local(json: SynthesizedStack, id: string): { ref: string; expression: string } {
  const entries = Object.entries((json.locals ?? {}) as Record<string, string>).filter(([name]) =>
    new RegExp(`^Checkout_${id}_[0-9A-F]{8}$`).test(name),
  );
  expect(entries).toHaveLength(1);
  const [[name, expression]] = entries;
  return { ref: `local.${name}`, expression };
}

/** The expressions of the hold for a release whose declared blue weight is `declared`, held at `held`. */
function expectedHold(json: SynthesizedStack, declared: string, held: number) {
  const keys = refTo(json, 'aws_s3_objects', 'Checkout/ReleaseHolds', 'keys', 'data').slice(2, -1);
  const defaultMarker = `"${HOLDS}.traffic-0000-blue-${declared}"`;
  const marker = local(json, 'TrafficMarker').ref;
  return {
    keys,
    marker: `\${element(reverse(sort(concat([${defaultMarker}], regexall("${HOLDS}[.]traffic-[0-9]{4}-blue-[0-9]{3}", join(" ", ${keys}))))), 0)}`,
    // Rolled back and the newest marker not the rollback's (sequence 9999): held.
    watchdogBlue: `\${(contains(${keys}, "${HOLDS}.rolled-back") && (tonumber(substr(${marker}, -13, 4)) < 9999)) ? ${held} : tonumber(substr(${marker}, -3, 3))}`,
    blue: `\${contains(${keys}, "${HOLDS}.acknowledged") ? ${Number(declared)} : ${local(json, 'WatchdogBlueWeight').ref}}`,
  };
}

/** The weights of the production listener's default action and of its rule, by target group. */
function forwards(json: SynthesizedStack) {
  const listener = blockAt(json, 'aws_lb_listener', 'Checkout/ProductionListener').default_action;
  const rule = blockAt(json, 'aws_lb_listener_rule', 'Checkout/ProductionRule5').action;
  return { listener, rule };
}

describe('BlueGreenListener drift-free hold', () => {
  it('with no canary, lists the release holds and renders blue as the newest traffic marker, declared 100', () => {
    const json = synthListener({ rollbackHold: HOLD });

    expect(blockAt(json, 'aws_s3_objects', 'Checkout/ReleaseHolds', 'data')).toEqual(
      expect.objectContaining({ bucket: 'checkout-artifacts', prefix: `${HOLDS}.` }),
    );
    const expected = expectedHold(json, '100', 100);
    expect(local(json, 'TrafficMarker').expression).toBe(expected.marker);
    expect(local(json, 'WatchdogBlueWeight').expression).toBe(expected.watchdogBlue);
    expect(local(json, 'BlueWeightPercent').expression).toBe(expected.blue);
    // A full cut-over (or none) is held too: the newest marker decides, not the declared canary.
    const blue = local(json, 'BlueWeightPercent').ref;
    const forward = {
      type: 'forward',
      forward: {
        target_group: [
          {
            arn: refTo(json, 'aws_lb_target_group', 'Checkout/BlueTargetGroup', 'arn'),
            weight: `\${${blue}}`,
          },
          {
            arn: refTo(json, 'aws_lb_target_group', 'Checkout/GreenTargetGroup', 'arn'),
            weight: `\${(100 - ${blue})}`,
          },
        ],
      },
    };
    expect(forwards(json)).toEqual({ listener: [forward], rule: [forward] });
  });

  it('with a canary, defaults to the declared 75/25 and holds a rolled-back release without markers at 100/0', () => {
    const json = synthListener({ canaryWeightPercent: 25, rollbackHold: HOLD });

    const expected = expectedHold(json, '075', 100);
    expect(local(json, 'TrafficMarker').expression).toBe(expected.marker);
    expect(local(json, 'WatchdogBlueWeight').expression).toBe(expected.watchdogBlue);
    expect(local(json, 'BlueWeightPercent').expression).toBe(expected.blue);
    // The old hold stays available as an attribute and a local.
    expect(local(json, 'RollbackHeld').expression).toBe(
      `\${(contains(${expected.keys}, "${HOLDS}.rolled-back") && !contains(${expected.keys}, "${HOLDS}.acknowledged"))}`,
    );
  });

  it('with a shifting plan, declares the candidate at 0% and renders the markers the watchdog writes', () => {
    const json = synthListener({ rollbackHold: { ...HOLD, shifting: true } });

    const expected = expectedHold(json, '100', 100);
    expect(local(json, 'TrafficMarker').expression).toBe(expected.marker);
    expect(local(json, 'BlueWeightPercent').expression).toBe(expected.blue);
  });

  it('with green active, weights are still blue’s (as the markers record them): declared 0, held 0', () => {
    const json = synthListener({ activeColor: Color.GREEN, rollbackHold: { ...HOLD, shifting: true } });

    const expected = expectedHold(json, '000', 0);
    expect(local(json, 'TrafficMarker').expression).toBe(expected.marker);
    expect(local(json, 'WatchdogBlueWeight').expression).toBe(expected.watchdogBlue);
    const blue = local(json, 'BlueWeightPercent').ref;
    const { listener } = forwards(json) as { listener: { forward: { target_group: unknown[] } }[] };
    // The active color comes first, as without a hold.
    expect(listener[0].forward.target_group).toEqual([
      {
        arn: refTo(json, 'aws_lb_target_group', 'Checkout/GreenTargetGroup', 'arn'),
        weight: `\${(100 - ${blue})}`,
      },
      { arn: refTo(json, 'aws_lb_target_group', 'Checkout/BlueTargetGroup', 'arn'), weight: `\${${blue}}` },
    ]);
  });

  it('keys every marker on the release id, so a new release id starts from the declared weights', () => {
    const json = synthListener({ canaryWeightPercent: 25, rollbackHold: { ...HOLD, releaseId: 'r8.1' } });

    const text = JSON.stringify(json.locals);
    expect(text).toContain('audit/checkout/holds/r8.1.traffic-0000-blue-075');
    // Dots of the release id match only a dot: `r8.1` does not read the markers of `r8x1`.
    expect(text).toContain('audit/checkout/holds/r8[.]1[.]traffic-[0-9]{4}-blue-[0-9]{3}');
    expect(text).not.toContain('r7');
  });

  it('renders the declared weights, and lists nothing, when the props acknowledge the release', () => {
    const json = synthListener({ canaryWeightPercent: 25, rollbackHold: { ...HOLD, acknowledged: true } });

    const [action] = forwards(json).listener as { forward: { target_group: { weight: unknown }[] } }[];
    expect(action.forward.target_group.map((g) => g.weight)).toEqual([75, 25]);
    expect(blocksOfType(json, 'aws_s3_objects', 'data')).toHaveLength(0);
    expect(json.locals).toBeUndefined();
  });

  it('fails when a canary weight is declared for a release that shifts in steps, naming both props', () => {
    expect(() =>
      synthListener({ canaryWeightPercent: 10, rollbackHold: { ...HOLD, shifting: true } }),
    ).toThrow(SwitchbackValidationError);
    expect(() =>
      synthListener({ canaryWeightPercent: 10, rollbackHold: { ...HOLD, shifting: true } }),
    ).toThrow(
      /invalid prop 'canaryWeightPercent': got 10; with rollbackHold.shifting the candidate is declared at 0%/,
    );
  });
});

describe('BlueGreenListener drift-free hold with a release id only Terraform knows', () => {
  it('joins the keys around the reference and escapes its dots with Terraform’s replace', () => {
    const json = synth((stack) => {
      const release = new TerraformVariable(stack, 'release', { type: 'string' });
      new BlueGreenListener(stack, 'Checkout', {
        loadBalancerArn: LOAD_BALANCER_ARN,
        vpcId: VPC_ID,
        serviceName: 'checkout',
        rollbackHold: { storeBucket: 'checkout-artifacts', releaseId: release.stringValue },
      });
    });

    const keys = refTo(json, 'aws_s3_objects', 'Checkout/ReleaseHolds', 'keys', 'data').slice(2, -1);
    const holds = '"audit/checkout/holds/", var.release';
    expect(local(json, 'TrafficMarker').expression).toBe(
      `\${element(reverse(sort(concat([join("", [${holds}, ".traffic-0000-blue-100"])], regexall(join("", ["audit/checkout/holds/", replace(var.release, ".", "[.]"), "[.]traffic-[0-9]{4}-blue-[0-9]{3}"]), join(" ", ${keys}))))), 0)}`,
    );
    expect(local(json, 'BlueWeightPercent').expression).toContain(
      `contains(${keys}, join("", [${holds}, ".acknowledged"]))`,
    );
    expect(JSON.stringify(json.locals)).not.toMatch(/TfToken|\$\{TOKEN/);
  });
});
