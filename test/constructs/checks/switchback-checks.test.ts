/**
 * The checks as a cdktf Aspect on real stacks: annotations and their levels, what cdktf does with
 * error annotations at synth, suppressions, options, and how the Aspect is applied.
 */
import { BackupPlan } from '@cdktf/provider-aws/lib/backup-plan';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { Aspects, TerraformStack, TerraformVariable, Testing, type App } from 'cdktf';
import { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckSeverity, SwitchbackChecks, VersionedArtifactStore } from '../../../index';
import { ResourceIndex } from '../../../constructs/checks/evaluate';
import { SwitchbackValidationError } from '../../../constructs/internal/validation';
import { ExampleStack, exampleServiceNames } from '../../../examples/service-stack';
import { newStack, synthStack } from '../../support/synth';
import { annotationsOf } from './builders';

/** The annotations cdktf wrote into the manifest of a synthesized app, per stack. */
function manifestAnnotations(
  app: App,
  stackName: string,
): { level: string; message: string; constructPath: string }[] {
  const manifest = JSON.parse(readFileSync(join(app.outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { annotations: { level: string; message: string; constructPath: string }[] }>;
  };
  return manifest.stacks[stackName].annotations;
}

/** An app with one stack, `shop`, with its AWS provider (app.synth() validates providers). */
function appWithStack(): { app: App; stack: TerraformStack } {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'shop');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  return { app, stack };
}

const unencryptedTopic = (scope: Construct, id = 'Topic') => new SnsTopic(scope, id, { name: 'orders' });
const plainHttpListener = (scope: Construct) =>
  new LbListener(scope, 'Listener', {
    loadBalancerArn:
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
    port: 80,
    protocol: 'HTTP',
    defaultAction: [
      { type: 'fixed-response', fixedResponse: { contentType: 'text/plain', statusCode: '404' } },
    ],
  });

describe('SwitchbackChecks on a stack', () => {
  it('annotates each non-compliant resource with [id] reason: detail, at the rule’s level', () => {
    const { stack } = newStack();
    const bucket = new S3Bucket(stack, 'Bucket', { bucket: 'orders-artifacts' });
    const checks = SwitchbackChecks.applyTo(stack);

    synthStack(stack);

    expect(annotationsOf(bucket)).toEqual([
      'ERROR [SWB-S3-1] S3 bucket does not block all public access: no aws_s3_bucket_public_access_block refers to this bucket',
      'WARN [SWB-S3-2] S3 bucket does not declare default encryption: no aws_s3_bucket_server_side_encryption_configuration with an sse_algorithm refers to this bucket',
      'ERROR [SWB-S3-3] S3 bucket does not deny requests without TLS: no aws_s3_bucket_policy refers to this bucket; deny s3:* when aws:SecureTransport is false',
      'WARN [SWB-S3-4] S3 bucket does not have versioning enabled: no aws_s3_bucket_versioning refers to this bucket',
      'WARN [SWB-S3-5] S3 bucket has no lifecycle rule, so old versions and stale uploads are kept forever: no aws_s3_bucket_lifecycle_configuration refers to this bucket',
    ]);
    expect(
      checks.findings.map((finding) => [finding.ruleId, finding.constructPath, finding.address]),
    ).toContainEqual([
      'SWB-S3-1',
      'test/Bucket',
      expect.stringMatching(/^aws_s3_bucket\.Bucket(_[0-9A-F]{8})?$/),
    ]);
  });

  it('judges a bucket together with the resources that refer to it', () => {
    const { stack } = newStack();
    const store = new VersionedArtifactStore(stack, 'Store', { serviceName: 'orders' });
    const checks = SwitchbackChecks.applyTo(stack);

    synthStack(stack);

    expect(checks.findings).toEqual([]);
    expect(annotationsOf(store.bucket)).toEqual([]);
  });

  it('adds each annotation once when the stack is synthesized again', () => {
    const { stack } = newStack();
    const topic = unencryptedTopic(stack);
    SwitchbackChecks.applyTo(stack);

    synthStack(stack);
    synthStack(stack);

    expect(annotationsOf(topic)).toEqual([
      'ERROR [SWB-SNS-1] SNS topic is not encrypted at rest: no kms_master_key_id',
    ]);
  });

  it('leaves the synthesized Terraform JSON unchanged', () => {
    const build = (withChecks: boolean) => {
      const app = Testing.app();
      const stack = new ExampleStack(app, 'switchback-example', {
        serviceNames: exampleServiceNames(1),
        releaseId: 'r1',
      });
      if (withChecks) SwitchbackChecks.applyTo(app);
      return Testing.synth(stack, true);
    };

    expect(build(true)).toEqual(build(false));
  });

  it('reads a JSON.stringify policy whose values are references (cdktf synthesizes them as ${…})', () => {
    const { stack } = newStack();
    const bucket = new S3Bucket(stack, 'Bucket', { bucket: 'orders-artifacts' });
    const statement = (effect: string, action: string, resource: string) => ({
      Effect: effect,
      Action: action,
      Resource: resource,
    });
    const everything = new IamPolicy(stack, 'P1', {
      policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement('Allow', '*', bucket.arn)] }),
    });
    const named = new IamPolicy(stack, 'P2', {
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [statement('Allow', 's3:GetObject', `${bucket.arn}/*`)],
      }),
    });
    new S3BucketPolicy(stack, 'BucketPolicy', {
      bucket: bucket.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ ...statement('Allow', 's3:GetObject', `${bucket.arn}/*`), Principal: { AWS: '*' } }],
      }),
    });
    const checks = SwitchbackChecks.applyTo(stack, { rules: ['SWB-IAM-1', 'SWB-S3-3'] });

    synthStack(stack);

    expect(checks.findings.map((finding) => [finding.ruleId, finding.constructPath, finding.detail])).toEqual(
      [
        [
          'SWB-S3-3',
          'test/Bucket',
          'its bucket policy has no Deny of s3:* when aws:SecureTransport is false',
        ],
        ['SWB-IAM-1', 'test/P1', 'statement 1 allows *'],
      ],
    );
    expect(annotationsOf(named)).toEqual([]);
    expect(annotationsOf(everything)).toEqual([expect.stringMatching(/^ERROR \[SWB-IAM-1\]/)]);
  });

  it('judges a backup plan on an aliased provider in that provider’s region', () => {
    const { stack } = newStack(); // default provider in us-east-1
    const west = new AwsProvider(stack, 'west', { region: 'us-west-2', alias: 'west' });
    const copyTo = (region: string) => [
      {
        ruleName: 'daily',
        targetVaultName: 'orders',
        scheduleExpression: 'cron(0 5 * * ? *)',
        copyAction: [{ destinationVaultArn: `arn:aws:backup:${region}:123456789012:backup-vault:dr` }],
      },
    ];
    new BackupPlan(stack, 'CopiesToItsOwnRegion', {
      provider: west,
      name: 'same',
      rule: copyTo('us-west-2'),
    });
    new BackupPlan(stack, 'CopiesToTheDefaultRegion', {
      provider: west,
      name: 'other',
      rule: copyTo('us-east-1'),
    });
    const checks = SwitchbackChecks.applyTo(stack, { rules: ['SWB-BACKUP-3'] });

    synthStack(stack);

    expect(checks.findings.map((finding) => [finding.constructPath, finding.detail])).toEqual([
      ['test/CopiesToItsOwnRegion', 'every copy_action goes to a vault in us-west-2'],
    ]);
  });

  it('reports in findings what the last synth found: a finding fixed since is gone', () => {
    const { stack } = newStack();
    const topic = unencryptedTopic(stack);
    const checks = SwitchbackChecks.applyTo(stack);
    synthStack(stack);
    expect(checks.findings.map((finding) => finding.ruleId)).toEqual(['SWB-SNS-1']);

    topic.kmsMasterKeyId = 'alias/aws/sns';
    synthStack(stack);

    expect(checks.findings).toEqual([]);
  });

  it('judges values only Terraform knows by what synth can see', () => {
    const { stack } = newStack();
    const policy = new TerraformVariable(stack, 'tls_policy', { type: 'string' });
    new LbListener(stack, 'Https', {
      loadBalancerArn:
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: policy.stringValue,
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
      defaultAction: [
        { type: 'fixed-response', fixedResponse: { contentType: 'text/plain', statusCode: '404' } },
      ],
    });
    const checks = SwitchbackChecks.applyTo(stack);

    synthStack(stack);

    expect(checks.findings).toEqual([]);
  });
});

