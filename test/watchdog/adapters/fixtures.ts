/**
 * Fixture builders for the adapter tests: ELBv2 setups beyond the blue/green fixture. Client settings
 * come from the backend the suite runs on (backends.ts).
 */
import {
  type Action,
  CreateListenerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
/** Runs `fn` and returns what it throws (fails the test when it does not throw). */
export async function rejectionOf(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to fail, but it succeeded');
}

export const CERTIFICATE_ARN =
  'arn:aws:acm:us-east-1:123456789012:certificate/0b5c1f0e-6d3a-4c6e-9a55-2f7f6f0a1b2c';
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/** An HTTPS listener on 443 forwarding to `targetGroupArn`, with a certificate and a TLS policy. */
export async function createHttpsListener(
  client: ElasticLoadBalancingV2Client,
  loadBalancerArn: string,
  targetGroupArn: string,
  certificateArn = CERTIFICATE_ARN,
): Promise<string> {
  const out = await client.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: 'HTTPS',
      Port: 443,
      SslPolicy: TLS_POLICY,
      Certificates: [{ CertificateArn: certificateArn }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    }),
  );
  return out.Listeners?.[0]?.ListenerArn as string;
}

/** `count` more target groups (`extra-1`...) in `vpcId`, for weighted forwards of up to five groups. */
export async function createTargetGroups(
  client: ElasticLoadBalancingV2Client,
  count: number,
  vpcId: string,
): Promise<string[]> {
  const arns: string[] = [];
  for (let i = 1; i <= count; i += 1) {
    const out = await client.send(
      new CreateTargetGroupCommand({ Name: `extra-${i}`, Protocol: 'HTTP', Port: 8080, VpcId: vpcId }),
    );
    arns.push(out.TargetGroups?.[0]?.TargetGroupArn as string);
  }
  return arns;
}

/** A rule on `path` at `priority` with `actions`. */
export async function createRule(
  client: ElasticLoadBalancingV2Client,
  listenerArn: string,
  priority: number,
  actions: Action[],
  path = `/p${priority}/*`,
): Promise<string> {
  const out = await client.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: priority,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [path] } }],
      Actions: actions,
    }),
  );
  return out.Rules?.[0]?.RuleArn as string;
}
