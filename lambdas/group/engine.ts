/**
 * The coordinator's engine: a member's report in, the group's decision carried out, one group record
 * and one notification out.
 *
 * - `member-rolled-back` (not one the group itself asked for): the followers (the members that
 *   depend on it, directly or not) in the group's order. With the policy `follow` and every follower
 *   allowed to revert alone, each is rolled back through its own watchdog, synchronously and in order,
 *   and the first failure stops the sequence (`partial`: the failed and the remaining followers are
 *   frozen and a person is paged with the commands). Otherwise nobody is rolled back by the group:
 *   each follower is frozen (its watchdog refuses new releases until the cause is acknowledged or the
 *   freeze ends), and a person is paged with the commands to run, in order (`blocked` or `paged`).
 * - `member-acknowledged`: the freezes put on the followers for that release are lifted, as the
 *   freeze ledger written when they were put lists them (exactly those members, with the cause they
 *   were frozen for; not whoever depends on the member today).
 *
 * Idempotent under Lambda's retries of an asynchronous invoke: the record's key is derived from the
 * report; a run that finds it does nothing. A run that dies before writing it is retried whole: the
 * followers' rollbacks carry request ids derived from the cause, so a follower that already rolled
 * back answers `duplicate`, and freezes are level-triggered. The record goes last, with
 * `If-None-Match`, and only the run that writes it notifies.
 */
import { groupRecordSchema, type GroupMember, type GroupRecord, type MemberReport } from '../../lib';
import { isoNow } from '../watchdog/engine/context';
import { callMember, freezeOutcomeOf, rollbackOutcomeOf, type GroupContext } from './members';
import {
  followerReason,
  followerRequestId,
  groupDecisionId,
  planGroupResponse,
  rollbackCommand,
} from './plan';
import {
  freezeLedgerKey,
  freezeLedgerSchema,
  groupDecisionKey,
  groupSubject,
  type FreezeLedger,
  type GroupMemberOutcome,
} from './records';

export type { GroupContext };

/** The coordinator's answer to a report. */
export interface GroupResult {
  /** The group decision (its record), when the report led to one. */
  readonly decisionId?: string;
  /**
   * The record's outcome; `ignored`: a rollback the group asked for (its cause's record has it);
   * `already-decided`: a retried report whose decision is recorded; `nothing-frozen`: an
   * acknowledgement of a release nobody was frozen for.
   */
  readonly outcome: GroupRecord['outcome'] | 'ignored' | 'already-decided' | 'nothing-frozen';
  readonly reason?: string;
  readonly members: readonly GroupMemberOutcome[];
  /** What a person should run, in order (blocked, paged or partial decisions). */
  readonly commands?: readonly string[];
}

/** Acts on one member's report (parsed at the edge, from a member of this group). */
export async function coordinate(context: GroupContext, report: MemberReport): Promise<GroupResult> {
  const { config, ports, log } = context;
  const plan = planGroupResponse(config, report);
  if (plan.kind === 'byproduct') {
    const reason = `${report.service} was rolled back at the group's request: the record of its cause links it, and it starts nothing`;
    log.info('member report ignored', { service: report.service, decisionId: report.decisionId, reason });
    return { outcome: 'ignored', reason, members: [] };
  }
  const decisionId = groupDecisionId(report);
  const key = groupDecisionKey(config.group, report, decisionId);
  const existing = await ports.store.getJson(key);
  if (existing) {
    const recorded = groupRecordSchema.safeParse(existing.body);
    log.info('report already decided', { decisionId, key });
    return {
      decisionId,
      outcome: 'already-decided',
      reason: `this report was decided before${recorded.success ? ` (${recorded.data.outcome})` : ''}: nothing is done again`,
      members: recorded.success ? recorded.data.members : [],
    };
  }
  const startedAt = isoNow(context);
  const cause = causeOf(report);
  let decided: Decided | undefined;
  switch (plan.kind) {
    case 'nothing-to-follow':
      decided = {
        outcome: 'nothing-to-follow',
        reason: `no member depends on ${report.service}`,
        members: [cause, ...unaffected(config.members, [report.service])],
        notify: false,
      };
      break;
    case 'follow':
      decided = await follow(context, report, plan.followers, cause, decisionId);
      break;
    case 'freeze':
      decided = await freezeInstead(context, report, plan, cause, decisionId);
      break;
    case 'unfreeze':
      decided = await unfreeze(context, report, decisionId);
      if (!decided) {
        const reason = `nobody was frozen for ${report.service} ${report.releaseId}: nothing to lift`;
        log.info('acknowledgement: nothing frozen', { service: report.service, releaseId: report.releaseId });
        return { outcome: 'nothing-frozen', reason, members: [] };
      }
      break;
  }
  return record(context, report, decisionId, key, startedAt, decided);
}

