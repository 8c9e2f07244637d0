/**
 * What the group does about a member's report, decided from the group's configuration alone (pure):
 * who follows, in which order, and whether the group rolls them back or freezes them and pages. The
 * names that make the coordinator idempotent are derived here too.
 */
import { createHash } from 'node:crypto';
import { followersOf, type GroupConfig, type GroupMember, type MemberReport } from '../../lib';

export type GroupPlan =
  /** A rollback the group itself asked for: its cause's record links it; it starts nothing. */
  | { readonly kind: 'byproduct' }
  /** Nobody depends on the member that rolled back. */
  | { readonly kind: 'nothing-to-follow' }
  /** Roll each follower back, in order, stopping at the first failure. */
  | { readonly kind: 'follow'; readonly followers: readonly GroupMember[] }
  /**
   * Nobody is rolled back by the group: each follower is frozen and a person is paged with the
   * commands. `blocked`: a follower may not be reverted alone; `paged`: the group's policy is `page`.
   */
  | {
      readonly kind: 'freeze';
      readonly outcome: 'blocked' | 'paged';
      readonly followers: readonly GroupMember[];
      readonly reason: string;
    }
  /** An acknowledgement: lift the freezes put on the followers for this member's rollback. */
  | { readonly kind: 'unfreeze' };

/** The plan for a report from one of the group's members. */
export function planGroupResponse(config: GroupConfig, report: MemberReport): GroupPlan {
  if (report.action === 'member-acknowledged') return { kind: 'unfreeze' };
  if (report.byGroup) return { kind: 'byproduct' };
  const followers = followersOf(config.members, report.service, config.order).map(
    (service) => config.members.find((m) => m.service === service) as GroupMember,
  );
  if (followers.length === 0) return { kind: 'nothing-to-follow' };
  if (config.onMemberRollback === 'page') {
    return {
      kind: 'freeze',
      outcome: 'paged',
      followers,
      reason: `the group's policy is to page: ${followers.map((f) => f.service).join(', ')} depend on ${report.service} and are frozen for a person to decide`,
    };
  }
  const alone = followers.filter((f) => !f.mayRevertAlone);
  if (alone.length > 0) {
    return {
      kind: 'freeze',
      outcome: 'blocked',
      followers,
      reason: `${alone.map((f) => f.service).join(', ')} may not be reverted without a person: nobody was rolled back by the group; ${followers.map((f) => f.service).join(', ')} are frozen`,
    };
  }
  return { kind: 'follow', followers };
}

/** The group decision a report leads to: the same id for every delivery of that report. */
export function groupDecisionId(report: Pick<MemberReport, 'action' | 'service' | 'decisionId'>): string {
  return `g-${digest(report.action, report.service, report.decisionId).slice(0, 32)}`;
}

/**
 * The request id of a follower's rollback for one cause: a retried coordinator run asks again with the
 * same id, and the follower's watchdog answers `duplicate` instead of rolling back twice.
 */
export function followerRequestId(
  group: string,
  cause: Pick<MemberReport, 'service' | 'decisionId'>,
  follower: string,
): string {
  return `g-${digest(group, cause.service, cause.decisionId, follower).slice(0, 40)}`;
}

/** Why a follower is rolled back, as its own audit record says. */
export function followerReason(group: string, cause: Pick<MemberReport, 'service' | 'decisionId'>): string {
  return `group ${group}: ${cause.service} rolled back (${cause.decisionId})`;
}

/** The command that rolls a follower back by hand (what a page asks a person to run). */
export function rollbackCommand(member: GroupMember, reason: string): string {
  return `switchback rollback --function ${member.watchdogFunctionArn} --reason ${JSON.stringify(reason)}`;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}