describe('what cdktf does with the findings at synth', () => {
  const withEnvironment = (name: string, value: string | undefined, run: () => void) => {
    const before = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
    try {
      run();
    } finally {
      if (before === undefined) delete process.env[name];
      else process.env[name] = before;
    }
  };

  it('fails app.synth() on an error finding, naming the construct and the rule', () => {
    withEnvironment('CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS', undefined, () => {
      const { app, stack } = appWithStack();
      unencryptedTopic(stack);
      SwitchbackChecks.applyTo(app);

      expect(() => app.synth()).toThrow(
        /Encountered Annotations with level "ERROR":\n\[shop\/Topic\] \[SWB-SNS-1\] SNS topic is not encrypted at rest/,
      );
    });
  });

  it('lets `cdktf synth` print the findings and fail: with the CLI’s variable set, the manifest holds them', () => {
    // The cdktf CLI runs the app with CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS set, prints every
    // annotation of the manifest, then exits non-zero if one is an error.
    withEnvironment('CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS', 'true', () => {
      const { app, stack } = appWithStack();
      unencryptedTopic(stack);
      plainHttpListener(stack);
      SwitchbackChecks.applyTo(app);

      app.synth();

      expect(manifestAnnotations(app, 'shop')).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            level: '@cdktf/error',
            constructPath: 'shop/Topic',
            message: expect.stringMatching(/^\[SWB-SNS-1\]/),
          }),
          expect.objectContaining({
            level: '@cdktf/warn',
            constructPath: 'shop/Listener',
            message: expect.stringMatching(/^\[SWB-ALB-2\]/),
          }),
        ]),
      );
    });
  });

  it('does not fail app.synth() on warnings', () => {
    withEnvironment('CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS', undefined, () => {
      const { app, stack } = appWithStack();
      plainHttpListener(stack);
      SwitchbackChecks.applyTo(app);

      expect(() => app.synth()).not.toThrow();
      expect(manifestAnnotations(app, 'shop').map((annotation) => annotation.message)).toEqual([
        '[SWB-ALB-2] HTTP listener serves traffic instead of redirecting it to HTTPS: its default action is fixed-response, not a redirect to HTTPS',
      ]);
    });
  });
});

