import type { Command } from 'commander';
import type { CliIo, Colors } from './io.js';

/** What every command's action gets. */
export interface CommandContext {
  readonly io: CliIo;
  /** Colours for stdout and stderr, each on only when that stream is a TTY and NO_COLOR is unset. */
  readonly out: Colors;
  readonly err: Colors;
  /** Sets the exit code the CLI returns. */
  setExit(code: number): void;
}

/** A command registers itself on the program. */
export type RegisterCommand = (program: Command, ctx: CommandContext) => void;