/** A decision carried out, to be recorded. */
interface Decided {
  readonly outcome: GroupRecord['outcome'];
  readonly reason?: string;
  readonly members: GroupMemberOutcome[];
  readonly commands?: string[];
  readonly notify: boolean;
}

/** Rolls each follower back in order; the first failure stops the sequence and freezes the rest. */
async function follow(
  context: GroupContext,
  report: MemberReport,
  followers: readonly GroupMember[],
  cause: GroupMemberOutcome,
  decisionId: string,
): Promise<Decided> {
  const { group } = context.config;
  const reason = followerReason(group, report);
  const done: GroupMemberOutcome[] = [];
  for (const [index, member] of followers.entries()) {
    const call = await callMember(context, member, {
      action: 'rollback',
      reason,
      requestedBy: `group:${group}`,
      requestId: followerRequestId(group, report, member.service),
      group: { name: group, cause: report.decisionId },
    });
    const outcome = rollbackOutcomeOf(call);
    if (outcome.outcome !== 'failed') {
      done.push({ service: member.service, role: 'follower', ...outcome });
      continue;
    }
    // Stopped: what is left still depends on a rolled-back member; it is frozen for a person.
    const left = followers.slice(index);
    const frozen = await freezeAll(context, report, left, decisionId);
    const [failed, ...rest] = left;
    const members: GroupMemberOutcome[] = [
      cause,
      ...done,
      {
        service: failed.service,
        role: 'follower',
        outcome: 'failed',
        ...(outcome.decisionId ? { decisionId: outcome.decisionId } : {}),
        detail: `${outcome.detail ?? 'failed'}; ${frozen.get(failed.service)?.detail ?? 'not frozen'}`,
      },
      ...rest.map((m): GroupMemberOutcome => {
        const freeze = frozen.get(m.service);
        return {
          service: m.service,
          role: 'follower',
          outcome: freeze?.ok ? 'frozen' : 'skipped',
          ...linked(freeze),
          detail: `not rolled back: the group stopped at ${failed.service}; ${freeze?.detail ?? 'not frozen'}`,
        };
      }),
      ...unaffected(context.config.members, [report.service, ...followers.map((f) => f.service)]),
    ];
    return {
      outcome: 'partial',
      reason: `the rollback of ${failed.service} failed (${outcome.detail ?? 'failed'}); the group stopped there: ${left.map((m) => m.service).join(', ')} not rolled back by the group`,
      members,
      commands: left.map((m) => rollbackCommand(m, reason)),
      notify: true,
    };
  }
  return {
    outcome: 'followed',
    reason: `${followers.map((f) => f.service).join(', ')} depend on ${report.service}: rolled back in ${context.config.order} order`,
    members: [
      cause,
      ...done,
      ...unaffected(context.config.members, [report.service, ...followers.map((f) => f.service)]),
    ],
    notify: true,
  };
}

