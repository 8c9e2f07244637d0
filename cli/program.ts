/**
 * The `switchback` command line: commands, options and help, and one place that turns every failure
 * into a message and a documented exit code.
 */
import { Command, CommanderError, Option } from 'commander';
import { userInfo, hostname } from 'node:os';
import { captureCommand } from './commands/capture';
import { historyCommand } from './commands/history';
import { promoteCommand } from './commands/promote';
import { restoreDataCommand } from './commands/restore-data';
import { rollbackCommand } from './commands/rollback';
import { runbookCommand } from './commands/runbook';
import { pauseCommand, resumeCommand } from './commands/shift';
import { statusCommand } from './commands/status';
import { confirmOnTerminal, type InputSource } from './confirm';
import { createContext, type CommandContext, type GlobalOptions } from './context';
import { CliError, EXIT } from './errors';
import { Output, type TextSink } from './output';

/** Where the CLI reads and writes; the real process, or a test's buffers. */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Where confirmations are read from; only a terminal is asked. @default - nothing is asked */
  readonly stdin?: InputSource;
  readonly env: Record<string, string | undefined>;
  /** Extra AWS client configuration (tests pass static credentials). */
  readonly clientConfig?: Record<string, unknown>;
  readonly now?: () => number;
  /** How commands wait between two reads (following a restore job). @default - a real timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  the watchdog refused or failed (partial rollback, capture refused, nothing to acknowledge,
     no shift in progress or a phase that does not allow the action, a promotion not confirmed,
     a restore job that failed)
  2  bad usage (unknown command or option, missing or invalid argument); restore-data refused
     (unknown release or recovery point, expired, not restorable, unsupported type) or not confirmed
  3  not set up (no credentials or region, no synthesized app, unknown service or function)
  4  AWS error (access denied, throttled, endpoint unreachable)

Environment: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL (e.g. a local emulator), NO_COLOR.`;

/** Runs the CLI with `argv` (without the node and script paths); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('switchback')
    .description(
      'Operate Switchback watchdogs: see state, roll back or promote by hand, capture, audit, runbooks.',
    )
    .option('-s, --service <name>', 'the service (as named in the synthesized app)')
    .option(
      '-f, --function <name-or-arn>',
      'the watchdog function, instead of looking it up in the synthesized app',
    )
    .option('-a, --app <dir>', 'the synthesized app directory', 'cdktf.out')
    .option(
      '-r, --region <region>',
      "the watchdog's region (default: the stack's provider region, then AWS_REGION)",
    )
    .option('-p, --profile <profile>', 'the AWS profile to use (default: AWS_PROFILE or the default chain)')
    .option('--json', 'print the result as JSON on stdout', false)
    .option('--no-color', 'no colours (also off when stdout is not a terminal or NO_COLOR is set)')
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  const contextFor = (command: Command): CommandContext => {
    const options = command.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
    const out = new Output({
      stdout: io.stdout,
      stderr: io.stderr,
      json: options.json === true,
      color: options.color === false ? false : undefined,
      env: io.env,
    });
    return createContext({
      out,
      options,
      env: io.env,
      operator: defaultOperator(io.env),
      confirm: (question) => confirmOnTerminal(io.stdin, io.stderr, question),
      ...(io.now ? { now: io.now } : {}),
      ...(io.clientConfig ? { clientConfig: io.clientConfig } : {}),
    });
  };
  const action =
    <T>(run: (ctx: CommandContext, options: T) => Promise<number>) =>
    async (options: T, command: Command) => {
      exitCode = await run(contextFor(command), options);
    };
  const requestedBy = new Option(
    '--requested-by <who>',
    'who is acting, for the audit trail (default: user@host)',
  );

  program
    .command('status')
    .description(
      'per service: active color per listener, current release, traffic shift, promotion, last rollback and its verification, alarms, lock, evaluation window',
    )
    .action(action(statusCommand));
  program
    .command('rollback')
    .description(
      'roll back now, through the watchdog (same checks, IAM gate and audit as an automatic rollback)',
    )
    .option('--reason <text>', 'why, for the audit trail (required)')
    .option('--dry-run', 'print the plan; change nothing', false)
    .addOption(requestedBy)
    .action(action(rollbackCommand));
  program
    .command('promote')
    .description(
      'during a traffic shift: skip the remaining steps (the candidate takes all traffic and becomes known-good); after a rollback: show the options, --ack acknowledges',
    )
    .option(
      '--ack',
      'acknowledge the rollback: the next deploy (`cdktf deploy` or `cdktn deploy`) of the release sends traffic to it again',
      false,
    )
    .option('--reason <text>', 'why it is safe now (required during a shift and with --ack)')
    .option('--release <id>', 'the release to acknowledge (default: the current release)')
    .option('-y, --yes', 'during a shift: promote without asking for confirmation', false)
    .addOption(requestedBy)
    .action(action(promoteCommand));
  program
    .command('pause')
    .description(
      "pause the current release's traffic shift: no step is taken until resume (a breach still rolls back)",
    )
    .option('--reason <text>', 'why, for the audit trail (required)')
    .addOption(requestedBy)
    .action(action(pauseCommand));
  program
    .command('resume')
    .description("resume the current release's paused traffic shift")
    .option('--reason <text>', 'why, for the audit trail (required)')
    .addOption(requestedBy)
    .action(action(resumeCommand));
  program
    .command('history')
    .description("the watchdog's audit records, newest first")
    .option('-n, --limit <count>', 'how many records', '20')
    .action(action(historyCommand));
  program
    .command('capture')
    .description('capture the live state for a release by hand (e.g. from CI before the deploy)')
    .option('--release <id>', 'the release id (required)')
    .option(
      '--override-backup-readiness <reason>',
      'let the release through although its backups are not ready (stale, restore test failed or missing, backup not completed); audited',
    )
    .option(
      '--override-freeze <reason>',
      'let the release through although a deploy freeze is in force (an unacknowledged rollback); audited',
    )
    .addOption(requestedBy)
    .action(action(captureCommand));
  program
    .command('restore-data')
    .description(
      "restore a release's data from the recovery points its capture recorded, into a NEW resource (never over the original; never automatic): lists them, or plans, confirms, starts and follows one restore",
    )
    .option('--release <id>', 'the release whose recovery points to list or restore (required)')
    .option('--recovery-point <arn>', 'the recovery point to restore (one of those listed)')
    .option('--reason <text>', 'why, for the audit trail (required to start a restore)')
    .option('-y, --yes', 'start without asking for confirmation', false)
    .option('--dry-run', 'print what the restore would create and the cut-over steps; start nothing', false)
    .option('--no-wait', 'return once the restore job is started instead of following it')
    .option('--poll-seconds <seconds>', 'how often to read the restore job while following it', '5')
    .addOption(requestedBy)
    .action(
      action((ctx, options: Parameters<typeof restoreDataCommand>[1]) =>
        restoreDataCommand(ctx, options, io.sleep ? { sleep: io.sleep } : undefined),
      ),
    );
  program
    .command('runbook')
    .description('write a rollback runbook in Markdown for a service of the synthesized app (no AWS calls)')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(action(runbookCommand));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not failures; everything else commander raises is a usage error.
      return error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
        ? EXIT.ok
        : EXIT.usage;
    }
    const failure =
      error instanceof CliError
        ? error
        : new CliError(`unexpected error: ${(error as Error)?.stack ?? String(error)}`, EXIT.failed);
    io.stderr.write(`switchback: ${failure.message}\n`);
    return failure.exitCode;
  }
}

function defaultOperator(env: Record<string, string | undefined>): string {
  let user = env.USER ?? env.USERNAME;
  try {
    user ??= userInfo().username;
  } catch {
    user ??= 'unknown';
  }
  return `${user}@${hostname()}`;
}
