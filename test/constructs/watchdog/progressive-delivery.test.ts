/**
 * A watchdog's progressive-delivery props: what they become in its configuration (lib's schema
 * parses it), the IAM they add, and the bad input refused at synth, each error naming the prop.
 */
import { Fn, Token } from 'cdktf';
import {
  BlueGreenListener,
  KillSwitch,
  KillSwitchMode,
  RollbackWatchdog,
  SmokeCheck,
  TrafficShifting,
  VersionedArtifactStore,
  type RollbackWatchdogProps,
} from '../../../index';
import { deliveryConfigParts, type WatchdogConfig } from '../../../lib';
import {
  blockAt,
  newStack,
  refTo,
  synthStack,
  watchdogConfigOf,
  type SynthesizedStack,
} from '../../support/synth';
import { expectValidationError } from '../../support/validation';
import { LOAD_BALANCER_ARN, VPC_ID } from '../fixtures';

const ALARM = {
  name: 'checkout-rollback',
  arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-rollback',
};
const CHECK_FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:checkout-smoke';
const TEST_URL = 'https://shop.example.com:8443/health';

function build(props: Partial<RollbackWatchdogProps> = {}): SynthesizedStack {
  const { stack } = newStack();
  const store = new VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout' });
  const listener = new BlueGreenListener(stack, 'BlueGreen', {
    serviceName: 'checkout',
    loadBalancerArn: LOAD_BALANCER_ARN,
    vpcId: VPC_ID,
    testListener: {},
    rollbackHold: { storeBucket: store.bucketName, releaseId: 'r42', shifting: props.shifting !== undefined },
  });
  new RollbackWatchdog(stack, 'Watchdog', {
    store,
    releaseId: 'r42',
    listeners: [listener],
    alarms: [ALARM],
    ...props,
  });
  return synthStack(stack);
}

/**
 * The configuration's delivery sections, each parsed with its part of lib's schema (defaults
 * applied), as the watchdog reads them; the rest of the document holds references only Terraform knows.
 */
function configOf(
  json: SynthesizedStack,
): Pick<WatchdogConfig, 'shifting' | 'hooks' | 'verification' | 'killSwitches'> {
  const raw = watchdogConfigOf(json, 'Watchdog/Configuration', 'checkout');
  const part = deliveryConfigParts({ isUnresolved: (value) => Token.isUnresolved(value) });
  const parse = <T>(schema: { parse(value: unknown): T }, value: unknown) =>
    value === undefined ? undefined : schema.parse(value);
  return {
    shifting: parse(part.shifting, raw.shifting),
    hooks: parse(part.hooks, raw.hooks),
    verification: parse(part.verification, raw.verification),
    killSwitches: parse(part.killSwitches, raw.killSwitches),
  };
}

type Statement = { sid: string; actions: string[]; resources: string[] };
const statementsById = (json: SynthesizedStack) =>
  new Map(
    (blockAt(json, 'aws_iam_policy_document', 'Watchdog/Permissions', 'data').statement as Statement[]).map(
      (s) => [s.sid, s],
    ),
  );

