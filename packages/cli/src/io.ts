import pc from 'picocolors';

/** A stream the CLI writes to. */
export interface CliStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Where the CLI reads and writes: the process by default, buffers in tests. */
export interface CliIo {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Resolves when the user asks the long-running `sandbox` command to stop (Ctrl-C). */
  readonly interrupted?: Promise<void>;
}

/**
 * The process's own streams and environment. The SIGINT/SIGTERM listeners behind `interrupted` are
 * installed only when a command asks for it (the long-running `sandbox`): a listener replaces
 * Node's default, so every other command keeps stopping at once on Ctrl-C or SIGTERM. That is safe
 * mid-run: every start is recorded as an intent before it is made, so the run stays resumable.
 */
export function processIo(): CliIo {
  let interrupted: Promise<void> | undefined;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    get interrupted(): Promise<void> {
      interrupted ??= new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      return interrupted;
    },
  };
}

/** Colour functions, real on a TTY (unless NO_COLOR is set, https://no-color.org), identity elsewhere. */
export type Colors = ReturnType<typeof pc.createColors>;

/** Whether to colour what goes to `stream`. */
function colorEnabled(stream: CliStream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** Colours for a stream. */
export function colorsFor(stream: CliStream, env: NodeJS.ProcessEnv): Colors {
  return pc.createColors(colorEnabled(stream, env));
}

/** Writes a line. */
export function println(stream: CliStream, text = ''): void {
  stream.write(`${text}\n`);
}

/** Writes a value as pretty JSON for scripts. */
export function printJson(stream: CliStream, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Writes a chunk, and when the stream asks to wait (a pipe slower than the report being written to
 * it), waits until it drains, so a large report is never buffered whole in memory.
 */
export async function writeChunk(stream: CliStream, chunk: string): Promise<void> {
  const drains = stream as CliStream & { once?: (event: 'drain', listener: () => void) => unknown };
  if (stream.write(chunk) === false && typeof drains.once === 'function') {
    await new Promise<void>((resolve) => drains.once?.('drain', resolve));
  }
}
