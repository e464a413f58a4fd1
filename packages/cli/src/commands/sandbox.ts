import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RegisterCommand } from '../command.js';
import { CliUsageError, EXIT } from '../exitCodes.js';
import { println } from '../io.js';

/** The demo world shipped in the repository. */
export function demoWorldPath(): string {
  return fileURLToPath(new URL('../../../../examples/world.demo.json', import.meta.url));
}

interface SandboxCliOptions {
  world?: string;
  accounts?: string;
  regions?: string;
  seed?: string;
  groups?: string;
  density?: string;
  port: string;
  timeScale: string;
  faults?: string;
}

/** `orgpatch sandbox`: the local AWS-compatible Organization, until Ctrl-C. */
export const registerSandbox: RegisterCommand = (program, ctx) => {
  program
    .command('sandbox')
    .description(
      'Start the local sandbox (a simulated AWS Organization that the real AWS SDK talks to) and print the environment that points orgpatch at it. Runs until Ctrl-C.',
    )
    .option('--world <file>', 'world JSON file (default: examples/world.demo.json)')
    .option('--accounts <n>', 'generate a world with this many accounts instead (up to 10,000)')
    .option('--regions <n>', 'Regions per account in a generated world')
    .option('--seed <n>', 'seed of a generated world')
    .option('--groups <n>', 'resource groups per location in a generated world')
    .option('--density <x>', 'share of locations with instances in a generated world (0-1)')
    .option('--port <n>', 'port to listen on (0: any free port)', '4580')
    .option('--time-scale <x>', 'simulated ms per real ms (60: a real second is a simulated minute)', '60')
    .option('--faults <file>', 'fault configuration JSON (latency, throttling, access denied, ...)')
    .addHelpText('after', '\nExit codes: 0 stopped, 2 usage error.')
    .action(async (opts: SandboxCliOptions) => {
      const { io } = ctx;
      if (opts.world && opts.accounts) throw new CliUsageError('Give either --world or --accounts, not both.');
      if (!opts.accounts && (opts.regions || opts.seed || opts.groups || opts.density)) {
        throw new CliUsageError('--regions, --seed, --groups and --density shape a generated world: add --accounts N.');
      }
      // The sandbox's own process runner parses, starts, prints and stops it; this command only
      // translates the options and wires Ctrl-C. The sandbox is loaded only here (and in demo).
      const { runSandboxProcess } = await import('@orgpatch/sandbox');
      const argv = ['node', 'orgpatch-sandbox'];
      const add = (flag: string, value: string | undefined) => {
        if (value !== undefined) argv.push(flag, value);
      };
      if (opts.accounts) add('--accounts', opts.accounts);
      else add('--world', opts.world ? resolve(io.cwd, opts.world) : demoWorldPath());
      add('--regions', opts.regions);
      add('--seed', opts.seed);
      add('--groups', opts.groups);
      add('--density', opts.density);
      add('--port', opts.port);
      add('--time-scale', opts.timeScale);
      add('--faults', opts.faults ? resolve(io.cwd, opts.faults) : undefined);
      const stop = new AbortController();
      void io.interrupted?.then(() => stop.abort());
      try {
        await runSandboxProcess(argv, { out: (line) => println(io.stdout, line), signal: stop.signal });
      } catch (error) {
        if (error instanceof Error && error.name === 'SandboxOptionsError')
          throw new CliUsageError(error.message, { cause: error });
        throw error;
      }
      ctx.setExit(EXIT.ok);
    });
};
