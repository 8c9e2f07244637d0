/**
 * What the CLI learns from a synthesized app (`cdktf.out`): which services have a watchdog, its
 * function and region, its alarms and their thresholds, and its backups. Read from the Terraform JSON
 * the constructs wrote, never from construct code (lib <- cli).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ContractError,
  parseWatchdogConfig,
  serviceOfWatchdogConfigKey,
  watchdogConfigLocalName,
  type WatchdogConfig,
} from '../lib';
import { CliError, EXIT } from './errors';

/** One alarm that can trigger a rollback, as synthesized. */
export interface SynthesizedAlarm {
  readonly name: string;
  readonly description?: string;
  /** What is measured: `namespace metric (statistic)`, or the math expression. */
  readonly measures: string;
  readonly comparison: string;
  readonly threshold: number | string;
  readonly periodSeconds?: number;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  readonly treatMissingData?: string;
}

/** A composite alarm and the rule that combines its members. */
export interface SynthesizedCompositeAlarm {
  readonly name: string;
  readonly description?: string;
  readonly rule: string;
  readonly members: SynthesizedAlarm[];
}

/** The backups behind a service's data, for the runbook's recovery section. */
export interface SynthesizedBackup {
  readonly vaultName: string;
  readonly plans: {
    readonly name: string;
    readonly rules: {
      readonly name: string;
      readonly schedule?: string;
      readonly deleteAfterDays?: number;
      readonly copyTo: string[];
    }[];
  }[];
  readonly protectedResources: string[];
}

/** A service protected by a watchdog, as the synthesized app defines it. */
export interface SynthesizedService {
  readonly service: string;
  readonly stack: string;
  /** The function name, or undefined when it is only known at apply time. */
  readonly functionName?: string;
  /** The region of the watchdog's provider, when it is a literal. */
  readonly region?: string;
  /**
   * The watchdog configuration as synthesized, parsed with lib's schema (so defaults are filled in);
   * values only Terraform knows are `${...}` strings.
   */
  readonly config?: WatchdogConfig;
  readonly alarms: SynthesizedCompositeAlarm[];
  /** Alarms the watchdog is given that are plain metric alarms. */
  readonly metricAlarms: SynthesizedAlarm[];
  readonly backup?: SynthesizedBackup;
  /** Who may invoke the watchdog by hand (principals that are not AWS services). */
  readonly operatorPrincipals: string[];
}

type Block = Record<string, unknown>;
interface StackJson {
  readonly name: string;
  readonly provider?: { aws?: Block[] };
  readonly resource?: Record<string, Record<string, Block>>;
  readonly locals?: Record<string, unknown>;
}

