import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
  RegisterTargetsCommand,
  SetRulePrioritiesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createBlueGreen } from './elbv2-fixtures';
import { errorOf, useEmulator } from './testing';

const emulator = useEmulator();
let elbv2: ElasticLoadBalancingV2Client;

beforeEach(() => {
  elbv2 = new ElasticLoadBalancingV2Client({ ...emulator().clientConfig(), maxAttempts: 1 });
});
afterEach(() => elbv2.destroy());

describe('load balancers', () => {
  it('creates one with realistic ARN and DNS name, and describes it by ARN and by name', async () => {
    const created = await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'web',
        Subnets: ['subnet-1', 'subnet-2'],
        Tags: [{ Key: 'app', Value: 'x' }],
      }),
    );
    const lb = created.LoadBalancers?.[0];
    expect(lb?.LoadBalancerArn).toMatch(
      /^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/web\/[0-9a-f]{16}$/,
    );
    expect(lb).toMatchObject({
      LoadBalancerName: 'web',
      Type: 'application',
      Scheme: 'internet-facing',
      State: { Code: 'active' },
    });
    expect(lb?.DNSName).toMatch(/^web-\d{10}\.us-east-1\.elb\.amazonaws\.com$/);
    expect(lb?.CreatedTime).toBeInstanceOf(Date);
    const byArn = await elbv2.send(
      new DescribeLoadBalancersCommand({ LoadBalancerArns: [lb?.LoadBalancerArn as string] }),
    );
    const byName = await elbv2.send(new DescribeLoadBalancersCommand({ Names: ['web'] }));
    expect(byArn.LoadBalancers).toEqual([lb]);
    expect(byName.LoadBalancers).toEqual([lb]);
    const tags = await elbv2.send(new DescribeTagsCommand({ ResourceArns: [lb?.LoadBalancerArn as string] }));
    expect(tags.TagDescriptions?.[0]?.Tags).toEqual([{ Key: 'app', Value: 'x' }]);
  });

  it('puts the region of the SigV4 scope in ARNs', async () => {
    const eu = new ElasticLoadBalancingV2Client({ ...emulator().clientConfig('eu-west-1'), maxAttempts: 1 });
    const out = await eu.send(new CreateLoadBalancerCommand({ Name: 'eu' }));
    eu.destroy();
    expect(out.LoadBalancers?.[0]?.LoadBalancerArn).toContain(':eu-west-1:123456789012:loadbalancer/app/eu/');
  });

  it('is idempotent for the same name and settings, and refuses a different type', async () => {
    const a = await elbv2.send(new CreateLoadBalancerCommand({ Name: 'same' }));
    const b = await elbv2.send(new CreateLoadBalancerCommand({ Name: 'same' }));
    expect(b.LoadBalancers?.[0]?.LoadBalancerArn).toBe(a.LoadBalancers?.[0]?.LoadBalancerArn);
    const err = await errorOf(() =>
      elbv2.send(new CreateLoadBalancerCommand({ Name: 'same', Type: 'network' })),
    );
    expect(err.name).toBe('DuplicateLoadBalancerNameException');
  });

  it('refuses invalid names with ValidationError', async () => {
    for (const name of ['-bad', 'has_underscore', 'x'.repeat(33), 'internal-lb']) {
      const err = await errorOf(() => elbv2.send(new CreateLoadBalancerCommand({ Name: name })));
      expect(err.name).toBe('ValidationError');
      expect(err.$metadata.httpStatusCode).toBe(400);
    }
  });

  it('answers LoadBalancerNotFound for unknown ARNs and names', async () => {
    const arn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/nope/0123456789abcdef';
    const byArn = await errorOf(() =>
      elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] })),
    );
    const byName = await errorOf(() => elbv2.send(new DescribeLoadBalancersCommand({ Names: ['nope'] })));
    expect(byArn.name).toBe('LoadBalancerNotFoundException');
    expect(byName.name).toBe('LoadBalancerNotFoundException');
    expect(byName.message).toBe("Load balancers '[nope]' not found");
  });

  it('pages with PageSize and NextMarker', async () => {
    for (const n of [1, 2, 3]) await elbv2.send(new CreateLoadBalancerCommand({ Name: `lb${n}` }));
    const first = await elbv2.send(new DescribeLoadBalancersCommand({ PageSize: 2 }));
    expect(first.LoadBalancers?.map((l) => l.LoadBalancerName)).toEqual(['lb1', 'lb2']);
    const second = await elbv2.send(
      new DescribeLoadBalancersCommand({ PageSize: 2, Marker: first.NextMarker }),
    );
    expect(second.LoadBalancers?.map((l) => l.LoadBalancerName)).toEqual(['lb3']);
    expect(second.NextMarker).toBeUndefined();
  });

  it('deletes a load balancer with its listeners, and succeeds for one already gone', async () => {
    const bg = await createBlueGreen(elbv2);
    await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: bg.loadBalancerArn }));
    await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: bg.loadBalancerArn }));
    expect(emulator().elbv2.loadBalancers()).toEqual([]);
    expect(emulator().elbv2.listeners()).toEqual([]);
    const err = await errorOf(() =>
      elbv2.send(new DescribeListenersCommand({ ListenerArns: [bg.listenerArn] })),
    );
    expect(err.name).toBe('ListenerNotFoundException');
  });
});

