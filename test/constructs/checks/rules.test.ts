/**
 * Every rule on plain synthesized data: compliant and non-compliant pairs, and the cases it does not
 * judge. Table-driven: one entry per rule id, and the catalogue must match the table.
 */
import {
  CheckResult,
  CheckStatus,
  SwitchbackChecks,
  type CheckedResource,
  type ICheckRule,
} from '../../../constructs/checks';
import { check, dataSource, ref, resource } from './builders';

interface Case {
  readonly name: string;
  readonly target: CheckedResource;
  readonly others?: CheckedResource[];
  readonly region?: string;
  /** The regions of aliased AWS providers in the stack whose region is a literal, by alias. */
  readonly aliasRegions?: Record<string, string>;
}
interface FailingCase extends Case {
  readonly detail: RegExp;
}
interface RuleCases {
  readonly compliant: Case[];
  readonly nonCompliant: FailingCase[];
  readonly notApplicable?: Case[];
}

// --- S3 -------------------------------------------------------------------------------------------
const bucket = resource('aws_s3_bucket', 'store', { bucket: 'my-store' });
const otherBucket = resource('aws_s3_bucket', 'store2', { bucket: 'other-store' });
const allBlocked = {
  block_public_acls: true,
  block_public_policy: true,
  ignore_public_acls: true,
  restrict_public_buckets: true,
};
const tlsOnlyDocument = dataSource('aws_iam_policy_document', 'tls', {
  statement: [
    {
      effect: 'Deny',
      actions: ['s3:*'],
      principals: [{ type: '*', identifiers: ['*'] }],
      resources: [ref(bucket, 'arn'), `${ref(bucket, 'arn')}/*`],
      condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
    },
  ],
});
const readOnlyDocument = dataSource('aws_iam_policy_document', 'read', {
  statement: [
    { effect: 'Allow', actions: ['s3:GetObject'], principals: [{ type: 'AWS', identifiers: ['*'] }] },
  ],
});
const tlsOnlyJson = (secureTransport: string | boolean) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: ['arn:aws:s3:::my-store', 'arn:aws:s3:::my-store/*'],
        Condition: { Bool: { 'aws:SecureTransport': secureTransport } },
      },
    ],
  });

