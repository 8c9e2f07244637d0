import { Fn, type TerraformStack } from 'cdktf';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  BlueGreenListener,
  ListenerRole,
  RollbackWatchdog,
  VersionedArtifactStore,
  WatchdogArchitecture,
  type RollbackWatchdogProps,
} from '../../index';
import { SwitchbackValidationError } from '../../constructs/internal/validation';
import { parseWatchdogConfig } from '../../lib';
import { watchdogBundleDirectory } from '../../constructs/internal/watchdog-bundle';
import { dependencyGraph, dependsOn, findCycle } from '../support/graph';
import {
  blockAt,
  blocksOfType,
  newStack,
  refTo,
  synthStack,
  watchdogConfigOf,
  type SynthesizedStack,
} from '../support/synth';
import { LOAD_BALANCER_ARN, VPC_ID } from './fixtures';

const ALARM = {
  name: 'checkout-rollback',
  arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-rollback',
};
const OPERATOR = 'arn:aws:iam::123456789012:role/on-call';

interface Built {
  readonly json: SynthesizedStack;
  readonly watchdog: RollbackWatchdog;
  readonly listener: BlueGreenListener;
  readonly stack: TerraformStack;
}

function build(props: Partial<RollbackWatchdogProps> = {}, listenerProps = {}): Built {
  const { stack } = newStack();
  const store = new VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout' });
  const listener = new BlueGreenListener(stack, 'BlueGreen', {
    serviceName: 'checkout',
    loadBalancerArn: LOAD_BALANCER_ARN,
    vpcId: VPC_ID,
    rules: [{ priority: 10, pathPatterns: ['/api/*'] }],
    testListener: {},
    ...listenerProps,
  });
  const watchdog = new RollbackWatchdog(stack, 'Watchdog', {
    store,
    releaseId: 'r42',
    listeners: [listener],
    alarms: [ALARM],
    ...props,
  });
  return { json: synthStack(stack), watchdog, listener, stack };
}

type Statement = { sid: string; actions: string[]; resources: string[]; condition?: unknown[] };
const statements = (json: SynthesizedStack) =>
  blockAt(json, 'aws_iam_policy_document', 'Watchdog/Permissions', 'data').statement as Statement[];