describe('target groups and targets', () => {
  it('creates a target group with AWS defaults and reports the load balancers using it', async () => {
    const bg = await createBlueGreen(elbv2);
    const out = await elbv2.send(
      new DescribeTargetGroupsCommand({ TargetGroupArns: [bg.blueArn, bg.greenArn] }),
    );
    expect(out.TargetGroups?.[0]).toMatchObject({
      TargetGroupName: 'blue-a',
      Protocol: 'HTTP',
      Port: 8080,
      VpcId: 'vpc-1',
      TargetType: 'instance',
      HealthCheckPath: '/',
      HealthCheckPort: 'traffic-port',
      Matcher: { HttpCode: '200' },
      LoadBalancerArns: [bg.loadBalancerArn],
    });
    expect(out.TargetGroups?.[0]?.TargetGroupArn).toMatch(/:targetgroup\/blue-a\/[0-9a-f]{16}$/);
    expect(out.TargetGroups?.[1]?.LoadBalancerArns).toEqual([]);
    const byLb = await elbv2.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: bg.loadBalancerArn }));
    expect(byLb.TargetGroups?.map((t) => t.TargetGroupArn)).toEqual([bg.blueArn]);
  });

  it('requires protocol, port and VPC for instance targets', async () => {
    const err = await errorOf(() =>
      elbv2.send(new CreateTargetGroupCommand({ Name: 'x', Protocol: 'HTTP', Port: 80 })),
    );
    expect(err.name).toBe('ValidationError');
    expect(err.message).toBe('A VPC ID must be specified');
  });

  it('reports settable target health, and unused for a group no listener forwards to', async () => {
    const bg = await createBlueGreen(elbv2);
    const blue = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: bg.blueArn }));
    expect(blue.TargetHealthDescriptions).toEqual([
      {
        Target: { Id: 'i-0b000000000000000', Port: 8080 },
        HealthCheckPort: '8080',
        TargetHealth: { State: 'healthy' },
      },
    ]);
    const green = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: bg.greenArn }));
    expect(green.TargetHealthDescriptions?.[0]?.TargetHealth).toEqual({
      State: 'unused',
      Reason: 'Target.NotInUse',
      Description: 'Target group is not configured to receive traffic from the load balancer',
    });
    emulator().elbv2.setTargetHealth(bg.blueArn, 'i-0b000000000000000', 'unhealthy');
    const after = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: bg.blueArn }));
    expect(after.TargetHealthDescriptions?.[0]?.TargetHealth).toEqual({
      State: 'unhealthy',
      Reason: 'Target.FailedHealthChecks',
      Description: 'Health checks failed',
    });
  });

  it('registers and deregisters targets; deregistering an unknown one is InvalidTarget', async () => {
    const bg = await createBlueGreen(elbv2);
    await elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: bg.blueArn,
        Targets: [{ Id: 'i-0d000000000000000', Port: 9000 }],
      }),
    );
    expect(
      emulator()
        .elbv2.targets(bg.blueArn)
        .map((t) => `${t.Id}:${t.Port}`),
    ).toEqual(['i-0b000000000000000:8080', 'i-0d000000000000000:9000']);
    await elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: bg.blueArn, Targets: [{ Id: 'i-0b000000000000000' }] }),
    );
    expect(
      emulator()
        .elbv2.targets(bg.blueArn)
        .map((t) => t.Id),
    ).toEqual(['i-0d000000000000000']);
    const err = await errorOf(() =>
      elbv2.send(
        new DeregisterTargetsCommand({
          TargetGroupArn: bg.blueArn,
          Targets: [{ Id: 'i-0e000000000000000' }],
        }),
      ),
    );
    expect(err.name).toBe('InvalidTargetException');
    const bad = await errorOf(() =>
      elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: bg.blueArn, Targets: [{ Id: '10.0.0.1' }] })),
    );
    expect(bad.name).toBe('InvalidTargetException');
  });

  it('reports unregistered targets asked for by id', async () => {
    const bg = await createBlueGreen(elbv2);
    const out = await elbv2.send(
      new DescribeTargetHealthCommand({
        TargetGroupArn: bg.blueArn,
        Targets: [{ Id: 'i-0f000000000000000' }],
      }),
    );
    expect(out.TargetHealthDescriptions?.[0]?.TargetHealth).toMatchObject({
      State: 'unused',
      Reason: 'Target.NotRegistered',
    });
  });

  it('refuses to delete a target group in use (ResourceInUse) and deletes an unused one', async () => {
    const bg = await createBlueGreen(elbv2);
    const err = await errorOf(() => elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: bg.blueArn })));
    expect(err.name).toBe('ResourceInUseException');
    await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: bg.greenArn }));
    const gone = await errorOf(() =>
      elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [bg.greenArn] })),
    );
    expect(gone.name).toBe('TargetGroupNotFoundException');
  });
});

