/**
 * Where the built watchdog bundle is. Constructs package it as an asset; they never import Lambda
 * code. From the sources (constructs/internal) it is ../../dist/watchdog; from the published package
 * (dist/constructs/internal) it is ../../watchdog.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const CANDIDATES = [join(__dirname, '..', '..', 'dist', 'watchdog'), join(__dirname, '..', '..', 'watchdog')];

/** The directory holding index.js of the watchdog bundle; throws with the fix when it is missing. */
export function watchdogBundleDirectory(): string {
  const found = CANDIDATES.find((dir) => existsSync(join(dir, 'index.js')));
  if (!found) {
    throw new Error(
      `the watchdog bundle is missing (looked in ${CANDIDATES.join(', ')}); run 'npm run build' before synthesizing a RollbackWatchdog`,
    );
  }
  return found;
}
