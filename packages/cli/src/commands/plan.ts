import { createAwsRunDeps, planRun } from '@orgpatch/orchestrator';
import type { RegisterCommand } from '../command.js';
import { type AwsCliOptions, clientsFor, loadRequest, storeFor } from '../context.js';
import { EXIT } from '../exitCodes.js';
import { printJson, println } from '../io.js';
import { createProgressRenderer } from '../progress.js';
import { renderPlan } from '../render.js';

/** `orgpatch plan <payload>`: discovery and the Region filter, nothing started. */
export const registerPlan: RegisterCommand = (program, ctx) => {
  program
    .command('plan')
    .description(
      'Discover the accounts, read the target resource groups in every account and Region, and show what a run would start and skip, and why. Starts nothing.',
    )
    .argument('<payload>', 'payload JSON file')
    .option('--json', 'machine-readable output (the plan and the organization snapshot)')
    .option('--profile <name>', 'AWS shared-config profile')
    .option('--region <region>', 'the Region orgpatch works from (default: AWS_REGION)')
    .addHelpText(
      'after',
      '\nExit codes: 0 planned, 1 invalid payload, 2 usage error, 3 AWS or environment error (credentials, access to the Organization).',
    )
    .action(async (path: string, opts: AwsCliOptions & { json?: boolean }) => {
      const { io, out } = ctx;
      const request = await loadRequest(path, io);
      const clients = clientsFor(opts, io);
      const progress = createProgressRenderer(io, opts.json === true);
      try {
        const deps = createAwsRunDeps(request, {
          clients,
          store: storeFor({}, io),
          extra: { onProgress: progress.onProgress },
        });
        const result = await planRun(request, deps);
        progress.stop();
        if (opts.json) printJson(io.stdout, { organization: result.organization, plan: result.plan });
        else println(io.stdout, renderPlan(result.plan, request.regions, out));
        ctx.setExit(EXIT.ok);
      } finally {
        progress.stop();
        clients.destroy();
      }
    });
};
