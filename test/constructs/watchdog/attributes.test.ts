/**
 * A watchdog defined elsewhere (RollbackWatchdog.fromRollbackWatchdogAttributes), and a watchdog over
 * a store defined elsewhere (VersionedArtifactStore.fromArtifactStoreAttributes).
 */
import { TerraformVariable } from 'cdktf';
import {
  ListenerRole,
  RollbackWatchdog,
  VersionedArtifactStore,
  type IRollbackWatchdog,
  type RollbackWatchdogAttributes,
} from '../../../index';
import { blockAt, newStack, refTo, resolveIn, synthStack } from '../../support/synth';
import { expectValidationError } from '../../support/validation';
import { KMS_KEY_ARN, LOAD_BALANCER_ARN } from '../fixtures';

const ATTRS: RollbackWatchdogAttributes = {
  serviceName: 'checkout',
  functionArn: 'arn:aws:lambda:us-west-2:123456789012:function:switchback-checkout-watchdog',
  functionName: 'switchback-checkout-watchdog',
};

function imported(attrs: Partial<RollbackWatchdogAttributes> = {}): IRollbackWatchdog {
  const { stack } = newStack();
  return RollbackWatchdog.fromRollbackWatchdogAttributes(stack, 'Imported', { ...ATTRS, ...attrs });
}

describe('RollbackWatchdog.fromRollbackWatchdogAttributes', () => {
  it('stands for the watchdog, and defines nothing', () => {
    const { stack } = newStack();
    const watchdog = RollbackWatchdog.fromRollbackWatchdogAttributes(stack, 'Imported', ATTRS);

    expect(watchdog.node.path).toBe('test/Imported');
    expect(watchdog.serviceName).toBe('checkout');
    expect(watchdog.functionArn).toBe(ATTRS.functionArn);
    expect(watchdog.functionName).toBe('switchback-checkout-watchdog');
    expect(synthStack(stack)).not.toHaveProperty('resource');
  });

  it('takes values only Terraform knows', () => {
    const { stack } = newStack();
    const arn = new TerraformVariable(stack, 'watchdog_arn', { type: 'string' });
    const name = new TerraformVariable(stack, 'watchdog_name', { type: 'string' });
    const watchdog = RollbackWatchdog.fromRollbackWatchdogAttributes(stack, 'Imported', {
      serviceName: 'checkout',
      functionArn: arn.stringValue,
      functionName: name.stringValue,
    });

    expect(resolveIn(stack, watchdog.functionArn)).toBe('${var.watchdog_arn}');
  });

  const cases: [string, Partial<RollbackWatchdogAttributes>, string, RegExp][] = [
    [
      'the service name has capitals',
      { serviceName: 'Checkout' },
      'serviceName',
      /got 'Checkout'; must be 1-40 lowercase letters, digits or hyphens/,
    ],
    [
      'the ARN is not a Lambda function’s',
      { functionArn: 'arn:aws:sns:us-west-2:123456789012:switchback-checkout-watchdog' },
      'functionArn',
      /got 'arn:aws:sns:us-west-2:123456789012:switchback-checkout-watchdog'; must be a Lambda function's unqualified ARN/,
    ],
    [
      'the ARN names an alias, which the alarm permission does not cover',
      { functionArn: `${ATTRS.functionArn}:live` },
      'functionArn',
      /no :alias or :version\): the watchdog lets alarms invoke the function itself/,
    ],
    [
      'the function ARN is missing (JavaScript and other languages)',
      { functionArn: undefined },
      'functionArn',
      /is required to use a watchdog defined elsewhere; give functionArn\./,
    ],
    [
      'the function name is an ARN',
      { functionName: ATTRS.functionArn },
      'functionName',
      /must be a Lambda function name: 1-64 letters, digits, hyphens or underscores \(not an ARN\)/,
    ],
    [
      'the function name is longer than 64 characters',
      { functionName: 'f'.repeat(65) },
      'functionName',
      /must be a Lambda function name/,
    ],
    [
      'the function name is not the one the ARN names',
      { functionName: 'another-function' },
      'functionName',
      /got 'another-function'; must be the function functionArn names \('switchback-checkout-watchdog'\)/,
    ],
  ];

  it.each(cases)('fails when %s', (_case, attrs, prop, message) => {
    expectValidationError(() => imported(attrs), 'test/Imported', prop, message);
  });
});

describe('RollbackWatchdog over a store from attributes', () => {
  it('reads and writes the store by its ARN, with its key, and waits for no versioning resource', () => {
    const { stack } = newStack();
    const store = VersionedArtifactStore.fromArtifactStoreAttributes(stack, 'Store', {
      serviceName: 'checkout',
      bucketName: 'checkout-artifacts',
      kmsKeyArn: KMS_KEY_ARN,
    });
    new RollbackWatchdog(stack, 'Watchdog', {
      store,
      releaseId: 'r42',
      protectedListeners: [
        {
          name: 'production',
          role: ListenerRole.PRODUCTION,
          loadBalancerArn: LOAD_BALANCER_ARN,
          port: 443,
          targetGroupNames: { blue: 'checkout-blue', green: 'checkout-green' },
        },
      ],
    });

    const json = synthStack(stack);

    const object = blockAt(json, 'aws_s3_object', 'Watchdog/Configuration');
    expect(object.bucket).toBe('checkout-artifacts');
    expect(object).not.toHaveProperty('depends_on');
    const statements = blockAt(json, 'aws_iam_policy_document', 'Watchdog/Permissions', 'data').statement as {
      sid: string;
      resources: string[];
    }[];
    const partition = refTo(json, 'aws_partition', 'Store/Partition', 'partition', 'data');
    expect(statements.find((s) => s.sid === 'StoreManifestsWriteWriteObjects')?.resources).toEqual([
      `arn:${partition}:s3:::checkout-artifacts/manifests/checkout/*`,
    ]);
    expect(statements.find((s) => s.sid === 'StoreConfigStoreKey')?.resources).toEqual([KMS_KEY_ARN]);
  });
});