describe('RollbackWatchdog function', () => {
  it('runs the built bundle on nodejs22.x, arm64, one at a time, configured by the store location only', () => {
    const { json } = build();

    const fn = blockAt(json, 'aws_lambda_function', 'Watchdog/Function');
    expect(fn).toEqual(
      expect.objectContaining({
        function_name: 'switchback-checkout-watchdog',
        runtime: 'nodejs22.x',
        handler: 'index.handler',
        architectures: ['arm64'],
        memory_size: 256,
        timeout: 90,
        reserved_concurrent_executions: 1,
        role: refTo(json, 'aws_iam_role', 'Watchdog/Role', 'arn'),
        environment: {
          variables: {
            SWITCHBACK_CONFIG_BUCKET: refTo(json, 'aws_s3_bucket', 'Store/Bucket', 'bucket'),
            SWITCHBACK_CONFIG_KEY: 'config/checkout/watchdog.json',
          },
        },
        logging_config: {
          log_format: 'JSON',
          log_group: refTo(json, 'aws_cloudwatch_log_group', 'Watchdog/LogGroup', 'name'),
        },
        tracing_config: { mode: 'Active' },
      }),
    );
    expect(fn.filename).toMatch(/^assets\/.*\.zip$/);
    expect(fn.source_code_hash).toEqual(expect.any(String));
  });

  it('runs on x86_64 when asked, the prober too', () => {
    const { json } = build({
      architecture: WatchdogArchitecture.X86_64,
      healthPing: { urls: ['https://checkout.example.com/healthz'] },
    });

    expect(blockAt(json, 'aws_lambda_function', 'Watchdog/Function').architectures).toEqual(['x86_64']);
    expect(blockAt(json, 'aws_lambda_function', 'Watchdog/HealthPingFunction').architectures).toEqual([
      'x86_64',
    ]);
  });

  it('packages a bundle that exists and was built before synth', () => {
    const dir = watchdogBundleDirectory();

    expect(existsSync(join(dir, 'index.js'))).toBe(true);
    expect(existsSync(join(dir, 'index.js.map'))).toBe(true);
  });

  it('retries asynchronous events twice, drops old ones, and sends failures to an encrypted queue', () => {
    const { json } = build({ maxEventAgeSeconds: 300 });

    expect(blockAt(json, 'aws_lambda_function_event_invoke_config', 'Watchdog/AsyncInvokeConfig')).toEqual(
      expect.objectContaining({
        maximum_retry_attempts: 2,
        maximum_event_age_in_seconds: 300,
        destination_config: {
          on_failure: { destination: refTo(json, 'aws_sqs_queue', 'Watchdog/DeadLetterQueue', 'arn') },
        },
      }),
    );
    expect(blockAt(json, 'aws_sqs_queue', 'Watchdog/DeadLetterQueue')).toEqual(
      expect.objectContaining({ sqs_managed_sse_enabled: true }),
    );
    expect(blockAt(json, 'aws_sns_topic', 'Watchdog/NotificationTopic')).toEqual(
      expect.objectContaining({ kms_master_key_id: 'alias/aws/sns' }),
    );
    expect(blockAt(json, 'aws_cloudwatch_log_group', 'Watchdog/LogGroup')).toEqual(
      expect.objectContaining({ name: '/aws/lambda/switchback-checkout-watchdog', retention_in_days: 365 }),
    );
  });

  it('runs the watchdog every minute with a tick event (level-triggered re-evaluation), unless turned off', () => {
    const { json } = build();
    expect(blockAt(json, 'aws_cloudwatch_event_rule', 'Watchdog/TickSchedule')).toEqual(
      expect.objectContaining({
        name: 'switchback-checkout-watchdog-tick',
        schedule_expression: 'rate(1 minute)',
      }),
    );
    expect(blockAt(json, 'aws_cloudwatch_event_target', 'Watchdog/TickTarget')).toEqual(
      expect.objectContaining({
        arn: refTo(json, 'aws_lambda_function', 'Watchdog/Function', 'arn'),
        input: JSON.stringify({ action: 'tick' }),
        // A missed tick is superseded by the next one.
        retry_policy: { maximum_event_age_in_seconds: 60, maximum_retry_attempts: 0 },
      }),
    );
    expect(blockAt(json, 'aws_lambda_permission', 'Watchdog/TickPermission')).toEqual(
      expect.objectContaining({
        principal: 'events.amazonaws.com',
        source_arn: refTo(json, 'aws_cloudwatch_event_rule', 'Watchdog/TickSchedule', 'arn'),
      }),
    );

    const off = build({ scheduleTick: false }).json;
    const ruleNames = blocksOfType(off, 'aws_cloudwatch_event_rule').map(([, block]) => block.name);
    expect(ruleNames).not.toContain('switchback-checkout-watchdog-tick');
    expect(ruleNames.length).toBeGreaterThan(0);
  });

  it('writes a valid configuration that names listeners by load balancer and port', () => {
    const { json, watchdog, listener } = build();

    const object = blockAt(json, 'aws_s3_object', 'Watchdog/Configuration');
    expect(object).toEqual(
      expect.objectContaining({ key: 'config/checkout/watchdog.json', content_type: 'application/json' }),
    );
    const config = watchdogConfigOf(json, 'Watchdog/Configuration', 'checkout');
    expect(config.listeners).toEqual([
      expect.objectContaining({ loadBalancerArn: LOAD_BALANCER_ARN, port: 80 }),
      expect.objectContaining({ loadBalancerArn: LOAD_BALANCER_ARN, port: 8080 }),
    ]);
    expect((config.listeners as { targetGroupNames: { blue: string } }[])[0].targetGroupNames.blue).toBe(
      listener.blueTargetGroupName,
    );
    expect(JSON.stringify(config)).not.toMatch(/aws_lb_listener|aws_lb_target_group\./);
    // What the watchdog will load: the same document, with lib's defaults filled in.
    expect(
      parseWatchdogConfig(config, { isUnresolved: (v) => typeof v === 'string' && v.includes('${') }).policy,
    ).toEqual(expect.objectContaining({ evaluationWindowMinutes: 60, lockTtlSeconds: 120 }));
    expect(watchdog.serviceName).toBe('checkout');
    expect(() =>
      parseWatchdogConfig({
        schemaVersion: 1,
        service: 'checkout',
        store: { bucket: 'checkout-store' },
        listeners: listener.protectedListeners,
        alarms: [ALARM],
      }),
    ).not.toThrow();
  });
});

