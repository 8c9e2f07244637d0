/**
 * Builds the watchdog bundle once before the tests: the RollbackWatchdog construct packages it as an
 * asset and fails synth without it, and the bundle tests run it.
 */
import { build } from 'esbuild';
import { watchdogBuildOptions } from '../scripts/bundle-watchdog';

export default async function globalSetup(): Promise<void> {
  await build(watchdogBuildOptions);
}