describe('TrafficShifting presets', () => {
  it('makes a canary one step, then a promotion', () => {
    expect(TrafficShifting.canary(10, 5)).toEqual(
      expect.objectContaining({ steps: [{ weightPercent: 10, bakeMinutes: 5 }], promote: true }),
    );
    expect(TrafficShifting.canary(10, 5, { promote: false }).promote).toBe(false);
  });

  it('makes a linear shift steps of stepPercent up to 100, the last capped', () => {
    expect(TrafficShifting.linear(10, 1).steps.map((s) => s.weightPercent)).toEqual([
      10, 20, 30, 40, 50, 60, 70, 80, 90, 100,
    ]);
    expect(TrafficShifting.linear(30, 2).steps).toEqual([
      { weightPercent: 30, bakeMinutes: 2 },
      { weightPercent: 60, bakeMinutes: 2 },
      { weightPercent: 90, bakeMinutes: 2 },
      { weightPercent: 100, bakeMinutes: 2 },
    ]);
    // Bake times 8, a tick per step (4), a tick for the promotion.
    expect(TrafficShifting.linear(30, 2).minimumDurationMinutes).toBe(13);
    expect(TrafficShifting.linear(30, 2, { promote: false }).minimumDurationMinutes).toBe(12);
  });

  it('makes all-at-once a single step of 100%, baked 0 minutes unless told', () => {
    expect(TrafficShifting.allAtOnce().steps).toEqual([{ weightPercent: 100, bakeMinutes: 0 }]);
    expect(TrafficShifting.allAtOnce(15).steps).toEqual([{ weightPercent: 100, bakeMinutes: 15 }]);
  });

  it('fails when a linear step cannot make a plan, naming the argument', () => {
    expect(() => TrafficShifting.linear(0, 1)).toThrow(
      /TrafficShifting.linear\(stepPercent\): got 0; must be an integer from 1 to 100/,
    );
    expect(() => TrafficShifting.linear(12.5, 1)).toThrow(RangeError);
  });
});

