import { TerraformVariable } from 'cdktf';
import {
  ApplicationProtocol,
  BlueGreenListener,
  Color,
  TargetType,
  type BlueGreenListenerProps,
} from '../../index';
import { parseWatchdogConfig } from '../../lib';
import { blockAt, blocksOfType, refTo, resolveIn, synth, type SynthesizedStack } from '../support/synth';
import { CERTIFICATE_ARN, LOAD_BALANCER_ARN, OTHER_CERTIFICATE_ARN, VPC_ID } from './fixtures';

const BASE: BlueGreenListenerProps = {
  loadBalancerArn: LOAD_BALANCER_ARN,
  vpcId: VPC_ID,
  serviceName: 'checkout',
};

function synthListener(props: Partial<BlueGreenListenerProps> = {}): {
  json: SynthesizedStack;
  listener: BlueGreenListener;
} {
  let listener: BlueGreenListener | undefined;
  const json = synth((stack) => {
    listener = new BlueGreenListener(stack, 'Checkout', { ...BASE, ...props });
  });
  return { json, listener: listener as BlueGreenListener };
}

const blueRef = (json: SynthesizedStack) =>
  refTo(json, 'aws_lb_target_group', 'Checkout/BlueTargetGroup', 'arn');
const greenRef = (json: SynthesizedStack) =>
  refTo(json, 'aws_lb_target_group', 'Checkout/GreenTargetGroup', 'arn');

describe('BlueGreenListener target groups', () => {
  it('defines a blue and a green target group with the same settings and sensible health checks', () => {
    const { json } = synthListener();

    const groups = blocksOfType(json, 'aws_lb_target_group');
    expect(groups).toHaveLength(2);
    for (const color of ['Blue', 'Green']) {
      expect(blockAt(json, 'aws_lb_target_group', `Checkout/${color}TargetGroup`)).toEqual(
        expect.objectContaining({
          target_type: 'ip',
          port: 80,
          protocol: 'HTTP',
          vpc_id: VPC_ID,
          deregistration_delay: '60',
          slow_start: 0,
          health_check: {
            enabled: true,
            path: '/',
            port: 'traffic-port',
            protocol: 'HTTP',
            matcher: '200',
            interval: 10,
            timeout: 5,
            healthy_threshold: 2,
            unhealthy_threshold: 3,
          },
          lifecycle: { create_before_destroy: true },
        }),
      );
    }
  });

  it('names target groups stably, uniquely and within AWS limits', () => {
    const first = synthListener().json;
    const again = synthListener().json;
    const names = (json: SynthesizedStack) =>
      blocksOfType(json, 'aws_lb_target_group').map(([, g]) => g.name as string);

    expect(names(first)).toEqual(names(again));
    expect(new Set(names(first)).size).toBe(2);
    for (const name of names(first)) {
      expect(name.length).toBeLessThanOrEqual(32);
      expect(name).toMatch(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/);
      expect(name).toMatch(/^checkout-(blue|green)-[0-9a-f]{8}$/);
    }
  });

  it('truncates long service names and never starts a name with internal-', () => {
    const long = synthListener({ serviceName: 'a-very-long-service-name-for-payments-eu' }).json;
    const internal = synthListener({ serviceName: 'internal' }).json;

    for (const json of [long, internal]) {
      for (const [, group] of blocksOfType(json, 'aws_lb_target_group')) {
        const name = group.name as string;
        expect(name.length).toBeLessThanOrEqual(32);
        expect(name).not.toMatch(/^internal-/);
        expect(name).not.toMatch(/--|-$/);
      }
    }
  });

  it('gives a replaced target group a new name, so create_before_destroy can work', () => {
    const onPort8080 = synthListener({ targetPort: 8080 }).json;
    const onPort9090 = synthListener({ targetPort: 9090 }).json;

    expect(blockAt(onPort8080, 'aws_lb_target_group', 'Checkout/BlueTargetGroup').name).not.toEqual(
      blockAt(onPort9090, 'aws_lb_target_group', 'Checkout/BlueTargetGroup').name,
    );
  });

  it('uses HTTPS to targets and health checks when asked, with custom health settings', () => {
    const { json } = synthListener({
      targetProtocol: ApplicationProtocol.HTTPS,
      healthCheck: {
        path: '/healthz',
        healthyHttpCodes: '200-299',
        intervalSeconds: 20,
        timeoutSeconds: 4,
        port: 8081,
      },
      deregistrationDelaySeconds: 15,
      slowStartSeconds: 60,
    });

    expect(blockAt(json, 'aws_lb_target_group', 'Checkout/GreenTargetGroup')).toEqual(
      expect.objectContaining({
        port: 443,
        protocol: 'HTTPS',
        deregistration_delay: '15',
        slow_start: 60,
        health_check: expect.objectContaining({
          path: '/healthz',
          matcher: '200-299',
          interval: 20,
          timeout: 4,
          port: '8081',
          protocol: 'HTTPS',
        }),
      }),
    );
  });

  it('checks the traffic port when no health check port is given, and passes a Terraform reference through', () => {
    const noPort = synthListener({ healthCheck: { path: '/healthz' } }).json;
    const json = synth((stack) => {
      const port = new TerraformVariable(stack, 'health_port', { type: 'number' });
      new BlueGreenListener(stack, 'Checkout', { ...BASE, healthCheck: { port: port.numberValue } });
    });

    expect(blockAt(noPort, 'aws_lb_target_group', 'Checkout/BlueTargetGroup').health_check).toEqual(
      expect.objectContaining({ path: '/healthz', port: 'traffic-port' }),
    );
    expect(blockAt(json, 'aws_lb_target_group', 'Checkout/BlueTargetGroup').health_check).toEqual(
      expect.objectContaining({ port: '${var.health_port}' }),
    );
  });

  it('leaves port, protocol and VPC out for lambda targets and turns health checks off by default', () => {
    const { json } = synthListener({ targetType: TargetType.LAMBDA });

    const group = blockAt(json, 'aws_lb_target_group', 'Checkout/BlueTargetGroup');
    expect(group.target_type).toBe('lambda');
    expect(group).not.toHaveProperty('port');
    expect(group).not.toHaveProperty('protocol');
    expect(group).not.toHaveProperty('vpc_id');
    expect(group.health_check).toEqual(expect.objectContaining({ enabled: false }));
  });

  it('sticks clients to a target and, through the forward action, to a color', () => {
    const { json } = synthListener({ stickiness: { durationSeconds: 600 } });

    expect(blockAt(json, 'aws_lb_target_group', 'Checkout/BlueTargetGroup').stickiness).toEqual({
      type: 'lb_cookie',
      enabled: true,
      cookie_duration: 600,
    });
    const [action] = blockAt(json, 'aws_lb_listener', 'Checkout/ProductionListener').default_action as Record<
      string,
      unknown
    >[];
    expect(action.forward).toEqual(expect.objectContaining({ stickiness: { enabled: true, duration: 600 } }));
  });
});

