/**
 * Test fixtures shared by the emulator's own tests (and usable by adapter tests): one emulator per
 * test file, reset between tests, and SDK retry settings that keep retries fast.
 */
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { Emulator, startEmulator } from './index';

// The pinned SDK warns once per process about Node 20; the warning is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/**
 * The SDK's standard retry strategy (same error classification, same retry quota) with a 1 ms
 * backoff, so retried throttles and 5xx answers do not slow tests down.
 */
export function fastRetry(maxAttempts = 3): ConfiguredRetryStrategy {
  return new ConfiguredRetryStrategy(maxAttempts, 1);
}

/** Starts an emulator before the file's tests, resets it before each, stops it after all. */
export function useEmulator(options: Parameters<typeof startEmulator>[0] = {}): () => Emulator {
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator(options);
  });
  beforeEach(() => emulator?.reset());
  afterAll(async () => {
    await emulator?.stop();
  });
  return () => {
    if (!emulator) throw new Error('The emulator is not started (use inside a test)');
    return emulator;
  };
}

/** A clock tests move by hand (for stale-read windows and token buckets). */
export class ManualClock {
  private t = Date.UTC(2026, 0, 1);
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Runs `fn` and returns the error it throws (fails the test when it does not throw). */
export async function errorOf(
  fn: () => Promise<unknown>,
): Promise<Error & { $metadata: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await fn();
  } catch (e) {
    return e as Error & { $metadata: { httpStatusCode?: number; attempts?: number } };
  }
  throw new Error('Expected the call to fail, but it succeeded');
}
