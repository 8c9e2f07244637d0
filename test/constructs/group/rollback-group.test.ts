/**
 * RollbackGroup: the coordinator (the watchdog bundle's `groupHandler`, its least-privilege role, log
 * group, queue, topic), its configuration in the store as lib's schema reads it, and the watchdogs of
 * its stack made members (their configuration names the coordinator, which they may invoke).
 */
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import {
  MemberRollbackPolicy,
  RollbackGroup,
  RollbackOrder,
  SwitchbackChecks,
  VersionedArtifactStore,
  type RollbackGroupProps,
} from '../../../index';
import { groupConfigSchema, parseContract, parseWatchdogConfig } from '../../../lib';
import { dependencyGraph, findCycle } from '../../support/graph';
import {
  blockAt,
  blocksOfType,
  refTo,
  synthStack,
  watchdogConfigOf,
  type SynthesizedStack,
} from '../../support/synth';
import { KMS_KEY_ARN } from '../fixtures';
import { groupFixture, REMOTE_WATCHDOG_ARN, remoteWatchdog } from './fixtures';

type Statement = { sid: string; actions: string[]; resources: string[]; condition?: unknown[] };
const coordinatorStatements = (json: SynthesizedStack) =>
  blockAt(json, 'aws_iam_policy_document', 'Group/CoordinatorPermissions', 'data').statement as Statement[];
const referencesLetThrough = { isUnresolved: (value: string | number) => String(value).includes('${') };

/** api calls worker; worker calls ledger (a watchdog in another region, may not revert alone). */
function build(props: Partial<RollbackGroupProps> = {}) {
  const fixture = groupFixture();
  const { stack, store, api, worker } = fixture;
  const group = new RollbackGroup(stack, 'Group', {
    groupName: 'shop',
    store,
    members: [
      { watchdog: api, dependsOn: ['worker'] },
      { watchdog: worker, dependsOn: ['ledger'] },
      { watchdog: remoteWatchdog(stack), mayRevertAlone: false },
    ],
    ...props,
  });
  return { ...fixture, group, json: synthStack(stack) };
}