describe('listeners', () => {
  it('echoes a plain forward the way AWS does (TargetGroupArn plus a weight-1 ForwardConfig)', async () => {
    const bg = await createBlueGreen(elbv2);
    const out = await elbv2.send(new DescribeListenersCommand({ ListenerArns: [bg.listenerArn] }));
    expect(bg.listenerArn).toMatch(/:listener\/app\/lb-a\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    expect(out.Listeners?.[0]).toEqual({
      ListenerArn: bg.listenerArn,
      LoadBalancerArn: bg.loadBalancerArn,
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [
        {
          Type: 'forward',
          TargetGroupArn: bg.blueArn,
          ForwardConfig: {
            TargetGroups: [{ TargetGroupArn: bg.blueArn, Weight: 1 }],
            TargetGroupStickinessConfig: { Enabled: false },
          },
        },
      ],
    });
  });

  it('ModifyListener replaces DefaultActions whole and leaves the other fields unchanged', async () => {
    const bg = await createBlueGreen(elbv2);
    const out = await elbv2.send(
      new ModifyListenerCommand({
        ListenerArn: bg.listenerArn,
        DefaultActions: [
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
      }),
    );
    const listener = out.Listeners?.[0];
    expect(listener).toMatchObject({ Port: 80, Protocol: 'HTTP' });
    expect(listener?.DefaultActions).toEqual([
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: bg.blueArn, Weight: 90 },
            { TargetGroupArn: bg.greenArn, Weight: 10 },
          ],
          TargetGroupStickinessConfig: { Enabled: false },
        },
      },
    ]);
    const portOnly = await elbv2.send(new ModifyListenerCommand({ ListenerArn: bg.listenerArn, Port: 8081 }));
    expect(portOnly.Listeners?.[0]?.DefaultActions).toEqual(listener?.DefaultActions);
    expect(emulator().elbv2.listener(bg.listenerArn).Port).toBe(8081);
  });

  it('needs exactly one certificate for HTTPS and applies the default TLS policy', async () => {
    const bg = await createBlueGreen(elbv2);
    const err = await errorOf(() =>
      elbv2.send(new ModifyListenerCommand({ ListenerArn: bg.listenerArn, Protocol: 'HTTPS', Port: 443 })),
    );
    expect(err.name).toBe('InvalidConfigurationRequestException');
    expect(err.message).toBe(
      'You must provide a list containing exactly one certificate if the listener protocol is HTTPS.',
    );
    const cert = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';
    const out = await elbv2.send(
      new ModifyListenerCommand({
        ListenerArn: bg.listenerArn,
        Protocol: 'HTTPS',
        Port: 443,
        Certificates: [{ CertificateArn: cert }],
      }),
    );
    expect(out.Listeners?.[0]).toMatchObject({
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: cert }],
      SslPolicy: 'ELBSecurityPolicy-2016-08',
    });
    const policy = await errorOf(() =>
      elbv2.send(new ModifyListenerCommand({ ListenerArn: bg.listenerArn, SslPolicy: 'Nope' })),
    );
    expect(policy.name).toBe('SSLPolicyNotFoundException');
  });

  it('answers the named errors for bad listener calls', async () => {
    const bg = await createBlueGreen(elbv2);
    const missing = bg.listenerArn.replace(/[0-9a-f]{16}$/, '0000000000000000');
    const cases: Array<[() => Promise<unknown>, string, string]> = [
      [
        () => elbv2.send(new ModifyListenerCommand({ ListenerArn: missing, Port: 81 })),
        'ListenerNotFoundException',
        'One or more listeners not found',
      ],
      [
        () => elbv2.send(new ModifyListenerCommand({ ListenerArn: 'arn:aws:nope' })),
        'ValidationError',
        "'arn:aws:nope' is not a valid listener ARN",
      ],
      [
        () =>
          elbv2.send(
            new ModifyListenerCommand({
              ListenerArn: bg.listenerArn,
              DefaultActions: [
                { Type: 'forward', TargetGroupArn: bg.blueArn.replace(/[0-9a-f]{16}$/, 'ffffffffffffffff') },
              ],
            }),
          ),
        'TargetGroupNotFoundException',
        `Target group '${bg.blueArn.replace(/[0-9a-f]{16}$/, 'ffffffffffffffff')}' not found`,
      ],
      [
        () =>
          elbv2.send(
            new CreateListenerCommand({
              LoadBalancerArn: bg.loadBalancerArn,
              Protocol: 'HTTP',
              Port: 80,
              DefaultActions: [{ Type: 'forward', TargetGroupArn: bg.blueArn }],
            }),
          ),
        'DuplicateListenerException',
        'A listener already exists on this port for this load balancer',
      ],
      [
        () =>
          elbv2.send(
            new CreateListenerCommand({
              LoadBalancerArn: bg.loadBalancerArn,
              Protocol: 'TCP',
              Port: 81,
              DefaultActions: [{ Type: 'forward', TargetGroupArn: bg.blueArn }],
            }),
          ),
        'UnsupportedProtocolException',
        "Protocol 'TCP' is not supported by load balancers of type 'application'",
      ],
      [
        () =>
          elbv2.send(
            new ModifyListenerCommand({
              ListenerArn: bg.listenerArn,
              DefaultActions: [
                {
                  Type: 'forward',
                  ForwardConfig: { TargetGroups: [{ TargetGroupArn: bg.blueArn, Weight: 1000 }] },
                },
              ],
            }),
          ),
        'ValidationError',
        "1 validation error detected: Value '1000' at 'defaultActions.1.member.forwardConfig.targetGroups.1.member.weight' failed to satisfy constraint: Member must have value between 0 and 999",
      ],
      [
        () => elbv2.send(new DescribeListenersCommand({})),
        'ValidationError',
        'You must specify either listener ARNs or a load balancer ARN',
      ],
      [
        () => elbv2.send(new ModifyListenerCommand({} as never)),
        'ValidationError',
        "1 validation error detected: Value null at 'listenerArn' failed to satisfy constraint: Member must not be null",
      ],
    ];
    for (const [call, name, message] of cases) {
      const err = await errorOf(call);
      expect({ name: err.name, message: err.message, status: err.$metadata.httpStatusCode }).toEqual({
        name,
        message,
        status: 400,
      });
    }
  });

  it('deletes a listener and its rules', async () => {
    const bg = await createBlueGreen(elbv2);
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: bg.listenerArn,
        Priority: 1,
        Conditions: [{ Field: 'path-pattern', Values: ['/a'] }],
        Actions: [{ Type: 'forward', TargetGroupArn: bg.greenArn }],
      }),
    );
    await elbv2.send(new DeleteListenerCommand({ ListenerArn: bg.listenerArn }));
    expect(emulator().elbv2.listeners()).toEqual([]);
    const err = await errorOf(() => elbv2.send(new DeleteListenerCommand({ ListenerArn: bg.listenerArn })));
    expect(err.name).toBe('ListenerNotFoundException');
  });
});

