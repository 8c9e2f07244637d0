/**
 * Construct ids for the members of a list prop (alarms, topics, roles) keyed by what names each member,
 * not by where it stands in the list: reordering the list must not replace resources.
 */
import { DefaultTokenResolver, StringConcat, Tokenization } from 'cdktf';
import type { Construct } from 'constructs';
import { sanitizeName, shortHash } from './names';
import { isKnown } from './validation';

/**
 * A stable key for a member named by `value` (a name or an ARN): the last part of the name, readable,
 * and a hash of the whole. A value only Terraform knows is keyed by its reference
 * (`${var.on_call_role_arn}`), which does not move when the list is reordered either.
 */
export function memberKey(scope: Construct, value: string): string {
  const text = isKnown(value)
    ? value
    : String(Tokenization.resolve(value, { scope, resolver: new DefaultTokenResolver(new StringConcat()) }));
  const tail =
    text
      .split(/[:/]/)
      .filter((part) => part !== '')
      .pop() ?? text;
  const readable = sanitizeName(tail, 40) || 'member';
  return `${readable}-${shortHash([text])}`;
}

/** Keys for every member, refusing two members with the same key (the same alarm twice, say). */
export function memberKeys(scope: Construct, values: readonly string[], duplicate: (index: number) => never) {
  const keys = values.map((value) => memberKey(scope, value));
  keys.forEach((key, index) => {
    if (keys.indexOf(key) !== index) duplicate(index);
  });
  return keys;
}
