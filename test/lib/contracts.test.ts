import {
  ContractError,
  RELEASE_MANIFEST_SCHEMA_VERSION,
  WATCHDOG_CONFIG_SCHEMA_VERSION,
  auditKeyPrefix,
  parseReleaseManifest,
  parseWatchdogConfig,
  releaseManifestKey,
  serviceOfWatchdogConfigKey,
  watchdogConfigKey,
} from '../../lib';

const ACCOUNT = '123456789012';
const LISTENER = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const RULE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
const BLUE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/checkout-blue-1a2b3c4d/2453ed029918f21f`;
const GREEN = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/checkout-green-1a2b3c4d/3453ed029918f21f`;

function validConfig(): Record<string, unknown> {
  return {
    schemaVersion: WATCHDOG_CONFIG_SCHEMA_VERSION,
    service: 'checkout',
    store: { bucket: 'checkout-artifacts-20261121' },
    listeners: [
      {
        name: 'production',
        role: 'production',
        listenerArn: LISTENER,
        targetGroupArns: { blue: BLUE, green: GREEN },
        ruleArns: [RULE],
      },
    ],
  };
}

function validManifest(): Record<string, unknown> {
  return {
    schemaVersion: RELEASE_MANIFEST_SCHEMA_VERSION,
    service: 'checkout',
    releaseId: 'v1.4.2-build.77',
    capturedAt: '2026-11-21T23:00:00.000Z',
    evaluationWindowEndsAt: '2026-11-22T00:00:00.000Z',
    listeners: [
      {
        name: 'production',
        listenerArn: LISTENER,
        knownGoodTargetGroupArns: [BLUE],
        candidateTargetGroupArns: [GREEN],
        defaultActions: [
          {
            type: 'forward',
            forwardConfig: {
              targetGroups: [
                { targetGroupArn: BLUE, weight: 100 },
                { targetGroupArn: GREEN, weight: 0 },
              ],
            },
          },
        ],
        rules: [
          {
            ruleArn: RULE,
            priority: '10',
            actions: [{ type: 'fixed-response', fixedResponseConfig: { statusCode: '503' } }],
          },
        ],
      },
    ],
  };
}

function issuesOf(parse: () => unknown): readonly string[] {
  try {
    parse();
  } catch (error) {
    if (error instanceof ContractError) return error.issues;
    throw error;
  }
  throw new Error('expected a ContractError');
}

