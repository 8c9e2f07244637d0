/**
 * The pure parts of the Terraform harness: how a stack is pointed at moto (the reviewed list of
 * moto's gaps included), where the mirror lays the provider, and what a wrapper module must repeat of
 * the provider's go.mod.
 */
import { forMoto, MOTO_GAPS, type StackJson, withStatePaths } from '../../scripts/verify/moto-patch';
import { goModDirectives, mirrorDirectories } from '../../scripts/verify/toolchain';
import { pinnedMotoVersion } from '../moto/server';

const target = {
  endpoint: 'http://127.0.0.1:5000',
  lambdaEndpoint: 'http://127.0.0.1:6000',
  synthRoot: '/repo',
  stateDir: '/work/state',
};

function stackWithComposite(): StackJson {
  return {
    terraform: { backend: { local: { path: '/repo/terraform.app.tfstate' } } },
    provider: { aws: [{ region: 'us-east-1' }, { alias: 'west', region: 'us-west-2' }] },
    data: {
      terraform_remote_state: {
        other: { backend: 'local', config: { path: '/repo/terraform.other.tfstate' } },
      },
    },
    resource: {
      aws_cloudwatch_composite_alarm: {
        rollback: {
          alarm_name: 'checkout-rollback',
          alarm_rule: 'ALARM("a") OR ALARM("b")',
          alarm_actions: ['${aws_lambda_function.watchdog.arn}'],
          depends_on: ['aws_cloudwatch_metric_alarm.a'],
        },
      },
      aws_cloudwatch_metric_alarm: { a: { alarm_name: 'a' } },
      aws_lambda_permission: {
        alarm: { source_arn: '${aws_cloudwatch_composite_alarm.rollback.arn}' },
      },
      aws_backup_selection: { daily: { name: 'daily' } },
      aws_s3_object: {
        config: {
          content: '${jsonencode({"arn" = aws_cloudwatch_composite_alarm.rollback.arn})}',
          depends_on: ['aws_backup_selection.daily', 'aws_lambda_permission.alarm'],
        },
      },
    },
  };
}

