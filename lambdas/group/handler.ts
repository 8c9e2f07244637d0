/**
 * The coordinator's handler: a function of its dependencies. It parses the report at the edge, loads
 * the group's configuration and hands the report to the engine. A malformed report, or one that is
 * not from a member of this group, is rejected with a logged reason and returns normally: throwing
 * would only buy two more deliveries of the same bad event.
 */
import type { GroupConfig } from '../../lib';
import type { Log } from '../watchdog/engine/context';
import type { Clock } from '../watchdog/engine/retry';
import { coordinate, type GroupResult } from './engine';
import { parseGroupEvent } from './events';
import type { GroupPorts } from './ports';

/** The part of the Lambda context the handler uses. */
export interface GroupInvocationContext {
  readonly awsRequestId?: string;
  getRemainingTimeInMillis?(): number;
}

export interface GroupHandlerDependencies {
  /** The validated configuration, cached by the caller for a short while. */
  loadConfig(): Promise<GroupConfig>;
  /** The ports for a configuration (the store bucket and the topic come from it). */
  portsFor(config: GroupConfig): GroupPorts;
  readonly clock: Clock;
  readonly log: Log & { withKeys?(keys: Record<string, unknown>): void; clearKeys?(): void };
}

export type GroupResponse =
  | { readonly status: 'rejected'; readonly reason: string }
  | { readonly status: 'ok'; readonly kind: string; readonly result: GroupResult };

export function createGroupHandler(deps: GroupHandlerDependencies) {
  return async function handleGroup(
    rawEvent: unknown,
    invocation: GroupInvocationContext = {},
  ): Promise<GroupResponse> {
    const parsed = parseGroupEvent(rawEvent);
    if (!parsed.ok) return rejected(deps, parsed.reason);
    const { report } = parsed;
    deps.log.withKeys?.({
      ...(invocation.awsRequestId ? { requestId: invocation.awsRequestId } : {}),
      group: report.group,
      member: report.service,
      trigger: report.action,
    });
    try {
      if (report.action === 'member-rolled-back' && report.byGroup) {
        // A follower's own report of the rollback the group asked for: nothing to read or decide.
        deps.log.info('member report ignored', {
          decisionId: report.decisionId,
          reason: "a rollback the group asked for: its cause's record links it",
        });
        return {
          status: 'ok',
          kind: report.action,
          result: { outcome: 'ignored', reason: 'a rollback the group asked for', members: [] },
        };
      }
      const config = await deps.loadConfig();
      if (report.group !== config.group) {
        return rejected(
          deps,
          `a report for group ${report.group} reached the coordinator of group ${config.group}`,
        );
      }
      if (!config.members.some((m) => m.service === report.service)) {
        return rejected(
          deps,
          `${report.service} is not a member of group ${config.group} (members: ${config.members.map((m) => m.service).join(', ')})`,
        );
      }
      const remaining = invocation.getRemainingTimeInMillis?.();
      const result = await coordinate(
        {
          config,
          ports: deps.portsFor(config),
          clock: deps.clock,
          log: deps.log,
          ...(remaining !== undefined ? { deadline: deps.clock.now() + remaining } : {}),
        },
        report,
      );
      return { status: 'ok', kind: report.action, result };
    } catch (error) {
      deps.log.error('invocation failed', {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      throw error;
    } finally {
      deps.log.clearKeys?.();
    }
  };
}

function rejected(deps: GroupHandlerDependencies, reason: string): GroupResponse {
  deps.log.warn('event rejected', { reason });
  return { status: 'rejected', reason };
}