describe('rules', () => {
  it('creates, describes (default rule last), modifies, reprioritizes and deletes rules', async () => {
    const bg = await createBlueGreen(elbv2);
    const created = await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: bg.listenerArn,
        Priority: 10,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: bg.greenArn }],
      }),
    );
    const rule = created.Rules?.[0];
    expect(rule?.RuleArn).toMatch(/:listener-rule\/app\/lb-a\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    expect(rule).toMatchObject({
      Priority: '10',
      IsDefault: false,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
    });
    const described = await elbv2.send(new DescribeRulesCommand({ ListenerArn: bg.listenerArn }));
    expect(described.Rules?.map((r) => [r.Priority, r.IsDefault])).toEqual([
      ['10', false],
      ['default', true],
    ]);
    const weighted = [
      { TargetGroupArn: bg.blueArn, Weight: 50 },
      { TargetGroupArn: bg.greenArn, Weight: 50 },
    ];
    const modified = await elbv2.send(
      new ModifyRuleCommand({
        RuleArn: rule?.RuleArn,
        Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: weighted } }],
      }),
    );
    expect(modified.Rules?.[0]?.Actions?.[0]?.ForwardConfig?.TargetGroups).toEqual(weighted);
    expect(modified.Rules?.[0]?.Conditions).toEqual(rule?.Conditions);
    const moved = await elbv2.send(
      new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: rule?.RuleArn, Priority: 5 }] }),
    );
    expect(moved.Rules?.[0]?.Priority).toBe('5');
    await elbv2.send(new DeleteRuleCommand({ RuleArn: rule?.RuleArn }));
    const left = await elbv2.send(new DescribeRulesCommand({ ListenerArn: bg.listenerArn }));
    expect(left.Rules?.map((r) => r.Priority)).toEqual(['default']);
  });

  it('modifies the default rule, which changes the listener default actions', async () => {
    const bg = await createBlueGreen(elbv2);
    const rules = await elbv2.send(new DescribeRulesCommand({ ListenerArn: bg.listenerArn }));
    const defaultArn = rules.Rules?.[0]?.RuleArn as string;
    await elbv2.send(
      new ModifyRuleCommand({
        RuleArn: defaultArn,
        Actions: [{ Type: 'forward', TargetGroupArn: bg.greenArn }],
      }),
    );
    expect(emulator().elbv2.listener(bg.listenerArn).DefaultActions[0].TargetGroupArn).toBe(bg.greenArn);
    const err = await errorOf(() => elbv2.send(new DeleteRuleCommand({ RuleArn: defaultArn })));
    expect(err.name).toBe('OperationNotPermittedException');
  });

  it('answers PriorityInUse, RuleNotFound and validation errors', async () => {
    const bg = await createBlueGreen(elbv2);
    const rule = {
      ListenerArn: bg.listenerArn,
      Priority: 7,
      Conditions: [{ Field: 'host-header', Values: ['a.example.com'] }],
      Actions: [{ Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '503' } }],
    };
    const created = await elbv2.send(new CreateRuleCommand(rule));
    expect((await errorOf(() => elbv2.send(new CreateRuleCommand(rule)))).name).toBe(
      'PriorityInUseException',
    );
    const missing = (created.Rules?.[0]?.RuleArn as string).replace(/[0-9a-f]{16}$/, '0000000000000000');
    expect(
      (
        await errorOf(() =>
          elbv2.send(new ModifyRuleCommand({ RuleArn: missing, Conditions: rule.Conditions })),
        )
      ).name,
    ).toBe('RuleNotFoundException');
    const badStatus = await errorOf(() =>
      elbv2.send(
        new CreateRuleCommand({
          ...rule,
          Priority: 8,
          Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '302' } }],
        }),
      ),
    );
    expect(badStatus.name).toBe('ValidationError');
    const badPriority = await errorOf(() => elbv2.send(new CreateRuleCommand({ ...rule, Priority: 50001 })));
    expect(badPriority.name).toBe('ValidationError');
    const noConditions = await errorOf(() =>
      elbv2.send(new CreateRuleCommand({ ...rule, Priority: 9, Conditions: [] })),
    );
    expect(noConditions.name).toBe('ValidationError');
  });
});

