/**
 * What the coordinator accepts: a member's report of a rollback or an acknowledgement (an
 * asynchronous invoke from the member's watchdog), parsed at the edge. Anything else is rejected with
 * a reason and causes no AWS call.
 */
import * as z from 'zod/mini';
import { memberReportSchema, type MemberReport } from '../../lib';

export type ParsedGroupEvent =
  { readonly ok: true; readonly report: MemberReport } | { readonly ok: false; readonly reason: string };

/** Parses any delivered event; never throws. */
export function parseGroupEvent(raw: unknown): ParsedGroupEvent {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, reason: 'the event is not a JSON object' };
  }
  const action = (raw as Record<string, unknown>).action;
  if (action !== 'member-rolled-back' && action !== 'member-acknowledged') {
    return {
      ok: false,
      reason: `unknown action ${JSON.stringify(String(action)).slice(0, 60)}: a group coordinator accepts member-rolled-back and member-acknowledged reports from its members' watchdogs`,
    };
  }
  const parsed = memberReportSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `malformed ${action} report: ${issuesOf(parsed.error)}` };
  if (parsed.data.action === 'member-rolled-back' && parsed.data.outcome === undefined) {
    return {
      ok: false,
      reason: 'malformed member-rolled-back report: outcome: the rollback outcome is missing',
    };
  }
  return { ok: true, report: parsed.data };
}

function issuesOf(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`)
    .join('; ');
}
