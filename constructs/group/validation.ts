/**
 * Synth-time checks of RollbackGroup's props. The fields that become the coordinator's configuration
 * are checked with their part of lib's schema (`groupConfigSchema`); the graph rules (members known,
 * each once, no self-dependency, no cycle) and the rules of what the construct defines are checked
 * here. Every failure names the construct path and the prop (`members[1].dependsOn[0]`).
 */
import { TerraformStack, Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import { ARN_PATTERNS, groupConfigSchema, groupNameSchema, SERVICE_NAME_PATTERN } from '../../lib';
import type { IRollbackWatchdog } from '../contracts';
import { isKnown, PropValidator, show } from '../internal/validation';
import { RollbackWatchdog } from '../rollback-watchdog';
import { WatchdogArchitecture } from '../watchdog/props';
import { LOG_RETENTION_DAYS, parseAs } from '../watchdog/validation';
import { MemberRollbackPolicy, RollbackOrder, type RollbackGroupProps } from './props';

/** lib's group schema for synth: Terraform references pass the format checks. Built once. */
let synthSchema: ReturnType<typeof groupConfigSchema> | undefined;
export function groupSchemaAtSynth(): ReturnType<typeof groupConfigSchema> {
  synthSchema ??= groupConfigSchema({ isUnresolved: (value) => Token.isUnresolved(value) });
  return synthSchema;
}

/** Checks the props, throwing a SwitchbackValidationError naming the first bad one. */
export function validateGroupProps(scope: IConstruct, props: RollbackGroupProps): void {
  const check = new PropValidator(scope);
  check.required(props, ['groupName', 'members', 'store'], 'to define a rollback group');
  check.literal('groupName', props.groupName, 'it names the coordinator function and the group in the store');
  parseAs(scope, 'groupName', groupNameSchema, props.groupName);
  validateMembers(scope, check, props);
  validateGraph(check, props);

  check.oneOf('order', props.order, Object.values(RollbackOrder));
  check.oneOf('onMemberRollback', props.onMemberRollback, Object.values(MemberRollbackPolicy));
  check.literal('freezeMinutes', props.freezeMinutes, 'the coordinator reads it from its configuration');
  if (props.freezeMinutes !== undefined) {
    parseAs(scope, 'freezeMinutes', groupSchemaAtSynth().shape.freezeMinutes, props.freezeMinutes);
  }
  check.integerInRange('timeoutSeconds', props.timeoutSeconds, 30, 900, "Lambda's limit is 900 s");
  if (props.logRetentionDays !== undefined && isKnown(props.logRetentionDays)) {
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(props.logRetentionDays)) {
      check.fail(
        'logRetentionDays',
        props.logRetentionDays,
        `must be one of the values CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}.`,
      );
    }
  }
  check.oneOf('architecture', props.architecture, Object.values(WatchdogArchitecture));
}

