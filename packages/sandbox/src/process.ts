import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SandboxOptionsError } from './errors.js';
import type { FaultConfig } from './faults.js';
import { type Sandbox, type SandboxOptions, startSandbox } from './sandbox.js';

/** Where {@link runSandboxProcess} writes and what stops it (tests pass their own). */
export interface ProcessIo {
  /** Receives each line of output. @default process.stdout */
  readonly out?: (line: string) => void;
  /** Aborting it stops the sandbox (as SIGINT/SIGTERM do). */
  readonly signal?: AbortSignal;
  /** Called once the sandbox listens. */
  readonly onReady?: (sandbox: Sandbox) => void;
}

/** The default port of the sandbox process. */
const DEFAULT_PROCESS_PORT = 4580;

const USAGE = `Usage: orgpatch-sandbox [--world FILE | --accounts N [--regions N] [--seed N] [--groups N] [--density X]]
                        [--port N] [--host H] [--time-scale X] [--faults FILE] [--empty-page-rate X]
Runs a local AWS-compatible endpoint (STS, Organizations, Resource Groups, SSM, S3) until Ctrl-C.`;

/**
 * Runs the sandbox as a process: parses `argv` (as `process.argv`), starts it, prints the endpoint
 * and the environment to export, and resolves once SIGINT/SIGTERM (or `io.signal`) stopped it.
 *
 * @example
 * await runSandboxProcess(process.argv); // orgpatch-sandbox --accounts 200 --regions 8 --time-scale 60
 */
export async function runSandboxProcess(argv: readonly string[], io: ProcessIo = {}): Promise<void> {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { values } = parseArgs({
    args: argv.slice(2),
    options: {
      world: { type: 'string' },
      accounts: { type: 'string' },
      regions: { type: 'string' },
      seed: { type: 'string' },
      groups: { type: 'string' },
      density: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'time-scale': { type: 'string' },
      faults: { type: 'string' },
      'empty-page-rate': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    out(USAGE);
    return;
  }
  const number = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n)) throw new SandboxOptionsError(`--${name} needs a number, got "${text}".\n${USAGE}`);
    return n;
  };
  if (values.world !== undefined && values.accounts !== undefined) {
    throw new SandboxOptionsError(`Give --world FILE or --accounts N, not both.\n${USAGE}`);
  }
  let faults: FaultConfig | undefined;
  if (values.faults !== undefined) {
    try {
      faults = JSON.parse(await readFile(values.faults, 'utf8')) as FaultConfig;
    } catch (error) {
      throw new SandboxOptionsError(`Cannot read the fault file ${values.faults}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  const accounts = number('accounts', values.accounts);
  const regions = number('regions', values.regions);
  const seed = number('seed', values.seed);
  const groups = number('groups', values.groups);
  const density = number('density', values.density);
  const timeScale = number('time-scale', values['time-scale']);
  const emptyPageRate = number('empty-page-rate', values['empty-page-rate']);
  const options: SandboxOptions = {
    ...(values.world !== undefined ? { world: values.world } : {}),
    ...(accounts !== undefined
      ? {
          world: {
            generate: {
              accounts,
              ...(regions === undefined ? {} : { regions }),
              ...(seed === undefined ? {} : { seed }),
              ...(groups === undefined ? {} : { groups }),
              ...(density === undefined ? {} : { density }),
            },
          },
        }
      : {}),
    port: number('port', values.port) ?? DEFAULT_PROCESS_PORT,
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(timeScale === undefined ? {} : { timeScale }),
    ...(faults === undefined ? {} : { faults }),
    ...(emptyPageRate === undefined ? {} : { emptyPageRate }),
    logger: { error: (message, ...details) => console.error(message, ...details) },
  };
  const sandbox = await startSandbox(options);
  const w = sandbox.world;
  out(
    `orgpatch sandbox listening on ${sandbox.endpoint} (organization ${w.organizationId}, ${w.accounts.size} accounts, ${w.regionNames.length} Regions, time scale ${sandbox.clock.timeScale})`,
  );
  out('Export these to point AWS SDK v3 clients and the orgpatch CLI at it:');
  for (const [name, value] of Object.entries(sandbox.env())) out(`export ${name}=${value}`);
  out('unset AWS_SESSION_TOKEN AWS_PROFILE');
  out('Press Ctrl-C to stop.');
  io.onReady?.(sandbox);
  await new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      io.signal?.removeEventListener('abort', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (io.signal?.aborted) done();
    else io.signal?.addEventListener('abort', done, { once: true });
  });
  await sandbox.stop();
  out(`orgpatch sandbox stopped after ${sandbox.calls.size} calls.`);
}