/** Nobody is rolled back by the group: each follower is frozen, and a person is paged with the commands. */
async function freezeInstead(
  context: GroupContext,
  report: MemberReport,
  plan: {
    readonly outcome: 'blocked' | 'paged';
    readonly followers: readonly GroupMember[];
    readonly reason: string;
  },
  cause: GroupMemberOutcome,
  decisionId: string,
): Promise<Decided> {
  const frozen = await freezeAll(context, report, plan.followers, decisionId);
  const reason = followerReason(context.config.group, report);
  return {
    outcome: plan.outcome,
    reason: plan.reason,
    members: [
      cause,
      ...plan.followers.map((m): GroupMemberOutcome => {
        const freeze = frozen.get(m.service);
        const alone = m.mayRevertAlone ? '' : 'may not be reverted without a person; ';
        return {
          service: m.service,
          role: 'follower',
          outcome: freeze?.ok ? 'frozen' : 'blocked',
          ...linked(freeze),
          detail: `${alone}${freeze?.detail ?? 'not frozen'}`,
        };
      }),
      ...unaffected(context.config.members, [report.service, ...plan.followers.map((f) => f.service)]),
    ],
    commands: plan.followers.map((m) => rollbackCommand(m, reason)),
    notify: true,
  };
}

/** A member's freeze: its own decision (audit record) when it made one. */
interface FreezeResult {
  readonly ok: boolean;
  readonly detail: string;
  readonly decisionId?: string;
}

/** The member's own decision of its freeze, for the record. */
const linked = (freeze: FreezeResult | undefined) =>
  freeze?.decisionId ? { decisionId: freeze.decisionId } : {};

/**
 * Freezes each member for the cause, in order, and writes the ledger of those frozen. With
 * `freezeMinutes` 0 the group freezes nobody.
 */
async function freezeAll(
  context: GroupContext,
  report: MemberReport,
  members: readonly GroupMember[],
  decisionId: string,
): Promise<Map<string, FreezeResult>> {
  const { config, ports } = context;
  const results = new Map<string, FreezeResult>();
  if (config.freezeMinutes === 0) {
    for (const m of members)
      results.set(m.service, { ok: false, detail: 'not frozen: the group freezes nobody (freezeMinutes 0)' });
    return results;
  }
  const frozenAt = isoNow(context);
  const until = new Date(context.clock.now() + config.freezeMinutes * 60_000).toISOString();
  const cause = { service: report.service, releaseId: report.releaseId, decisionId: report.decisionId };
  for (const member of members) {
    const call = await callMember(context, member, { action: 'freeze', group: config.group, cause, until });
    const freeze = freezeOutcomeOf(call);
    results.set(
      member.service,
      freeze.ok
        ? {
            ok: true,
            detail: `frozen until ${until}`,
            ...(freeze.decisionId ? { decisionId: freeze.decisionId } : {}),
          }
        : { ok: false, detail: `not frozen: ${freeze.detail}` },
    );
  }
  const frozen = members.filter((m) => results.get(m.service)?.ok);
  if (frozen.length > 0) {
    const ledger: FreezeLedger = {
      schemaVersion: 1,
      group: config.group,
      cause,
      decisionId,
      frozenAt,
      until,
      members: frozen.map((m) => ({ service: m.service, watchdogFunctionArn: m.watchdogFunctionArn })),
    };
    await ports.store.putJson(freezeLedgerKey(config.group, report.service, report.releaseId), ledger);
  }
  return results;
}

/**
 * Lifts the freezes the ledger lists for the acknowledged release, with the cause they were put for.
 * Undefined when nobody is frozen for it (no ledger, or lifted already).
 */
