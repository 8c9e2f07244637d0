/**
 * KMS key policies written on the key itself (`aws_kms_key.policy`), not as a separate
 * `aws_iam_policy_document`: a key policy's `Resource: "*"` means "this key", and scanners that read
 * policy documents as identity policies (checkov's CKV_AWS_109/111/356) would misread it there.
 */

/** One statement of a key policy beyond the account's own administration of the key. */
export interface KeyPolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Principal: { readonly Service: string } | { readonly AWS: string };
  readonly Action: string[];
  readonly Resource: '*';
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * The key policy AWS gives a key by default (the account administers it through IAM), written out
 * so that it is reviewed with the stack, plus `statements`.
 */
export function accountKeyPolicy(
  partition: string,
  accountId: string,
  statements: readonly KeyPolicyStatement[] = [],
): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AccountAdministersKey',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      ...statements,
    ],
  });
}
