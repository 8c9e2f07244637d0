import { Testing } from 'cdktf';
import * as entryPoint from '../../index';
import { ExampleStack, exampleServiceNames } from '../../examples/service-stack';
import { ServiceRegionStack, WatchdogRegionStack } from '../../examples/standalone-watchdog';
import { dependencyGraph, findCycle } from '../support/graph';
import { blockAt, blocksOfType, refTo, watchdogConfigOf, type SynthesizedStack } from '../support/synth';

function synthExample(count: number): SynthesizedStack {
  const app = Testing.app();
  const stack = new ExampleStack(app, 'switchback-example', {
    serviceNames: exampleServiceNames(count),
    releaseId: 'r1',
  });
  return JSON.parse(Testing.synth(stack, true)) as SynthesizedStack;
}

describe('example app', () => {
  it('gives each service the whole kit, from variables only, with no dependency cycle', () => {
    const json = synthExample(2);

    expect(blocksOfType(json, 'aws_s3_bucket')).toHaveLength(2);
    expect(blocksOfType(json, 'aws_lb_target_group')).toHaveLength(4);
    expect(blocksOfType(json, 'aws_lb_listener')).toHaveLength(6);
    expect(blocksOfType(json, 'aws_cloudwatch_composite_alarm')).toHaveLength(2);
    expect(blocksOfType(json, 'aws_lambda_function')).toHaveLength(2);
    expect(blocksOfType(json, 'aws_lambda_invocation')).toHaveLength(2);
    expect(Object.keys(json.variable ?? {}).sort()).toEqual([
      'catalog_load_balancer_arn',
      'certificate_arn',
      'checkout_database_arn',
      'checkout_load_balancer_arn',
      'ci_oidc_provider_arn',
      'on_call_role_arn',
      'vpc_id',
    ]);
    expect(blockAt(json, 'aws_lb_listener', 'checkout/Switchback/BlueGreen/ProductionListener')).toEqual(
      expect.objectContaining({
        protocol: 'HTTPS',
        certificate_arn: '${var.certificate_arn}',
        load_balancer_arn: '${var.checkout_load_balancer_arn}',
      }),
    );
    // Keyed by the role (not its place in the list), and moved from where 0.1.0 put it.
    const operator = blocksOfType(json, 'aws_lambda_permission').filter(([id]) =>
      id.startsWith('checkout_Switchback_Watchdog_OperatorPermission-'),
    );
    expect(operator.map(([, p]) => p.principal)).toEqual(['${var.on_call_role_arn}']);
    expect((json as { moved?: unknown[] }).moved).toContainEqual({
      from: 'aws_lambda_permission.checkout_Switchback_Watchdog_OperatorPermission1_E2889EAF',
      to: `aws_lambda_permission.${operator[0][0]}`,
    });
    expect(findCycle(dependencyGraph(json))).toBeUndefined();
  });

  it('backs up the checkout database and its artifact store on one schedule, and the database before each release', () => {
    const json = synthExample(2);

    expect(blocksOfType(json, 'aws_backup_plan')).toHaveLength(1);
    expect(blockAt(json, 'aws_backup_selection', 'checkout/Switchback/Backup/Selection').resources).toEqual([
      '${var.checkout_database_arn}',
      refTo(json, 'aws_s3_bucket', 'checkout/Switchback/ArtifactStore/Bucket', 'arn'),
    ]);
    const config = watchdogConfigOf(json, 'checkout/Switchback/Watchdog/Configuration', 'checkout');
    expect(config.backup).toEqual({
      vaultName: 'checkout-backups',
      roleArn: expect.stringMatching(/^\$\{aws_iam_role\.[^.]+\.arn\}$/),
      resourceArns: ['${var.checkout_database_arn}'],
    });
  });

  it('lets CI write artifacts of its own service only', () => {
    const json = synthExample(2);

    const writes = blocksOfType(json, 'aws_iam_policy_document', 'data').filter(([id]) =>
      id.startsWith('ci_publisher_'),
    );
    expect(writes).toHaveLength(2);
    const resources = writes.map(([, doc]) => (doc.statement as Record<string, unknown>[])[0].resources);
    expect(resources).toEqual(
      expect.arrayContaining([
        [
          `${refTo(json, 'aws_s3_bucket', 'checkout/Switchback/ArtifactStore/Bucket', 'arn')}/artifacts/checkout/*`,
        ],
        [
          `${refTo(json, 'aws_s3_bucket', 'catalog/Switchback/ArtifactStore/Bucket', 'arn')}/artifacts/catalog/*`,
        ],
      ]),
    );
  });

  it('outputs what an operator needs per service', () => {
    const json = synthExample(1);

    expect(
      Object.keys(json.output ?? {})
        .map((name) => name.replace(/_[0-9A-F]{8}$/, ''))
        .sort(),
    ).toEqual([
      'checkout_artifact_bucket',
      'checkout_blue_target_group_arn',
      'checkout_green_target_group_arn',
      'checkout_listener_arn',
      'checkout_rollback_alarm',
      'checkout_watchdog_function',
    ]);
  });

  it("renders the canary share it is given, and the known-good color only at 0 (a service's first release)", () => {
    const weightsAt = (canaryWeightPercent: number) => {
      const app = Testing.app();
      const stack = new ExampleStack(app, 'switchback-example', {
        serviceNames: ['checkout'],
        releaseId: 'r0',
        canaryWeightPercent,
      });
      const json = JSON.parse(Testing.synth(stack, true)) as SynthesizedStack;
      const listener = blockAt(json, 'aws_lb_listener', 'checkout/Switchback/BlueGreen/ProductionListener');
      const [action] = listener.default_action as { forward: { target_group: { weight: number }[] } }[];
      return action.forward.target_group.map((group) => group.weight);
    };

    // The hold decides at plan time (the newest traffic marker of the release, else the declared
    // weights), with or without a canary: blue gets the local's weight, green the rest.
    for (const canary of [0, 25]) {
      expect(weightsAt(canary)).toEqual([
        expect.stringMatching(/^\$\{local\.checkout_Switchback_BlueGreen_BlueWeightPercent_\w+\}$/),
        expect.stringMatching(/^\$\{\(100 - local\.checkout_Switchback_BlueGreen_BlueWeightPercent_\w+\)\}$/),
      ]);
    }
  });

  it('names services checkout, catalog, service-03, ...', () => {
    expect(exampleServiceNames(3)).toEqual(['checkout', 'catalog', 'service-03']);
  });
});

