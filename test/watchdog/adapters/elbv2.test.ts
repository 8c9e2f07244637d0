import {
  type Action,
  DescribeListenersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import fc from 'fast-check';
import type { ListenerAction } from '../../../lib';
import { actionFromSdk, createTrafficAdapter } from '../../../lambdas/watchdog/adapters';
import { sameActions } from '../../../lambdas/watchdog/engine/plan';
import { AwsCallError, type TrafficPort } from '../../../lambdas/watchdog/ports';
import { type BlueGreen, createBlueGreen } from '../../emulator/elbv2-fixtures';
import { type CommandRecord, describeBackends, recordCommands } from './backends';
import { createHttpsListener, createRule, createTargetGroups, rejectionOf, TLS_POLICY } from './fixtures';

describe('mapping SDK actions (as other ELBv2 answers may carry them)', () => {
  const source = { operation: 'DescribeListeners', listenerArn: 'arn:listener' };

  it('reads a forward with only TargetGroupArn as a forward config of weight 1 without stickiness', () => {
    expect(actionFromSdk({ Type: 'forward', TargetGroupArn: 'arn:tg' }, source)).toStrictEqual({
      type: 'forward',
      forwardConfig: { targetGroups: [{ targetGroupArn: 'arn:tg', weight: 1 }] },
    });
  });

  it('reads a forward config target group without a weight as weight 1', () => {
    const action: Action = {
      Type: 'forward',
      Order: 2,
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'arn:tg' }] },
    };
    expect(actionFromSdk(action, source)).toStrictEqual({
      type: 'forward',
      order: 2,
      forwardConfig: { targetGroups: [{ targetGroupArn: 'arn:tg', weight: 1 }] },
    });
  });

  it.each([['authenticate-cognito'], ['jwt-validation']] as const)(
    'refuses a %s action as invalid',
    (type) => {
      expect(() => actionFromSdk({ Type: type }, source)).toThrow(
        expect.objectContaining({ kind: 'invalid', code: 'UnsupportedAction' }),
      );
    },
  );
});