/** Reads every stack of a synthesized app and returns the services that have a watchdog. */
export function readSynthesizedApp(appDir: string): SynthesizedService[] {
  const manifestPath = join(resolve(appDir), 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new CliError(
      `no synthesized app at ${appDir}: run \`cdktf synth\` or \`cdktn synth\` (or \`npm run synth\`) first, pass --app <dir>, or name the watchdog with --function.`,
      EXIT.setup,
    );
  }
  let manifest: { stacks?: Record<string, { synthesizedStackPath?: string }> };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new CliError(`${manifestPath} is not valid JSON: ${(error as Error).message}`, EXIT.setup);
  }
  const stacks: StackJson[] = Object.entries(manifest.stacks ?? {}).flatMap(([name, entry]) => {
    if (!entry.synthesizedStackPath) return [];
    const path = join(resolve(appDir), entry.synthesizedStackPath);
    if (!existsSync(path)) return [];
    try {
      return [{ name, ...(JSON.parse(readFileSync(path, 'utf8')) as Omit<StackJson, 'name'>) }];
    } catch (error) {
      throw new CliError(
        `${path} is not valid JSON: ${(error as Error).message}; synthesize again.`,
        EXIT.setup,
      );
    }
  });
  const all = (type: string) =>
    stacks.flatMap((stack) =>
      Object.entries(stack.resource?.[type] ?? {}).map(([id, block]) => ({ stack, id, block })),
    );
  const metricAlarms = new Map(
    all('aws_cloudwatch_metric_alarm').map(({ block }) => [String(block.alarm_name), metricAlarm(block)]),
  );
  const composites = new Map(
    all('aws_cloudwatch_composite_alarm').map(({ block }) => [String(block.alarm_name), block]),
  );

  return all('aws_lambda_function').flatMap(({ stack, id, block }) => {
    const variables =
      (block.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {};
    const service = serviceOfWatchdogConfigKey(variables.SWITCHBACK_CONFIG_KEY ?? '');
    // The health-ping prober carries the watchdog's configuration too, but hands breaches to the watchdog.
    if (!service || variables.SWITCHBACK_WATCHDOG_FUNCTION !== undefined) return [];
    const config = configOf(stack, service);
    const alarmNames = (config?.alarms ?? []).map((a) => a.name);
    const backup = config?.backup;
    return [
      {
        service,
        stack: stack.name,
        ...(isLiteral(block.function_name) ? { functionName: String(block.function_name) } : {}),
        ...regionOf(stack, block),
        ...(config ? { config } : {}),
        alarms: alarmNames.flatMap((name) => {
          const composite = composites.get(name);
          if (!composite) return [];
          const rule = String(composite.alarm_rule ?? '');
          const memberNames = [...new Set([...rule.matchAll(/ALARM\("([^"]+)"\)/g)].map((m) => m[1]))];
          return [
            {
              name,
              ...(composite.alarm_description ? { description: String(composite.alarm_description) } : {}),
              rule,
              members: memberNames.flatMap((member) => metricAlarms.get(member) ?? []),
            },
          ];
        }),
        metricAlarms: alarmNames.flatMap((name) => metricAlarms.get(name) ?? []),
        ...(backup?.vaultName ? { backup: backupOf(all, backup.vaultName, backup.resourceArns ?? []) } : {}),
        operatorPrincipals: all('aws_lambda_permission')
          .filter(
            ({ stack: s, block: p }) =>
              s === stack && String(p.function_name).includes(`aws_lambda_function.${id}.`),
          )
          .map(({ block: p }) => String(p.principal))
          .filter((principal) => !principal.endsWith('.amazonaws.com')),
      },
    ];
  });
}

/** Finds one service, or explains which exist. */
export function pickService(
  services: SynthesizedService[],
  name: string | undefined,
  appDir: string,
): SynthesizedService {
  const names = services.map((s) => s.service);
  if (services.length === 0) {
    throw new CliError(`the app in ${appDir} defines no Switchback watchdog.`, EXIT.setup);
  }
  if (name === undefined) {
    if (services.length === 1) return services[0];
    throw new CliError(
      `the app defines several services (${names.join(', ')}): pass --service <name>.`,
      EXIT.usage,
    );
  }
  const found = services.find((s) => s.service === name);
  if (!found) {
    throw new CliError(
      `unknown service "${name}": the app in ${appDir} defines ${names.join(', ')}.`,
      EXIT.setup,
    );
  }
  return found;
}

function isLiteral(value: unknown): value is string {
  return typeof value === 'string' && !value.includes('${');
}

function regionOf(stack: StackJson, fn: Block): { region?: string } {
  const alias = typeof fn.provider === 'string' ? fn.provider.replace(/^aws\./, '') : undefined;
  const provider = (stack.provider?.aws ?? []).find((p) =>
    alias ? p.alias === alias : p.alias === undefined,
  );
  return isLiteral(provider?.region) ? { region: provider.region } : {};
}

/**
 * The watchdog configuration of `service`: the Terraform local the constructs write it to (the store
 * object is `jsonencode` of it), read as JSON and parsed with the watchdog's own schema. An app
 * synthesized by a Switchback without that local has none, and the runbook says less.
 */
function configOf(stack: StackJson, service: string): WatchdogConfig | undefined {
  const local = stack.locals?.[watchdogConfigLocalName(service)];
  if (local === undefined) return undefined;
  try {
    return parseWatchdogConfig(local, {
      isUnresolved: (value) => typeof value === 'string' && value.includes('${'),
    });
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    throw new CliError(
      `the watchdog configuration of ${service} in stack ${stack.name} does not match this CLI's schema (${error.issues.join('; ')}); synthesize again with the same Switchback version as the CLI.`,
      EXIT.setup,
    );
  }
}

function metricAlarm(block: Block): SynthesizedAlarm {
  const queries = (block.metric_query as Block[] | undefined) ?? [];
  const returned = queries.find((q) => q.return_data === true) ?? queries.find((q) => q.expression);
  const statistic = block.extended_statistic ?? block.statistic;
  const measures = returned?.expression
    ? `${String(returned.label ?? 'expression')}: ${String(returned.expression)}`
    : `${String(block.namespace ?? '')} ${String(block.metric_name ?? '')}${statistic ? ` (${String(statistic)})` : ''}`.trim();
  const number = (value: unknown) => (typeof value === 'number' ? value : undefined);
  // Metric math alarms carry the period on each metric, not on the alarm.
  const firstMetric = queries.find((q) => q.metric)?.metric as Block | undefined;
  return {
    name: String(block.alarm_name),
    ...(block.alarm_description ? { description: String(block.alarm_description) } : {}),
    measures,
    comparison: String(block.comparison_operator ?? ''),
    threshold: typeof block.threshold === 'number' ? block.threshold : String(block.threshold ?? ''),
    ...optional('periodSeconds', number(block.period) ?? number(firstMetric?.period)),
    ...optional('evaluationPeriods', number(block.evaluation_periods)),
    ...optional('datapointsToAlarm', number(block.datapoints_to_alarm)),
    ...optional(
      'treatMissingData',
      typeof block.treat_missing_data === 'string' ? block.treat_missing_data : undefined,
    ),
  };
}

function backupOf(
  all: (type: string) => { stack: StackJson; id: string; block: Block }[],
  vaultName: string,
  protectedResources: string[],
): SynthesizedBackup {
  const vault = all('aws_backup_vault').find(({ block }) => block.name === vaultName);
  const vaultRef = vault ? `aws_backup_vault.${vault.id}.` : undefined;
  const plans = all('aws_backup_plan')
    .filter(({ block }) =>
      ((block.rule as Block[] | undefined) ?? []).some(
        (rule) =>
          rule.target_vault_name === vaultName ||
          (vaultRef && String(rule.target_vault_name).includes(vaultRef)),
      ),
    )
    .map(({ block }) => ({
      name: String(block.name),
      rules: ((block.rule as Block[] | undefined) ?? []).map((rule) => ({
        name: String(rule.rule_name),
        ...(typeof rule.schedule === 'string' ? { schedule: rule.schedule } : {}),
        ...optional(
          'deleteAfterDays',
          (rule.lifecycle as Block | undefined)?.delete_after as number | undefined,
        ),
        copyTo: ((rule.copy_action as Block[] | undefined) ?? []).map((c) => String(c.destination_vault_arn)),
      })),
    }));
  return { vaultName, plans, protectedResources };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