async function unfreeze(
  context: GroupContext,
  report: MemberReport,
  decisionId: string,
): Promise<Decided | undefined> {
  const { config, ports } = context;
  const key = freezeLedgerKey(config.group, report.service, report.releaseId);
  const stored = await ports.store.getJson(key);
  const parsed = stored ? freezeLedgerSchema.safeParse(stored.body) : undefined;
  if (parsed && !parsed.success) context.log.warn('freeze ledger unreadable; nothing lifted', { key });
  if (!parsed?.success || parsed.data.lifted) return undefined;
  const ledger = parsed.data;
  const members: GroupMemberOutcome[] = [];
  for (const listed of ledger.members) {
    const member = config.members.find((m) => m.service === listed.service) ?? {
      // A member since removed from the group: its watchdog is still where the freeze was sent.
      service: listed.service,
      watchdogFunctionArn: listed.watchdogFunctionArn,
      dependsOn: [],
      mayRevertAlone: true,
    };
    const call = await callMember(context, member, {
      action: 'unfreeze',
      group: config.group,
      cause: ledger.cause,
    });
    const lifted = freezeOutcomeOf(call);
    members.push({
      service: member.service,
      role: 'frozen',
      outcome: lifted.ok ? 'unfrozen' : 'failed',
      ...linked(lifted),
      detail: lifted.ok ? lifted.detail : `still frozen until ${ledger.until}: ${lifted.detail}`,
    });
  }
  const stillFrozen = members.filter((m) => m.outcome === 'failed').map((m) => m.service);
  await ports.store.putJson(key, {
    ...ledger,
    lifted: { at: isoNow(context), decisionId, stillFrozen },
  } satisfies FreezeLedger);
  return {
    outcome: stillFrozen.length === 0 ? 'unfrozen' : 'partial',
    reason:
      stillFrozen.length === 0
        ? `${report.service} ${report.releaseId} acknowledged: the freezes put for its rollback (${ledger.cause.decisionId}) are lifted`
        : `${report.service} ${report.releaseId} acknowledged, but the freeze of ${stillFrozen.join(', ')} could not be lifted: it ends at ${ledger.until}, or deploy with a freeze override`,
    members,
    notify: true,
  };
}

/** Writes the group record (If-None-Match: one run writes it) and, from that run, the notification. */
async function record(
  context: GroupContext,
  report: MemberReport,
  decisionId: string,
  key: string,
  startedAt: string,
  decided: Decided,
): Promise<GroupResult> {
  const { config, ports, log } = context;
  const record: GroupRecord = groupRecordSchema.parse({
    schemaVersion: 1,
    decisionId,
    group: config.group,
    decidedAt: isoNow(context),
    trigger: {
      kind: report.action,
      service: report.service,
      releaseId: report.releaseId,
      decisionId: report.decisionId,
    },
    order: config.order,
    outcome: decided.outcome,
    ...(decided.reason ? { reason: decided.reason } : {}),
    members: decided.members,
    startedAt,
    finishedAt: isoNow(context),
  } satisfies GroupRecord);
  const written = await ports.store.putJson(key, record, { ifNoneMatch: true });
  const result: GroupResult = {
    decisionId,
    outcome: decided.outcome,
    ...(decided.reason ? { reason: decided.reason } : {}),
    members: decided.members,
    ...(decided.commands ? { commands: decided.commands } : {}),
  };
  if (written === 'precondition-failed') {
    // Another delivery of the same report decided it at the same time, and notified.
    log.info('group decision recorded by another run', { decisionId, key });
    return result;
  }
  log.info('group decision recorded', { decisionId, outcome: record.outcome, reason: record.reason });
  if (decided.notify) {
    try {
      await ports.notify.publish(groupSubject(record), {
        ...record,
        ...(decided.commands ? { commands: decided.commands } : {}),
      });
    } catch (error) {
      // The record is written; a lost notification must not repeat the decision.
      log.error('notification failed', { decisionId, error: String(error) });
    }
  }
  return result;
}

/** The member whose report this is, as the record lists it first. */
function causeOf(report: MemberReport): GroupMemberOutcome {
  const partial = report.outcome === 'partial';
  return {
    service: report.service,
    role: 'cause',
    outcome: partial ? 'failed' : 'rolled-back',
    decisionId: report.decisionId,
    detail: partial
      ? 'its own rollback is partial: its watchdog finishes it on the schedule tick'
      : `its own rollback: ${report.outcome ?? 'rolled-back'}`,
  };
}

/** The members the decision did not touch, in declaration order. */
function unaffected(members: readonly GroupMember[], touched: readonly string[]): GroupMemberOutcome[] {
  return members
    .filter((m) => !touched.includes(m.service))
    .map((m) => ({ service: m.service, role: 'unaffected', outcome: 'skipped' }));
}
