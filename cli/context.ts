/**
 * What every command gets: output, a clock, and the resolution of "which watchdog" from the global
 * options — `--function` (nothing else needed), or `--service` looked up in the synthesized app.
 */
import { CliError, EXIT } from './errors';
import type { Output } from './output';
import { pickService, readSynthesizedApp, type SynthesizedService } from './synthesized-app';
import { WatchdogGateway, type AwsSettings } from './watchdog-gateway';

/** The options every command accepts. */
export interface GlobalOptions {
  readonly service?: string;
  readonly function?: string;
  readonly app: string;
  readonly region?: string;
  readonly profile?: string;
  readonly json: boolean;
  readonly color?: boolean;
}

/** One watchdog to talk to. */
export interface Target {
  readonly service: string;
  readonly gateway: WatchdogGateway;
  readonly region?: string;
  /** What the synthesized app says about it, when the target was found there. */
  readonly synthesized?: SynthesizedService;
}

export interface CommandContext {
  readonly out: Output;
  readonly options: GlobalOptions;
  now(): number;
  /** The one watchdog the options name. */
  target(): Promise<Target>;
  /**
   * Every watchdog the options name (all services of the app when no --service is given), and the
   * services whose watchdog cannot be addressed (their error), so one does not hide the others.
   */
  targets(): Promise<{ targets: Target[]; unavailable: { service: string; error: CliError }[] }>;
  /** The synthesized app's services (no AWS calls). */
  synthesizedServices(): SynthesizedService[];
  /** Who is acting, for the audit trail. */
  readonly operator: string;
  /**
   * Asks the operator a yes/no question on the terminal; undefined when there is none to ask on (a
   * script, a pipe), so the command can require `--yes` instead.
   */
  confirm(question: string): Promise<boolean | undefined>;
}

export interface ContextDependencies {
  readonly out: Output;
  readonly options: GlobalOptions;
  readonly env: Record<string, string | undefined>;
  readonly operator: string;
  readonly now?: () => number;
  readonly clientConfig?: Record<string, unknown>;
  /** @default - no terminal: every question is unanswered */
  readonly confirm?: (question: string) => Promise<boolean | undefined>;
}

export function createContext(deps: ContextDependencies): CommandContext {
  const { options, env } = deps;
  const settingsFor = (stackRegion: string | undefined): AwsSettings => {
    const region = options.region ?? stackRegion ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    return {
      ...(region ? { region } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
      ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
      ...(deps.clientConfig ? { clientConfig: deps.clientConfig } : {}),
    };
  };
  const fromSynthesized = (found: SynthesizedService): Target => {
    if (!found.functionName) {
      throw new CliError(
        `the watchdog function name of ${found.service} is only known after apply: pass --function <name or ARN>.`,
        EXIT.setup,
      );
    }
    const settings = settingsFor(found.region);
    return {
      service: found.service,
      gateway: new WatchdogGateway(found.functionName, settings),
      ...(settings.region ? { region: settings.region } : {}),
      synthesized: found,
    };
  };
  const synthesizedServices = () => readSynthesizedApp(options.app);

  const context: CommandContext = {
    out: deps.out,
    options,
    operator: deps.operator,
    now: deps.now ?? Date.now,
    confirm: deps.confirm ?? (() => Promise.resolve(undefined)),
    synthesizedServices,
    async target() {
      if (options.function) {
        const settings = settingsFor(undefined);
        const gateway = new WatchdogGateway(options.function, settings);
        const service = options.service ?? (await gateway.serviceName());
        return { service, gateway, ...(settings.region ? { region: settings.region } : {}) };
      }
      return fromSynthesized(pickService(synthesizedServices(), options.service, options.app));
    },
    async targets() {
      if (options.function || options.service) return { targets: [await context.target()], unavailable: [] };
      const services = synthesizedServices();
      if (services.length === 0) pickService(services, undefined, options.app);
      const targets: Target[] = [];
      const unavailable: { service: string; error: CliError }[] = [];
      for (const found of services) {
        try {
          targets.push(fromSynthesized(found));
        } catch (error) {
          if (!(error instanceof CliError)) throw error;
          unavailable.push({ service: found.service, error });
        }
      }
      return { targets, unavailable };
    },
  };
  return context;
}