describe('RollbackWatchdog permissions', () => {
  it('grants exactly what the engine uses, scoped by ARN, with * only where AWS cannot scope', () => {
    const { json } = build({
      aliases: [{ functionName: 'checkout-api', aliasName: 'live' }],
      parameterNames: ['/checkout/flags'],
      artifactKeys: ['artifacts/checkout/app.zip'],
    });

    const all = statements(json);
    expect(all.map((s) => s.sid)).toEqual([
      'WriteOwnLogs',
      'DescribeLoadBalancingUnscopable',
      'RestoreListenerActions',
      'NeverChangeListenerProtocol',
      'NeverChangeListenerTlsPolicy',
      'RestoreRuleActions',
      'ReadProtectedAlarms',
      'RestoreAliases',
      'RestoreParameters',
      'StoreConfigReadObjects',
      'StoreConfigListPrefix',
      'StoreConfigStoreKey',
      'StoreManifestsReadObjectVersions',
      'StoreManifestsListPrefixVersions',
      'StoreManifestsStoreKey',
      'StoreManifestsWriteWriteObjects',
      'StoreManifestsWriteStoreKey',
      'StoreAuditReadObjects',
      'StoreAuditListPrefix',
      'StoreAuditStoreKey',
      'StoreAuditWriteWriteObjects',
      'StoreAuditWriteStoreKey',
      'StoreArtifacts1ReadObjectVersions',
      'StoreArtifacts1ListPrefixVersions',
      'StoreArtifacts1StoreKey',
      'StoreArtifactsWrite1WriteObjects',
      'StoreArtifactsWrite1StoreKey',
      'StoreWithdrawAcknowledgements',
      'Notify',
      'SendFailedEvents',
      'WriteTracesUnscopable',
    ]);
    expect(new Set(all.map((s) => s.sid)).size).toBe(all.length);
    const wildcard = all.filter((s) => s.resources.includes('*')).map((s) => s.sid);
    expect(wildcard).toEqual(['DescribeLoadBalancingUnscopable', 'WriteTracesUnscopable']);
    expect(all.flatMap((s) => s.actions).some((a) => a.endsWith(':*') || a === '*')).toBe(false);
  });

  it('limits listener and rule changes to the protected load balancer’s listeners, and denies protocol or TLS changes', () => {
    const { json } = build();

    const byId = new Map(statements(json).map((s) => [s.sid, s]));
    const listeners = [
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/*',
    ];
    expect(byId.get('RestoreListenerActions')).toEqual(
      expect.objectContaining({
        effect: 'Allow',
        actions: ['elasticloadbalancing:ModifyListener'],
        resources: listeners,
      }),
    );
    expect(byId.get('RestoreListenerActions')).not.toHaveProperty('condition');
    for (const [sid, key] of [
      ['NeverChangeListenerProtocol', 'elasticloadbalancing:ListenerProtocol'],
      ['NeverChangeListenerTlsPolicy', 'elasticloadbalancing:SecurityPolicy'],
    ]) {
      expect(byId.get(sid)).toEqual(
        expect.objectContaining({
          effect: 'Deny',
          actions: ['elasticloadbalancing:ModifyListener'],
          resources: listeners,
          condition: [{ test: 'Null', variable: key, values: ['false'] }],
        }),
      );
    }
    expect(byId.get('RestoreRuleActions')?.resources).toEqual([
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/50dc6c495c0c9188/*',
    ]);
    const partition = refTo(json, 'aws_partition', 'Watchdog/Partition', 'partition', 'data');
    const region = refTo(json, 'aws_region', 'Watchdog/Region', 'region', 'data');
    const account = refTo(json, 'aws_caller_identity', 'Watchdog/Account', 'account_id', 'data');
    expect(byId.get('ReadProtectedAlarms')?.resources).toEqual([
      `arn:${partition}:cloudwatch:${region}:${account}:alarm:checkout-rollback`,
    ]);
    expect(byId.get('DescribeLoadBalancingUnscopable')?.actions).toEqual([
      'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeRules',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeTargetHealth',
    ]);
  });

  it('has Terraform check a region or URL known only at apply before it writes the configuration', () => {
    const { json } = build({
      serviceRegion: Fn.lower('US-EAST-1'),
      healthPing: { urls: [Fn.lower('HTTPS://SHOP.EXAMPLE.COM/health'), 'https://shop.example.com/ready'] },
    });

    const config = blockAt(json, 'aws_s3_object', 'Watchdog/Configuration');
    expect(config.lifecycle).toEqual({
      precondition: [
        {
          condition: '${can(regex("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$", lower("US-EAST-1")))}',
          error_message: 'test/Watchdog: serviceRegion must be an AWS region such as us-east-1.',
        },
        {
          condition: '${can(regex("^https?://[^/ ]+", lower("HTTPS://SHOP.EXAMPLE.COM/health")))}',
          error_message: 'test/Watchdog: healthPing.urls must be http(s) URLs.',
        },
      ],
    });
  });

  it('adds no precondition when every value is known at synth', () => {
    const { json } = build({ serviceRegion: 'us-west-2' });

    expect(blockAt(json, 'aws_s3_object', 'Watchdog/Configuration')).not.toHaveProperty('lifecycle');
  });

  it('names each load balancer once, also when its ARN is a Terraform reference', () => {
    // Production and test listener share the load balancer; a reference must not be swapped twice.
    const { json } = build({}, { loadBalancerArn: Fn.lower(LOAD_BALANCER_ARN) });

    const byId = new Map(statements(json).map((s) => [s.sid, s]));
    expect(byId.get('RestoreListenerActions')?.resources).toHaveLength(1);
    expect(byId.get('RestoreListenerActions')?.resources[0]).toMatch(
      /^\$\{replace\(lower\(.*:listener\/.*\}\/\*$/,
    );
    expect(byId.get('RestoreRuleActions')?.resources).toHaveLength(1);
  });

  it('scopes aliases, parameters and artifacts to the named ones', () => {
    const { json } = build({
      aliases: [{ functionName: 'checkout-api', aliasName: 'live' }],
      parameterNames: ['/checkout/flags'],
      artifactKeys: ['artifacts/checkout/app.zip'],
    });

    const byId = new Map(statements(json).map((s) => [s.sid, s]));
    const partition = refTo(json, 'aws_partition', 'Watchdog/Partition', 'partition', 'data');
    const region = refTo(json, 'aws_region', 'Watchdog/Region', 'region', 'data');
    const account = refTo(json, 'aws_caller_identity', 'Watchdog/Account', 'account_id', 'data');
    expect(byId.get('RestoreAliases')?.resources).toEqual([
      `arn:${partition}:lambda:${region}:${account}:function:checkout-api`,
      `arn:${partition}:lambda:${region}:${account}:function:checkout-api:live`,
    ]);
    expect(byId.get('RestoreParameters')?.resources).toEqual([
      `arn:${partition}:ssm:${region}:${account}:parameter/checkout/flags`,
    ]);
    expect(byId.get('StoreArtifactsWrite1WriteObjects')?.resources).toEqual([
      `${refTo(json, 'aws_s3_bucket', 'Store/Bucket', 'arn')}/artifacts/checkout/*`,
    ]);
    expect(byId.get('StoreWithdrawAcknowledgements')).toEqual(
      expect.objectContaining({
        actions: ['s3:DeleteObject'],
        resources: [`${refTo(json, 'aws_s3_bucket', 'Store/Bucket', 'arn')}/audit/checkout/holds/*`],
      }),
    );
    expect(byId.get('StoreAuditWriteWriteObjects')?.resources).toEqual([
      `${refTo(json, 'aws_s3_bucket', 'Store/Bucket', 'arn')}/audit/checkout/*`,
    ]);
  });

  it('lets SecureString parameters under a customer key be read and written, through SSM only', () => {
    const key = 'arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
    const { json } = build({ parameterNames: ['/checkout/secret'], parameterKmsKeyArns: [key] });

    const region = refTo(json, 'aws_region', 'Watchdog/Region', 'region', 'data');
    expect(statements(json).find((s) => s.sid === 'SecureParametersThroughSsmOnly')).toEqual(
      expect.objectContaining({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [key],
        condition: [
          { test: 'StringEquals', variable: 'kms:ViaService', values: [`ssm.${region}.amazonaws.com`] },
        ],
      }),
    );
  });

  it('lets the watchdog pass the backup role to AWS Backup only', () => {
    const { json } = build({
      backup: {
        vaultName: 'checkout-vault',
        roleArn: 'arn:aws:iam::123456789012:role/backup',
        resourceArns: ['arn:aws:rds:us-east-1:123456789012:db:orders'],
      },
    });

    const byId = new Map(statements(json).map((s) => [s.sid, s]));
    expect(byId.get('StartReleaseBackups')?.actions).toEqual(['backup:StartBackupJob']);
    expect(byId.get('PassBackupRoleToBackupOnly')).toEqual(
      expect.objectContaining({
        actions: ['iam:PassRole'],
        resources: ['arn:aws:iam::123456789012:role/backup'],
        condition: [
          { test: 'StringEquals', variable: 'iam:PassedToService', values: ['backup.amazonaws.com'] },
        ],
      }),
    );
  });

  it('is assumed by Lambda only', () => {
    const { json } = build();

    expect(blockAt(json, 'aws_iam_policy_document', 'Watchdog/TrustPolicy', 'data').statement).toEqual([
      expect.objectContaining({
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }],
      }),
    ]);
  });
});

describe('RollbackWatchdog triggers', () => {
  it('lets each protected alarm invoke it directly, scoped by the alarm’s ARN', () => {
    const { json } = build();

    const permissions = blocksOfType(json, 'aws_lambda_permission').filter(
      ([, p]) => p.principal === 'lambda.alarms.cloudwatch.amazonaws.com',
    );
    expect(permissions).toEqual([
      [
        expect.stringMatching(/^Watchdog_AlarmActionPermission-checkout-rollback-[0-9a-f]{8}_[0-9A-F]{8}$/),
        expect.objectContaining({
          statement_id: expect.stringMatching(/^switchback-alarm-checkout-rollback-[0-9a-f]{8}$/),
          source_arn: ALARM.arn,
          action: 'lambda:InvokeFunction',
          // Replaced (a new statement id) without a moment in which the alarm is refused.
          lifecycle: { create_before_destroy: true },
        }),
      ],
    ]);
  });

  it('keys the resources of alarms, topics and operators by what names them, so reordering replaces nothing', () => {
    const other = {
      name: 'checkout-latency',
      arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-latency',
    };
    const topics = [
      'arn:aws:sns:eu-west-1:123456789012:checkout-alarms',
      'arn:aws:sns:eu-west-1:123456789012:checkout-pages',
    ];
    const roles = [OPERATOR, 'arn:aws:iam::123456789012:role/release-manager'];
    const addresses = (json: SynthesizedStack) =>
      Object.fromEntries(
        ['aws_lambda_permission', 'aws_sns_topic_subscription'].flatMap((type) => blocksOfType(json, type)),
      );
    const forward = build({ alarms: [ALARM, other], alarmTopicArns: topics, operatorRoleArns: roles }).json;
    const reversed = build({
      alarms: [other, ALARM],
      alarmTopicArns: [...topics].reverse(),
      operatorRoleArns: [...roles].reverse(),
    }).json;

    // Two alarms, two topics (a subscription and a permission each), two operators, the two rules.
    expect(Object.keys(addresses(forward))).toHaveLength(2 + 2 * 2 + 2 + 2);
    expect(addresses(reversed)).toEqual(addresses(forward));
  });

  it('moves the resources that 0.1.0 keyed by list position to their new addresses', () => {
    const { json } = build({
      alarmTopicArns: ['arn:aws:sns:eu-west-1:123456789012:checkout-alarms'],
      operatorRoleArns: [OPERATOR],
    });
    const moved = (json as { moved?: { from: string; to: string }[] }).moved ?? [];
    const addressOf = (type: string, pattern: RegExp) => {
      const ids = blocksOfType(json, type)
        .map(([id]) => id)
        .filter((id) => pattern.test(id));
      expect(ids).toHaveLength(1);
      return `${type}.${ids[0]}`;
    };

    expect(moved).toEqual(
      expect.arrayContaining(
        (
          [
            ['aws_lambda_permission', 'AlarmActionPermission'],
            ['aws_sns_topic_subscription', 'AlarmTopicSubscription'],
            ['aws_lambda_permission', 'AlarmTopicPermission'],
            ['aws_lambda_permission', 'OperatorPermission'],
          ] as const
        ).map(([type, kind]) => ({
          from: expect.stringMatching(new RegExp(`^${type}\\.Watchdog_${kind}1_[0-9A-F]{8}$`)),
          to: addressOf(type, new RegExp(`^Watchdog_${kind}-`)),
        })),
      ),
    );
    expect(moved).toHaveLength(4);
  });

  it('refuses the same alarm twice, naming the second', () => {
    expect(() => build({ alarms: [ALARM, ALARM] })).toThrow(
      "test/Watchdog: invalid prop 'alarms[1]': is given twice; each member may appear once.",
    );
  });

  it('adds an EventBridge rule on the alarms entering ALARM, with retries and a dead-letter queue', () => {
    const { json } = build();
    const long = build({ serviceName: 'a-service-name-long-enough-to-overflow' }).json;

    expect(
      (blockAt(long, 'aws_cloudwatch_event_rule', 'Watchdog/AlarmStateChangeRule').name as string).length,
    ).toBeLessThanOrEqual(64);

    const rule = blockAt(json, 'aws_cloudwatch_event_rule', 'Watchdog/AlarmStateChangeRule');
    expect(JSON.parse(rule.event_pattern as string)).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      resources: [ALARM.arn],
      detail: { state: { value: ['ALARM'] } },
    });
    expect(blockAt(json, 'aws_cloudwatch_event_target', 'Watchdog/AlarmStateChangeTarget')).toEqual(
      expect.objectContaining({
        arn: refTo(json, 'aws_lambda_function', 'Watchdog/Function', 'arn'),
        retry_policy: { maximum_event_age_in_seconds: 600, maximum_retry_attempts: 185 },
        dead_letter_config: { arn: refTo(json, 'aws_sqs_queue', 'Watchdog/DeadLetterQueue', 'arn') },
      }),
    );
    expect(blockAt(json, 'aws_lambda_permission', 'Watchdog/AlarmStateChangePermission')).toEqual(
      expect.objectContaining({
        principal: 'events.amazonaws.com',
        source_arn: refTo(json, 'aws_cloudwatch_event_rule', 'Watchdog/AlarmStateChangeRule', 'arn'),
      }),
    );
  });

  it('subscribes to alarm topics, runs health pings on a schedule, and lets only the operators invoke it by hand', () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:checkout-alarms';
    const { json } = build({
      alarmTopicArns: [topic],
      healthPing: { urls: ['https://checkout.example.com/healthz'], scheduleMinutes: 2 },
      operatorRoleArns: [OPERATOR],
    });

    expect(blocksOfType(json, 'aws_sns_topic_subscription').map(([, block]) => block)).toEqual([
      expect.objectContaining({
        topic_arn: topic,
        // SNS subscribes only in the topic's region.
        region: 'eu-west-1',
        protocol: 'lambda',
        endpoint: refTo(json, 'aws_lambda_function', 'Watchdog/Function', 'arn'),
      }),
    ]);
    const permissionsOf = (principal: string) =>
      blocksOfType(json, 'aws_lambda_permission')
        .map(([, block]) => block)
        .filter((block) => block.principal === principal);
    expect(permissionsOf('sns.amazonaws.com')).toEqual([expect.objectContaining({ source_arn: topic })]);
    expect(blockAt(json, 'aws_cloudwatch_event_rule', 'Watchdog/HealthPingSchedule')).toEqual(
      expect.objectContaining({
        name: 'switchback-checkout-watchdog-health-ping',
        schedule_expression: 'rate(2 minutes)',
      }),
    );
    // Probing runs in its own function, so it never holds the watchdog's single concurrency slot.
    const prober = blockAt(json, 'aws_lambda_function', 'Watchdog/HealthPingFunction');
    expect(prober).toEqual(
      expect.objectContaining({
        reserved_concurrent_executions: 1,
        timeout: 60,
        environment: {
          variables: expect.objectContaining({
            SWITCHBACK_WATCHDOG_FUNCTION: refTo(
              json,
              'aws_lambda_function',
              'Watchdog/Function',
              'function_name',
            ),
          }),
        },
      }),
    );
    expect(blockAt(json, 'aws_cloudwatch_event_target', 'Watchdog/HealthPingTarget').arn).toBe(
      refTo(json, 'aws_lambda_function', 'Watchdog/HealthPingFunction', 'arn'),
    );
    const proberStatements = blockAt(
      json,
      'aws_iam_policy_document',
      'Watchdog/HealthPingPermissions',
      'data',
    ).statement as Statement[];
    expect(proberStatements.map((s) => s.sid)).toEqual([
      'WriteOwnLogs',
      'StoreConfigReadObjects',
      'StoreConfigListPrefix',
      'StoreConfigStoreKey',
      'HandBreachesToWatchdog',
      'WriteTracesUnscopable',
    ]);
    expect(proberStatements.find((s) => s.sid === 'HandBreachesToWatchdog')?.resources).toEqual([
      refTo(json, 'aws_lambda_function', 'Watchdog/Function', 'arn'),
    ]);
    // One queue policy lets every rule's dead letters in.
    expect(blocksOfType(json, 'aws_sqs_queue_policy')).toHaveLength(1);
    const deadLetters = blockAt(json, 'aws_iam_policy_document', 'Watchdog/DeadLetterPolicyDocument', 'data')
      .statement as Statement[];
    expect(deadLetters[0].condition).toEqual([
      {
        test: 'ArnEquals',
        variable: 'aws:SourceArn',
        values: [
          refTo(json, 'aws_cloudwatch_event_rule', 'Watchdog/AlarmStateChangeRule', 'arn'),
          refTo(json, 'aws_cloudwatch_event_rule', 'Watchdog/TickSchedule', 'arn'),
          refTo(json, 'aws_cloudwatch_event_rule', 'Watchdog/HealthPingSchedule', 'arn'),
        ],
      },
    ]);
    expect(permissionsOf(OPERATOR)).toEqual([
      expect.objectContaining({
        statement_id: expect.stringMatching(/^switchback-operator-on-call-[0-9a-f]{8}$/),
      }),
    ]);
    const principals = blocksOfType(json, 'aws_lambda_permission').map(([, p]) => p.principal);
    expect(principals).not.toContain('*');
  });
});

describe('RollbackWatchdog capture on deploy', () => {
  it('invokes capture keyed on the release id, after its configuration, function and permissions exist', () => {
    const { json } = build();

    const capture = blockAt(json, 'aws_lambda_invocation', 'Watchdog/CaptureOnDeploy');
    expect(JSON.parse(capture.input as string)).toEqual({ action: 'capture', releaseId: 'r42' });
    expect(capture.triggers).toEqual({ release_id: 'r42' });
    expect(capture.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_s3_object\.Watchdog_Configuration_/),
        expect.stringMatching(/^aws_lambda_function\.Watchdog_Function_/),
        expect.stringMatching(/^aws_iam_role_policy\.Watchdog_RolePolicy_/),
        expect.stringMatching(/^aws_lambda_function_event_invoke_config\./),
      ]),
    );
  });

  it('makes every traffic-changing resource wait for the capture, with no dependency cycle', () => {
    const { json } = build();

    const graph = dependencyGraph(json);
    const capture = [...graph.keys()].find((id) => id.startsWith('aws_lambda_invocation.')) as string;
    for (const [id] of blocksOfType(json, 'aws_lb_listener').concat(
      blocksOfType(json, 'aws_lb_listener_rule'),
    )) {
      const node = [...graph.keys()].find((key) => key.endsWith(`.${id}`)) as string;
      expect(dependsOn(graph, node, capture)).toBe(true);
    }
    expect(findCycle(graph)).toBeUndefined();
    // The capture does not depend on what it protects.
    const listener = [...graph.keys()].find((key) => key.includes('ProductionListener')) as string;
    expect(dependsOn(graph, capture, listener)).toBe(false);
  });

  it('can leave the capture to the CLI', () => {
    const { json } = build({ captureOnDeploy: false });

    expect(blocksOfType(json, 'aws_lambda_invocation')).toHaveLength(0);
  });
});

describe('RollbackWatchdog validation', () => {
  const cases: [string, Partial<RollbackWatchdogProps>, string, RegExp][] = [
    [
      'the health-ping schedule is faster than a minute',
      { healthPing: { urls: ['https://x.example.com/h'], scheduleMinutes: 0 } },
      'healthPing.scheduleMinutes',
      /got 0; must be an integer from 1 to 1440 \(EventBridge schedules run at most once a minute\)/,
    ],
    [
      'health pings could never breach within a run',
      { healthPing: { urls: ['https://x.example.com/h'], intervalSeconds: 30, failuresToBreach: 3 } },
      'healthPing.failuresToBreach',
      /3 failed rounds every 30 s take 90 s, longer than the 45 s a probing run lasts/,
    ],
    [
      'a flip could go to an empty group',
      { minHealthyTargets: 0 },
      'minHealthyTargets',
      /got 0; must be a whole number from 1 to 1000 \(never send traffic to an empty group\)/,
    ],
    [
      'the known-good share of the candidate is over 100%',
      { minHealthyPercentOfCandidate: 150 },
      'minHealthyPercentOfCandidate',
      /got 150; must be a whole number from 0 to 100/,
    ],
    [
      'a blocked rollback would page every few seconds',
      { repageMinutes: 0 },
      'repageMinutes',
      /got 0; must be a whole number from 1 to 1440/,
    ],
    [
      'an alias is named by ARN',
      {
        aliases: [{ functionName: 'arn:aws:lambda:us-east-1:123456789012:function:api', aliasName: 'live' }],
      },
      'aliases[0].functionName',
      /must be a function name \(not an ARN\)/,
    ],
    [
      'the health ping has no URL',
      { healthPing: { urls: [] } },
      'healthPing.urls',
      /must name at least one URL to probe/,
    ],
    [
      'the cooldown is negative',
      { cooldownMinutes: -1 },
      'cooldownMinutes',
      /got -1; must be a whole number from 0 to 1440/,
    ],
    [
      'the evaluation window is empty',
      { evaluationWindowMinutes: 0 },
      'evaluationWindowMinutes',
      /from 1 to 10080/,
    ],
    [
      'no automatic rollback is allowed',
      { maxAutomaticRollbacks: 0 },
      'maxAutomaticRollbacks',
      /from 1 to 100\b/,
    ],
    ['the budget window is empty', { budgetWindowMinutes: 0 }, 'budgetWindowMinutes', /from 1 to 10080/],
    [
      'a health-ping round is faster than a second',
      { healthPing: { urls: ['https://x.example.com/h'], intervalSeconds: 0 } },
      'healthPing.intervalSeconds',
      /got 0; must be a whole number from 1 to 60/,
    ],
    [
      'a health-ping timeout is shorter than 100 ms',
      { healthPing: { urls: ['https://x.example.com/h'], timeoutMs: 50 } },
      'healthPing.timeoutMs',
      /got 50; must be a whole number from 100 to 10000/,
    ],
    [
      'release backups would expire at once',
      {
        backup: {
          vaultName: 'v1',
          roleArn: 'arn:aws:iam::123456789012:role/b',
          resourceArns: ['arn:aws:rds:us-east-1:123456789012:db:orders'],
          deleteAfterDays: 0,
        },
      },
      'backup.deleteAfterDays',
      /got 0; must be a whole number from 1 to 36500/,
    ],
    [
      'the service region is not a region',
      { serviceRegion: 'mars-1' },
      'serviceRegion',
      /got 'mars-1'; must be an AWS region/,
    ],
    [
      'a parameter name has a wildcard',
      { parameterNames: ['/checkout/*'] },
      'parameterNames[0]',
      /must be an SSM parameter name/,
    ],
    [
      'the log retention is a number CloudWatch Logs refuses',
      { logRetentionDays: 100 },
      'logRetentionDays',
      /got 100; must be one of the values CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365,/,
    ],
    [
      'the release id has spaces',
      { releaseId: 'release 1' },
      'releaseId',
      /got 'release 1'; must be 1-128 letters/,
    ],
    [
      'an alarm ARN is not an alarm ARN',
      { alarms: [{ name: 'a', arn: 'arn:aws:sns:us-east-1:123456789012:a' }] },
      'alarms[0].arn',
      /must be a CloudWatch alarm ARN/,
    ],
    [
      'the event age is below Lambda’s minimum',
      { maxEventAgeSeconds: 30 },
      'maxEventAgeSeconds',
      /from 60 to 21600/,
    ],
    ['the timeout would outlive the lock lease', { timeoutSeconds: 900 }, 'timeoutSeconds', /from 30 to 870/],
    [
      'an alarm topic is not an SNS topic ARN',
      { alarmTopicArns: ['checkout-alarms'] },
      'alarmTopicArns[0]',
      /got 'checkout-alarms'; must be an SNS topic ARN/,
    ],
    [
      'an operator is not a role',
      { operatorRoleArns: ['arn:aws:iam::123456789012:user/bob'] },
      'operatorRoleArns[0]',
      /must be an IAM role ARN/,
    ],
    [
      'an artifact key’s folder is not one the store grants on',
      { artifactKeys: ['artifacts/check out/app.zip'] },
      'artifactKeys[0]',
      /got 'artifacts\/check out\/'; must be in folders of letters, digits and !_.'\(\)-/,
    ],
    [
      'the architecture is not one Lambda runs',
      { architecture: 'mips' as WatchdogArchitecture },
      'architecture',
      /got 'mips'; must be one of 'arm64', 'x86_64'/,
    ],
    [
      'an artifact key is outside artifacts/',
      { artifactKeys: ['manifests/x.json'] },
      'artifactKeys[0]',
      /under 'artifacts\/'/,
    ],
    [
      'the backup names no resource',
      { backup: { vaultName: 'v1', roleArn: 'arn:aws:iam::123456789012:role/b', resourceArns: [] } },
      'backup.resourceArns',
      /at least one resource/,
    ],
    [
      'a health-ping URL is not http(s)',
      { healthPing: { urls: ['ftp://x.example.com'] } },
      'healthPing.urls[0]',
      /got 'ftp:\/\/x.example.com'; must be an http\(s\) URL/,
    ],
    [
      'two protected listeners share a name',
      {
        // The BlueGreenListener already protects a listener named 'production'.
        protectedListeners: [
          {
            name: 'production',
            role: ListenerRole.PRODUCTION,
            loadBalancerArn: LOAD_BALANCER_ARN,
            port: 8080,
            targetGroupNames: { blue: 'other-blue', green: 'other-green' },
          },
        ],
      },
      'protectedListeners',
      /: listener names must be unique\./,
    ],
    [
      'a policy number is a Terraform reference (the watchdog would check it only after the deploy)',
      { cooldownMinutes: Fn.parseint('5', 10) },
      'cooldownMinutes',
      /must be known at synth, not a Terraform reference: the watchdog checks it against its bounds/,
    ],
    [
      'the function timeout is a Terraform reference (the lock lease is derived from it)',
      { timeoutSeconds: Fn.parseint('90', 10) },
      'timeoutSeconds',
      /must be known at synth/,
    ],
    [
      'the service name is a Terraform reference',
      { serviceName: Fn.lower('checkout') },
      'serviceName',
      /must be known at synth, not a Terraform reference/,
    ],
  ];

  it.each(cases)('fails at synth when %s', (_case, props, prop, message) => {
    let error: unknown;
    try {
      build(props);
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(SwitchbackValidationError);
    expect((error as SwitchbackValidationError).prop).toBe(prop);
    expect((error as Error).message).toContain(`test/Watchdog: invalid prop '${prop}'`);
    expect((error as Error).message).toMatch(message);
  });
});
