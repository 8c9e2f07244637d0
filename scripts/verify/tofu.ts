/** OpenTofu, run in one stack's folder with the offline CLI config, and what each run answered. */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface TofuRun {
  readonly code: number;
  readonly output: string;
  readonly ms: number;
}

export class TofuError extends Error {
  constructor(
    readonly step: string,
    readonly run: TofuRun,
  ) {
    super(`tofu ${step} failed (exit ${run.code}):\n${lastLines(run.output, 40)}`);
  }
}

export function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

let runs = 0;

/**
 * Runs `tofu <args>` in `cwd`, its whole output kept in `cwd/logs/` for a look afterwards (`--keep`);
 * never throws for a non-zero exit (the caller judges it).
 */
export function tofu(binary: string, cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<TofuRun> {
  const started = Date.now();
  const log = join(cwd, 'logs', `${String((runs += 1)).padStart(3, '0')}-${args[0]}.log`);
  mkdirSync(dirname(log), { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      writeFileSync(log, output);
      resolve({ code: code ?? 1, output, ms: Date.now() - started });
    });
  });
}

/** One stack's folder, with the tofu commands the harness runs there. */
export class TofuStack {
  constructor(
    readonly name: string,
    readonly dir: string,
    private readonly binary: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  private async must(step: string, args: string[]): Promise<TofuRun> {
    const run = await tofu(this.binary, this.dir, [...args], this.env);
    if (run.code !== 0) throw new TofuError(`${step} (${this.name})`, run);
    return run;
  }

  init(): Promise<TofuRun> {
    return this.must('init', ['init', '-input=false', '-no-color']);
  }

  validate(): Promise<TofuRun> {
    return this.must('validate', ['validate', '-no-color']);
  }

  /** Applies the saved plan `plan.bin` when `saved`, else plans and applies in one run. */
  apply(saved = false): Promise<TofuRun> {
    return this.must(
      'apply',
      saved
        ? ['apply', '-input=false', '-no-color', 'plan.bin']
        : ['apply', '-input=false', '-auto-approve', '-no-color'],
    );
  }

  destroy(): Promise<TofuRun> {
    return this.must('destroy', ['destroy', '-input=false', '-auto-approve', '-no-color']);
  }

  /** A plan saved to `plan.bin`, and the resource changes it holds (no-ops left out). */
  async plan(): Promise<{ run: TofuRun; changes: PlannedChange[] }> {
    const run = await tofu(
      this.binary,
      this.dir,
      ['plan', '-input=false', '-no-color', '-detailed-exitcode', '-out=plan.bin'],
      this.env,
    );
    if (run.code !== 0 && run.code !== 2) throw new TofuError(`plan (${this.name})`, run);
    // Exit 0 is an empty plan: no need for `show`, which starts the provider again (seconds of CPU).
    if (run.code === 0) return { run, changes: [] };
    const shown = await this.must('show', ['show', '-json', 'plan.bin']);
    const plan = JSON.parse(shown.output) as { resource_changes?: PlannedChange[] };
    const changes = (plan.resource_changes ?? []).filter(
      (change) => !change.change.actions.every((action) => action === 'no-op' || action === 'read'),
    );
    return { run, changes };
  }

  /** The attributes of every resource of `type` in the state (`tofu show -json`), root module only. */
  async resourcesOfType(type: string): Promise<Record<string, unknown>[]> {
    const shown = await this.must('show', ['show', '-json', '-no-color']);
    const state = JSON.parse(shown.output) as {
      values?: { root_module?: { resources?: { type: string; values: Record<string, unknown> }[] } };
    };
    return (state.values?.root_module?.resources ?? [])
      .filter((resource) => resource.type === type)
      .map((resource) => resource.values);
  }

  async outputs(): Promise<Record<string, string>> {
    const shown = await this.must('output', ['output', '-json', '-no-color']);
    const parsed = JSON.parse(shown.output) as Record<string, { value: unknown }>;
    return Object.fromEntries(Object.entries(parsed).map(([key, { value }]) => [key, String(value)]));
  }
}

/** One resource change of a plan (`tofu show -json`). */
export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly change: { readonly actions: string[]; readonly before: unknown; readonly after: unknown };
}

/** A plan's size as Terraform counts it: `+12 ~1 -0` (create, update, delete; a replace counts in both). */
export function countChanges(changes: readonly PlannedChange[]): string {
  const count = (action: string) => changes.filter((change) => change.change.actions.includes(action)).length;
  return `+${count('create')} ~${count('update')} -${count('delete')}`;
}

/** `address: update (a, b)`-style lines for a report. */
export function describeChanges(changes: readonly PlannedChange[]): string[] {
  return changes.map((change) => {
    const before = (change.change.before ?? {}) as Record<string, unknown>;
    const after = (change.change.after ?? {}) as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
      (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
    );
    return `${change.address}: ${change.change.actions.join('+')} (${keys.join(', ')})`;
  });
}
