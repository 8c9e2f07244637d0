/** Where a backup schedule lives, and where the ARNs it is given point: regions and accounts known at synth. */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { isKnown } from '../internal/validation';

/** The region of an ARN, when the ARN is known and names one. */
export function arnRegion(arn: string | undefined): string | undefined {
  if (!isKnown(arn)) return undefined;
  const region = (arn as string).split(':')[3];
  return region ? region : undefined;
}

/** The account of an ARN, when the ARN is known and names one. */
export function arnAccount(arn: string): string | undefined {
  return isKnown(arn) ? arn.split(':')[4] || undefined : undefined;
}

/** The region of the stack's default (un-aliased) AWS provider, when it sets one at synth. */
export function defaultProviderRegion(scope: Construct): string | undefined {
  const provider = TerraformStack.of(scope)
    .node.children.filter((child): child is AwsProvider => child instanceof AwsProvider)
    .find((candidate) => candidate.alias === undefined);
  const region = provider?.region;
  return isKnown(region) ? region : undefined;
}
