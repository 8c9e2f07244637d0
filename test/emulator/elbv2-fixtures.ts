import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';

/** A blue/green setup: a load balancer, two target groups with a target each, an HTTP listener on blue. */
export interface BlueGreen {
  readonly loadBalancerArn: string;
  readonly blueArn: string;
  readonly greenArn: string;
  readonly listenerArn: string;
}

/** Where the load balancer and target groups are created. */
export interface BlueGreenNetwork {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
}

/** Any ids do for the emulator, which models no network; moto checks that the subnets exist. */
export const EMULATOR_NETWORK: BlueGreenNetwork = { vpcId: 'vpc-1', subnetIds: ['subnet-1', 'subnet-2'] };

/** Creates a blue/green ALB through the SDK (names suffixed so several can coexist). */
export async function createBlueGreen(
  client: ElasticLoadBalancingV2Client,
  suffix = 'a',
  port = 80,
  network: BlueGreenNetwork = EMULATOR_NETWORK,
): Promise<BlueGreen> {
  const lb = await client.send(
    new CreateLoadBalancerCommand({ Name: `lb-${suffix}`, Subnets: [...network.subnetIds] }),
  );
  const tg = async (color: string): Promise<string> => {
    const out = await client.send(
      new CreateTargetGroupCommand({
        Name: `${color}-${suffix}`,
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: network.vpcId,
      }),
    );
    const arn = out.TargetGroups?.[0]?.TargetGroupArn as string;
    await client.send(
      new RegisterTargetsCommand({
        TargetGroupArn: arn,
        Targets: [{ Id: `i-0${color === 'blue' ? 'b' : 'c'}${'0'.repeat(15)}` }],
      }),
    );
    return arn;
  };
  const loadBalancerArn = lb.LoadBalancers?.[0]?.LoadBalancerArn as string;
  const blueArn = await tg('blue');
  const greenArn = await tg('green');
  const listener = await client.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: 'HTTP',
      Port: port,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: blueArn }],
    }),
  );
  return { loadBalancerArn, blueArn, greenArn, listenerArn: listener.Listeners?.[0]?.ListenerArn as string };
}

/** Points the listener at both colors with these weights, as a BlueGreenListener deploy does. */
export async function setForwardWeights(
  client: ElasticLoadBalancingV2Client,
  pair: BlueGreen,
  blue: number,
  green: number,
): Promise<void> {
  await client.send(
    new ModifyListenerCommand({
      ListenerArn: pair.listenerArn,
      DefaultActions: [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: pair.blueArn, Weight: blue },
              { TargetGroupArn: pair.greenArn, Weight: green },
            ],
          },
        },
      ],
    }),
  );
}
