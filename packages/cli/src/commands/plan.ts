import { planRun } from '@orgpatch/orchestrator';
import { withAwsRun } from '../awsRun.js';
import type { RegisterCommand } from '../command.js';
import { type AwsCliOptions, loadRequest } from '../context.js';
import { EXIT } from '../exitCodes.js';
import { printJson, println } from '../io.js';
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
      const result = await withAwsRun(request, opts, io, { json: opts.json === true }, (deps) =>
        planRun(request, deps),
      );
      if (opts.json) printJson(io.stdout, { organization: result.organization, plan: result.plan });
      else println(io.stdout, renderPlan(result.plan, request.regions, out));
      ctx.setExit(EXIT.ok);
    });
};
