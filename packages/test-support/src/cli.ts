/**
 * Runs a command line's `main(argv, io)` in process with its output captured, the way a person
 * would see it in a pipe (not a TTY unless asked). `main` is passed in, typed by its shape, so this
 * package depends on no orgpatch package and the CLI's own tests can use it.
 *
 * @example
 * import { main } from '@orgpatch/cli';
 * const orgpatch = cliRunner(main);
 * const { code, stdout } = await orgpatch(['plan', 'payload.json'], { env: sandbox.env('us-east-1') });
 */

/** A stream the harness hands to `main` and records. */
export interface CapturedStream {
  write(text: string): unknown;
  readonly isTTY: boolean;
}

/** The `io` argument `main` receives: captured streams, an explicit environment and folder. */
export interface CapturedIo {
  readonly stdout: CapturedStream;
  readonly stderr: CapturedStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** A CLI entry point: the full `process.argv` (node, script, args...) and where to read and write. */
export type CliMain = (argv: readonly string[], io: CapturedIo) => Promise<number>;

/** The outcome of one run. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** How one run sees its surroundings. */
export interface CliRunOptions {
  /**
   * The environment, exactly: nothing of the test process leaks in.
   * @default {}
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The working folder.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * Whether stdout claims to be a terminal (colour, progress bars).
   * @default false
   */
  readonly tty?: boolean;
}

/** Binds `main` once; each call of the result runs `<program> ...args` and returns its exit code and output. */
export function cliRunner(
  main: CliMain,
  program = 'orgpatch',
): (args: readonly string[], options?: CliRunOptions) => Promise<CliRun> {
  return async (args, options = {}) => {
    let stdout = '';
    let stderr = '';
    const io: CapturedIo = {
      stdout: { write: (text: string) => (stdout += text), isTTY: options.tty ?? false },
      stderr: { write: (text: string) => (stderr += text), isTTY: false },
      env: options.env ?? {},
      cwd: options.cwd ?? process.cwd(),
    };
    const code = await main(['node', program, ...args], io);
    return { code, stdout, stderr };
  };
}