describe('RollbackWatchdog progressive delivery', () => {
  it('writes a canary with hooks, verification and kill switches into the configuration', () => {
    const json = build({
      shifting: TrafficShifting.canary(10, 5),
      preTrafficChecks: [
        SmokeCheck.http({ url: TEST_URL, expectedStatus: 204, bodyPattern: '^ok' }),
        SmokeCheck.lambda({ functionArn: CHECK_FUNCTION, timeoutMs: 10000 }),
      ],
      afterStepChecks: [SmokeCheck.http({ url: TEST_URL })],
      verificationChecks: [SmokeCheck.http({ url: 'https://shop.example.com/health' })],
      alarmsOkWithinMinutes: 5,
      killSwitches: [
        KillSwitch.ssmParameter({ name: '/checkout/new-pricing', offValue: 'off' }),
        KillSwitch.appConfig({
          applicationId: 'abc1234',
          environmentId: 'env5678',
          configurationProfileId: 'prof901',
        }),
      ],
    });

    const config = configOf(json);
    expect(config.shifting).toEqual({ steps: [{ weightPercent: 10, bakeMinutes: 5 }], promote: true });
    expect(config.hooks).toEqual({
      preTraffic: [
        { kind: 'http', url: TEST_URL, expectedStatus: 204, bodyPattern: '^ok', timeoutMs: 5000 },
        { kind: 'lambda', functionArn: CHECK_FUNCTION, timeoutMs: 10000 },
      ],
      afterEachStep: [{ kind: 'http', url: TEST_URL, expectedStatus: 200, timeoutMs: 5000 }],
    });
    expect(config.verification).toEqual({
      checks: [
        { kind: 'http', url: 'https://shop.example.com/health', expectedStatus: 200, timeoutMs: 5000 },
      ],
      alarmsOkWithinMinutes: 5,
    });
    expect(config.killSwitches).toEqual({
      mode: 'before-traffic',
      switches: [
        { kind: 'ssm-parameter', name: '/checkout/new-pricing', offValue: 'off' },
        {
          kind: 'appconfig',
          applicationId: 'abc1234',
          environmentId: 'env5678',
          configurationProfileId: 'prof901',
          deploymentStrategyId: 'AppConfig.AllAtOnce',
        },
      ],
    });
  });

  it('writes a linear shift without promotion, and leaves out the sections nobody asked for', () => {
    const config = configOf(build({ shifting: TrafficShifting.linear(25, 2, { promote: false }) }));

    expect(config.shifting).toEqual({
      steps: [25, 50, 75, 100].map((weightPercent) => ({ weightPercent, bakeMinutes: 2 })),
      promote: false,
    });
    expect(config.hooks).toBeUndefined();
    expect(config.verification).toBeUndefined();
    expect(config.killSwitches).toBeUndefined();
  });

  it('grants invoking the check functions and the kill switches, each by ARN', () => {
    const json = build({
      shifting: TrafficShifting.allAtOnce(),
      preTrafficChecks: [SmokeCheck.lambda({ functionArn: CHECK_FUNCTION })],
      verificationChecks: [
        SmokeCheck.lambda({ functionArn: CHECK_FUNCTION }),
        SmokeCheck.http({ url: TEST_URL }),
      ],
      killSwitchMode: KillSwitchMode.INSTEAD_OF_TRAFFIC,
      killSwitches: [
        KillSwitch.ssmParameter({ name: '/checkout/new-pricing', offValue: 'off' }),
        KillSwitch.appConfig({
          applicationId: 'abc1234',
          environmentId: 'env5678',
          configurationProfileId: 'prof901',
          deploymentStrategyId: 'strat12',
        }),
      ],
    });

    const byId = statementsById(json);
    const partition = refTo(json, 'aws_partition', 'Watchdog/Partition', 'partition', 'data');
    const region = refTo(json, 'aws_region', 'Watchdog/Region', 'region', 'data');
    const account = refTo(json, 'aws_caller_identity', 'Watchdog/Account', 'account_id', 'data');
    const appconfig = `arn:${partition}:appconfig:${region}:${account}`;
    expect(byId.get('InvokeSmokeCheckFunctions')).toEqual(
      expect.objectContaining({ actions: ['lambda:InvokeFunction'], resources: [CHECK_FUNCTION] }),
    );
    expect(byId.get('ApplyKillSwitchParameters')).toEqual(
      expect.objectContaining({
        actions: ['ssm:GetParameter', 'ssm:GetParameterHistory', 'ssm:PutParameter'],
        resources: [`arn:${partition}:ssm:${region}:${account}:parameter/checkout/new-pricing`],
      }),
    );
    const environment = [
      `${appconfig}:application/abc1234`,
      `${appconfig}:application/abc1234/environment/env5678`,
      `${appconfig}:application/abc1234/environment/env5678/deployment/*`,
    ];
    expect(byId.get('StopKillSwitchDeployments')).toEqual(
      expect.objectContaining({
        actions: ['appconfig:ListDeployments', 'appconfig:StopDeployment'],
        resources: environment,
      }),
    );
    expect(byId.get('RestoreKillSwitchConfigurations')).toEqual(
      expect.objectContaining({
        actions: ['appconfig:StartDeployment'],
        resources: [
          ...environment,
          `${appconfig}:application/abc1234/configurationprofile/prof901`,
          `${appconfig}:deploymentstrategy/strat12`,
        ],
      }),
    );
    expect(configOf(json).killSwitches?.mode).toBe('instead-of-traffic');
  });

  it('adds no statement without checks functions or kill switches', () => {
    const byId = statementsById(
      build({
        shifting: TrafficShifting.canary(10, 5),
        preTrafficChecks: [SmokeCheck.http({ url: TEST_URL })],
      }),
    );

    for (const sid of [
      'InvokeSmokeCheckFunctions',
      'ApplyKillSwitchParameters',
      'StopKillSwitchDeployments',
    ]) {
      expect(byId.has(sid)).toBe(false);
    }
  });

  it('lets Terraform references through the format checks of URLs and function ARNs', () => {
    const json = build({
      shifting: TrafficShifting.canary(10, 5),
      preTrafficChecks: [
        SmokeCheck.http({ url: Fn.join('', ['https://', Fn.lower('SHOP.example.com'), '/health']) }),
        SmokeCheck.lambda({ functionArn: Fn.lower(CHECK_FUNCTION) }),
      ],
    });

    const raw = watchdogConfigOf(json, 'Watchdog/Configuration', 'checkout') as {
      hooks: { preTraffic: { url?: string; functionArn?: string }[] };
    };
    expect(raw.hooks.preTraffic[0].url).toBe(
      '${join("", ["https://", lower("SHOP.example.com"), "/health"])}',
    );
    expect(raw.hooks.preTraffic[1].functionArn).toBe(`\${lower("${CHECK_FUNCTION}")}`);
  });
});