describe('suppressions', () => {
  it('turn a finding of the construct and everything below it into info, with the reason', () => {
    withSynth((stack) => {
      const legacy = new Construct(stack, 'Legacy');
      const topic = unencryptedTopic(legacy);
      SwitchbackChecks.suppress(legacy, [{ id: 'SWB-SNS-1', reason: 'carries only public price updates' }]);
      return () => {
        expect(annotationsOf(topic)).toEqual([
          'INFO [SWB-SNS-1] SNS topic is not encrypted at rest: no kms_master_key_id (suppressed: carries only public price updates)',
        ]);
      };
    });
  });

  it('let an error finding synthesize once suppressed', () => {
    const { app, stack } = appWithStack();
    const topic = unencryptedTopic(stack);
    SwitchbackChecks.suppress(topic, [{ id: 'SWB-SNS-1', reason: 'carries only public price updates' }]);
    const checks = SwitchbackChecks.applyTo(app);

    expect(() => app.synth()).not.toThrow();
    expect(checks.findings).toEqual([
      expect.objectContaining({
        ruleId: 'SWB-SNS-1',
        severity: 'error',
        suppressedBecause: 'carries only public price updates',
      }),
    ]);
  });

  it('cover only the rules they name and the constructs below them', () => {
    withSynth((stack) => {
      const suppressed = unencryptedTopic(stack, 'Suppressed');
      const sibling = unencryptedTopic(stack, 'Sibling');
      SwitchbackChecks.suppress(suppressed, [{ id: 'SWB-SQS-1', reason: 'a suppression of another rule' }]);
      return () => {
        expect(annotationsOf(suppressed)).toEqual([expect.stringMatching(/^ERROR \[SWB-SNS-1\]/)]);
        expect(annotationsOf(sibling)).toEqual([expect.stringMatching(/^ERROR \[SWB-SNS-1\]/)]);
      };
    });
  });

  it.each([
    [
      'no reason',
      { id: 'SWB-SNS-1', reason: '' },
      /suppressions\[0\]\.reason': got ""; say why SWB-SNS-1 does not apply here, in at least 10 characters/,
    ],
    ['a reason of spaces', { id: 'SWB-SNS-1', reason: '           ' }, /suppressions\[0\]\.reason'/],
    ['a too short reason', { id: 'SWB-SNS-1', reason: 'legacy' }, /got "legacy"; say why/],
    [
      'an unknown SWB- rule id',
      { id: 'SWB-SNS-9', reason: 'a good enough reason' },
      /suppressions\[0\]\.id': got "SWB-SNS-9", which is not a Switchback check; use one of SWB-S3-1, .*, or the id of a custom rule \(not starting with 'SWB-'\)/,
    ],
    [
      'no rule id (a JavaScript caller)',
      { id: undefined as unknown as string, reason: 'a good enough reason' },
      /suppressions\[0\]\.id': got undefined, which is not a Switchback check/,
    ],
  ])('are refused with %s', (_case, suppression, message) => {
    const { stack } = newStack();
    const topic = unencryptedTopic(stack);

    expect(() => SwitchbackChecks.suppress(topic, [suppression])).toThrow(SwitchbackValidationError);
    expect(() => SwitchbackChecks.suppress(topic, [suppression])).toThrow(message);
  });

  it('are refused when the list is empty', () => {
    const { stack } = newStack();

    expect(() => SwitchbackChecks.suppress(stack, [])).toThrow(
      /test: invalid prop 'suppressions': got \[\]; give at least one/,
    );
  });
});

describe('options', () => {
  it('run only the rules listed', () => {
    const { stack } = newStack();
    new S3Bucket(stack, 'Bucket', { bucket: 'orders-artifacts' });
    unencryptedTopic(stack);
    const checks = SwitchbackChecks.applyTo(stack, { rules: ['SWB-SNS-1', 'SWB-S3-4'] });

    synthStack(stack);

    expect(checks.findings.map((finding) => finding.ruleId).sort()).toEqual(['SWB-S3-4', 'SWB-SNS-1']);
  });

  it('skip the rules below the minimum severity', () => {
    const { stack } = newStack();
    new S3Bucket(stack, 'Bucket', { bucket: 'orders-artifacts' });
    const checks = SwitchbackChecks.applyTo(stack, { minimumSeverity: CheckSeverity.ERROR });

    synthStack(stack);

    expect(checks.findings.map((finding) => finding.ruleId)).toEqual(['SWB-S3-1', 'SWB-S3-3']);
  });

  it.each([
    [
      { rules: ['SWB-S3-1', 'CKV_AWS_21'] },
      /invalid prop 'rules': got \["CKV_AWS_21"\]; list one or more of SWB-S3-1/,
    ],
    [{ rules: [] }, /invalid prop 'rules': got \[\]; list one or more of/],
    [
      { minimumSeverity: 'fatal' as CheckSeverity },
      /invalid prop 'minimumSeverity': got 'fatal'; use one of error, warning, info/,
    ],
  ])('are refused when wrong: %j', (options, message) => {
    expect(() => new SwitchbackChecks(options)).toThrow(message);
  });
});

describe('applying the checks', () => {
  it('covers every stack of an app with applyTo(app)', () => {
    const app = Testing.app();
    const first = new TerraformStack(app, 'first');
    const second = new TerraformStack(app, 'second');
    unencryptedTopic(first);
    unencryptedTopic(second);
    const checks = SwitchbackChecks.applyTo(app);

    Testing.synth(first);
    Testing.synth(second);

    expect(checks.findings.map((finding) => finding.constructPath)).toEqual(['first/Topic', 'second/Topic']);
  });

  it('is not run by cdktf 0.21 when added to the App itself (so applyTo adds it to each stack)', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'shop');
    unencryptedTopic(stack);
    const checks = new SwitchbackChecks();
    Aspects.of(app).add(checks);

    Testing.synth(stack);

    expect(checks.findings).toEqual([]);
  });

  it('checks only the subtree of a construct inside a stack', () => {
    const { stack } = newStack();
    const team = new Construct(stack, 'Team');
    unencryptedTopic(team, 'Owned');
    unencryptedTopic(stack, 'Elsewhere');
    const checks = SwitchbackChecks.applyTo(team);

    synthStack(stack);

    expect(checks.findings.map((finding) => finding.constructPath)).toEqual(['test/Team/Owned']);
  });

  it('is refused on an app without stacks', () => {
    expect(() => SwitchbackChecks.applyTo(Testing.app())).toThrow(
      /invalid prop 'scope': found no TerraformStack at, under or above it; define the stacks first/,
    );
  });

  it('fails loudly when a rule reads a type it did not declare', () => {
    const index = new ResourceIndex([], { loadedTypes: new Set(['aws_s3_bucket']) });

    expect(() => index.ofType('aws_s3_bucket_policy')).toThrow(
      /read resources of type 'aws_s3_bucket_policy' without listing it in its 'reads'/,
    );
  });
});

/** Builds in a fresh stack with the checks applied, synthesizes, then runs the returned assertions. */
function withSynth(build: (stack: TerraformStack) => () => void): void {
  const { stack } = newStack();
  const assert = build(stack);
  SwitchbackChecks.applyTo(stack);
  synthStack(stack);
  assert();
}