describe('a stack pointed at moto', () => {
  it('puts a metric alarm of the same name in place of a composite alarm, and every reference follows', () => {
    const { stack, report } = forMoto(stackWithComposite(), target);

    expect(stack.resource?.aws_cloudwatch_composite_alarm).toBeUndefined();
    expect(stack.resource?.aws_cloudwatch_metric_alarm?.rollback).toEqual(
      expect.objectContaining({
        alarm_name: 'checkout-rollback',
        alarm_actions: ['${aws_lambda_function.watchdog.arn}'],
        depends_on: ['aws_cloudwatch_metric_alarm.a'],
      }),
    );
    expect(stack.resource?.aws_lambda_permission.alarm.source_arn).toBe(
      '${aws_cloudwatch_metric_alarm.rollback.arn}',
    );
    expect(stack.resource?.aws_s3_object.config.content).toContain(
      'aws_cloudwatch_metric_alarm.rollback.arn',
    );
    expect(report.replaced).toEqual([
      {
        address: 'aws_cloudwatch_composite_alarm.rollback',
        by: 'aws_cloudwatch_metric_alarm.rollback',
        gap: expect.stringContaining('PutCompositeAlarm'),
      },
    ]);
  });

  it('drops a resource moto lacks and the dependencies on it, and reports why', () => {
    const { stack, report } = forMoto(stackWithComposite(), target);

    expect(stack.resource?.aws_backup_selection).toBeUndefined();
    expect(stack.resource?.aws_s3_object.config.depends_on).toEqual(['aws_lambda_permission.alarm']);
    expect(report.dropped).toEqual([
      { address: 'aws_backup_selection.daily', gap: expect.stringContaining('CreateBackupSelection') },
    ]);
  });

  it('applies lifecycle rules without the field moto drops, and drops attachments of policies moto lacks', () => {
    const { stack, report } = forMoto(
      {
        resource: {
          aws_s3_bucket_lifecycle_configuration: {
            keep: {
              rule: [
                {
                  id: 'keep',
                  noncurrent_version_expiration: [{ newer_noncurrent_versions: 10, noncurrent_days: 90 }],
                },
              ],
            },
          },
          aws_iam_role_policy_attachment: {
            restore: { policy_arn: 'arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore' },
            own: { policy_arn: '${aws_iam_policy.own.arn}' },
          },
        },
      },
      target,
    );

    expect(stack.resource?.aws_s3_bucket_lifecycle_configuration.keep.rule).toEqual([
      { id: 'keep', noncurrent_version_expiration: [{ noncurrent_days: 90 }] },
    ]);
    expect(Object.keys(stack.resource?.aws_iam_role_policy_attachment ?? {})).toEqual(['own']);
    expect(report.adjusted.map((item) => item.address)).toEqual([
      'aws_s3_bucket_lifecycle_configuration.keep',
    ]);
    expect(report.dropped.map((item) => item.address)).toEqual(['aws_iam_role_policy_attachment.restore']);
  });

  it('drops a bucket policy made only of transport denies, and only the transport denies of a mixed one', () => {
    const tlsOnly = {
      effect: 'Deny',
      actions: ['s3:*'],
      condition: [{ test: 'NumericLessThan', variable: 's3:TlsVersion', values: ['1.2'] }],
    };
    const plainHttp = {
      effect: 'Deny',
      actions: ['s3:*'],
      condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
    };
    const readers = { effect: 'Allow', actions: ['s3:GetObject'] };
    const { stack, report } = forMoto(
      {
        data: {
          aws_iam_policy_document: {
            tls: { statement: [tlsOnly, plainHttp] },
            mixed: { statement: [plainHttp, readers] },
          },
        },
        resource: {
          aws_s3_bucket_policy: {
            tls: { bucket: 'a', policy: '${data.aws_iam_policy_document.tls.json}' },
            mixed: { bucket: 'b', policy: '${data.aws_iam_policy_document.mixed.json}' },
          },
        },
      },
      target,
    );

    expect(Object.keys(stack.resource?.aws_s3_bucket_policy ?? {})).toEqual(['mixed']);
    expect(stack.data?.aws_iam_policy_document).toEqual({ mixed: { statement: [readers] } });
    expect(report.dropped.map((item) => item.address).sort()).toEqual([
      'aws_s3_bucket_policy.tls',
      'data.aws_iam_policy_document.tls',
    ]);
    expect(report.adjusted.map((item) => item.address)).toEqual(['data.aws_iam_policy_document.mixed']);
  });

  it('sends what moto does not read back, and tells Terraform not to chase its read-back', () => {
    const stack = stackWithComposite();
    Object.assign(stack.resource as Record<string, unknown>, {
      aws_s3_bucket: { store: { bucket_prefix: 'store-', tags: { team: 'a' } } },
      aws_lambda_function: {
        watchdog: {
          function_name: 'w',
          logging_config: { log_format: 'JSON' },
          lifecycle: { ignore_changes: ['image_uri'], prevent_destroy: true },
        },
        plain: { function_name: 'p' },
      },
    });

    const { stack: patched, report } = forMoto(stack, target);

    expect(patched.resource?.aws_s3_bucket?.store).toEqual({
      bucket_prefix: 'store-',
      tags: { team: 'a' },
      lifecycle: { ignore_changes: ['tags', 'tags_all'] },
    });
    expect(patched.resource?.aws_lambda_function?.watchdog).toEqual({
      function_name: 'w',
      logging_config: { log_format: 'JSON' },
      lifecycle: { ignore_changes: ['image_uri', 'logging_config'], prevent_destroy: true },
    });
    expect(patched.resource?.aws_lambda_function?.plain).toEqual({ function_name: 'p' });
    expect(report.adjusted.map((item) => item.address)).toEqual(
      expect.arrayContaining(['aws_s3_bucket.store', 'aws_lambda_function.watchdog']),
    );
    expect(report.adjusted.map((item) => item.address)).not.toContain('aws_lambda_function.plain');
  });

  it('refuses to drop a resource that something still references', () => {
    const stack = stackWithComposite();
    (stack.resource as Record<string, Record<string, Record<string, unknown>>>).aws_sns_topic = {
      t: { name: '${aws_backup_selection.daily.id}' },
    };

    expect(() => forMoto(stack, target)).toThrow(
      /aws_backup_selection.daily is dropped for moto but is still referenced; give its gap a stand-in/,
    );
  });

  it("points every provider at moto with one retry, and Lambda at the harness's runtime", () => {
    const { stack } = forMoto(stackWithComposite(), target);

    for (const provider of stack.provider?.aws ?? []) {
      expect(provider).toEqual(
        expect.objectContaining({
          max_retries: 1,
          s3_use_path_style: true,
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
        }),
      );
      const endpoints = (provider.endpoints as Record<string, string>[])[0];
      expect(endpoints.lambda).toBe(target.lambdaEndpoint);
      expect(endpoints.elbv2).toBe(target.endpoint);
      expect(endpoints.s3).toBe(target.endpoint);
    }
    expect(stack.provider?.aws[1].alias).toBe('west');
  });

  it('moves the state and the remote state it reads out of the repo', () => {
    const moved = withStatePaths(stackWithComposite(), '/repo', '/work/state');

    expect(moved.terraform?.backend).toEqual({ local: { path: '/work/state/terraform.app.tfstate' } });
    expect(moved.data?.terraform_remote_state.other.config).toEqual({
      path: '/work/state/terraform.other.tfstate',
    });
  });

  it('names the moto gap of every type on the list', () => {
    for (const gap of MOTO_GAPS) expect(gap.gap).toMatch(new RegExp(`^moto ${pinnedMotoVersion()} \\S`));
  });
});

describe('the offline toolchain', () => {
  it('lays the provider out for both registry hosts', () => {
    expect(mirrorDirectories('/m', '6.25.0')).toEqual([
      '/m/registry.opentofu.org/hashicorp/aws/6.25.0/linux_amd64',
      '/m/registry.terraform.io/hashicorp/aws/6.25.0/linux_amd64',
    ]);
  });

  it("repeats the provider's go version, godebug settings and replace directives", () => {
    const goMod = [
      'module github.com/hashicorp/terraform-provider-aws',
      '',
      'go 1.24.6',
      '',
      '// Disable post-quantum key exchange',
      'godebug tlsmlkem=0',
      '',
      'require (',
      '\tgithub.com/aws/aws-sdk-go-v2 v1.38.0',
      ')',
      '',
      'replace github.com/hashicorp/terraform-plugin-log => github.com/gdavison/terraform-plugin-log v0.0.0-20230928191232-6c653d8ef8fb',
      '',
      'replace (',
      '\tgithub.com/a/b => github.com/c/b v1.0.0 // pinned',
      '\tgithub.com/d/e v1.2.3 => ../e',
      ')',
    ].join('\n');

    expect(goModDirectives(goMod)).toEqual({
      go: '1.24.6',
      godebug: ['tlsmlkem=0'],
      replaces: [
        'github.com/hashicorp/terraform-plugin-log => github.com/gdavison/terraform-plugin-log v0.0.0-20230928191232-6c653d8ef8fb',
        'github.com/a/b => github.com/c/b v1.0.0',
        'github.com/d/e v1.2.3 => ../e',
      ],
    });
  });
});
