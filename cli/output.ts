/**
 * Terminal output: colours only on a TTY (and never with NO_COLOR, --no-color or --json), a spinner on
 * stderr while waiting, and plain aligned tables. Data goes to stdout, everything else to stderr, so
 * `--json` output can be piped.
 */
import { createSpinner } from 'nanospinner';
import { createColors } from 'picocolors';

/** A writable text stream (process.stdout, or a test's buffer). */
export interface TextSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export type Colors = ReturnType<typeof createColors>;

/** A progress display (see {@link Output.progress}). */
export interface Progress {
  /** Shows `text`; `transient` (an elapsed time) only on a terminal, where it costs no line. */
  update(text: string, transient?: string): void;
  /** The last word: a success mark when `ok`, a failure mark otherwise. */
  done(ok: boolean, text: string): void;
}

export interface OutputOptions {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly json: boolean;
  readonly color: boolean | undefined;
  readonly env: Record<string, string | undefined>;
}

export class Output {
  readonly colors: Colors;
  readonly json: boolean;

  constructor(private readonly options: OutputOptions) {
    this.json = options.json;
    const enabled =
      options.color !== false &&
      !options.json &&
      options.env.NO_COLOR === undefined &&
      (options.color === true || options.stdout.isTTY === true || options.env.FORCE_COLOR !== undefined);
    this.colors = createColors(enabled);
  }

  /** A line of the command's result (stdout). */
  line(text = ''): void {
    this.options.stdout.write(`${text}\n`);
  }

  /** The command's result as JSON (stdout), for `--json`. */
  data(value: unknown): void {
    this.options.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A note for the operator (stderr), not part of the result. */
  note(text: string): void {
    this.options.stderr.write(`${text}\n`);
  }

  /** Runs `work` with a spinner on stderr when it is a TTY; silent otherwise. */
  async waitFor<T>(text: string, work: () => Promise<T>): Promise<T> {
    if (this.options.stderr.isTTY !== true || this.json) return work();
    const spinner = createSpinner(text, { stream: this.options.stderr as NodeJS.WriteStream }).start();
    try {
      const result = await work();
      spinner.success({ text });
      return result;
    } catch (error) {
      spinner.error({ text });
      throw error;
    }
  }

  /**
   * A progress display for long work (a restore job): on a terminal one line on stderr that updates
   * in place; otherwise a plain line on stderr each time the text changes (a CI log reads it); nothing
   * with --json.
   */
  progress(text: string): Progress {
    if (this.json) return { update: () => undefined, done: () => undefined };
    const stderr = this.options.stderr;
    const c = this.colors;
    if (stderr.isTTY === true) {
      // Carriage return and erase-line: the line is rewritten in place at each update (no timer, so
      // nothing is written between two reads of what it shows).
      const show = (line: string) => stderr.write(`\r\u001b[2K${line}`);
      show(text);
      return {
        update: (next, transient) => void show(`${next}${transient ?? ''}`),
        done: (ok, last) => void show(`${ok ? c.green('✔') : c.red('✖')} ${last}\n`),
      };
    }
    let shown = text;
    this.note(text);
    return {
      update: (next) => {
        if (next !== shown) this.note((shown = next));
      },
      done: (_ok, last) => {
        if (last !== shown) this.note((shown = last));
      },
    };
  }

  /** Renders rows as an aligned table with a header. */
  table(header: string[], rows: string[][]): void {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))));
    const render = (cells: string[]) =>
      cells
        .map((cell, i) =>
          i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i] - visibleLength(cell)),
        )
        .join('  ')
        .trimEnd();
    this.line(this.colors.bold(render(header)));
    for (const row of rows) this.line(render(row));
  }
}

function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/** "3m 20s ago", "in 42m", "just now", for times relative to now. */
export function relativeTime(iso: string | undefined, now: number): string {
  if (!iso) return '-';
  const delta = Date.parse(iso) - now;
  if (Math.abs(delta) < 1000) return 'just now';
  const text = duration(Math.abs(delta));
  return delta < 0 ? `${text} ago` : `in ${text}`;
}

/** A duration in the largest two units: `1h 5m`, `42s`, `850 ms`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${seconds % 60 ? ` ${seconds % 60}s` : ''}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${minutes % 60 ? ` ${minutes % 60}m` : ''}`;
  return `${Math.floor(hours / 24)}d`;
}
