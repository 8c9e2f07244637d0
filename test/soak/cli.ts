/**
 * `npm run soak -- --events 10000 --seed 42 --fault-rate 0.1`: runs the watchdog soak, prints its
 * figures and invariants, writes them to bench/results/soak.json, and exits 1 if an invariant failed
 * (printing a trace of what failed and the command that runs the same soak again).
 */
import { Command, InvalidArgumentError } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSoak, type SoakReport } from './soak';

// The watchdog's logs and metrics would drown the figures.
process.env.SWITCHBACK_LOG_LEVEL = 'SILENT';
process.env.SWITCHBACK_METRICS_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

function integer(name: string, min: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min)
      throw new InvalidArgumentError(`${name} must be an integer of at least ${min}, got '${value}'.`);
    return parsed;
  };
}

function fraction(value: string): number {
  const parsed = Number(value);
  if (!(parsed >= 0 && parsed <= 1))
    throw new InvalidArgumentError(`the fault rate must be a number from 0 to 1, got '${value}'.`);
  return parsed;
}

const program = new Command('soak')
  .description('Soak the watchdog with random events and faults against the local AWS emulator.')
  .option('--events <n>', 'watchdog invocations before the final redelivery', integer('--events', 1), 1000)
  .option('--seed <n>', 'seed of the event sequence', integer('--seed', 0), 42)
  .option('--fault-rate <p>', 'fraction of AWS calls that get a fault', fraction, 0.1)
  .option(
    '--time-scale <x>',
    'how much shorter in real time a sleep is than on the soak clock',
    integer('--time-scale', 1),
    20,
  )
  .option('--concurrency <n>', 'largest batch of events delivered at once', integer('--concurrency', 1), 4)
  .option(
    '--out <file>',
    'where to write the figures',
    join(__dirname, '..', '..', 'bench', 'results', 'soak.json'),
  )
  .parse();

const options = program.opts<{
  events: number;
  seed: number;
  faultRate: number;
  timeScale: number;
  concurrency: number;
  out: string;
}>();

async function main(): Promise<void> {
  let lastPrinted = 0;
  const report = await runSoak({
    events: options.events,
    seed: options.seed,
    faultRate: options.faultRate,
    timeScale: options.timeScale,
    maxConcurrency: options.concurrency,
    onProgress: (done, total) => {
      if (process.stderr.isTTY && done - lastPrinted >= Math.max(1, Math.floor(total / 100))) {
        lastPrinted = done;
        process.stderr.write(`\r${done}/${total} events`);
      }
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\r');
  print(report);
  mkdirSync(join(options.out, '..'), { recursive: true });
  writeFileSync(
    options.out,
    `${JSON.stringify({ measuredAt: new Date().toISOString(), ...report }, null, 2)}\n`,
  );
  console.log(`\nwritten to ${options.out}`);
  if (report.invariants.some((i) => !i.passed)) process.exitCode = 1;
}

function print(report: SoakReport): void {
  const { options: o } = report;
  console.log(
    `soak: ${o.events} events, seed ${o.seed}, fault rate ${o.faultRate}, sleeps ${o.timeScale}x shorter, batches up to ${o.maxConcurrency}, ${o.listeners} listeners`,
  );
  console.log(
    `wall time ${(report.wallTimeMs / 1000).toFixed(1)} s; handler latency median ${report.latencyMs.median} ms, p99 ${report.latencyMs.p99} ms, max ${report.latencyMs.max} ms`,
  );
  console.log(`events by kind:      ${line(report.eventsByKind)}`);
  console.log(`outcomes:            ${line(report.outcomes)}`);
  console.log(
    `rollbacks:           ${report.rollbacks.completed} completed (${report.rollbacks.breaches} breaches), ${report.rollbacks.partial} partial records`,
  );
  console.log(`duplicates suppressed: ${report.duplicatesSuppressed}`);
  console.log(
    `health losses:       ${report.healthLosses} (a target group without healthy targets for a while)`,
  );
  console.log(`faults injected:     ${line(report.faultsInjected)}`);
  console.log(`AWS calls:           ${report.awsCalls}, SDK retries ${report.sdkRetries}`);
  console.log(
    `thrown:              ${report.thrown.retryable} retryable, ${report.thrown.refused} refused, ${report.thrown.unhandled} unhandled; ${report.finalRedeliveries} redelivered at the end`,
  );
  for (const sample of report.thrown.unhandledSamples) console.log(`  unhandled: ${sample}`);
  console.log(`fingerprint:         ${report.fingerprint} (the same for runs that went the same way)`);
  console.log('invariants:');
  for (const i of report.invariants) {
    console.log(`  ${i.passed ? 'PASS' : 'FAIL'} ${i.name}: ${i.detail}`);
    for (const line of i.trace ?? []) console.log(`      ${line}`);
  }
  if (report.invariants.some((i) => !i.passed)) console.log(`\nre-run: ${report.rerun}`);
}

function line(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