describe('standalone placement example', () => {
  it('puts the watchdog in another region, reached through an SNS topic in the service region', () => {
    const app = Testing.app();
    const service = new ServiceRegionStack(app, 'payments-service', { releaseId: 'r1' });
    const watchdogStack = new WatchdogRegionStack(app, 'payments-watchdog', service, { releaseId: 'r1' });
    const serviceJson = JSON.parse(Testing.synth(service, true)) as SynthesizedStack & {
      provider: { aws: { region: string }[] };
    };
    const watchdogJson = JSON.parse(Testing.synth(watchdogStack, true)) as SynthesizedStack & {
      provider: { aws: { region: string }[] };
    };

    expect(serviceJson.provider.aws[0].region).toBe('us-east-1');
    expect(watchdogJson.provider.aws[0].region).toBe('us-west-2');
    expect(
      blockAt(serviceJson, 'aws_cloudwatch_composite_alarm', 'Alarms/CompositeAlarm').alarm_actions,
    ).toEqual([refTo(serviceJson, 'aws_sns_topic', 'AlarmTopic', 'arn')]);
    // The topic is in the service's region (a cross-stack output): the subscription is made there.
    const [[, subscription]] = blocksOfType(watchdogJson, 'aws_sns_topic_subscription');
    const topic = /^\$\{(.+)\}$/.exec(String(subscription.topic_arn))?.[1];
    expect(topic).toBeDefined();
    expect(subscription).toEqual(
      expect.objectContaining({ protocol: 'lambda', region: `\${element(split(":", ${topic}), 3)}` }),
    );
    const config = watchdogConfigOf(watchdogJson, 'Watchdog/Configuration', 'payments');
    expect(config.region).toBe('us-east-1');
    expect(blocksOfType(watchdogJson, 'aws_lambda_invocation')).toHaveLength(0);
  });
});

describe('library entry point', () => {
  it('exports the constructs, their enums and the policy checks, and no Lambda or contract code', () => {
    // Interfaces and structs are types only; at run time the entry point holds classes and enums.
    expect(Object.keys(entryPoint).sort()).toEqual([
      'ApplicationProtocol',
      'BackupPresets',
      'BackupSchedule',
      'BackupVaultEvent',
      'BackupVaultLockMode',
      'BlueGreenListener',
      'CheckResult',
      'CheckSeverity',
      'CheckStatus',
      'CheckedResourceKind',
      'Color',
      'KillSwitch',
      'KillSwitchKind',
      'KillSwitchMode',
      'KpiComparison',
      'KpiStatistic',
      'ListenerRole',
      'MemberRollbackPolicy',
      'MissingDataTreatment',
      'ObjectLockMode',
      'ReplicationStorageClass',
      'RestoreTestingAlgorithm',
      'RestoreTestingRecoveryPointType',
      'RestoreTestingResourceType',
      'RollbackAlarmKind',
      'RollbackAlarms',
      'RollbackGroup',
      'RollbackOrder',
      'RollbackWatchdog',
      'SmokeCheck',
      'SmokeCheckKind',
      'StoreAccess',
      'StoreEncryption',
      'SwitchbackChecks',
      'SwitchbackService',
      'TargetType',
      'TrafficShifting',
      'VerifiedCallers',
      'VersionedArtifactStore',
      'WatchdogArchitecture',
    ]);
  });
});
