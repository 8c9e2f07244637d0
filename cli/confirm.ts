/**
 * Asking the operator to confirm an action that cannot be taken back (`promote` during a shift). Only
 * on a terminal: a script cannot answer, so it must say `--yes` instead of hanging on a prompt.
 */
import { createInterface } from 'node:readline';
import type { TextSink } from './output';

/** The operator's input (process.stdin, or a test's stream). */
export type InputSource = NodeJS.ReadableStream & { readonly isTTY?: boolean };

/**
 * Asks `question` on stderr and reads one line from `stdin`: true for y/yes, false for anything else
 * (an empty line, end of input); undefined when there is no terminal to ask on.
 */
export async function confirmOnTerminal(
  stdin: InputSource | undefined,
  stderr: TextSink,
  question: string,
): Promise<boolean | undefined> {
  if (stdin?.isTTY !== true) return undefined;
  stderr.write(`${question} [y/N] `);
  const lines = createInterface({ input: stdin, crlfDelay: Infinity });
  try {
    for await (const line of lines) return /^\s*y(es)?\s*$/i.test(line);
    return false;
  } finally {
    lines.close();
  }
}
