import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/**
 * Bundles the worker with esbuild (as the orgpatch command is bundled), so it runs as plain Node
 * and its RSS is not inflated by a TypeScript loader. Returns undefined when esbuild is not available.
 */
export function bundleWorker(): Promise<string | undefined> {
  return bundleEntry('./workerChild.ts');
}

/** Bundles the engine's step thread (stepThread.ts) as {@link bundleWorker} bundles the worker. */
export function bundleStepThread(): Promise<string | undefined> {
  return bundleEntry('../packages/orchestrator/src/steps/stepThread.ts');
}

/**
 * Bundles one of the bench's entry files (relative to this folder) with esbuild into a temporary
 * folder, for plain Node. Returns undefined when esbuild is not available.
 */
export async function bundleEntry(entry: string): Promise<string | undefined> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    return undefined;
  }
  const outdir = await mkdtemp(join(tmpdir(), 'orgpatch-bench-'));
  const outfile = join(outdir, basename(entry).replace(/\.ts$/, '.mjs'));
  await esbuild.build({
    entryPoints: [here(entry)],
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // As the orgpatch command is bundled (packages/cli/scripts/bundle.mjs): split at dynamic
    // imports, the ESM builds of dependencies first.
    mainFields: ['module', 'main'],
    conditions: ['@orgpatch/source'],
    // CommonJS dependencies inside an ESM bundle still call require().
    banner: {
      js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  return outfile;
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