describe('RollbackWatchdog progressive delivery: bad input', () => {
  const fails = (props: Partial<RollbackWatchdogProps>, prop: string, message: RegExp) =>
    expectValidationError(() => build(props), 'test/Watchdog', prop, message);

  it('fails when step weights do not increase', () => {
    fails(
      {
        shifting: TrafficShifting.custom([
          { weightPercent: 50, bakeMinutes: 1 },
          { weightPercent: 20, bakeMinutes: 1 },
        ]),
      },
      'shifting.steps',
      /step weights must increase/,
    );
  });

  it('fails when a weight is outside 1-100', () => {
    fails({ shifting: TrafficShifting.canary(0, 5) }, 'shifting.steps[0].weightPercent', /got 0;.*1/);
    fails(
      { shifting: TrafficShifting.custom([{ weightPercent: 101, bakeMinutes: 1 }]) },
      'shifting.steps[0].weightPercent',
      /got 101/,
    );
  });

  it('fails when a plan has no step or more than 20', () => {
    fails({ shifting: TrafficShifting.custom([]) }, 'shifting.steps', /at least one step/);
    fails({ shifting: TrafficShifting.linear(4, 1) }, 'shifting.steps', /at most 20 steps/);
  });

  it('fails when the shift outlasts the evaluation window, naming both', () => {
    fails(
      { shifting: TrafficShifting.canary(10, 60) },
      'shifting',
      /lasts at least 62 minutes \(bake times 60 plus one schedule tick per step, 1, plus one for the promotion\), longer than evaluationWindowMinutes \(60\), which must also cover the time from the capture to the apply \(the deploy itself\)/,
    );
    // A longer window takes it.
    expect(() =>
      build({ shifting: TrafficShifting.canary(10, 60), evaluationWindowMinutes: 90 }),
    ).not.toThrow();
  });

  it('counts the promotion’s tick only when the plan promotes', () => {
    // 59 baked + 1 step tick + 1 promotion tick = 61 > 60.
    fails({ shifting: TrafficShifting.canary(10, 59) }, 'shifting', /lasts at least 61 minutes/);
    expect(() => build({ shifting: TrafficShifting.canary(10, 58) })).not.toThrow();
    // Without a promotion the last tick is the step's: 59 + 1 = 60 fits.
    expect(() => build({ shifting: TrafficShifting.canary(10, 59, { promote: false }) })).not.toThrow();
    fails(
      { shifting: TrafficShifting.canary(10, 60, { promote: false }) },
      'shifting',
      /lasts at least 61 minutes \(bake times 60 plus one schedule tick per step, 1\), longer/,
    );
  });

  it('fails when the schedule tick that carries the shift out is off', () => {
    fails(
      { shifting: TrafficShifting.canary(10, 5), scheduleTick: false },
      'shifting',
      /needs the schedule tick/,
    );
  });

  it('fails when a step number is a Terraform reference', () => {
    fails(
      { shifting: TrafficShifting.canary(10, Fn.tonumber(Fn.lower('5')) as unknown as number) },
      'shifting.steps[0].bakeMinutes',
      /must be known at synth/,
    );
  });

  it('fails when hooks come without a shifting plan', () => {
    fails(
      { afterStepChecks: [SmokeCheck.http({ url: TEST_URL })] },
      'afterStepChecks',
      /needs a shifting plan/,
    );
    fails(
      { preTrafficChecks: [SmokeCheck.http({ url: TEST_URL })] },
      'preTrafficChecks',
      /needs a shifting plan.*allAtOnce/,
    );
  });

  it('fails on a check with a bad URL, ARN, status or body pattern', () => {
    const shifting = TrafficShifting.canary(10, 5);
    fails(
      { shifting, preTrafficChecks: [SmokeCheck.http({ url: 'ftp://shop' })] },
      'preTrafficChecks[0].url',
      /http\(s\) URL/,
    );
    fails(
      { verificationChecks: [SmokeCheck.lambda({ functionArn: `${CHECK_FUNCTION}:live` })] },
      'verificationChecks[0].functionArn',
      /Lambda function ARN/i,
    );
    fails(
      { shifting, afterStepChecks: [SmokeCheck.http({ url: TEST_URL, expectedStatus: 99 })] },
      'afterStepChecks[0].expectedStatus',
      /got 99/,
    );
    fails(
      { verificationChecks: [SmokeCheck.http({ url: TEST_URL, bodyPattern: '(' })] },
      'verificationChecks[0].bodyPattern',
      /valid regular expression/,
    );
  });

  it('fails on a check timeout outside 100-10000 ms (a check holds the service’s lock)', () => {
    fails(
      { verificationChecks: [SmokeCheck.lambda({ functionArn: CHECK_FUNCTION, timeoutMs: 10001 })] },
      'verificationChecks[0].timeoutMs',
      /got 10001;.*10000/,
    );
    fails(
      { verificationChecks: [SmokeCheck.http({ url: TEST_URL, timeoutMs: 99 })] },
      'verificationChecks[0].timeoutMs',
      /got 99;.*100/,
    );
  });

  it('fails when alarmsOkWithinMinutes is outside 1-120', () => {
    fails({ alarmsOkWithinMinutes: 0 }, 'alarmsOkWithinMinutes', /got 0/);
  });

  it('fails when kill switches are to replace the traffic flip but there are none', () => {
    fails({ killSwitchMode: KillSwitchMode.INSTEAD_OF_TRAFFIC }, 'killSwitchMode', /with no killSwitches/);
  });

  it('fails on the same kill switch twice', () => {
    fails(
      {
        killSwitches: [
          KillSwitch.ssmParameter({ name: '/checkout/new-pricing', offValue: 'off' }),
          KillSwitch.ssmParameter({ name: 'checkout/new-pricing', offValue: 'false' }),
        ],
      },
      'killSwitches[1]',
      /same kill switch as killSwitches\[0\]/,
    );
    const flag = { applicationId: 'abc1234', environmentId: 'env5678', configurationProfileId: 'prof901' };
    fails(
      { killSwitches: [KillSwitch.appConfig(flag), KillSwitch.appConfig(flag)] },
      'killSwitches[1]',
      /same kill switch/,
    );
  });

  it('fails on a kill switch that is also a restored parameter', () => {
    fails(
      {
        parameterNames: ['/checkout/new-pricing'],
        killSwitches: [KillSwitch.ssmParameter({ name: '/checkout/new-pricing', offValue: 'off' })],
      },
      'killSwitches[0].name',
      /in parameterNames too/,
    );
  });

  it('fails on a bad kill switch id, and on one only Terraform knows', () => {
    fails(
      {
        killSwitches: [
          KillSwitch.appConfig({
            applicationId: 'App 1',
            environmentId: 'env5678',
            configurationProfileId: 'prof901',
          }),
        ],
      },
      'killSwitches[0].applicationId',
      /AppConfig application id/,
    );
    fails(
      {
        killSwitches: [
          KillSwitch.appConfig({
            applicationId: Fn.lower('ABC1234'),
            environmentId: 'env5678',
            configurationProfileId: 'prof901',
          }),
        ],
      },
      'killSwitches[0].applicationId',
      /must be known at synth/,
    );
    fails(
      { killSwitches: [KillSwitch.ssmParameter({ name: '/checkout/x', offValue: '' })] },
      'killSwitches[0].offValue',
      /.+/,
    );
  });
});