/** Each member: a watchdog the coordinator can invoke, named once, its dependencies members. */
function validateMembers(scope: IConstruct, check: PropValidator, props: RollbackGroupProps): void {
  const members = props.members;
  if (!Array.isArray(members) || members.length < 2) {
    check.fail(
      'members',
      Array.isArray(members) ? `${members.length} member(s)` : members,
      'a group has at least two members: a group of one has nobody to follow it.',
    );
  }
  const seenWatchdogs = new Map<IRollbackWatchdog, number>();
  const seenServices = new Map<string, number>();
  members.forEach((member, index) => {
    const where = `members[${index}]`;
    if (member?.watchdog == null) {
      check.conflict(
        `${where}.watchdog`,
        'is required: the watchdog of the member, which the coordinator invokes (a RollbackWatchdog, or RollbackWatchdog.fromRollbackWatchdogAttributes for one defined elsewhere).',
      );
    }
    const watchdog = member.watchdog;
    for (const field of ['serviceName', 'functionArn'] as const) {
      if (watchdog[field] == null) {
        check.conflict(
          `${where}.watchdog.${field}`,
          `is required: the coordinator invokes the member's watchdog by its function ARN and the group names it by its service. Give ${field} (RollbackWatchdog.fromRollbackWatchdogAttributes).`,
        );
      }
    }
    const first = seenWatchdogs.get(watchdog);
    if (first !== undefined) {
      check.conflict(
        `${where}.watchdog`,
        `is members[${first}].watchdog again; each member may appear once.`,
      );
    }
    seenWatchdogs.set(watchdog, index);
    check.literal(
      `${where}.watchdog.serviceName`,
      watchdog.serviceName,
      "the group's dependencies are checked by service name at synth",
    );
    check.matches(
      `${where}.watchdog.serviceName`,
      watchdog.serviceName,
      SERVICE_NAME_PATTERN,
      'must be a service name: 1-40 lowercase letters, digits or hyphens.',
    );
    const again = seenServices.get(watchdog.serviceName);
    if (again !== undefined) {
      check.fail(
        `${where}.watchdog.serviceName`,
        watchdog.serviceName,
        `members[${again}] is that service already; each service may be a member once.`,
      );
    }
    seenServices.set(watchdog.serviceName, index);
    check.matches(
      `${where}.watchdog.functionArn`,
      watchdog.functionArn,
      ARN_PATTERNS.lambdaFunction,
      "must be a Lambda function's unqualified ARN (arn:aws:lambda:<region>:<account>:function:<name>): the coordinator invokes the member's watchdog by it, in any region.",
    );
    if (watchdog instanceof RollbackWatchdog) {
      if (TerraformStack.of(watchdog) !== TerraformStack.of(scope)) {
        check.conflict(
          `${where}.watchdog`,
          `is the watchdog of '${watchdog.serviceName}' in the stack '${TerraformStack.of(watchdog).node.id}', not the group's ('${TerraformStack.of(scope).node.id}'): the coordinator would need its ARN and it the coordinator's, a reference each way between the stacks, which Terraform cannot order. Define the group in the watchdog's stack, or give the member as RollbackWatchdog.fromRollbackWatchdogAttributes(...) and that watchdog groupMembership: { groupName, coordinatorFunctionArn } (the coordinator is named RollbackGroup.coordinatorFunctionName(groupName)).`,
        );
      }
      const membership = watchdog.groupMembership;
      if (membership !== undefined) {
        check.conflict(
          `${where}.watchdog`,
          membership.groupName === props.groupName
            ? `is the watchdog of '${watchdog.serviceName}', which names this group in its groupMembership already: the group makes the watchdogs of its stack members itself; leave groupMembership out.`
            : `is the watchdog of '${watchdog.serviceName}', a member of the rollback group '${membership.groupName}' already; a service belongs to one group at most (its configuration names one coordinator). Declare the dependencies of every service in one RollbackGroup.`,
        );
      }
    }
    if (member.mayRevertAlone !== undefined && typeof member.mayRevertAlone !== 'boolean') {
      check.fail(`${where}.mayRevertAlone`, member.mayRevertAlone, 'must be true or false.');
    }
  });
}

/** Every dependency names another member, once; the dependencies do not loop. */
function validateGraph(check: PropValidator, props: RollbackGroupProps): void {
  const services = props.members.map((member) => member.watchdog.serviceName);
  const index = new Map(services.map((service, position) => [service, position]));
  props.members.forEach((member, position) => {
    const seen = new Set<string>();
    (member.dependsOn ?? []).forEach((callee, entry) => {
      const where = `members[${position}].dependsOn[${entry}]`;
      check.literal(where, callee, "the group's dependencies are checked by service name at synth");
      if (callee === services[position]) {
        check.fail(where, callee, 'is the member itself: a service cannot follow its own rollback.');
      }
      if (!index.has(callee)) {
        check.fail(
          where,
          callee,
          `is not a member of the group: the members are ${services.map(show).join(', ')}. Add its watchdog to members (RollbackWatchdog.fromRollbackWatchdogAttributes for one defined elsewhere), or remove the dependency.`,
        );
      }
      if (seen.has(callee)) check.fail(where, callee, 'is listed twice; name each dependency once.');
      seen.add(callee);
    });
  });

  // Depth-first from each member in declaration order; a dependency back onto the current path closes
  // a cycle, reported from where it starts.
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (service: string): void => {
    state.set(service, 'visiting');
    path.push(service);
    for (const callee of props.members[index.get(service) as number].dependsOn ?? []) {
      if (state.get(callee) === 'visiting') {
        const cycle = [...path.slice(path.indexOf(callee)), callee];
        check.conflict(
          `members[${index.get(callee)}].dependsOn`,
          `the dependencies loop: ${cycle.join(' -> ')}. A group rolls its members back in dependency order, which a loop does not have: remove one of these dependencies.`,
        );
      }
      if (state.get(callee) === undefined) visit(callee);
    }
    path.pop();
    state.set(service, 'done');
  };
  for (const service of services) if (state.get(service) === undefined) visit(service);
}