describe('BlueGreenListener production listener', () => {
  it('forwards to both colors with weights 100/0 by default, blue active', () => {
    const { json, listener } = synthListener();

    const production = blockAt(json, 'aws_lb_listener', 'Checkout/ProductionListener');
    expect(production).toEqual(
      expect.objectContaining({
        load_balancer_arn: LOAD_BALANCER_ARN,
        port: 80,
        protocol: 'HTTP',
        default_action: [
          {
            type: 'forward',
            forward: {
              target_group: [
                { arn: blueRef(json), weight: 100 },
                { arn: greenRef(json), weight: 0 },
              ],
            },
          },
        ],
      }),
    );
    expect(production).not.toHaveProperty('ssl_policy');
    expect(listener.activeColor).toBe('blue');
    expect(listener.candidateColor).toBe('green');
  });

  it('renders a canary as a weighted forward towards the candidate color', () => {
    const { json } = synthListener({ activeColor: Color.GREEN, canaryWeightPercent: 10 });

    const [action] = blockAt(json, 'aws_lb_listener', 'Checkout/ProductionListener').default_action as Record<
      string,
      unknown
    >[];
    expect(action.forward).toEqual({
      target_group: [
        { arn: greenRef(json), weight: 90 },
        { arn: blueRef(json), weight: 10 },
      ],
    });
  });

  it('defaults to HTTPS on 443 with a TLS 1.3 policy when a certificate is given, and attaches extra certificates', () => {
    const { json } = synthListener({
      certificateArn: CERTIFICATE_ARN,
      additionalCertificateArns: [OTHER_CERTIFICATE_ARN],
    });

    expect(blockAt(json, 'aws_lb_listener', 'Checkout/ProductionListener')).toEqual(
      expect.objectContaining({
        port: 443,
        protocol: 'HTTPS',
        certificate_arn: CERTIFICATE_ARN,
        ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      }),
    );
    expect(
      blockAt(
        json,
        'aws_lb_listener_certificate',
        'Checkout/ProductionListenerCertificate-66666666-7777-8888-9999-000000000000-1105db73',
      ),
    ).toEqual(
      expect.objectContaining({
        certificate_arn: OTHER_CERTIFICATE_ARN,
        listener_arn: refTo(json, 'aws_lb_listener', 'Checkout/ProductionListener', 'arn'),
      }),
    );
  });

  it('publishes its default TLS policy as a static', () => {
    const { json } = synthListener({ certificateArn: CERTIFICATE_ARN });

    expect(BlueGreenListener.DEFAULT_SSL_POLICY).toBe('ELBSecurityPolicy-TLS13-1-2-2021-06');
    expect(blockAt(json, 'aws_lb_listener', 'Checkout/ProductionListener').ssl_policy).toBe(
      BlueGreenListener.DEFAULT_SSL_POLICY,
    );
  });

  it('accepts a stricter TLS 1.3-only policy', () => {
    const { json } = synthListener({
      certificateArn: CERTIFICATE_ARN,
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06',
    });

    expect(blockAt(json, 'aws_lb_listener', 'Checkout/ProductionListener').ssl_policy).toBe(
      'ELBSecurityPolicy-TLS13-1-3-2021-06',
    );
  });

  it('adds an HTTP listener that redirects to the HTTPS port with a 301', () => {
    const { json, listener } = synthListener({
      certificateArn: CERTIFICATE_ARN,
      port: 8443,
      httpRedirect: {},
    });

    expect(blockAt(json, 'aws_lb_listener', 'Checkout/HttpRedirectListener')).toEqual(
      expect.objectContaining({
        port: 80,
        protocol: 'HTTP',
        default_action: [
          { type: 'redirect', redirect: { protocol: 'HTTPS', port: '8443', status_code: 'HTTP_301' } },
        ],
      }),
    );
    expect(listener.redirectListener).toBeDefined();
  });

  it('adds a test listener that always forwards to the candidate color, with the production TLS settings', () => {
    const { json } = synthListener({
      certificateArn: CERTIFICATE_ARN,
      activeColor: Color.GREEN,
      testListener: {},
    });

    expect(blockAt(json, 'aws_lb_listener', 'Checkout/TestListener')).toEqual(
      expect.objectContaining({
        port: 8443,
        protocol: 'HTTPS',
        certificate_arn: CERTIFICATE_ARN,
        ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        default_action: [{ type: 'forward', target_group_arn: blueRef(json) }],
      }),
    );
  });

  it('defines path and host rules that forward like the default action', () => {
    const { json } = synthListener({
      canaryWeightPercent: 25,
      rules: [
        { priority: 10, pathPatterns: ['/api/*'] },
        { priority: 20, hostHeaders: ['admin.example.com'], pathPatterns: ['/admin/*'] },
      ],
    });

    const listenerArn = refTo(json, 'aws_lb_listener', 'Checkout/ProductionListener', 'arn');
    const weighted = {
      type: 'forward',
      forward: {
        target_group: [
          { arn: blueRef(json), weight: 75 },
          { arn: greenRef(json), weight: 25 },
        ],
      },
    };
    expect(blockAt(json, 'aws_lb_listener_rule', 'Checkout/ProductionRule10')).toEqual(
      expect.objectContaining({
        listener_arn: listenerArn,
        priority: 10,
        action: [weighted],
        condition: [{ path_pattern: { values: ['/api/*'] } }],
      }),
    );
    expect(blockAt(json, 'aws_lb_listener_rule', 'Checkout/ProductionRule20')).toEqual(
      expect.objectContaining({
        priority: 20,
        condition: [
          { path_pattern: { values: ['/admin/*'] } },
          { host_header: { values: ['admin.example.com'] } },
        ],
      }),
    );
  });

  it('passes Terraform references through unvalidated', () => {
    const json = synth((stack) => {
      const arn = new TerraformVariable(stack, 'lb_arn', { type: 'string' });
      const vpc = new TerraformVariable(stack, 'vpc', { type: 'string' });
      const port = new TerraformVariable(stack, 'port', { type: 'number' });
      new BlueGreenListener(stack, 'Checkout', {
        loadBalancerArn: arn.stringValue,
        vpcId: vpc.stringValue,
        certificateArn: CERTIFICATE_ARN,
        port: port.numberValue,
        httpRedirect: {},
      });
    });

    const production = blockAt(json, 'aws_lb_listener', 'Checkout/ProductionListener');
    expect(production.load_balancer_arn).toBe('${var.lb_arn}');
    expect(production.port).toBe('${var.port}');
    expect(blockAt(json, 'aws_lb_listener', 'Checkout/HttpRedirectListener').default_action).toEqual([
      expect.objectContaining({ redirect: expect.objectContaining({ port: '${var.port}' }) }),
    ]);
    expect(blockAt(json, 'aws_lb_target_group', 'Checkout/BlueTargetGroup').vpc_id).toBe('${var.vpc}');
  });
});