describe('watchdog config contract', () => {
  it('accepts a valid document and fills in the store layout', () => {
    const config = parseWatchdogConfig(validConfig());

    expect(config.store.prefixes).toEqual({
      artifacts: 'artifacts/',
      manifests: 'manifests/',
      config: 'config/',
      audit: 'audit/',
    });
    expect(config.listeners[0].targetGroupArns).toEqual({ blue: BLUE, green: GREEN });
  });

  it('defaults a listener without rules to an empty rule list', () => {
    const input = validConfig();
    input.listeners = [
      {
        name: 'production',
        role: 'production',
        listenerArn: LISTENER,
        targetGroupArns: { blue: BLUE, green: GREEN },
      },
    ];

    expect(parseWatchdogConfig(input).listeners[0].ruleArns).toEqual([]);
  });

  it.each([
    [
      'an unknown schema version',
      (c: Record<string, unknown>) => (c.schemaVersion = 2),
      'schemaVersion: Invalid input: expected 1',
    ],
    [
      'a listener ARN of the wrong kind',
      (c: Record<string, unknown>) => ((c.listeners as Record<string, unknown>[])[0].listenerArn = BLUE),
      'listeners.0.listenerArn: must be an ALB listener ARN',
    ],
    [
      'a target group that is not an ARN',
      (c: Record<string, unknown>) =>
        ((c.listeners as Record<string, Record<string, unknown>>[])[0].targetGroupArns.green = 'green'),
      'listeners.0.targetGroupArns.green: must be a target group ARN',
    ],
    [
      'no listeners',
      (c: Record<string, unknown>) => (c.listeners = []),
      'listeners: must name at least one listener to protect',
    ],
    [
      'a bad bucket name',
      (c: Record<string, unknown>) => (c.store = { bucket: 'My_Bucket' }),
      'store.bucket: must be an S3 bucket name',
    ],
    [
      'a bad service name',
      (c: Record<string, unknown>) => (c.service = 'Checkout!'),
      'service: must be 1-40 lowercase letters',
    ],
    ['an unknown field', (c: Record<string, unknown>) => (c.extra = true), 'Unrecognized key: "extra"'],
  ])('rejects %s, naming the field', (_case, mutate, issue) => {
    const input = validConfig();
    mutate(input);

    expect(issuesOf(() => parseWatchdogConfig(input)).join('\n')).toContain(issue);
  });

  it('rejects a listener named both by ARN and by load balancer and port', () => {
    const input = validConfig();
    const [listener] = input.listeners as Record<string, unknown>[];
    input.listeners = [
      {
        ...listener,
        loadBalancerArn:
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
      },
    ];

    expect(issuesOf(() => parseWatchdogConfig(input))).toEqual([
      'listeners.0: give either listenerArn, or loadBalancerArn and port (not both)',
    ]);
  });

  it('rejects duplicate listener names', () => {
    const input = validConfig();
    const [listener] = input.listeners as Record<string, unknown>[];
    input.listeners = [listener, { ...listener }];

    expect(issuesOf(() => parseWatchdogConfig(input))).toEqual(['listeners: listener names must be unique']);
  });

  it('lists every problem at once in the error message', () => {
    const error = (() => {
      try {
        parseWatchdogConfig({ schemaVersion: 1, service: 'x', store: {}, listeners: 'none' });
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected a ContractError');
    })();

    expect(error.message).toMatch(/^watchdog config is invalid:\n/);
    expect(error.message).toContain('store.bucket:');
    expect(error.message).toContain('listeners:');
  });

  it('lets unresolved values through at synth time while still checking concrete ones', () => {
    const input = validConfig();
    const [listener] = input.listeners as Record<string, unknown>[];
    listener.listenerArn = '${TfToken[TOKEN.1]}';
    const isUnresolved = (value: string | number) => String(value).startsWith('${') || value === -1e300;

    expect(parseWatchdogConfig(input, { isUnresolved }).listeners[0].listenerArn).toBe('${TfToken[TOKEN.1]}');
    expect(() => parseWatchdogConfig(input)).toThrow(ContractError);
    listener.targetGroupArns = { blue: 'blue', green: GREEN };
    expect(issuesOf(() => parseWatchdogConfig(input, { isUnresolved }))).toEqual([
      'listeners.0.targetGroupArns.blue: must be a target group ARN',
    ]);
  });

  it('lets unresolved numbers, regions and URLs through at synth time, and checks known ones', () => {
    const input = {
      ...validConfig(),
      region: '${var.region}',
      healthPing: { urls: ['${var.health_url}'] },
      policy: { minHealthyTargets: -1e300 },
    };
    const isUnresolved = (value: string | number) => String(value).startsWith('${') || value === -1e300;

    expect(parseWatchdogConfig(input, { isUnresolved }).policy.minHealthyTargets).toBe(-1e300);
    expect(issuesOf(() => parseWatchdogConfig(input))).toEqual([
      'region: must be an AWS region such as us-east-1',
      'healthPing.urls.0: must be an http(s) URL',
      'policy.minHealthyTargets: must be a whole number from 1 to 1000 (never send traffic to an empty group)',
    ]);
  });
});

describe('release manifest contract', () => {
  it('accepts a captured weighted forward and rule actions', () => {
    const manifest = parseReleaseManifest(validManifest());

    expect(manifest.listeners[0].knownGoodTargetGroupArns).toEqual([BLUE]);
    expect(manifest.listeners[0].defaultActions[0]).toEqual(expect.objectContaining({ type: 'forward' }));
  });

  it.each([
    [
      'a non-UTC capture time',
      (m: Record<string, unknown>) => (m.capturedAt = '2026-11-21T23:00:00+01:00'),
      'capturedAt',
    ],
    [
      'a release id with spaces',
      (m: Record<string, unknown>) => (m.releaseId = 'release 1'),
      'releaseId: must be 1-128 letters',
    ],
    [
      'an action kind the watchdog cannot restore',
      (m: Record<string, unknown>) =>
        ((m.listeners as Record<string, unknown>[])[0].defaultActions = [{ type: 'authenticate-oidc' }]),
      'listeners.0.defaultActions.0',
    ],
    [
      'a weight above 999',
      (m: Record<string, unknown>) =>
        ((m.listeners as Record<string, unknown>[])[0].defaultActions = [
          { type: 'forward', forwardConfig: { targetGroups: [{ targetGroupArn: BLUE, weight: 1000 }] } },
        ]),
      'listeners.0.defaultActions.0.forwardConfig.targetGroups.0.weight',
    ],
    [
      'a known-good target group that is not an ARN',
      (m: Record<string, unknown>) =>
        ((m.listeners as Record<string, unknown>[])[0].knownGoodTargetGroupArns = ['blue']),
      'listeners.0.knownGoodTargetGroupArns.0: must be a target group ARN',
    ],
    [
      'no default actions',
      (m: Record<string, unknown>) => ((m.listeners as Record<string, unknown>[])[0].defaultActions = []),
      'listeners.0.defaultActions: must hold at least one action',
    ],
  ])('rejects %s, naming the field', (_case, mutate, issue) => {
    const input = validManifest();
    mutate(input);

    expect(issuesOf(() => parseReleaseManifest(input)).join('\n')).toContain(issue);
  });
});

describe('store key layout', () => {
  it('places config, manifests and audit records under their prefixes, per service', () => {
    expect(watchdogConfigKey('checkout')).toBe('config/checkout/watchdog.json');
    expect(releaseManifestKey('checkout', 'v1.4.2')).toBe('manifests/checkout/v1.4.2.json');
    expect(auditKeyPrefix('checkout')).toBe('audit/checkout/');
  });

  it('reads the service back from a configuration key, and nothing from other keys', () => {
    expect(serviceOfWatchdogConfigKey(watchdogConfigKey('checkout'))).toBe('checkout');
    expect(serviceOfWatchdogConfigKey('config/Check_Out/watchdog.json')).toBeUndefined();
    expect(serviceOfWatchdogConfigKey('manifests/checkout/current.json')).toBeUndefined();
  });
});