describe('RollbackGroup coordinator', () => {
  it('runs the watchdog bundle’s groupHandler on nodejs22.x, arm64, one decision at a time, configured by its key', () => {
    const { json } = build();

    expect(blockAt(json, 'aws_lambda_function', 'Group/CoordinatorFunction')).toEqual(
      expect.objectContaining({
        function_name: 'switchback-group-shop',
        runtime: 'nodejs22.x',
        handler: 'index.groupHandler',
        architectures: ['arm64'],
        timeout: 900,
        reserved_concurrent_executions: 1,
        role: refTo(json, 'aws_iam_role', 'Group/CoordinatorRole', 'arn'),
        environment: {
          variables: {
            SWITCHBACK_GROUP_CONFIG_BUCKET: refTo(json, 'aws_s3_bucket', 'GroupStore/Bucket', 'bucket'),
            SWITCHBACK_GROUP_CONFIG_KEY: 'config/groups/shop/coordinator.json',
          },
        },
        logging_config: {
          log_format: 'JSON',
          log_group: refTo(json, 'aws_cloudwatch_log_group', 'Group/LogGroup', 'name'),
        },
        tracing_config: { mode: 'Active' },
      }),
    );
    // The same archive as the watchdogs: one bundle per stack.
    const archives = new Set(blocksOfType(json, 'aws_lambda_function').map(([, fn]) => fn.filename));
    expect(archives.size).toBe(1);
    expect(RollbackGroup.coordinatorFunctionName('shop')).toBe('switchback-group-shop');
  });

  it('keeps its logs a year, its failed reports in an encrypted queue, and notifies on an encrypted topic', () => {
    const { json } = build();

    expect(blockAt(json, 'aws_cloudwatch_log_group', 'Group/LogGroup')).toEqual(
      expect.objectContaining({ name: '/aws/lambda/switchback-group-shop', retention_in_days: 365 }),
    );
    expect(blockAt(json, 'aws_sqs_queue', 'Group/DeadLetterQueue')).toEqual(
      expect.objectContaining({ name: 'switchback-group-shop-failed', sqs_managed_sse_enabled: true }),
    );
    expect(blockAt(json, 'aws_lambda_function_event_invoke_config', 'Group/AsyncInvokeConfig')).toEqual(
      expect.objectContaining({
        maximum_retry_attempts: 2,
        destination_config: {
          on_failure: { destination: refTo(json, 'aws_sqs_queue', 'Group/DeadLetterQueue', 'arn') },
        },
      }),
    );
    expect(blockAt(json, 'aws_sns_topic', 'Group/NotificationTopic')).toEqual(
      expect.objectContaining({
        name: 'switchback-group-shop-notifications',
        kms_master_key_id: 'alias/aws/sns',
      }),
    );
  });

  it('is allowed its config key, its records, the members’ watchdogs and its topic, queue, logs and traces only', () => {
    const { json } = build();

    const statements = coordinatorStatements(json);
    const bucket = refTo(json, 'aws_s3_bucket', 'GroupStore/Bucket', 'arn');
    expect(statements.map((s) => s.sid)).toEqual([
      'WriteOwnLogs',
      'StoreReadConfig',
      'StoreConfigKey',
      'StoreRecordsWriteObjects',
      'StoreRecordsStoreKey',
      'StoreRecordsReadReadObjects',
      'StoreRecordsReadListPrefix',
      'StoreRecordsReadStoreKey',
      'InvokeMemberWatchdogs',
      'Notify',
      'SendFailedEvents',
      'WriteTracesUnscopable',
    ]);
    const byId = new Map(statements.map((s) => [s.sid, s]));
    expect(byId.get('StoreReadConfig')).toEqual(
      expect.objectContaining({
        actions: ['s3:GetObject'],
        resources: [`${bucket}/config/groups/shop/coordinator.json`],
      }),
    );
    expect(byId.get('StoreRecordsWriteObjects')).toEqual(
      expect.objectContaining({ actions: ['s3:PutObject'], resources: [`${bucket}/audit/groups/shop/*`] }),
    );
    expect(byId.get('StoreRecordsReadReadObjects')).toEqual(
      expect.objectContaining({ actions: ['s3:GetObject'], resources: [`${bucket}/audit/groups/shop/*`] }),
    );
    expect(byId.get('StoreRecordsReadListPrefix')).toEqual(
      expect.objectContaining({
        actions: ['s3:ListBucket'],
        condition: [{ test: 'StringLike', variable: 's3:prefix', values: ['audit/groups/shop/*'] }],
      }),
    );
    const invoke = byId.get('InvokeMemberWatchdogs');
    expect(invoke?.actions).toEqual(['lambda:InvokeFunction']);
    expect(invoke?.resources.map((arn) => arn.replace(/\$\{[^}]+\}/g, '<ref>'))).toEqual([
      'arn:<ref>:lambda:<ref>:<ref>:function:switchback-api-watchdog',
      'arn:<ref>:lambda:<ref>:<ref>:function:switchback-worker-watchdog',
      REMOTE_WATCHDOG_ARN,
    ]);
    expect(statements.filter((s) => s.resources.includes('*')).map((s) => s.sid)).toEqual([
      'WriteTracesUnscopable',
    ]);
    // Signing a caller proof needs no permission: STS checks the signature, not a policy.
    expect(statements.flatMap((s) => s.actions).filter((a) => a.startsWith('sts:'))).toEqual([]);
  });

  it('uses the store’s KMS key for its config and records, and a topic given', () => {
    const { stack, api, worker } = groupFixture();
    const store = VersionedArtifactStore.fromArtifactStoreAttributes(stack, 'Imported', {
      serviceName: 'shop',
      bucketName: 'shop-store',
      kmsKeyArn: KMS_KEY_ARN,
    });
    const topic = new SnsTopic(stack, 'Pager', { name: 'pager', kmsMasterKeyId: 'alias/aws/sns' });
    new RollbackGroup(stack, 'Group', {
      groupName: 'shop',
      store,
      notificationTopic: topic,
      members: [{ watchdog: api, dependsOn: ['worker'] }, { watchdog: worker }],
    });
    const json = synthStack(stack);

    const byId = new Map(coordinatorStatements(json).map((s) => [s.sid, s]));
    expect(byId.get('StoreConfigKey')).toEqual(
      expect.objectContaining({ actions: ['kms:Decrypt'], resources: [KMS_KEY_ARN] }),
    );
    expect(byId.get('StoreRecordsStoreKey')).toEqual(
      expect.objectContaining({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [KMS_KEY_ARN] }),
    );
    expect(byId.get('Notify')?.resources).toEqual([refTo(json, 'aws_sns_topic', 'Pager', 'arn')]);
    expect(blocksOfType(json, 'aws_sns_topic').map(([id]) => id)).not.toContain(
      expect.stringMatching(/^Group_/),
    );
  });
});