describe('BlueGreenListener attributes for the watchdog', () => {
  it('describes its protected listeners by what is known at synth: load balancer, port, names, priorities', () => {
    const { json, listener } = synthListener({
      testListener: { port: 9000 },
      rules: [{ priority: 5, pathPatterns: ['/x'] }],
    });

    const names = {
      blue: blockAt(json, 'aws_lb_target_group', 'Checkout/BlueTargetGroup').name,
      green: blockAt(json, 'aws_lb_target_group', 'Checkout/GreenTargetGroup').name,
    };
    expect(resolveIn(listener, listener.protectedListeners)).toEqual([
      {
        name: 'production',
        role: 'production',
        activeColor: 'blue',
        loadBalancerArn: LOAD_BALANCER_ARN,
        port: 80,
        targetGroupNames: names,
        rulePriorities: [5],
      },
      { name: 'test', role: 'test', loadBalancerArn: LOAD_BALANCER_ARN, port: 9000, targetGroupNames: names },
    ]);
    // No reference to the listeners or rules: the watchdog's capture can precede them without a cycle.
    expect(JSON.stringify(resolveIn(listener, listener.protectedListeners))).not.toContain('aws_lb_listener');
    expect(
      parseWatchdogConfig({
        schemaVersion: 1,
        service: 'checkout',
        store: { bucket: 'checkout-store' },
        listeners: resolveIn(listener, listener.protectedListeners),
      }).listeners,
    ).toHaveLength(2);
  });

  it('lists the resources that change traffic, for the capture to precede', () => {
    const { json, listener } = synthListener({
      testListener: {},
      rules: [{ priority: 5, pathPatterns: ['/x'] }],
    });

    expect(
      listener.trafficResources.map((r) => resolveIn(listener, (r as unknown as { fqn: string }).fqn)),
    ).toEqual([
      refTo(json, 'aws_lb_listener', 'Checkout/ProductionListener', 'arn').replace(/\.arn\}$/, '}'),
      refTo(json, 'aws_lb_listener_rule', 'Checkout/ProductionRule5', 'arn').replace(/\.arn\}$/, '}'),
      refTo(json, 'aws_lb_listener', 'Checkout/TestListener', 'arn').replace(/\.arn\}$/, '}'),
    ]);
  });

  it('exposes the active and candidate target group ARNs by color', () => {
    const { json, listener } = synthListener({ activeColor: Color.GREEN });
    const resolve = (value: string) => resolveIn(listener, value);

    expect(resolve(listener.activeTargetGroupArn)).toBe(greenRef(json));
    expect(resolve(listener.candidateTargetGroupArn)).toBe(blueRef(json));
    expect(resolve(listener.targetGroupArn(Color.BLUE))).toBe(blueRef(json));
    expect(resolve(listener.listenerArn)).toBe(
      refTo(json, 'aws_lb_listener', 'Checkout/ProductionListener', 'arn'),
    );
  });

  it('derives the service name from the construct id when none is given', () => {
    let listener: BlueGreenListener | undefined;
    synth((stack) => {
      listener = new BlueGreenListener(stack, 'Payments_API', {
        loadBalancerArn: LOAD_BALANCER_ARN,
        vpcId: VPC_ID,
      });
    });

    expect(listener?.serviceName).toBe('payments-api');
  });
});
