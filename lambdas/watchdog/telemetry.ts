/**
 * Structured logs and CloudWatch metrics for the watchdog: one JSON line per log entry, and metrics in
 * CloudWatch's embedded metric format (EMF), which Lambda's log pipeline turns into metrics with no
 * API call. Written here rather than taken from Powertools because the watchdog uses a small part of
 * it and the bundle has a size budget (the two Powertools packages were ~30 KiB of it).
 */

const LEVELS = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, SILENT: 100 } as const;
type Level = Exclude<keyof typeof LEVELS, 'SILENT'>;

/** Where lines go. @default process.stdout */
export type LineSink = (line: string) => void;
const stdout: LineSink = (line) => void process.stdout.write(`${line}\n`);

export interface TelemetryOptions {
  readonly serviceName: string;
  /** `SWITCHBACK_LOG_LEVEL` (or Lambda's `AWS_LAMBDA_LOG_LEVEL`), `SWITCHBACK_METRICS_DISABLED`. */
  readonly env?: NodeJS.ProcessEnv;
  readonly write?: LineSink;
  readonly now?: () => number;
}

export interface StructuredLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
  /** Keys added to every line until {@link resetKeys}. */
  appendKeys(keys: Record<string, unknown>): void;
  resetKeys(): void;
}

export function createLogger(options: TelemetryOptions): StructuredLogger {
  const env = options.env ?? process.env;
  const write = options.write ?? stdout;
  const now = options.now ?? Date.now;
  const configured = (env.SWITCHBACK_LOG_LEVEL ?? env.AWS_LAMBDA_LOG_LEVEL ?? 'INFO').toUpperCase();
  const threshold = configured in LEVELS ? LEVELS[configured as keyof typeof LEVELS] : LEVELS.INFO;
  let keys: Record<string, unknown> = {};
  const emit = (level: Level, message: string, extra: Record<string, unknown> = {}) => {
    if (LEVELS[level] < threshold) return;
    const trace = env._X_AMZN_TRACE_ID;
    write(
      JSON.stringify({
        level,
        message,
        timestamp: new Date(now()).toISOString(),
        service: options.serviceName,
        ...(trace ? { xray_trace_id: trace.split(';')[0]?.replace('Root=', '') } : {}),
        ...keys,
        ...extra,
      }),
    );
  };
  return {
    info: (message, extra) => emit('INFO', message, extra),
    warn: (message, extra) => emit('WARN', message, extra),
    error: (message, extra) => emit('ERROR', message, extra),
    appendKeys: (more) => {
      keys = { ...keys, ...more };
    },
    resetKeys: () => {
      keys = {};
    },
  };
}

export type MetricUnit = 'Milliseconds' | 'Count';

export interface MetricsPublisher {
  addMetric(name: string, unit: MetricUnit, value: number): void;
  addDimension(name: string, value: string): void;
  /** Writes the stored metrics as one EMF line (nothing when none were added) and clears them. */
  publishStoredMetrics(): void;
}

export function createMetrics(options: TelemetryOptions & { readonly namespace: string }): MetricsPublisher {
  const env = options.env ?? process.env;
  const write = options.write ?? stdout;
  const now = options.now ?? Date.now;
  const disabled = (env.SWITCHBACK_METRICS_DISABLED ?? '').toLowerCase() === 'true';
  const stored = new Map<string, { unit: MetricUnit; values: number[] }>();
  let dimensions: Record<string, string> = {};
  return {
    addMetric(name, unit, value) {
      const metric = stored.get(name) ?? { unit, values: [] };
      metric.values.push(value);
      stored.set(name, metric);
    },
    addDimension(name, value) {
      dimensions = { ...dimensions, [name]: value };
    },
    publishStoredMetrics() {
      if (stored.size > 0 && !disabled) {
        const names = [...stored.keys()];
        write(
          JSON.stringify({
            _aws: {
              Timestamp: now(),
              CloudWatchMetrics: [
                {
                  Namespace: options.namespace,
                  Dimensions: [['service', ...Object.keys(dimensions)]],
                  Metrics: names.map((name) => ({ Name: name, Unit: stored.get(name)?.unit })),
                },
              ],
            },
            service: options.serviceName,
            ...dimensions,
            ...Object.fromEntries(
              names.map((name) => {
                const values = stored.get(name)?.values ?? [];
                return [name, values.length === 1 ? values[0] : values];
              }),
            ),
          }),
        );
      }
      stored.clear();
      dimensions = {};
    },
  };
}
