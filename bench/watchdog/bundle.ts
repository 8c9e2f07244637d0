/**
 * Case 5: size of the watchdog bundle as scripts/bundle-watchdog.ts builds it, and module init time
 * in a fresh Node process (median of at least 9 runs) of the bundle vs requiring the same six SDK
 * clients unbundled from node_modules and constructing them.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { watchdogBuildOptions } from '../../scripts/bundle-watchdog';
import { median, round, type BenchRecord } from '../record';
import { RUNS } from './scenario';

export async function bundle(records: BenchRecord[]): Promise<void> {
  const dir = join(__dirname, '..', '..', 'node_modules', '.cache', 'switchback-bench');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'watchdog', 'index.js');
  await build({ ...watchdogBuildOptions, outfile });
  records.push({
    case: 'watchdog bundle',
    metric: 'size',
    value: round(statSync(outfile).size / 1024, 0),
    unit: 'KiB',
  });

  const unbundled = join(dir, 'unbundled-clients.js');
  const clients = [
    'client-cloudwatch',
    'client-elastic-load-balancing-v2',
    'client-lambda',
    'client-s3',
    'client-sns',
    'client-ssm',
  ];
  writeFileSync(
    unbundled,
    clients
      .map((c) => {
        const mod = `require(${JSON.stringify(`@aws-sdk/${c}`)})`;
        return `{ const m = ${mod}; const C = Object.values(m).find((v) => typeof v === 'function' && /Client$/.test(v.name) && v.name !== 'Client'); new C({ region: 'us-east-1' }); }`;
      })
      .join('\n'),
  );
  const env = {
    ...process.env,
    SWITCHBACK_CONFIG_BUCKET: 'bench-bucket',
    SWITCHBACK_CONFIG_KEY: 'config/bench/watchdog.json',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const initMs = (file: string): number => {
    const script = `const t = performance.now(); require(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
    const result = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env,
      cwd: join(__dirname, '..', '..'),
    });
    if (result.status !== 0) throw new Error(`init of ${file} failed: ${result.stderr}`);
    return Number(result.stdout);
  };
  const bundled: number[] = [];
  const plain: number[] = [];
  for (let run = 0; run < Math.max(RUNS, 9); run++) {
    bundled.push(initMs(outfile));
    plain.push(initMs(unbundled));
  }
  const baseline = round(median(plain), 1);
  records.push({
    case: 'watchdog bundle',
    metric: 'module_init_median',
    value: round(median(bundled), 1),
    unit: 'ms',
    baseline,
    ratio: round(median(bundled) / median(plain), 2),
  });
  records.push({
    case: 'six SDK clients, unbundled',
    metric: 'module_init_median',
    value: baseline,
    unit: 'ms',
  });
}
