/**
 * A scenario's feature flag as the service sees it: its SSM parameter read every few milliseconds, the
 * apps answering by the last value read (so the errors stop once the watchdog's kill switch is read).
 */

/** Options of {@link watchFlag}. */
export interface FlagWatchOptions {
  /** Reads the flag's live value from the control plane. */
  read(): Promise<string | undefined>;
  /** The value that turns the feature off. */
  readonly offValue: string;
  /** How often the value is read. */
  readonly intervalMs: number;
  /** The value until the first read answers. */
  readonly initial: string;
}

/** A feature flag as the service sees it: the last value read. */
export interface FlagWatch {
  value(): string;
  /** When a read first returned the off value (epoch ms). */
  offAt(): number | undefined;
  stop(): Promise<void>;
}

/**
 * Reads the flag every `intervalMs`, one read at a time, as a service polling its parameter does; a
 * failed read keeps the last value.
 */
export function watchFlag(options: FlagWatchOptions): FlagWatch {
  let value = options.initial;
  let offAt: number | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let reading: Promise<void> = Promise.resolve();
  const poll = () => {
    reading = options
      .read()
      .then(
        (read) => {
          if (read === undefined || stopped) return;
          value = read;
          if (read === options.offValue && offAt === undefined) offAt = Date.now();
        },
        () => undefined,
      )
      .then(() => {
        if (!stopped) timer = setTimeout(poll, options.intervalMs);
      });
  };
  poll();
  return {
    value: () => value,
    offAt: () => offAt,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await reading;
    },
  };
}