describe('limits', () => {
  it('answers TooManyRules past 100 rules on a listener', async () => {
    const bg = await createBlueGreen(elbv2);
    const rule = (Priority: number) =>
      new CreateRuleCommand({
        ListenerArn: bg.listenerArn,
        Priority,
        Conditions: [{ Field: 'path-pattern', Values: [`/${Priority}`] }],
        Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }],
      });
    for (let p = 1; p <= 100; p++) await elbv2.send(rule(p));
    expect((await errorOf(() => elbv2.send(rule(101)))).name).toBe('TooManyRulesException');
  });
});

describe('tags', () => {
  it('adds and describes tags, refusing repeated keys', async () => {
    const bg = await createBlueGreen(elbv2);
    await elbv2.send(
      new AddTagsCommand({
        ResourceArns: [bg.listenerArn, bg.blueArn],
        Tags: [{ Key: 'color', Value: 'blue' }],
      }),
    );
    const out = await elbv2.send(new DescribeTagsCommand({ ResourceArns: [bg.listenerArn, bg.blueArn] }));
    expect(out.TagDescriptions?.map((d) => d.Tags)).toEqual([
      [{ Key: 'color', Value: 'blue' }],
      [{ Key: 'color', Value: 'blue' }],
    ]);
    const dup = await errorOf(() =>
      elbv2.send(new AddTagsCommand({ ResourceArns: [bg.listenerArn], Tags: [{ Key: 'k' }, { Key: 'k' }] })),
    );
    expect(dup.name).toBe('DuplicateTagKeysException');
  });
});

describe('the in-process route simulator', () => {
  it('follows rules by priority, then the weighted default action', async () => {
    const bg = await createBlueGreen(elbv2);
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: bg.listenerArn,
        Priority: 1,
        Conditions: [{ Field: 'path-pattern', Values: ['/maintenance*'] }],
        Actions: [
          { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', MessageBody: 'later' } },
        ],
      }),
    );
    await elbv2.send(
      new ModifyListenerCommand({
        ListenerArn: bg.listenerArn,
        DefaultActions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: bg.blueArn, Weight: 3 },
                { TargetGroupArn: bg.greenArn, Weight: 1 },
              ],
            },
          },
        ],
      }),
    );
    const route = emulator().elbv2;
    expect(
      route.route(bg.listenerArn, { path: '/maintenance/now' }).action.FixedResponseConfig?.MessageBody,
    ).toBe('later');
    expect(route.route(bg.listenerArn, { path: '/' }, () => 0.5).targetGroupArn).toBe(bg.blueArn);
    expect(route.route(bg.listenerArn, { path: '/' }, () => 0.9).targetGroupArn).toBe(bg.greenArn);
    expect(route.route(bg.listenerArn, { path: '/' }).priority).toBe('default');
  });
});
