import { type ChildProcess, execFile, fork } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CLI_NODE_FLAGS } from '@orgpatch/cli/heap';
import type {
  SandboxCommand,
  SandboxMessage,
  SandboxReady,
  SandboxSpec,
  SandboxStats,
  WorkerMessage,
  WorkerResult,
  WorkerTask,
} from './protocol.js';

/** Thrown when a bench child process fails or dies. */
class BenchProcessError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BenchProcessError';
  }
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Node flags that run TypeScript sources with the workspace's source condition (tsx as a loader). */
function tsxExecArgv(): string[] {
  return ['--import', import.meta.resolve('tsx'), '--conditions=@orgpatch/source'];
}

/**
 * Where `--cpu-prof` writes: a folder of one process, since each thread of it (tsx's loader runs in
 * one of its own) writes a profile there.
 */
export interface CpuProfileTarget {
  readonly dir: string;
}

function profileArgs(profile: CpuProfileTarget | undefined): string[] {
  return profile ? ['--cpu-prof', `--cpu-prof-dir=${profile.dir}`] : [];
}

/** The environment of a child: ours without a profile or session, the SDK's Node 20 warning off. */
export function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  for (const name of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL']) delete env[name];
  return { ...env, ...extra };
}

/** The next IPC message of a child; rejects if the child exits first. */
export function nextMessage<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      cleanup();
      resolve(message as T);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new BenchProcessError(`The ${what} process exited (code ${code}, signal ${signal}) before answering.`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Waits for a child to exit; after `graceMs` it is killed (by its own pid). */
export function exited(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The sandbox, running in a child process of its own. */
export class SandboxProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly ready: SandboxReady,
  ) {}

  /** Forks the sandbox child, generates the world and waits until it listens. */
  static async start(spec: SandboxSpec, profile?: CpuProfileTarget): Promise<SandboxProcess> {
    const child = fork(here('./sandboxChild.ts'), [], {
      execArgv: [...tsxExecArgv(), ...profileArgs(profile)],
      env: childEnv(),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = nextMessage<SandboxMessage>(child, 'sandbox');
    child.send({ type: 'start', spec } satisfies SandboxCommand);
    const message = await ready;
    if (message.type !== 'ready') {
      child.kill();
      throw new BenchProcessError(
        `The sandbox did not start: ${message.type === 'error' ? message.message : message.type}`,
      );
    }
    return new SandboxProcess(child, message);
  }

  private async ask(command: SandboxCommand): Promise<SandboxStats> {
    const answer = nextMessage<SandboxMessage>(this.child, 'sandbox');
    this.child.send(command);
    const message = await answer;
    if (message.type !== 'stats') {
      throw new BenchProcessError(`The sandbox failed: ${message.type === 'error' ? message.message : message.type}`);
    }
    return message;
  }

  /** Forgets the calls so far and starts the CPU and event-loop clocks. */
  async reset(): Promise<void> {
    await this.ask({ type: 'reset' });
  }

  /** What the sandbox measured since `reset`. */
  stats(polling = false): Promise<SandboxStats> {
    return this.ask({ type: 'stats', polling });
  }

  /** Stops the sandbox and waits for its process to end. */
  async stop(): Promise<void> {
    const done = exited(this.child, 15_000);
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies SandboxCommand);
    await done;
  }
}

const execFileAsync = promisify(execFile);

/**
 * Bundles entry files of the bench (relative to this folder) with the orgpatch command, by the
 * command's own script (packages/cli/scripts/bundle.mjs: split at dynamic imports, the ESM builds
 * of dependencies first, the step thread's entry beside), so that what the bench measures is
 * built as the command is and runs as plain Node, its RSS not inflated by a TypeScript loader.
 * Returns the files, by entry name, in a temporary folder.
 */
async function bundleWithCommand<N extends string>(
  entries: Record<N, string>,
): Promise<Record<N | 'stepThread', string>> {
  const outdir = await mkdtemp(join(tmpdir(), 'orgpatch-bench-'));
  const names = Object.keys(entries) as N[];
  await execFileAsync(process.execPath, [
    here('../packages/cli/scripts/bundle.mjs'),
    '--outdir',
    outdir,
    ...names.flatMap((name) => ['--entry', `${name}=${here(entries[name])}`]),
  ]);
  const files = Object.fromEntries([...names, 'stepThread'].map((name) => [name, join(outdir, `${name}.js`)]));
  return files as Record<N | 'stepThread', string>;
}

/** The bench's worker and the engine's step thread, bundled as the command is ({@link bundleWithCommand}). */
export async function bundleWorker(): Promise<{ readonly worker: string; readonly stepThread: string }> {
  const files = await bundleWithCommand({ worker: './workerChild.ts' });
  return { worker: files.worker, stepThread: files.stepThread };
}

/** One entry file of the bench, bundled as the command is ({@link bundleWithCommand}). */
export async function bundleEntry(entry: string): Promise<string> {
  return (await bundleWithCommand({ entry })).entry;
}

/**
 * Runs one strategy in a worker process pointed at a sandbox by its environment: the esbuild
 * bundle when there is one (and no profile is asked for), else the sources through tsx.
 */
export async function runWorker(
  task: WorkerTask,
  sandboxEnv: Readonly<Record<string, string>>,
  options: {
    readonly bundle?: string;
    readonly prebuilt?: boolean;
    /** The bundled step thread, for a worker run from its bundle. */
    readonly threadBundle?: string;
    readonly profile?: CpuProfileTarget;
    /** --max-old-space-size of the worker, in MB. */
    readonly heapMb?: number;
  },
): Promise<WorkerResult> {
  // A profiled worker runs from the sources, so that the profile names each package's own files;
  // a prebuilt bundle (--worker-bundle) runs as given.
  const fromBundle = options.bundle !== undefined && (options.prebuilt === true || !options.profile);
  const child = fork(fromBundle && options.bundle ? options.bundle : here('./workerChild.ts'), [], {
    execArgv: [
      '--expose-gc',
      // The engine runs as the orgpatch command does: with the Node flags of its shebang.
      ...(task.strategy === 'orgpatch' || task.strategy === 'track' ? CLI_NODE_FLAGS : []),
      ...(options.heapMb ? [`--max-old-space-size=${options.heapMb}`] : []),
      ...(fromBundle ? [] : tsxExecArgv()),
      ...profileArgs(options.profile),
    ],
    env: childEnv(sandboxEnv),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const answer = nextMessage<WorkerMessage>(child, 'worker');
  child.send(fromBundle && options.threadBundle ? { ...task, threadEntry: options.threadBundle } : task);
  try {
    const message = await answer;
    if (message.type !== 'result') throw new BenchProcessError(`The ${task.strategy} run failed: ${message.message}`);
    return message;
  } finally {
    await exited(child, 30_000);
  }
}
