import {
  forwardedTargetGroups,
  planRestore,
  sameActions,
  type LiveState,
} from '../../lambdas/watchdog/engine/plan';
import type { ListenerState } from '../../lambdas/watchdog/ports';
import { BLUE, GREEN, listenerArn, manifest, ruleArn, weighted } from './fixtures';

function live(listeners: ListenerState[], extra: Partial<LiveState> = {}): LiveState {
  return {
    listeners: new Map(listeners.map((l) => [l.listenerArn, l])),
    aliases: new Map(),
    parametersAtCapturedVersion: new Map(),
    artifactsAtCapturedVersion: new Map(),
    ...extra,
  };
}

describe('planning a restore', () => {
  it('flips a listener that moved to green back to the captured weights, sending traffic to blue', () => {
    const plan = planRestore(
      manifest(),
      live([{ listenerArn: listenerArn(1), defaultActions: weighted(0, 100), rules: [] }]),
    );

    expect(plan.traffic).toEqual([
      {
        kind: 'listener',
        target: listenerArn(1),
        actions: weighted(100, 0),
        knownGoodTargetGroupArns: [BLUE],
        candidateTargetGroupArns: [GREEN],
      },
    ]);
    expect(plan.configuration).toEqual([]);
  });

  it('plans nothing when the live state already matches (a repeated rollback is a no-op)', () => {
    const plan = planRestore(
      manifest(),
      live([{ listenerArn: listenerArn(1), defaultActions: weighted(100, 0), rules: [] }]),
    );

    expect(plan.traffic).toEqual([]);
    expect(plan.unchanged).toEqual([listenerArn(1)]);
  });

  it('treats target groups listed in another order as the same forward', () => {
    const reordered = [
      {
        type: 'forward' as const,
        forwardConfig: {
          targetGroups: [
            { targetGroupArn: GREEN, weight: 0 },
            { targetGroupArn: BLUE, weight: 100 },
          ],
        },
      },
    ];

    expect(sameActions(reordered, weighted(100, 0))).toBe(true);
    expect(sameActions(weighted(90, 10), weighted(100, 0))).toBe(false);
  });

  it('treats a forward without stickiness as the same as one with stickiness off, and not as sticky', () => {
    // ELBv2 may echo either for the same forward (moto: TargetGroupArn alone reads without stickiness)
    const forward = (stickiness?: { enabled: boolean; durationSeconds?: number }) => [
      {
        type: 'forward' as const,
        forwardConfig: {
          targetGroups: [{ targetGroupArn: BLUE, weight: 1 }],
          ...(stickiness && { stickiness }),
        },
      },
    ];

    expect(sameActions(forward(), forward({ enabled: false }))).toBe(true);
    expect(sameActions(forward({ enabled: false, durationSeconds: 60 }), forward())).toBe(true);
    expect(sameActions(forward(), forward({ enabled: true, durationSeconds: 60 }))).toBe(false);
    expect(
      sameActions(
        forward({ enabled: true, durationSeconds: 60 }),
        forward({ enabled: true, durationSeconds: 300 }),
      ),
    ).toBe(false);
  });

  it('restores a listener it could not read (the step verifies by reading back)', () => {
    expect(planRestore(manifest(), live([])).traffic).toHaveLength(1);
  });

  it('restores rules whose actions changed, with the rule’s own known-good groups', () => {
    const m = manifest();
    m.listeners[0].rules = [
      { ruleArn: ruleArn(1), priority: '10', actions: weighted(100, 0) },
      {
        ruleArn: ruleArn(2),
        priority: '20',
        actions: [{ type: 'fixed-response', fixedResponseConfig: { statusCode: '503' } }],
      },
    ];
    const plan = planRestore(
      m,
      live([
        {
          listenerArn: listenerArn(1),
          defaultActions: weighted(100, 0),
          rules: [
            { ruleArn: ruleArn(1), priority: '10', actions: weighted(50, 50) },
            {
              ruleArn: ruleArn(2),
              priority: '20',
              actions: [{ type: 'fixed-response', fixedResponseConfig: { statusCode: '503' } }],
            },
          ],
        },
      ]),
    );

    expect(plan.traffic).toEqual([
      {
        kind: 'rule',
        target: ruleArn(1),
        listenerArn: listenerArn(1),
        actions: weighted(100, 0),
        knownGoodTargetGroupArns: [BLUE],
        candidateTargetGroupArns: [GREEN],
      },
    ]);
    expect(plan.unchanged).toEqual([listenerArn(1), ruleArn(2)]);
  });

  it('plans configuration after traffic: aliases, parameters and artifacts that differ', () => {
    const m = manifest({
      aliases: [
        {
          functionName: 'checkout-api',
          aliasName: 'live',
          functionVersion: '7',
          additionalVersionWeights: {},
        },
      ],
      parameters: [
        { name: '/checkout/flags', version: 3 },
        { name: '/checkout/limits', version: 9 },
      ],
      artifacts: [{ key: 'artifacts/checkout/app.zip', versionId: 'v-old' }],
    });
    const plan = planRestore(
      m,
      live([{ listenerArn: listenerArn(1), defaultActions: weighted(100, 0), rules: [] }], {
        aliases: new Map([
          [
            'checkout-api:live',
            {
              functionName: 'checkout-api',
              aliasName: 'live',
              functionVersion: '8',
              additionalVersionWeights: {},
            },
          ],
        ]),
        parametersAtCapturedVersion: new Map([
          ['/checkout/flags', false],
          ['/checkout/limits', true],
        ]),
        artifactsAtCapturedVersion: new Map([['artifacts/checkout/app.zip', false]]),
      }),
    );

    expect(plan.traffic).toEqual([]);
    expect(plan.configuration.map((s) => [s.kind, s.target])).toEqual([
      ['alias', 'checkout-api:live'],
      ['parameter', '/checkout/flags'],
      ['artifact', 'artifacts/checkout/app.zip'],
    ]);
    expect(plan.unchanged).toContain('/checkout/limits');
  });

  it('sends traffic only to groups with a positive weight', () => {
    expect(forwardedTargetGroups(weighted(100, 0))).toEqual([BLUE]);
    expect(forwardedTargetGroups(weighted(90, 10))).toEqual([BLUE, GREEN]);
    expect(forwardedTargetGroups([{ type: 'redirect', redirectConfig: { statusCode: 'HTTP_301' } }])).toEqual(
      [],
    );
  });
});
