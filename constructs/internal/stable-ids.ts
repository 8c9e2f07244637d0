/**
 * Construct ids are Terraform addresses. When an id changes (an index-keyed id becomes keyed by what the
 * user gives, see member-keys), `movedFrom` carries the resource's state to its new address with a
 * Terraform `moved` block instead of replacing it.
 */
import { TerraformStack, type TerraformResource } from 'cdktf';
import { Construct } from 'constructs';

/**
 * Adds a `moved` block from the address `resource` had under `previousId` (an id in the same scope)
 * to its address now. The stack computes the old address itself, from a placeholder that is removed
 * again, so a stack that allocates logical ids its own way gets its own addresses.
 */
export function movedFrom(resource: TerraformResource, previousId: string): void {
  const scope = resource.node.scope as Construct;
  const placeholder = new Construct(scope, previousId);
  const previousLogicalId = TerraformStack.of(resource).getLogicalId(placeholder.node);
  scope.node.tryRemoveChild(previousId);
  resource.moveFromId(`${resource.terraformResourceType}.${previousLogicalId}`);
}
