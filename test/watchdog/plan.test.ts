import {
  aliasKey,
  canonical,
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

describe('planning configuration', () => {
  const ALIAS = {
    functionName: 'checkout-api',
    aliasName: 'live',
    functionVersion: '7',
    additionalVersionWeights: { '8': 0.1 },
  };
  const m = manifest({
    aliases: [ALIAS],
    parameters: [{ name: '/checkout/flags', version: 3 }],
    artifacts: [{ key: 'artifacts/checkout/app.zip', versionId: 'v-old' }],
  });
  const listenerAtBlue = { listenerArn: listenerArn(1), defaultActions: weighted(100, 0), rules: [] };

  it('leaves an alias, a parameter and an artifact that match the manifest unchanged', () => {
    // The live alias reads back with its keys in another order: the same alias.
    const liveAlias = {
      additionalVersionWeights: { '8': 0.1 },
      functionVersion: '7',
      aliasName: 'live',
      functionName: 'checkout-api',
    };
    const plan = planRestore(
      m,
      live([listenerAtBlue], {
        aliases: new Map([[aliasKey('checkout-api', 'live'), liveAlias]]),
        parametersAtCapturedVersion: new Map([['/checkout/flags', true]]),
        artifactsAtCapturedVersion: new Map([['artifacts/checkout/app.zip', true]]),
      }),
    );

    expect(plan).toEqual({
      traffic: [],
      configuration: [],
      unchanged: [listenerArn(1), 'checkout-api:live', '/checkout/flags', 'artifacts/checkout/app.zip'],
    });
  });

  it('restores what it could not read, with the captured alias, version and version id', () => {
    const plan = planRestore(m, live([listenerAtBlue]));

    expect(plan.configuration).toEqual([
      { kind: 'alias', target: 'checkout-api:live', alias: ALIAS },
      { kind: 'parameter', target: '/checkout/flags', version: 3 },
      { kind: 'artifact', target: 'artifacts/checkout/app.zip', versionId: 'v-old' },
    ]);
    expect(plan.unchanged).toEqual([listenerArn(1)]);
  });

  it('restores an alias whose weights moved, even with the same version', () => {
    const moved = { ...ALIAS, additionalVersionWeights: { '8': 0.5 } };
    const plan = planRestore(
      m,
      live([listenerAtBlue], { aliases: new Map([[aliasKey('checkout-api', 'live'), moved]]) }),
    );

    expect(plan.configuration[0]).toEqual({ kind: 'alias', target: 'checkout-api:live', alias: ALIAS });
  });
});

describe('planning rules', () => {
  const rule = { ruleArn: ruleArn(1), priority: '10', actions: weighted(100, 0) };

  it('restores every rule of a listener it could not read, and a rule missing from a listener it read', () => {
    const m = manifest();
    m.listeners[0].rules = [rule];

    expect(planRestore(m, live([])).traffic.map((s) => [s.kind, s.target])).toEqual([
      ['listener', listenerArn(1)],
      ['rule', ruleArn(1)],
    ]);
    const plan = planRestore(
      m,
      live([{ listenerArn: listenerArn(1), defaultActions: weighted(100, 0), rules: [] }]),
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
    expect(plan.unchanged).toEqual([listenerArn(1)]);
  });

  it('compares a rule with the live rule of the same ARN, not another', () => {
    const m = manifest();
    m.listeners[0].rules = [rule];
    const plan = planRestore(
      m,
      live([
        {
          listenerArn: listenerArn(1),
          defaultActions: weighted(100, 0),
          rules: [
            { ruleArn: ruleArn(2), priority: '20', actions: weighted(100, 0) },
            { ruleArn: ruleArn(1), priority: '10', actions: weighted(0, 100) },
          ],
        },
      ]),
    );

    expect(plan.traffic.map((s) => s.target)).toEqual([ruleArn(1)]);
  });
});

describe('comparing actions', () => {
  it('sends traffic to a group once, however many actions forward to it', () => {
    expect(forwardedTargetGroups([...weighted(100, 0), ...weighted(50, 50)])).toEqual([BLUE, GREEN]);
  });

  it('tells sticky forwards of different durations apart, and equal ones alike', () => {
    const sticky = (durationSeconds: number) => [
      {
        type: 'forward' as const,
        forwardConfig: {
          targetGroups: [{ targetGroupArn: BLUE, weight: 1 }],
          stickiness: { enabled: true, durationSeconds },
        },
      },
    ];

    expect(sameActions(sticky(60), sticky(60))).toBe(true);
    expect(sameActions(sticky(60), sticky(300))).toBe(false);
  });

  it('compares actions that are not forwards as they are', () => {
    const fixed = (statusCode: string) => [
      { type: 'fixed-response' as const, fixedResponseConfig: { statusCode } },
    ];

    expect(sameActions(fixed('503'), fixed('503'))).toBe(true);
    expect(sameActions(fixed('503'), fixed('500'))).toBe(false);
  });

  it('writes equal data as equal text: object keys sorted, lists and nulls kept as they are', () => {
    expect(canonical({ b: 1, a: { d: null, c: [2, 1] } })).toBe('{"a":{"c":[2,1],"d":null},"b":1}');
    expect(canonical({ a: 1, b: 2 })).toBe(canonical({ b: 2, a: 1 }));
    expect(canonical([{ y: 1, x: 2 }])).toBe('[{"x":2,"y":1}]');
  });
});