describe('RollbackGroup configuration', () => {
  it('writes the coordinator’s configuration to config/groups/<group>/coordinator.json, as lib reads it', () => {
    const { json } = build({
      order: RollbackOrder.CALLEES_FIRST,
      onMemberRollback: MemberRollbackPolicy.PAGE,
      freezeMinutes: 120,
    });

    const object = blockAt(json, 'aws_s3_object', 'Group/Configuration');
    expect(object).toEqual(
      expect.objectContaining({
        key: 'config/groups/shop/coordinator.json',
        content: '${jsonencode(local.switchback_group_config_shop)}',
        content_type: 'application/json',
      }),
    );
    const config = parseContract(
      'group config',
      groupConfigSchema(referencesLetThrough),
      JSON.parse(JSON.stringify(json.locals?.switchback_group_config_shop)),
    );
    expect(config).toEqual(
      expect.objectContaining({
        schemaVersion: 1,
        group: 'shop',
        order: 'callees-first',
        onMemberRollback: 'page',
        freezeMinutes: 120,
        notificationTopicArn: refTo(json, 'aws_sns_topic', 'Group/NotificationTopic', 'arn'),
        store: {
          bucket: refTo(json, 'aws_s3_bucket', 'GroupStore/Bucket', 'bucket'),
          kmsKeyArn: refTo(json, 'aws_kms_key', 'GroupStore/Key', 'arn'),
        },
      }),
    );
    expect(
      config.members.map(({ service, dependsOn, mayRevertAlone }) => ({
        service,
        dependsOn,
        mayRevertAlone,
      })),
    ).toEqual([
      { service: 'api', dependsOn: ['worker'], mayRevertAlone: true },
      { service: 'worker', dependsOn: ['ledger'], mayRevertAlone: true },
      { service: 'ledger', dependsOn: [], mayRevertAlone: false },
    ]);
    // A member in another region is invoked by its ARN.
    expect(config.members[2].watchdogFunctionArn).toBe(REMOTE_WATCHDOG_ARN);
  });

  it('defaults to callers first, following, and lib’s freeze', () => {
    const { json } = build();

    const config = parseContract(
      'group config',
      groupConfigSchema(referencesLetThrough),
      JSON.parse(JSON.stringify(json.locals?.switchback_group_config_shop)),
    );
    expect(config).toEqual(
      expect.objectContaining({ order: 'callers-first', onMemberRollback: 'follow', freezeMinutes: 1440 }),
    );
  });
});

describe('RollbackGroup members of its stack', () => {
  it('name the coordinator in their configuration and may invoke it; a member defined elsewhere is left alone', () => {
    const { json, group, api } = build();

    const coordinatorArn = refTo(json, 'aws_lambda_function', 'Group/CoordinatorFunction', 'arn');
    for (const service of ['api', 'worker']) {
      const config = parseWatchdogConfig(
        JSON.parse(JSON.stringify(watchdogConfigOf(json, `Watchdog-${service}/Configuration`, service))),
        referencesLetThrough,
      );
      expect(config.group).toEqual({ name: 'shop', coordinatorFunctionArn: coordinatorArn });
      const statements = blockAt(json, 'aws_iam_policy_document', `Watchdog-${service}/Permissions`, 'data')
        .statement as Statement[];
      expect(statements.find((s) => s.sid === 'ReportToRollbackGroup')).toEqual(
        expect.objectContaining({ actions: ['lambda:InvokeFunction'], resources: [coordinatorArn] }),
      );
    }
    expect(api.groupMembership?.groupName).toBe('shop');
    expect(group.groupName).toBe('shop');
  });

  it('leaves no dependency cycle: the coordinator names its members’ watchdogs by name, not by reference', () => {
    const { json } = build();

    expect(findCycle(dependencyGraph(json))).toBeUndefined();
  });

  it('raises no finding of the policy checks', () => {
    const { stack, store, api, worker } = groupFixture();
    const checks = SwitchbackChecks.applyTo(stack);
    new RollbackGroup(stack, 'Group', {
      groupName: 'shop',
      store,
      members: [{ watchdog: api, dependsOn: ['worker'] }, { watchdog: worker }],
    });
    synthStack(stack);

    expect(
      checks.findings
        .filter((finding) => finding.suppressedBecause === undefined)
        .map((finding) => `${finding.ruleId} ${finding.constructPath}: ${finding.detail}`),
    ).toEqual([]);
  });
});
