/**
 * The props of RollbackGroup. The fields that become the coordinator's configuration carry lib's names,
 * bounds and defaults (`lib/release-safety.ts`, `groupConfigSchema`).
 */
import type { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import type { IArtifactStore, IRollbackWatchdog } from '../contracts';
import type { WatchdogArchitecture } from '../watchdog/props';

/** Which way a group rolls back the members that follow a rolled-back one. */
export enum RollbackOrder {
  /**
   * Callers before callees: the services that call the rolled-back one go back first, outermost first,
   * so no caller keeps sending new-release requests to a callee that is already back.
   */
  CALLERS_FIRST = 'callers-first',
  /** Callees before callers: each service goes back only after what it calls is back. */
  CALLEES_FIRST = 'callees-first',
}

/** What a group does when one of its members rolls back. */
export enum MemberRollbackPolicy {
  /**
   * The members that depend on it (its callers, their callers…) roll back too, in the group's order,
   * each through its own watchdog. If any of them may not be reverted alone, nobody is rolled back by
   * the group: they are frozen and the on-call is paged with the commands to run.
   */
  FOLLOW = 'follow',
  /** Nobody is rolled back by the group: the dependents are frozen and the on-call is paged. */
  PAGE = 'page',
}

/** One service of a rollback group. */
export interface RollbackGroupMemberProps {
  /**
   * The service's watchdog: a `RollbackWatchdog` of the group's stack (the group makes it a member:
   * its configuration names the coordinator, which it may invoke), or one defined elsewhere, from
   * `RollbackWatchdog.fromRollbackWatchdogAttributes` (any region of the account; give that watchdog
   * `groupMembership` for it to report its own rollbacks to the group).
   */
  readonly watchdog: IRollbackWatchdog;
  /**
   * The services this one calls (their service names, members of the group): when one of them rolls
   * back, this one follows.
   * @default - calls no other member
   */
  readonly dependsOn?: string[];
  /**
   * Whether the group may roll this service back without a person. `false` for a service whose revert
   * needs more than traffic (a schema change, a data restore): a group rollback that would include it
   * is blocked, and the on-call is paged with the commands instead.
   * @default true
   */
  readonly mayRevertAlone?: boolean;
}

/** Props of {@link RollbackGroup}. */
export interface RollbackGroupProps {
  /**
   * The group's name: 1-40 lowercase letters, digits or hyphens, starting and ending with a letter or
   * digit. It names the coordinator function and the group's keys in the store.
   */
  readonly groupName: string;
  /** The services of the group (at least two), each once. */
  readonly members: RollbackGroupMemberProps[];
  /**
   * Where the coordinator's configuration (`config/groups/<group>/coordinator.json`) and the group's
   * decisions (`audit/groups/<group>/decisions/`) live: a `VersionedArtifactStore`, or one from
   * `VersionedArtifactStore.fromArtifactStoreAttributes`.
   */
  readonly store: IArtifactStore;
  /** Which way the followers of a rolled-back member are rolled back. @default RollbackOrder.CALLERS_FIRST */
  readonly order?: RollbackOrder;
  /** What happens to the dependents of a member that rolls back. @default MemberRollbackPolicy.FOLLOW */
  readonly onMemberRollback?: MemberRollbackPolicy;
  /**
   * How long the dependents of a rolled-back member stay frozen (no capture of a new release), 0-10080
   * minutes, unless its rollback is acknowledged first. 0: no group freeze.
   * @default 1440
   */
  readonly freezeMinutes?: number;
  /** The topic of one notification per group decision. @default - an encrypted topic is defined */
  readonly notificationTopic?: SnsTopic;
  /**
   * The coordinator function's timeout, in seconds (30-900): it rolls the followers back one after
   * the other, waiting for each watchdog's answer.
   * @default 900 - each follower's watchdog may take up to its own timeout (90 s by default), and the
   * coordinator retries a busy one for 30 s
   */
  readonly timeoutSeconds?: number;
  /**
   * How long the coordinator's logs are kept, in days: one of the values CloudWatch Logs accepts.
   * @default 365
   */
  readonly logRetentionDays?: number;
  /** The instruction set of the coordinator function. @default WatchdogArchitecture.ARM_64 */
  readonly architecture?: WatchdogArchitecture;
  /** X-Ray tracing of the coordinator. @default true */
  readonly tracing?: boolean;
}
