/**
 * The Lambda entry points of the bundle: `index.handler` (a service's watchdog) and
 * `index.groupHandler` (a rollback group's coordinator). Each checks its environment and builds its
 * AWS clients once per cold start; a function builds only the one it is configured to run (Lambda's
 * `_HANDLER`, else whichever environment is set), at init, and the other only if it is ever called.
 */
import { createGroupRuntime } from '../group/runtime';
import { createRuntime } from './runtime';

type Handler = (
  event: unknown,
  context?: Parameters<ReturnType<typeof createRuntime>['handler']>[1],
) => Promise<unknown>;

const env = process.env;
const runsGroup =
  env._HANDLER !== undefined
    ? env._HANDLER.endsWith('.groupHandler')
    : env.SWITCHBACK_GROUP_CONFIG_BUCKET !== undefined && env.SWITCHBACK_CONFIG_BUCKET === undefined;

/** Built now (init) when this function runs it, else on first use. */
function entry(build: () => Handler, now: boolean): Handler {
  let built: Handler | undefined = now ? build() : undefined;
  return (event, context) => (built ??= build())(event, context);
}

export const handler = entry(() => createRuntime().handler, !runsGroup);
export const groupHandler = entry(() => createGroupRuntime().handler, runsGroup);
