/**
 * The phases of a long check script (test:frameworks, test:bindings), each announced and timed, and
 * the table of their times printed at the end.
 */
export interface Phases {
  /** Runs `work` as the phase `name`: prints `== name`, times it, returns what it returned. */
  phase<T>(name: string, work: () => T): T;
  /** One line per phase, `  <seconds> s  <name>`, and the total. */
  table(): string[];
}

export function phases(): Phases {
  const timings: { name: string; seconds: number }[] = [];
  return {
    phase(name, work) {
      const started = performance.now();
      console.log(`\n== ${name}`);
      const result = work();
      timings.push({ name, seconds: (performance.now() - started) / 1000 });
      return result;
    },
    table() {
      const total = timings.reduce((sum, entry) => sum + entry.seconds, 0);
      return [...timings, { name: 'total', seconds: total }].map(
        ({ name, seconds }) => `  ${seconds.toFixed(1).padStart(6)} s  ${name}`,
      );
    },
  };
}
