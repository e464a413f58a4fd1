import { PayloadValidationError } from '@orgpatch/core';
import { ORGPATCH_VERSION } from '@orgpatch/orchestrator';
import { Command, CommanderError } from 'commander';
import type { CommandContext } from './command.js';
import { registerCompliance } from './commands/compliance.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerPlan } from './commands/plan.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerSchedule } from './commands/schedule.js';
import { registerStatus } from './commands/status.js';
import { registerValidate } from './commands/validate.js';
import { EXIT, exitCodeFor } from './exitCodes.js';
import { type CliIo, colorsFor, println, processIo } from './io.js';
import { renderIssues } from './render.js';

/**
 * The AWS SDK warns on every run under Node 20 that its 2027 releases will need Node 22. The SDK
 * documents this variable as the way to turn that one warning off (aws/aws-sdk-js-v3#7983); other
 * warnings still show. A user who sets it keeps their value.
 */
function silenceSdkNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** Builds the `orgpatch` program for one invocation. */
function createProgram(ctx: CommandContext): Command {
  const { io, err } = ctx;
  const program = new Command('orgpatch')
    .description('Centralized OS patching (AWS-RunPatchBaseline) for every account and Region of an AWS Organization.')
    .version(ORGPATCH_VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(err.red(s)),
    })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 invalid input or a failed run, 2 usage error, 3 AWS or environment error.\nStart with: orgpatch demo',
    );
  for (const register of [
    registerValidate,
    registerPlan,
    registerDoctor,
    registerRun,
    registerStatus,
    registerReport,
    registerCompliance,
    registerSchedule,
    registerSandbox,
    registerDemo,
  ]) {
    register(program, ctx);
  }
  return program;
}

/**
 * Runs the CLI. `argv` is `process.argv` (node, script, then the arguments); `io` defaults to the
 * process's streams and environment. Returns the exit code: 0 ok, 1 invalid input or a failed run,
 * 2 usage error, 3 AWS or environment error.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  silenceSdkNodeVersionWarning();
  let exitCode: number = EXIT.ok;
  const ctx: CommandContext = {
    io,
    out: colorsFor(io.stdout, io.env),
    err: colorsFor(io.stderr, io.env),
    setExit: (code) => {
      exitCode = code;
    },
  };
  const program = createProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'node' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; every other commander error is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    reportError(error, ctx);
    return exitCodeFor(error);
  }
}

function reportError(error: unknown, ctx: CommandContext): void {
  const { io, err } = ctx;
  if (error instanceof PayloadValidationError) {
    println(
      io.stderr,
      err.red(`The payload is invalid (${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}):`),
    );
    println(io.stderr, renderIssues(error.issues, err));
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  const hint =
    error && typeof error === 'object' && 'hint' in error && typeof error.hint === 'string' ? error.hint : undefined;
  const suggestion =
    error && typeof error === 'object' && 'suggestion' in error && typeof error.suggestion === 'string'
      ? error.suggestion
      : undefined;
  println(io.stderr, err.red(`orgpatch: ${message}`));
  if (suggestion && !message.includes(suggestion)) println(io.stderr, `  did you mean "${suggestion}"?`);
  else if (hint && !message.includes(hint)) println(io.stderr, `  ${hint}`);
  if (io.env.ORGPATCH_DEBUG && error instanceof Error && error.stack) println(io.stderr, err.dim(error.stack));
}
