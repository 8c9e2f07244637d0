/**
 * Where the built watchdog bundle is. Constructs package it as an asset; they never import Lambda
 * code. From the sources (constructs/internal) it is ../../dist/watchdog; from the published package
 * (dist/constructs/internal) it is ../../watchdog.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const CANDIDATES = [join(__dirname, '..', '..', 'dist', 'watchdog'), join(__dirname, '..', '..', 'watchdog')];

/**
 * The directory holding index.js of the watchdog bundle; throws with the fix when it is missing.
 * `SWITCHBACK_WATCHDOG_BUNDLE` names another directory (a bundle built elsewhere, or code that was
 * itself bundled and lost its place in the package).
 */
export function watchdogBundleDirectory(): string {
  const override = process.env.SWITCHBACK_WATCHDOG_BUNDLE;
  const candidates = override ? [override] : CANDIDATES;
  const found = candidates.find((dir) => existsSync(join(dir, 'index.js')));
  if (!found) {
    throw new Error(
      `the watchdog bundle is missing (looked in ${candidates.join(', ')}); run 'npm run build' before synthesizing a RollbackWatchdog`,
    );
  }
  return found;
}