describeBackends('the traffic adapter (ELBv2)', (backend) => {
  /** The emulator's hooks, for the tests that name what they need of it. */
  const emulator = () => backend().emulator();
  let client: ElasticLoadBalancingV2Client;
  let traffic: TrafficPort;
  let bg: BlueGreen;
  let vpcId: string;
  let sent: CommandRecord;

  /** Query parameter names of every request the client puts on the wire. */
  let wire: string[][];

  beforeEach(async () => {
    client = new ElasticLoadBalancingV2Client(backend().sdkConfig());
    sent = recordCommands(client);
    wire = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const body = (args.request as { body?: unknown }).body;
        if (typeof body === 'string') wire.push([...new URLSearchParams(body).keys()]);
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordWireParameters' },
    );
    traffic = createTrafficAdapter(client);
    const network = await backend().network();
    vpcId = network.vpcId;
    bg = await createBlueGreen(client, 'a', 80, network);
    sent.clear();
  });
  afterEach(() => client.destroy());

  /** The listener as DescribeListeners answers. */
  const listener = async (listenerArn: string) =>
    (await client.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }))).Listeners?.[0];

  /** The listener's rules as DescribeRules answers, the default rule left out. */
  const rules = async (listenerArn: string) =>
    ((await client.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules ?? []).filter(
      (r) => r.IsDefault !== true,
    );

  /** A listener ARN of the right shape that names no listener. */
  const missingListenerArn = (): string => bg.listenerArn.replace(/[0-9a-f]{16}$/, '0123456789abcdef');

  const forwardTo = (...groups: Array<[string, number]>): ListenerAction => ({
    type: 'forward',
    forwardConfig: {
      targetGroups: groups.map(([targetGroupArn, weight]) => ({ targetGroupArn, weight })),
      stickiness: { enabled: false },
    },
  });

  async function failure(fn: () => Promise<unknown>): Promise<AwsCallError> {
    const error = await rejectionOf(fn);
    expect(error).toBeInstanceOf(AwsCallError);
    return error as AwsCallError;
  }

  describe('describeDefaultActions', () => {
    it('reads many listeners in one call per 20, and leaves out one that does not exist', async () => {
      const other = await createBlueGreen(client, 'b', 81, await backend().network());
      sent.clear();
      const both = await traffic.describeDefaultActions([bg.listenerArn, other.listenerArn, bg.listenerArn]);
      expect(sent.count('DescribeListeners')).toBe(1);
      expect(both.get(bg.listenerArn)).toEqual(
        (await traffic.describeListener(bg.listenerArn)).defaultActions,
      );
      expect(both.has(other.listenerArn)).toBe(true);

      // One unknown ARN fails a batch: the batch is asked again one listener at a time.
      const found = await traffic.describeDefaultActions([bg.listenerArn, missingListenerArn()]);
      expect([...found.keys()]).toEqual([bg.listenerArn]);
    });
  });

  describe('describeListener', () => {
    it('returns the default actions and every rule but the default one, in priority order', async () => {
      // Given a listener on blue with a weighted sticky forward, a redirect and a fixed-response rule
      await createRule(client, bg.listenerArn, 30, [
        {
          Type: 'fixed-response',
          FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'down' },
        },
      ]);
      const weighted = await createRule(client, bg.listenerArn, 10, [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: bg.blueArn, Weight: 90 },
              { TargetGroupArn: bg.greenArn, Weight: 10 },
            ],
            TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 },
          },
        },
      ]);
      const redirect = await createRule(client, bg.listenerArn, 20, [
        {
          Type: 'redirect',
          Order: 1,
          RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' },
        },
      ]);

      // When it is described
      const state = await traffic.describeListener(bg.listenerArn);

      // Then the actions come back in the domain's shape, as ELBv2 echoes them
      expect(state.listenerArn).toBe(bg.listenerArn);
      expect(state.defaultActions).toEqual([
        {
          type: 'forward',
          forwardConfig: expect.objectContaining({
            targetGroups: [{ targetGroupArn: bg.blueArn, weight: 1 }],
          }),
        },
      ]);
      expect(state.rules.map((r) => r.priority)).toEqual(['10', '20', '30']);
      expect(state.rules[0]).toStrictEqual({
        ruleArn: weighted,
        priority: '10',
        actions: [
          {
            type: 'forward',
            forwardConfig: {
              targetGroups: [
                { targetGroupArn: bg.blueArn, weight: 90 },
                { targetGroupArn: bg.greenArn, weight: 10 },
              ],
              stickiness: { enabled: true, durationSeconds: 300 },
            },
          },
        ],
      });
      expect(state.rules[1]).toStrictEqual({
        ruleArn: redirect,
        priority: '20',
        actions: [
          {
            type: 'redirect',
            order: 1,
            redirectConfig: expect.objectContaining({
              protocol: 'HTTPS',
              port: '443',
              statusCode: 'HTTP_301',
            }),
          },
        ],
      });
      expect(state.rules[2].actions).toStrictEqual([
        {
          type: 'fixed-response',
          fixedResponseConfig: { statusCode: '503', contentType: 'text/plain', messageBody: 'down' },
        },
      ]);
    });

    backend.needs(
      ['redirectDefaults'],
      'reads a redirect with the host, path and query ELBv2 fills in',
      async () => {
        // Given a redirect rule that names only protocol, port and status code
        await createRule(client, bg.listenerArn, 20, [
          { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_302' } },
        ]);

        // When the listener is described
        const state = await traffic.describeListener(bg.listenerArn);

        // Then the redirect carries ELBv2's defaults for the rest (so a restore writes them back whole)
        expect(state.rules[0]?.actions).toStrictEqual([
          {
            type: 'redirect',
            redirectConfig: {
              protocol: 'HTTPS',
              port: '443',
              host: '#{host}',
              path: '/#{path}',
              query: '#{query}',
              statusCode: 'HTTP_302',
            },
          },
        ]);
      },
    );

    backend.needs(
      ['forwardEcho'],
      'reads a forward created with a target group ARN alone as ELBv2 echoes it: weight 1, stickiness off',
      async () => {
        // Given the fixture's listener, created with DefaultActions [{ Type: forward, TargetGroupArn: blue }]
        // When it is described
        const state = await traffic.describeListener(bg.listenerArn);

        // Then the forward carries the ForwardConfig ELBv2 adds: blue at weight 1, stickiness off
        expect(state.defaultActions).toStrictEqual([forwardTo([bg.blueArn, 1])]);
      },
    );

    it('describes the same actions after restoring what it described (a capture, then a rollback)', async () => {
      // Given a listener and a rule as a deploy left them, described (the capture)
      const ruleArn = await createRule(client, bg.listenerArn, 4, [
        { Type: 'forward', TargetGroupArn: bg.greenArn },
      ]);
      const captured = await traffic.describeListener(bg.listenerArn);

      // When both are restored to what was described, after a release moved them
      await traffic.restoreListenerActions(bg.listenerArn, [forwardTo([bg.greenArn, 1])]);
      await traffic.restoreListenerActions(bg.listenerArn, captured.defaultActions);
      await traffic.restoreRuleActions(ruleArn, captured.rules[0]?.actions ?? []);

      // Then they read back as captured: the read-back check of a rollback holds
      const restored = await traffic.describeListener(bg.listenerArn);
      expect(sameActions(restored.defaultActions, captured.defaultActions)).toBe(true);
      expect(restored.rules.map((r) => [r.ruleArn, r.priority])).toEqual([[ruleArn, '4']]);
      expect(sameActions(restored.rules[0]?.actions ?? [], captured.rules[0]?.actions ?? [])).toBe(true);
    });

    it('reads every page of rules', async () => {
      // Given five rules and a page size of two
      for (const priority of [1, 2, 3, 4, 5]) {
        await createRule(client, bg.listenerArn, priority, [
          { Type: 'forward', TargetGroupArn: bg.greenArn },
        ]);
      }
      const paged = createTrafficAdapter(client, { pageSize: 2 });

      // When the listener is described
      const state = await paged.describeListener(bg.listenerArn);

      // Then all five rules come back, from three DescribeRules pages (the default rule is on the last)
      expect(state.rules.map((r) => r.priority)).toEqual(['1', '2', '3', '4', '5']);
      expect(sent.count('DescribeRules')).toBe(3);
    });

    it('carries an authenticate-oidc rule as unsupported, naming the rule and what it restores, without failing the listener', async () => {
      // Given a rule that authenticates before forwarding
      const ruleArn = await createRule(client, bg.listenerArn, 5, [
        {
          Type: 'authenticate-oidc',
          Order: 1,
          AuthenticateOidcConfig: {
            Issuer: 'https://idp.example.com',
            AuthorizationEndpoint: 'https://idp.example.com/authorize',
            TokenEndpoint: 'https://idp.example.com/token',
            UserInfoEndpoint: 'https://idp.example.com/userinfo',
            ClientId: 'client',
            ClientSecret: 'secret',
          },
        },
        { Type: 'forward', Order: 2, TargetGroupArn: bg.blueArn },
      ]);

      // When the listener is described
      const listener = await traffic.describeListener(bg.listenerArn);

      // Then the rule is there, with no actions and the reason it cannot be restored
      const rule = listener.rules.find((r) => r.ruleArn === ruleArn);
      expect(rule).toEqual(expect.objectContaining({ actions: [], unsupported: expect.any(String) }));
      expect(rule?.unsupported).toContain(ruleArn);
      expect(rule?.unsupported).toContain(bg.listenerArn);
      expect(rule?.unsupported).toContain("'authenticate-oidc'");
      expect(rule?.unsupported).toContain('restores forward, redirect and fixed-response actions only');
    });

    it('maps a listener that does not exist to not-found', async () => {
      const error = await failure(() => traffic.describeListener(missingListenerArn()));
      expect(error).toMatchObject({ kind: 'not-found', code: 'ListenerNotFound', retryable: false });
    });
  });

  describe('restoreListenerActions', () => {
    it('changes only the default actions of an HTTPS listener: protocol, port, TLS policy and certificate stay', async () => {
      // Given an HTTPS listener on 443 with a certificate and a TLS policy, forwarding to green
      const certificateArn = await backend().certificateArn();
      const listenerArn = await createHttpsListener(client, bg.loadBalancerArn, bg.greenArn, certificateArn);
      wire = [];

      // When its default actions are restored to blue
      await traffic.restoreListenerActions(listenerArn, [forwardTo([bg.blueArn, 1])]);

      // Then only ListenerArn and DefaultActions went on the wire, as a ForwardConfig only
      const [sent] = wire;
      expect(sent.filter((k) => !k.startsWith('DefaultActions.'))).toEqual([
        'Action',
        'Version',
        'ListenerArn',
      ]);
      expect(sent.filter((k) => k.startsWith('DefaultActions.'))).not.toContain(
        'DefaultActions.member.1.TargetGroupArn',
      );
      // And the listener kept everything else
      expect(await listener(listenerArn)).toMatchObject({
        Protocol: 'HTTPS',
        Port: 443,
        SslPolicy: TLS_POLICY,
        Certificates: [{ CertificateArn: certificateArn }],
        DefaultActions: [
          {
            Type: 'forward',
            ForwardConfig: { TargetGroups: [{ TargetGroupArn: bg.blueArn, Weight: 1 }] },
          },
        ],
      });
    });

    it('maps a listener that does not exist to not-found', async () => {
      const error = await failure(() =>
        traffic.restoreListenerActions(missingListenerArn(), [forwardTo([bg.blueArn, 1])]),
      );
      expect(error).toMatchObject({
        kind: 'not-found',
        operation: 'ModifyListener',
        code: 'ListenerNotFound',
      });
    });

    backend.needs(['targetGroupChecks'], 'maps a target group ELBv2 does not know to not-found', async () => {
      const gone = bg.greenArn.replace(/[0-9a-f]{16}$/, '0123456789abcdef');
      const error = await failure(() =>
        traffic.restoreListenerActions(bg.listenerArn, [forwardTo([gone, 1])]),
      );
      expect(error).toMatchObject({ kind: 'not-found', code: 'TargetGroupNotFound' });
    });
  });

  describe('restoreRuleActions', () => {
    it("replaces the rule's actions and keeps its conditions and priority", async () => {
      // Given a rule on /api/* sending 10% to green
      const ruleArn = await createRule(
        client,
        bg.listenerArn,
        7,
        [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: bg.blueArn, Weight: 90 },
                { TargetGroupArn: bg.greenArn, Weight: 10 },
              ],
            },
          },
        ],
        '/api/*',
      );
      wire = [];

      // When its actions are restored to blue only
      await traffic.restoreRuleActions(ruleArn, [forwardTo([bg.blueArn, 1])]);

      // Then only RuleArn and Actions were sent, and the rule still matches /api/* at priority 7, now to blue
      expect(wire[0].filter((k) => !k.startsWith('Actions.'))).toEqual(['Action', 'Version', 'RuleArn']);
      const [rule] = await rules(bg.listenerArn);
      expect(rule).toMatchObject({
        RuleArn: ruleArn,
        Priority: '7',
        Conditions: [
          expect.objectContaining({ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }),
        ],
        Actions: [
          expect.objectContaining({
            Type: 'forward',
            ForwardConfig: expect.objectContaining({
              TargetGroups: [{ TargetGroupArn: bg.blueArn, Weight: 1 }],
            }),
          }),
        ],
      });
    });

    it('maps a rule that does not exist to not-found', async () => {
      const ruleArn = await createRule(client, bg.listenerArn, 1, [
        { Type: 'forward', TargetGroupArn: bg.blueArn },
      ]);
      const error = await failure(() =>
        traffic.restoreRuleActions(ruleArn.replace(/[0-9a-f]{16}$/, '0123456789abcdef'), [
          forwardTo([bg.blueArn, 1]),
        ]),
      );
      expect(error).toMatchObject({ kind: 'not-found', operation: 'ModifyRule', code: 'RuleNotFound' });
    });
  });

  describe('restore then describe (round trip)', () => {
    /** Actions in the shape ELBv2 echoes them (stickiness always present, every redirect field). */
    function actionArbitrary(targetGroups: string[]): fc.Arbitrary<ListenerAction> {
      const order = fc.option(fc.integer({ min: 1, max: 50000 }), { nil: undefined });
      const withOrder = <T extends ListenerAction>(action: T, o: number | undefined): T =>
        o === undefined ? action : { ...action, order: o };
      const forward = fc
        .record(
          {
            groups: fc.shuffledSubarray(targetGroups, { minLength: 1, maxLength: 5 }),
            weights: fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 5, maxLength: 5 }),
            stickiness: fc.oneof(
              fc.constant({ enabled: false }),
              fc
                .integer({ min: 1, max: 604800 })
                .map((durationSeconds) => ({ enabled: true, durationSeconds })),
            ),
            order,
          },
          { noNullPrototype: true },
        )
        .map(({ groups, weights, stickiness, order: o }) =>
          withOrder<ListenerAction>(
            {
              type: 'forward',
              forwardConfig: {
                targetGroups: groups.map((targetGroupArn, i) => ({ targetGroupArn, weight: weights[i] })),
                stickiness,
              },
            },
            o,
          ),
        );
      const redirect = fc
        .record(
          {
            protocol: fc.constantFrom('HTTP', 'HTTPS', '#{protocol}'),
            port: fc.constantFrom('80', '443', '8443', '#{port}'),
            host: fc.constantFrom('#{host}', 'example.com', 'www.#{host}'),
            path: fc.constantFrom('/#{path}', '/', '/moved/#{path}'),
            query: fc.constantFrom('#{query}', '', 'from=switchback'),
            statusCode: fc.constantFrom('HTTP_301' as const, 'HTTP_302' as const),
            order,
          },
          { noNullPrototype: true },
        )
        .map(({ order: o, ...redirectConfig }) =>
          withOrder<ListenerAction>({ type: 'redirect', redirectConfig }, o),
        );
      const fixedResponse = fc
        .record(
          {
            statusCode: fc.stringMatching(/^[245]\d\d$/),
            contentType: fc.constantFrom('text/plain', 'text/html', 'application/json'),
            messageBody: fc
              .string({ unit: 'grapheme', minLength: 1, maxLength: 200 })
              .filter((s) => s.length <= 1024),
          },
          { requiredKeys: ['statusCode'], noNullPrototype: true },
        )
        .chain((fixedResponseConfig) =>
          order.map((o) => withOrder<ListenerAction>({ type: 'fixed-response', fixedResponseConfig }, o)),
        );
      return fc.oneof(forward, redirect, fixedResponse);
    }

    it('describes exactly the default actions it restored, for every supported action shape', async () => {
      const groups = [bg.blueArn, bg.greenArn, ...(await createTargetGroups(client, 3, vpcId))];
      await fc.assert(
        fc.asyncProperty(actionArbitrary(groups), async (action) => {
          await traffic.restoreListenerActions(bg.listenerArn, [action]);
          const state = await traffic.describeListener(bg.listenerArn);
          expect(state.defaultActions).toStrictEqual([action]);
        }),
        { numRuns: 60 },
      );
    });

    it('describes exactly the rule actions it restored, for every supported action shape', async () => {
      const groups = [bg.blueArn, bg.greenArn, ...(await createTargetGroups(client, 3, vpcId))];
      const ruleArn = await createRule(client, bg.listenerArn, 1, [
        { Type: 'forward', TargetGroupArn: bg.blueArn },
      ]);
      await fc.assert(
        fc.asyncProperty(actionArbitrary(groups), async (action) => {
          await traffic.restoreRuleActions(ruleArn, [action]);
          const state = await traffic.describeListener(bg.listenerArn);
          expect(state.rules).toStrictEqual([{ ruleArn, priority: '1', actions: [action] }]);
        }),
        { numRuns: 60 },
      );
    });
  });

  describe('targetHealth', () => {
    it('counts every registered target of a group, and the healthy ones', async () => {
      // Given blue with three targets registered
      await client.send(
        new RegisterTargetsCommand({
          TargetGroupArn: bg.blueArn,
          Targets: [{ Id: 'i-0d000000000000001' }, { Id: 'i-0d000000000000002' }],
        }),
      );

      // When its health is read
      const health = await traffic.targetHealth(bg.blueArn);

      // Then all three count, each healthy (neither backend has health checks running)
      expect(health).toEqual({ targetGroupArn: bg.blueArn, healthy: 3, total: 3 });
    });

    it('counts no target of a group without targets', async () => {
      const [empty] = await createTargetGroups(client, 1, vpcId);
      expect(await traffic.targetHealth(empty as string)).toEqual({
        targetGroupArn: empty,
        healthy: 0,
        total: 0,
      });
    });

    backend.needs(
      ['targetHealthStates'],
      'counts the healthy targets of a group out of all of them',
      async () => {
        // Given blue with three targets, one unhealthy and one still initial
        await client.send(
          new RegisterTargetsCommand({
            TargetGroupArn: bg.blueArn,
            Targets: [{ Id: 'i-0d000000000000001' }, { Id: 'i-0d000000000000002' }],
          }),
        );
        emulator().elbv2.setTargetHealth(bg.blueArn, 'i-0d000000000000001', 'unhealthy');
        emulator().elbv2.setTargetHealth(bg.blueArn, 'i-0d000000000000002', 'initial');

        // When its health is read
        const health = await traffic.targetHealth(bg.blueArn);

        // Then one of three is healthy
        expect(health).toEqual({ targetGroupArn: bg.blueArn, healthy: 1, total: 3 });
      },
    );

    it('maps a target group that does not exist to not-found', async () => {
      const error = await failure(() =>
        traffic.targetHealth(bg.blueArn.replace(/[0-9a-f]{16}$/, '0123456789abcdef')),
      );
      expect(error).toMatchObject({
        kind: 'not-found',
        operation: 'DescribeTargetHealth',
        code: 'TargetGroupNotFound',
      });
    });
  });

  describe('failures ELBv2 answers with', () => {
    backend.needs(
      ['faults', 'requestLog'],
      'maps throttling that outlasts the SDK retries to throttled, after the SDK tried three times',
      async () => {
        emulator().faults.add({ service: 'elbv2', action: 'ModifyListener', throttle: 'always' });
        const error = await failure(() =>
          traffic.restoreListenerActions(bg.listenerArn, [forwardTo([bg.greenArn, 1])]),
        );
        expect(error).toMatchObject({
          kind: 'throttled',
          operation: 'ModifyListener',
          code: 'Throttling',
          retryable: true,
        });
        expect(
          emulator()
            .requestLog.entries({ action: 'ModifyListener' })
            .map((e) => [e.attempt, e.status]),
        ).toEqual([
          [1, 400],
          [2, 400],
          [3, 400],
        ]);
      },
    );

    backend.needs(
      ['faults', 'requestLog'],
      'recovers inside the SDK when throttling stops before its attempts run out',
      async () => {
        emulator().faults.add({ service: 'elbv2', action: 'ModifyListener', throttle: 'always', times: 2 });
        await traffic.restoreListenerActions(bg.listenerArn, [forwardTo([bg.greenArn, 1])]);
        expect(
          emulator()
            .requestLog.entries({ action: 'ModifyListener' })
            .map((e) => e.status),
        ).toEqual([400, 400, 200]);
        expect(emulator().elbv2.route(bg.listenerArn, { path: '/' }).targetGroupArn).toBe(bg.greenArn);
      },
    );

    backend.needs(['faults'], 'maps a 500 to transient', async () => {
      emulator().faults.add({ service: 'elbv2', action: 'DescribeTargetHealth', error: { status: 500 } });
      const error = await failure(() => traffic.targetHealth(bg.blueArn));
      expect(error).toMatchObject({ kind: 'transient', code: 'InternalFailure', retryable: true });
    });

    backend.needs(['faults'], 'maps a dropped connection to transient', async () => {
      emulator().faults.add({ service: 'elbv2', action: 'DescribeListeners', dropConnection: true });
      const error = await failure(() => traffic.describeListener(bg.listenerArn));
      expect(error).toMatchObject({ kind: 'transient', operation: 'DescribeListeners', retryable: true });
      expect(error.code).toMatch(/^(ECONNRESET|EPIPE|TimeoutError)$/);
      expect(error.message).toMatch(/socket hang up|ECONNRESET/);
    });

    backend.needs(['faults'], 'maps AccessDenied to access-denied', async () => {
      emulator().faults.add({
        service: 'elbv2',
        action: 'ModifyRule',
        error: {
          status: 403,
          code: 'AccessDenied',
          message: 'User is not authorized to perform: elasticloadbalancing:ModifyRule',
        },
      });
      const ruleArn = await createRule(client, bg.listenerArn, 1, [
        { Type: 'forward', TargetGroupArn: bg.blueArn },
      ]);
      const error = await failure(() => traffic.restoreRuleActions(ruleArn, [forwardTo([bg.greenArn, 1])]));
      expect(error).toMatchObject({ kind: 'access-denied', code: 'AccessDenied', retryable: false });
      expect(error.message).toContain('not authorized');
    });

    backend.needs(['arnValidation'], 'maps a malformed ARN to invalid', async () => {
      const error = await failure(() => traffic.describeListener('not-an-arn'));
      expect(error).toMatchObject({ kind: 'invalid', code: 'ValidationError', retryable: false });
    });
  });
});
