import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  complianceCountsLine,
  DEFAULT_MAX_AGE_DAYS,
  type PatchRequest,
  parsePayloadJson,
  runComplianceCounts,
  targetLabels,
} from '@orgpatch/core';
import {
  type AwsRunDeps,
  collectComplianceInto,
  createAwsClientFactory,
  createAwsRunDeps,
  DEFAULT_LOCAL_RUNS_DIR,
  LocalRunStore,
  runIdFor,
} from '@orgpatch/orchestrator';
import type { RegisterCommand } from '../command.js';
import { readInputFile } from '../context.js';
import { CliUsageError, EXIT } from '../exitCodes.js';
import { println } from '../io.js';
import { createProgressRenderer } from '../progress.js';
import { printRunOutcome, runFlow } from '../runFlow.js';
import { demoWorldPath } from './sandbox.js';

/** When the demo's health gate clears, in simulated time from the sandbox's start. */
const DEMO_GATE_CLEARS = '+8h';

/** The example Organization payload shipped in the repository. */
function demoPayloadPath(): string {
  return fileURLToPath(new URL('../../../../examples/payload.org.json', import.meta.url));
}

/** The demo world's health gate: in ALARM from the start, clear after a few simulated hours. */
const DEMO_GATE_FAULTS = {
  alarms: [
    {
      name: 'prod-health',
      state: 'ALARM' as const,
      reason: 'ALARM("prod-5xx"): 5xx rate 4.2% over 5 minutes, above 1% (demo)',
    },
    { name: 'prod-health', at: DEMO_GATE_CLEARS, state: 'OK' as const, reason: 'prod-5xx back under 1% (demo)' },
  ],
};

/** Takes the compliance snapshot before the demo's run; its line, or why it was not taken (never fatal). */
async function complianceBefore(
  request: PatchRequest,
  deps: AwsRunDeps,
  store: LocalRunStore,
  runId: string,
  now: () => Date,
): Promise<{ readonly line: string; readonly snapshotId?: string }> {
  const snapshotId = `c-${runId}-before`;
  try {
    const { head, totals } = await collectComplianceInto(
      request,
      { ...deps, store, onProgress: undefined },
      { snapshotId, takenAt: now(), maxAgeDays: DEFAULT_MAX_AGE_DAYS },
    );
    return { line: complianceCountsLine('Compliance before the run', runComplianceCounts(head, totals)), snapshotId };
  } catch (error) {
    return { line: `Compliance before the run: not taken: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** `orgpatch demo`: the sandbox with the demo world, the example payload run with --wait, the report. */
export const registerDemo: RegisterCommand = (program, ctx) => {
  program
    .command('demo')
    .description(
      'Run orgpatch end to end on your machine: start the sandbox with the demo Organization, run examples/payload.org.json with --wait, print the summary and the path of the HTML report.',
    )
    .option('--world <file>', 'world JSON file (default: examples/world.demo.json)')
    .option('--payload <file>', 'payload JSON file (default: examples/payload.org.json)')
    .option('--time-scale <n>', 'simulated seconds per real second', '7200')
    .option('--store <dir>', 'run store folder', DEFAULT_LOCAL_RUNS_DIR)
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      "\nExit codes: 0 the demo ran to the end and wrote the report (whatever the run's outcome: a halted wave is part of the show), 2 usage error, 3 the sandbox could not start.",
    )
    .action(async (opts: { world?: string; payload?: string; timeScale: string; store: string; json?: boolean }) => {
      const { io, out, err } = ctx;
      const timeScale = Number(opts.timeScale);
      if (!Number.isFinite(timeScale) || timeScale <= 0)
        throw new CliUsageError(`--time-scale must be a positive number, got "${opts.timeScale}".`);
      const payloadPath = opts.payload ?? demoPayloadPath();
      const request = parsePayloadJson(await readInputFile(payloadPath, io, 'payload'));
      const sandboxModule = await import('@orgpatch/sandbox');
      const world = await sandboxModule.loadWorldFile(opts.world ? resolve(io.cwd, opts.world) : demoWorldPath());
      // The demo world's prod gate (the composite alarm prod-health) fires as the run begins and clears
      // later, so the run shows a health gate holding the prod wave and then letting it go.
      const faults = opts.world === undefined ? DEMO_GATE_FAULTS : undefined;
      const sandbox = await sandboxModule.startSandbox({ world, timeScale, port: 0, ...(faults ? { faults } : {}) });
      const clients = createAwsClientFactory({ ...sandbox.clientConfig('us-east-1'), homeRegion: 'us-east-1' });
      const store = new LocalRunStore(resolve(io.cwd, opts.store));
      const runId = runIdFor(request.taskExecutionId, new Date());
      const progress = createProgressRenderer(io, opts.json === true);
      const began = Date.now();
      try {
        if (!opts.json)
          println(
            io.stderr,
            err.dim(
              `Sandbox at ${sandbox.endpoint}: ${world.accounts.size} accounts, time x${timeScale}. Running ${payloadPath}`,
            ),
          );
        const deps = createAwsRunDeps(request, {
          clients,
          store,
          runId,
          credentialClock: () => sandbox.clock.now(),
          // The run keeps the sandbox's simulated time, so its bake times pass at the demo's pace.
          extra: { onProgress: progress.onProgress, now: () => new Date(sandbox.clock.now()) },
        });
        // Compliance before the run, with the same readers and the sandbox's clock, stored beside the runs:
        // the run's own snapshot, taken when it finishes, is compared with it.
        const before = await complianceBefore(request, deps, store, runId, () => new Date(sandbox.clock.now()));
        if (!opts.json) println(io.stdout, before.line);
        const runDeps = before.snapshotId ? { ...deps, complianceBefore: before.snapshotId } : deps;
        const result = await runFlow(request, runDeps, {
          runId,
          wait: true,
          backoff: { initialMs: 100, maxMs: 1_000, factor: 2 },
        });
        progress.stop();
        printRunOutcome(ctx, result, opts.json === true, '');
        if (!opts.json && result.summary.instances.total === 0) {
          println(
            io.stderr,
            err.yellow(
              `Nothing was started: the payload's targets (${targetLabels(request).join(', ')}) and Regions (${request.regions.join(', ')}) match no instances in this world (Regions ${world.regionNames.join(', ')}). Align the payload with the world, or pass --payload.`,
            ),
          );
        }
        if (!opts.json)
          println(
            io.stdout,
            out.dim(`Done in ${((Date.now() - began) / 1000).toFixed(1)} s. Open the HTML report in a browser.`),
          );
        // The demo shows the whole flow; a run that halts or fails there is an outcome, not an error.
        ctx.setExit(result.artifacts ? EXIT.ok : result.exitCode);
      } finally {
        progress.stop();
        clients.destroy();
        await sandbox.stop();
      }
    });
};