// `JSON.stringify` of a document whose values are references, as cdktf synthesizes it.
const referencingPolicyJson = (...statements: Record<string, unknown>[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });
const tlsDenyReferencingBucket = {
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 's3:*',
  Resource: [ref(bucket, 'arn'), `${ref(bucket, 'arn')}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};
const readReferencingBucket = {
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::123456789012:role/reader' },
  Action: 's3:GetObject',
  Resource: `${ref(bucket, 'arn')}/*`,
};

// --- Load balancing -------------------------------------------------------------------------------
const listener = (config: Record<string, unknown>, type = 'aws_lb_listener') =>
  resource(type, 'listener', config);
const redirectToHttps = [
  { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } },
];

// --- Lambda ---------------------------------------------------------------------------------------
const fn = (config: Record<string, unknown> = {}) =>
  resource('aws_lambda_function', 'orders', { function_name: 'orders', runtime: 'nodejs22.x', ...config });
const queue = resource('aws_sqs_queue', 'failed', {});
const onFailure = (
  functionName: string,
  destination: Record<string, unknown> = { on_failure: { destination: ref(queue, 'arn') } },
) =>
  resource('aws_lambda_function_event_invoke_config', 'async', {
    function_name: functionName,
    destination_config: destination,
  });
const logGroup = (name: string, config: Record<string, unknown> = { retention_in_days: 30 }) =>
  resource('aws_cloudwatch_log_group', 'logs', { name, ...config });
const permission = (config: Record<string, unknown>) =>
  resource('aws_lambda_permission', 'invoke', {
    action: 'lambda:InvokeFunction',
    function_name: 'orders',
    ...config,
  });

// --- IAM ------------------------------------------------------------------------------------------
const document = (...statement: Record<string, unknown>[]) =>
  dataSource('aws_iam_policy_document', 'doc', { statement });
const rolePolicy = (policy: unknown) => resource('aws_iam_role_policy', 'policy', { role: 'r', policy });
const json = (...Statement: Record<string, unknown>[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement });
const attachment = (type: string, config: Record<string, unknown>) =>
  resource(type, 'attachment', { role: 'r', ...config });
const adminLookup = dataSource('aws_iam_policy', 'admin', { name: 'AdministratorAccess' });

// --- Backup ---------------------------------------------------------------------------------------
const key = resource('aws_kms_key', 'key', {});
const vault = resource('aws_backup_vault', 'vault', { name: 'orders-backups', kms_key_arn: ref(key, 'arn') });
const plan = (copyActions: Record<string, unknown>[], config: Record<string, unknown> = {}) =>
  resource('aws_backup_plan', 'plan', {
    name: 'orders-plan',
    rule: [{ rule_name: 'daily', target_vault_name: ref(vault, 'name'), copy_action: copyActions }],
    ...config,
  });

const cases: Record<string, RuleCases> = {
  'SWB-S3-1': {
    compliant: [
      {
        name: 'an access block referencing the bucket blocks everything',
        target: bucket,
        others: [
          resource('aws_s3_bucket_public_access_block', 'pab', { bucket: ref(bucket, 'id'), ...allBlocked }),
        ],
      },
      {
        name: 'an access block naming the bucket literally blocks everything',
        target: bucket,
        others: [resource('aws_s3_bucket_public_access_block', 'pab', { bucket: 'my-store', ...allBlocked })],
      },
      {
        name: 'a setting only Terraform knows is not reported',
        target: bucket,
        others: [
          resource('aws_s3_bucket_public_access_block', 'pab', {
            bucket: ref(bucket, 'id'),
            ...allBlocked,
            block_public_policy: '${var.block_policy}',
          }),
        ],
      },
    ],
    nonCompliant: [
      { name: 'no access block', target: bucket, detail: /no aws_s3_bucket_public_access_block refers/ },
      {
        name: 'an access block leaving the policy setting off',
        target: bucket,
        others: [
          resource('aws_s3_bucket_public_access_block', 'pab', {
            bucket: ref(bucket, 'id'),
            ...allBlocked,
            block_public_policy: false,
          }),
        ],
        detail: /leaves block_public_policy off/,
      },
      {
        name: 'an access block of another bucket whose name starts the same',
        target: bucket,
        others: [
          otherBucket,
          resource('aws_s3_bucket_public_access_block', 'pab', {
            bucket: ref(otherBucket, 'id'),
            ...allBlocked,
          }),
        ],
        detail: /no aws_s3_bucket_public_access_block/,
      },
      {
        name: 'an access block of an existing bucket read by a data source of the same name',
        target: bucket,
        others: [
          resource('aws_s3_bucket_public_access_block', 'pab', {
            bucket: ref(dataSource('aws_s3_bucket', 'store'), 'id'),
            ...allBlocked,
          }),
        ],
        detail: /no aws_s3_bucket_public_access_block/,
      },
    ],
  },
  'SWB-S3-2': {
    compliant: [
      {
        name: 'SSE-KMS by default (list blocks)',
        target: bucket,
        others: [
          resource('aws_s3_bucket_server_side_encryption_configuration', 'sse', {
            bucket: ref(bucket, 'id'),
            rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: 'aws:kms' }] }],
          }),
        ],
      },
      {
        name: 'SSE-S3 by default (single blocks)',
        target: bucket,
        others: [
          resource('aws_s3_bucket_server_side_encryption_configuration', 'sse', {
            bucket: ref(bucket, 'bucket'),
            rule: { apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } },
          }),
        ],
      },
    ],
    nonCompliant: [
      { name: 'no encryption configuration', target: bucket, detail: /server_side_encryption_configuration/ },
      {
        name: 'a configuration without an algorithm',
        target: bucket,
        others: [
          resource('aws_s3_bucket_server_side_encryption_configuration', 'sse', {
            bucket: ref(bucket, 'id'),
            rule: [{ bucket_key_enabled: true }],
          }),
        ],
        detail: /with an sse_algorithm/,
      },
    ],
  },
  'SWB-S3-3': {
    compliant: [
      {
        name: 'a policy document denying s3:* without TLS',
        target: bucket,
        others: [
          tlsOnlyDocument,
          resource('aws_s3_bucket_policy', 'policy', {
            bucket: ref(bucket, 'id'),
            policy: ref(tlsOnlyDocument, 'json'),
          }),
        ],
      },
      {
        name: 'a literal JSON policy with a string condition value',
        target: bucket,
        others: [
          resource('aws_s3_bucket_policy', 'policy', { bucket: 'my-store', policy: tlsOnlyJson('false') }),
        ],
      },
      {
        name: 'a literal JSON policy with a boolean condition value',
        target: bucket,
        others: [
          resource('aws_s3_bucket_policy', 'policy', { bucket: 'my-store', policy: tlsOnlyJson(false) }),
        ],
      },
      {
        name: 'a literal JSON policy whose resources reference the bucket',
        target: bucket,
        others: [
          resource('aws_s3_bucket_policy', 'policy', {
            bucket: ref(bucket, 'id'),
            policy: referencingPolicyJson(readReferencingBucket, tlsDenyReferencingBucket),
          }),
        ],
      },
    ],
    nonCompliant: [
      { name: 'no bucket policy', target: bucket, detail: /no aws_s3_bucket_policy refers/ },
      {
        name: 'a policy without the TLS deny',
        target: bucket,
        others: [
          readOnlyDocument,
          resource('aws_s3_bucket_policy', 'policy', {
            bucket: ref(bucket, 'id'),
            policy: ref(readOnlyDocument, 'json'),
          }),
        ],
        detail: /has no Deny of s3:\* when aws:SecureTransport is false/,
      },
      {
        name: 'a literal JSON policy referencing the bucket, without the TLS deny',
        target: bucket,
        others: [
          resource('aws_s3_bucket_policy', 'policy', {
            bucket: ref(bucket, 'id'),
            policy: referencingPolicyJson(readReferencingBucket),
          }),
        ],
        detail: /has no Deny of s3:\* when aws:SecureTransport is false/,
      },
    ],
    notApplicable: [
      {
        name: 'a policy only Terraform can render',
        target: bucket,
        others: [
          resource('aws_s3_bucket_policy', 'policy', {
            bucket: ref(bucket, 'id'),
            policy: '${jsonencode(local.p)}',
          }),
        ],
      },
    ],
  },
  'SWB-S3-4': {
    compliant: [
      {
        name: 'versioning enabled',
        target: bucket,
        others: [
          resource('aws_s3_bucket_versioning', 'v', {
            bucket: ref(bucket, 'id'),
            versioning_configuration: { status: 'Enabled' },
          }),
        ],
      },
      {
        name: 'the bucket’s own versioning block',
        target: resource('aws_s3_bucket', 'store', { bucket: 'my-store', versioning: { enabled: true } }),
      },
    ],
    nonCompliant: [
      { name: 'no versioning resource', target: bucket, detail: /no aws_s3_bucket_versioning/ },
      {
        name: 'versioning suspended',
        target: bucket,
        others: [
          resource('aws_s3_bucket_versioning', 'v', {
            bucket: ref(bucket, 'id'),
            versioning_configuration: [{ status: 'Suspended' }],
          }),
        ],
        detail: /'Suspended'/,
      },
    ],
  },
  'SWB-S3-5': {
    compliant: [
      {
        name: 'an enabled lifecycle rule',
        target: bucket,
        others: [
          resource('aws_s3_bucket_lifecycle_configuration', 'lc', {
            bucket: ref(bucket, 'id'),
            rule: [{ id: 'expire', status: 'Enabled' }],
          }),
        ],
      },
    ],
    nonCompliant: [
      {
        name: 'no lifecycle configuration',
        target: bucket,
        detail: /no aws_s3_bucket_lifecycle_configuration/,
      },
      {
        name: 'only disabled rules',
        target: bucket,
        others: [
          resource('aws_s3_bucket_lifecycle_configuration', 'lc', {
            bucket: ref(bucket, 'id'),
            rule: [{ id: 'expire', status: 'Disabled' }],
          }),
        ],
        detail: /every rule .* is Disabled/,
      },
    ],
  },
  'SWB-ALB-1': {
    compliant: [
      {
        name: 'TLS 1.3 with TLS 1.2 fallback',
        target: listener({ protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' }),
      },
      {
        name: 'an aws_alb_listener with TLS 1.3 only',
        target: listener(
          { protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-TLS13-1-3-2021-06' },
          'aws_alb_listener',
        ),
      },
      {
        name: 'a policy from a variable',
        target: listener({ protocol: 'HTTPS', ssl_policy: '${var.tls_policy}' }),
      },
      {
        name: 'TLS 1.2 only, without the Ext ciphers',
        target: listener({ protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-TLS-1-2-2017-01' }),
      },
      {
        name: 'forward secrecy, GCM only',
        target: listener({ protocol: 'TLS', ssl_policy: 'ELBSecurityPolicy-FS-1-2-Res-2020-10' }),
      },
    ],
    nonCompliant: [
      {
        name: 'no policy (AWS’s default)',
        target: listener({ protocol: 'HTTPS' }),
        detail: /ELBSecurityPolicy-2016-08/,
      },
      {
        name: 'a TLS 1.0 policy',
        target: listener({ protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-2016-08' }),
        detail: /'ELBSecurityPolicy-2016-08' is not a TLS 1.2\+ policy/,
      },
      {
        name: 'an Ext variant re-admitting CBC ciphers',
        target: listener({ protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06' }),
        detail: /Ext1/,
      },
      {
        name: 'the TLS 1.2 Ext variant re-admitting SHA-1 ciphers',
        target: listener({ protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-TLS-1-2-Ext-2018-06' }),
        detail: /'ELBSecurityPolicy-TLS-1-2-Ext-2018-06' is not a TLS 1.2\+ policy/,
      },
      {
        name: 'a post-quantum Ext variant',
        target: listener({ protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09' }),
        detail: /Ext2-PQ/,
      },
    ],
    notApplicable: [{ name: 'a plain HTTP listener', target: listener({ protocol: 'HTTP' }) }],
  },
  'SWB-ALB-2': {
    compliant: [
      {
        name: 'a redirect to HTTPS',
        target: listener({ protocol: 'HTTP', default_action: redirectToHttps }),
      },
    ],
    nonCompliant: [
      {
        name: 'a forward',
        target: listener({
          protocol: 'HTTP',
          default_action: [{ type: 'forward', target_group_arn: 'arn' }],
        }),
        detail: /default action is forward/,
      },
      {
        name: 'a redirect to plain HTTP',
        target: listener({
          protocol: 'HTTP',
          default_action: [{ type: 'redirect', redirect: { protocol: 'HTTP', port: '8080' } }],
        }),
        detail: /not a redirect to HTTPS/,
      },
    ],
    notApplicable: [{ name: 'an HTTPS listener', target: listener({ protocol: 'HTTPS' }) }],
  },
  'SWB-ALB-3': {
    compliant: [
      {
        name: 'an ALB dropping invalid headers',
        target: resource('aws_lb', 'lb', { drop_invalid_header_fields: true }),
      },
      {
        name: 'an aws_alb dropping invalid headers',
        target: resource('aws_alb', 'lb', {
          load_balancer_type: 'application',
          drop_invalid_header_fields: true,
        }),
      },
    ],
    nonCompliant: [
      {
        name: 'the default',
        target: resource('aws_lb', 'lb', {}),
        detail: /drop_invalid_header_fields is not true/,
      },
      {
        name: 'switched off',
        target: resource('aws_lb', 'lb', { drop_invalid_header_fields: false }),
        detail: /drop_invalid_header_fields/,
      },
    ],
    notApplicable: [
      {
        name: 'a network load balancer',
        target: resource('aws_lb', 'lb', { load_balancer_type: 'network' }),
      },
    ],
  },
  'SWB-ALB-4': {
    compliant: [
      {
        name: 'deletion protection on',
        target: resource('aws_lb', 'lb', { enable_deletion_protection: true }),
      },
    ],
    nonCompliant: [
      {
        name: 'the default',
        target: resource('aws_alb', 'lb', {}),
        detail: /enable_deletion_protection is not true/,
      },
    ],
  },
  'SWB-TG-1': {
    compliant: [
      {
        name: 'an HTTP group with a health check path',
        target: resource('aws_lb_target_group', 'tg', {
          protocol: 'HTTP',
          health_check: { enabled: true, path: '/healthz' },
        }),
      },
    ],
    nonCompliant: [
      {
        name: 'no health check block',
        target: resource('aws_lb_target_group', 'tg', { protocol: 'HTTPS' }),
        detail: /no health_check block/,
      },
      {
        name: 'a disabled health check',
        target: resource('aws_alb_target_group', 'tg', {
          protocol: 'HTTP',
          health_check: [{ enabled: false }],
        }),
        detail: /disabled/,
      },
      {
        name: 'a health check without a path',
        target: resource('aws_lb_target_group', 'tg', { protocol: 'HTTP', health_check: { interval: 10 } }),
        detail: /names no path/,
      },
    ],
    notApplicable: [
      {
        name: 'a Lambda target group',
        target: resource('aws_lb_target_group', 'tg', { target_type: 'lambda' }),
      },
      { name: 'a TCP target group', target: resource('aws_lb_target_group', 'tg', { protocol: 'TCP' }) },
    ],
  },
  'SWB-LAMBDA-1': {
    compliant: [
      { name: 'a dead-letter queue', target: fn({ dead_letter_config: { target_arn: ref(queue, 'arn') } }) },
      {
        name: 'an on-failure destination referencing the function',
        target: fn(),
        others: [queue, onFailure(ref(fn(), 'function_name'))],
      },
      {
        name: 'an on-failure destination naming the function',
        target: fn(),
        others: [queue, onFailure('orders')],
      },
    ],
    nonCompliant: [
      { name: 'neither', target: fn(), detail: /neither a dead_letter_config nor/ },
      {
        name: 'a destination of another function',
        target: fn(),
        others: [onFailure('payments')],
        detail: /on_failure/,
      },
      {
        name: 'an on-success destination only',
        target: fn(),
        others: [onFailure('orders', { on_success: { destination: ref(queue, 'arn') } })],
        detail: /on_failure/,
      },
    ],
  },
  'SWB-LAMBDA-2': {
    compliant: [
      { name: 'a reservation', target: fn({ reserved_concurrent_executions: 5 }) },
      {
        name: 'a reservation of zero (throttled on purpose)',
        target: fn({ reserved_concurrent_executions: 0 }),
      },
    ],
    nonCompliant: [
      { name: 'no reservation', target: fn(), detail: /is not set/ },
      {
        name: 'explicitly unreserved',
        target: fn({ reserved_concurrent_executions: -1 }),
        detail: /-1 \(unreserved\)/,
      },
    ],
  },
  'SWB-LAMBDA-3': {
    compliant: [
      {
        name: 'its /aws/lambda group with a retention',
        target: fn(),
        others: [logGroup('/aws/lambda/orders')],
      },
      {
        name: 'a configured log group with a retention',
        target: fn({
          logging_config: { log_format: 'JSON', log_group: ref(logGroup('/custom/orders'), 'name') },
        }),
        others: [logGroup('/custom/orders')],
      },
      {
        name: 'a function and group named from the same variable',
        target: fn({ function_name: '${var.name}' }),
        others: [logGroup('/aws/lambda/${var.name}')],
      },
    ],
    nonCompliant: [
      {
        name: 'no log group in the stack',
        target: fn(),
        detail: /no aws_cloudwatch_log_group '\/aws\/lambda\/orders'/,
      },
      {
        name: 'a group without retention',
        target: fn(),
        others: [logGroup('/aws/lambda/orders', {})],
        detail: /sets no retention_in_days/,
      },
      {
        name: 'a group that never expires',
        target: fn(),
        others: [logGroup('/aws/lambda/orders', { retention_in_days: 0 })],
        detail: /retention_in_days/,
      },
    ],
    notApplicable: [
      {
        name: 'a log group from a variable',
        target: fn({ logging_config: { log_group: '${var.log_group}' } }),
      },
    ],
  },
  'SWB-LAMBDA-4': {
    compliant: [{ name: 'active tracing', target: fn({ tracing_config: { mode: 'Active' } }) }],
    nonCompliant: [
      { name: 'no tracing', target: fn(), detail: /no tracing_config/ },
      {
        name: 'pass-through',
        target: fn({ tracing_config: [{ mode: 'PassThrough' }] }),
        detail: /'PassThrough'/,
      },
    ],
  },
  'SWB-LAMBDA-5': {
    compliant: [
      { name: 'nodejs22.x', target: fn({ runtime: 'nodejs22.x' }) },
      { name: 'nodejs24.x', target: fn({ runtime: 'nodejs24.x' }) },
      { name: 'python3.13', target: fn({ runtime: 'python3.13' }) },
      { name: 'java21', target: fn({ runtime: 'java21' }) },
      { name: 'provided.al2023', target: fn({ runtime: 'provided.al2023' }) },
    ],
    nonCompliant: [
      {
        name: 'nodejs20.x',
        target: fn({ runtime: 'nodejs20.x' }),
        detail: /'nodejs20.x' is older than nodejs22.x/,
      },
      { name: 'python3.9', target: fn({ runtime: 'python3.9' }), detail: /older than python3.12/ },
      { name: 'python3.11', target: fn({ runtime: 'python3.11' }), detail: /older than python3.12/ },
      { name: 'java11', target: fn({ runtime: 'java11' }), detail: /older than java17/ },
      { name: 'go1.x', target: fn({ runtime: 'go1.x' }), detail: /'go1.x' is retired/ },
    ],
    notApplicable: [
      { name: 'a container image', target: fn({ runtime: undefined, package_type: 'Image' }) },
      { name: 'a runtime from a variable', target: fn({ runtime: '${var.runtime}' }) },
    ],
  },
  'SWB-LAMBDA-6': {
    compliant: [
      {
        name: 'EventBridge scoped to its rule',
        target: permission({
          principal: 'events.amazonaws.com',
          source_arn: '${aws_cloudwatch_event_rule.r.arn}',
        }),
      },
      {
        name: 'S3 scoped to the account',
        target: permission({ principal: 's3.amazonaws.com', source_account: '123456789012' }),
      },
      {
        name: 'everyone in an organization',
        target: permission({ principal: '*', principal_org_id: 'o-abc123' }),
      },
    ],
    nonCompliant: [
      {
        name: 'SNS from any topic',
        target: permission({ principal: 'sns.amazonaws.com' }),
        detail: /principal 'sns.amazonaws.com' with neither source_arn nor source_account/,
      },
      { name: 'everyone', target: permission({ principal: '*' }), detail: /principal '\*'/ },
    ],
    notApplicable: [
      { name: 'a role', target: permission({ principal: 'arn:aws:iam::123456789012:role/on-call' }) },
      { name: 'a principal from a variable', target: permission({ principal: '${var.operator_role_arn}' }) },
    ],
  },
  'SWB-SQS-1': {
    compliant: [
      { name: 'SQS-managed keys', target: resource('aws_sqs_queue', 'q', { sqs_managed_sse_enabled: true }) },
      { name: 'a KMS key', target: resource('aws_sqs_queue', 'q', { kms_master_key_id: 'alias/aws/sqs' }) },
    ],
    nonCompliant: [
      {
        name: 'nothing said',
        target: resource('aws_sqs_queue', 'q', {}),
        detail: /neither kms_master_key_id nor/,
      },
      {
        name: 'SQS-managed keys off',
        target: resource('aws_sqs_queue', 'q', { sqs_managed_sse_enabled: false }),
        detail: /sqs_managed_sse_enabled/,
      },
    ],
  },
  'SWB-SNS-1': {
    compliant: [
      { name: 'a KMS key', target: resource('aws_sns_topic', 't', { kms_master_key_id: 'alias/aws/sns' }) },
    ],
    nonCompliant: [
      {
        name: 'no key',
        target: resource('aws_sns_topic', 't', { name: 'x' }),
        detail: /no kms_master_key_id/,
      },
    ],
  },
  'SWB-IAM-1': {
    compliant: [
      {
        name: 'named actions',
        target: document({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] }),
      },
      {
        name: 'a key policy statement with principals',
        target: document({
          actions: ['kms:*'],
          resources: ['*'],
          principals: [{ type: 'AWS', identifiers: ['arn'] }],
        }),
      },
      {
        name: 'a Deny of everything',
        target: document({ effect: 'Deny', actions: ['*'], resources: ['*'] }),
      },
      {
        name: 'a literal JSON policy naming actions on a referenced bucket',
        target: resource('aws_iam_policy', 'p1', {
          policy: json({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: `${ref(bucket, 'arn')}/*` }),
        }),
      },
      {
        name: 'a partial wildcard (SWB-IAM-3’s)',
        target: document({ actions: ['s3:Put*'], resources: ['arn:aws:s3:::b/*'] }),
      },
    ],
    nonCompliant: [
      {
        name: 'Action *',
        target: document({ actions: ['*'], resources: ['*'] }),
        detail: /statement 1 allows \*/,
      },
      {
        name: 'a whole service',
        target: document(
          { actions: ['s3:GetObject'], resources: ['a'] },
          { actions: ['s3:*'], resources: ['a'] },
        ),
        detail: /statement 2 allows s3:\*/,
      },
      {
        name: 'NotAction',
        target: document({ not_actions: ['iam:*'], resources: ['*'] }),
        detail: /NotAction iam:\*/,
      },
      {
        name: 'a literal JSON role policy',
        target: rolePolicy(json({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b' })),
        detail: /allows \*/,
      },
      {
        name: 'an inline policy of a role',
        target: resource('aws_iam_role', 'role', {
          inline_policy: [{ name: 'p', policy: json({ Effect: 'Allow', Action: ['iam:*'], Resource: '*' }) }],
        }),
        detail: /allows iam:\*/,
      },
      {
        name: 'a literal JSON policy allowing * on a referenced bucket (JSON.stringify with bucket.arn)',
        target: resource('aws_iam_policy', 'p1', {
          policy: json({ Effect: 'Allow', Action: '*', Resource: ref(bucket, 'arn') }),
        }),
        detail: /statement 1 allows \*/,
      },
      {
        name: 'a whole service on resources from variables, in a role’s inline policy',
        target: resource('aws_iam_role', 'role', {
          inline_policy: [
            { name: 'a', policy: '${jsonencode(local.a)}' },
            { name: 'b', policy: json({ Effect: 'Allow', Action: 'sqs:*', Resource: '${var.queue_arn}' }) },
          ],
        }),
        detail: /allows sqs:\*/,
      },
    ],
    notApplicable: [
      { name: 'a role policy from a policy document', target: rolePolicy(ref(document(), 'json')) },
      { name: 'a role policy from jsonencode', target: rolePolicy('${jsonencode(local.policy)}') },
      {
        name: 'a role whose only inline policy is from a policy document',
        target: resource('aws_iam_role', 'role', {
          inline_policy: [{ name: 'p', policy: ref(document(), 'json') }],
        }),
      },
    ],
  },
  'SWB-IAM-2': {
    compliant: [
      {
        name: 'ELB Describe* and X-Ray writes on *',
        target: document(
          {
            actions: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:Describe*'],
            resources: ['*'],
          },
          { actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] },
        ),
      },
      {
        name: 'a scoped action on its ARN',
        target: document({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] }),
      },
      {
        name: 'ModifyListener on the listeners of one load balancer (the watchdog’s, literal ARN)',
        target: document({
          actions: ['elasticloadbalancing:ModifyListener'],
          resources: [
            'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/*',
          ],
        }),
      },
      {
        name: 'ModifyListener on the listeners of one load balancer (the watchdog’s, from a reference)',
        target: document({
          actions: ['elasticloadbalancing:ModifyListener'],
          resources: ['${replace(var.lb_arn, ":loadbalancer/", ":listener/")}/*'],
        }),
      },
      {
        name: 'a literal JSON policy on a referenced bucket’s objects',
        target: rolePolicy(
          json({ Effect: 'Allow', Action: 's3:GetObject', Resource: `${ref(bucket, 'arn')}/*` }),
        ),
      },
      {
        name: 'an unscopable action on an ARN of wildcards',
        target: document({ actions: ['ec2:DescribeInstances'], resources: ['arn:aws:ec2:*:*:*'] }),
      },
      {
        name: 'a resource policy statement with principals',
        target: document({
          actions: ['sqs:SendMessage'],
          resources: ['*'],
          principals: [{ type: 'Service', identifiers: ['x'] }],
        }),
      },
    ],
    nonCompliant: [
      {
        name: 'a scopable action on *',
        target: document({ actions: ['s3:GetObject'], resources: ['*'] }),
        detail: /statement 1 allows s3:GetObject on '\*'/,
      },
      {
        name: 'Describe* mixed with a write on *',
        target: document({
          actions: ['elasticloadbalancing:DescribeRules', 'elasticloadbalancing:ModifyListener'],
          resources: ['*'],
        }),
        detail: /allows elasticloadbalancing:ModifyListener on/,
      },
      {
        name: 'NotResource',
        target: document({ actions: ['s3:GetObject'], not_resources: ['arn:aws:s3:::secret/*'] }),
        detail: /every resource but arn:aws:s3:::secret/,
      },
      {
        name: 'a literal JSON role policy',
        target: rolePolicy(json({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' })),
        detail: /sqs:SendMessage on '\*'/,
      },
      {
        name: 'every bucket by ARN',
        target: document({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::*'] }),
        detail: /allows s3:GetObject on 'arn:aws:s3:::\*'/,
      },
      {
        name: 'every object of every bucket',
        target: document({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::*/*'] }),
        detail: /on 'arn:aws:s3:::\*\/\*'/,
      },
      {
        name: 'an ARN of wildcards throughout',
        target: document({ actions: ['sns:Publish'], resources: ['arn:*:*:*:*:*'] }),
        detail: /on 'arn:\*:\*:\*:\*:\*'/,
      },
      {
        name: 'every IAM resource of every account, partition from a reference',
        target: document({
          actions: ['iam:PassRole'],
          resources: ['arn:${data.aws_partition.current.partition}:iam::*:*'],
        }),
        detail: /allows iam:PassRole on 'arn:\$\{data.aws_partition.current.partition\}:iam::\*:\*'/,
      },
      {
        name: 'a literal JSON policy with * next to a referenced resource',
        target: resource('aws_iam_policy', 'p', {
          policy: json({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: [ref(queue, 'arn'), '*'] }),
        }),
        detail: /sqs:SendMessage on '\*'/,
      },
    ],
    notApplicable: [
      { name: 'a role policy from jsonencode', target: rolePolicy('${jsonencode(local.policy)}') },
    ],
  },
  'SWB-IAM-3': {
    compliant: [
      {
        name: 'named actions',
        target: document({ actions: ['s3:PutObject', 's3:GetObject'], resources: ['arn:aws:s3:::b/*'] }),
      },
      {
        name: 'wildcards after the read-only families',
        target: document({
          actions: ['ec2:Describe*', 's3:GetObject*', 's3:List*', 'elasticloadbalancing:describe*'],
          resources: ['arn:aws:s3:::b/*'],
        }),
      },
      {
        name: 'a whole service (SWB-IAM-1’s)',
        target: document({ actions: ['s3:*'], resources: ['arn:aws:s3:::b/*'] }),
      },
      {
        name: 'a key policy statement with principals',
        target: document({
          actions: ['kms:GenerateDataKey*'],
          resources: ['*'],
          principals: [{ type: 'Service', identifiers: ['backup.amazonaws.com'] }],
        }),
      },
      {
        name: 'a Deny by wildcard',
        target: document({ effect: 'Deny', actions: ['s3:Delete*'], resources: ['*'] }),
      },
    ],
    nonCompliant: [
      {
        name: 'a write family',
        target: document({ actions: ['s3:GetObject', 's3:Put*'], resources: ['arn:aws:s3:::b/*'] }),
        detail: /statement 1 allows s3:Put\*; name the actions/,
      },
      {
        name: 'a wildcard before the name',
        target: document({ actions: ['iam:*Role*'], resources: ['arn:aws:iam::123456789012:role/x'] }),
        detail: /allows iam:\*Role\*/,
      },
      {
        name: 'a wildcard after a name that is not a read family',
        target: document({ actions: ['kms:GenerateDataKey*'], resources: ['arn:aws:kms:us-east-1:1:key/k'] }),
        detail: /kms:GenerateDataKey\*/,
      },
      {
        name: 'a wildcard before a read family',
        target: document({ actions: ['s3:*Get*'], resources: ['arn:aws:s3:::b/*'] }),
        detail: /s3:\*Get\*/,
      },
      {
        name: 'a wildcard service prefix',
        target: document({ actions: ['*:PutObject'], resources: ['arn:aws:s3:::b/*'] }),
        detail: /\*:PutObject/,
      },
      {
        name: 'a literal JSON policy on a referenced bucket',
        target: rolePolicy(
          json({ Effect: 'Allow', Action: ['s3:Delete*'], Resource: `${ref(bucket, 'arn')}/*` }),
        ),
        detail: /allows s3:Delete\*/,
      },
    ],
    notApplicable: [
      { name: 'a role policy from jsonencode', target: rolePolicy('${jsonencode(local.policy)}') },
    ],
  },
  'SWB-IAM-4': {
    compliant: [
      {
        name: 'the AWS Backup service role policies (BackupSchedule’s), partition from a reference',
        target: attachment('aws_iam_role_policy_attachment', {
          policy_arn:
            'arn:${data.aws_partition.p.partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
        }),
      },
      {
        name: 'the AWS Backup S3 restore policy',
        target: attachment('aws_iam_role_policy_attachment', {
          policy_arn: 'arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore',
        }),
      },
      {
        name: 'a customer managed policy of the same name as an admin one',
        target: attachment('aws_iam_user_policy_attachment', {
          policy_arn: 'arn:aws:iam::123456789012:policy/AdministratorAccess',
        }),
      },
      {
        name: 'a narrow AWS managed policy on a role',
        target: resource('aws_iam_role', 'role', {
          managed_policy_arns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        }),
      },
    ],
    nonCompliant: [
      {
        name: 'AdministratorAccess on a role',
        target: attachment('aws_iam_role_policy_attachment', {
          policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        }),
        detail: /policy_arn attaches AdministratorAccess; grant the actions it needs/,
      },
      {
        name: 'PowerUserAccess on a user',
        target: attachment('aws_iam_user_policy_attachment', {
          policy_arn: 'arn:aws-us-gov:iam::aws:policy/PowerUserAccess',
        }),
        detail: /attaches PowerUserAccess/,
      },
      {
        name: 'IAMFullAccess on a group, partition from a reference',
        target: attachment('aws_iam_group_policy_attachment', {
          policy_arn: 'arn:${data.aws_partition.p.partition}:iam::aws:policy/IAMFullAccess',
        }),
        detail: /attaches IAMFullAccess/,
      },
      {
        name: 'a service FullAccess policy through aws_iam_policy_attachment',
        target: attachment('aws_iam_policy_attachment', {
          roles: ['r'],
          policy_arn: 'arn:aws:iam::aws:policy/AWSLambda_FullAccess',
        }),
        detail: /attaches AWSLambda_FullAccess/,
      },
      {
        name: 'managed_policy_arns on a role',
        target: resource('aws_iam_role', 'role', {
          managed_policy_arns: [
            'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
            'arn:aws:iam::aws:policy/AmazonS3FullAccess',
          ],
        }),
        detail: /managed_policy_arns attaches AmazonS3FullAccess/,
      },
      {
        name: 'an exclusive attachment',
        target: attachment('aws_iam_role_policy_attachments_exclusive', {
          role_name: 'r',
          policy_arns: ['arn:aws:iam::aws:policy/AdministratorAccess-Amplify'],
        }),
        detail: /attaches AdministratorAccess-Amplify/,
      },
      {
        name: 'a policy looked up by name',
        target: attachment('aws_iam_role_policy_attachment', {
          policy_arn: ref(adminLookup, 'arn'),
        }),
        others: [adminLookup],
        detail: /attaches AdministratorAccess/,
      },
    ],
    notApplicable: [
      {
        name: 'a policy ARN from a variable',
        target: attachment('aws_iam_role_policy_attachment', { policy_arn: '${var.policy_arn}' }),
      },
      {
        name: 'a policy of the stack',
        target: attachment('aws_iam_role_policy_attachment', {
          policy_arn: '${aws_iam_policy.mine.arn}',
        }),
      },
      { name: 'a role without managed_policy_arns', target: resource('aws_iam_role', 'role', {}) },
    ],
  },
  'SWB-BACKUP-1': {
    compliant: [
      { name: 'a key of the stack', target: vault },
      {
        name: 'a literal customer key ARN',
        target: resource('aws_backup_vault', 'v', {
          kms_key_arn: 'arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
        }),
      },
    ],
    nonCompliant: [
      { name: 'no key', target: resource('aws_backup_vault', 'v', { name: 'x' }), detail: /AWS managed key/ },
      {
        name: 'the AWS managed key',
        target: resource('aws_backup_vault', 'v', {
          kms_key_arn: 'arn:aws:kms:us-east-1:123456789012:alias/aws/backup',
        }),
        detail: /alias\/aws\/backup' is an AWS managed key/,
      },
    ],
  },
  'SWB-BACKUP-2': {
    compliant: [
      {
        name: 'a lock referencing the vault',
        target: vault,
        others: [
          resource('aws_backup_vault_lock_configuration', 'lock', { backup_vault_name: ref(vault, 'name') }),
        ],
      },
      {
        name: 'a lock naming the vault',
        target: vault,
        others: [
          resource('aws_backup_vault_lock_configuration', 'lock', { backup_vault_name: 'orders-backups' }),
        ],
      },
    ],
    nonCompliant: [
      { name: 'no lock', target: vault, detail: /no aws_backup_vault_lock_configuration/ },
      {
        name: 'a lock of another vault',
        target: vault,
        others: [
          resource('aws_backup_vault_lock_configuration', 'lock', { backup_vault_name: 'other-backups' }),
        ],
        detail: /no aws_backup_vault_lock_configuration/,
      },
    ],
  },
  'SWB-BACKUP-3': {
    compliant: [
      {
        name: 'a copy to another region than the provider’s',
        target: plan([{ destination_vault_arn: 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr' }]),
        region: 'us-east-1',
      },
      {
        name: 'a copy to a vault from a variable',
        target: plan([{ destination_vault_arn: '${var.dr_vault_arn}' }]),
      },
      {
        name: 'a plan on an aliased provider copying to the default provider’s region',
        target: plan([{ destination_vault_arn: 'arn:aws:backup:us-east-1:123456789012:backup-vault:dr' }], {
          provider: 'aws.west',
        }),
        region: 'us-east-1',
        aliasRegions: { west: 'us-west-2' },
      },
      {
        name: 'a plan on an aliased provider whose region only Terraform knows (left out of aliasRegions)',
        target: plan([{ destination_vault_arn: 'arn:aws:backup:us-east-1:123456789012:backup-vault:dr' }], {
          provider: 'aws.west',
        }),
        region: 'us-east-1',
        aliasRegions: {},
      },
    ],
    nonCompliant: [
      { name: 'no copy', target: plan([]), detail: /no rule has a copy_action/ },
      {
        name: 'a copy in the plan’s own region',
        target: plan([{ destination_vault_arn: 'arn:aws:backup:eu-west-1:123456789012:backup-vault:dr' }], {
          region: 'eu-west-1',
        }),
        region: 'us-east-1',
        detail: /every copy_action goes to a vault in eu-west-1/,
      },
      {
        name: 'a plan on an aliased provider copying to that provider’s region',
        target: plan([{ destination_vault_arn: 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr' }], {
          provider: 'aws.west',
        }),
        region: 'us-east-1',
        aliasRegions: { west: 'us-west-2' },
        detail: /every copy_action goes to a vault in us-west-2/,
      },
    ],
  },
};

const ruleById = new Map<string, ICheckRule>(SwitchbackChecks.rules.map((rule) => [rule.id, rule]));

describe('the rule catalogue', () => {
  it('has compliant and non-compliant cases for every rule, and no cases for unknown rules', () => {
    expect(Object.keys(cases).sort()).toEqual([...ruleById.keys()].sort());
  });

  it('gives every rule a unique SWB-<SERVICE>-<n> id, a one-line reason and declared types', () => {
    const ids = SwitchbackChecks.rules.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of SwitchbackChecks.rules) {
      expect(rule.id).toMatch(/^SWB-[A-Z0-9]+-\d+$/);
      expect(rule.reason).toMatch(/^[A-Z][^\n:]{10,100}$/);
      expect(rule.appliesTo.length).toBeGreaterThan(0);
      for (const upstream of rule.upstream ?? [])
        expect(upstream).toMatch(/^(CKV2?_AWS_\d+|AwsSolutions-[A-Z0-9]+)$/);
    }
  });
});

describe.each(Object.entries(cases))('%s', (id, { compliant, nonCompliant, notApplicable = [] }) => {
  const rule = ruleById.get(id) as ICheckRule;

  it.each(compliant.map((c) => [c.name, c] as const))('passes: %s', (_name, c) => {
    expect(check(rule, c.target, c.others, c.region, c.aliasRegions)).toBe(CheckResult.compliant());
  });

  it.each(nonCompliant.map((c) => [c.name, c] as const))('fails: %s', (_name, c) => {
    const result = check(rule, c.target, c.others, c.region, c.aliasRegions);
    expect(result).toBeInstanceOf(CheckResult);
    expect(result.status).toBe(CheckStatus.NON_COMPLIANT);
    expect(result.detail).toMatch(c.detail);
  });

  if (notApplicable.length > 0) {
    it.each(notApplicable.map((c) => [c.name, c] as const))('does not judge: %s', (_name, c) => {
      expect(check(rule, c.target, c.others, c.region, c.aliasRegions)).toBe(CheckResult.notApplicable());
    });
  }
});
