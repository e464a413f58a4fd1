import { PREFLIGHT_COLUMNS, type PreflightReport, preflightRows } from '@orgpatch/core';
import { AwsPreflightReader, runPreflight } from '@orgpatch/orchestrator';
import Table from 'cli-table3';
import { withAwsRun } from '../awsRun.js';
import type { RegisterCommand } from '../command.js';
import { type AwsCliOptions, loadRequest } from '../context.js';
import { EXIT } from '../exitCodes.js';
import type { Colors } from '../io.js';
import { printJson, println } from '../io.js';

/** `orgpatch doctor <payload>`: the preflight, every account and Region, nothing started. */
export const registerDoctor: RegisterCommand = (program, ctx) => {
  program
    .command('doctor')
    .description(
      'Check, before any window, everything a run of this payload needs in every target account and Region: the execution role, the Region, the automation document and role, the target groups and their nodes. Lists each problem with its fix. Starts nothing.',
    )
    .argument('<payload>', 'payload JSON file')
    .option('--json', 'machine-readable output: the problems and the counts')
    .option('--profile <name>', 'AWS shared-config profile')
    .option('--region <region>', 'the Region orgpatch works from (default: AWS_REGION)')
    .addHelpText(
      'after',
      '\nExit codes: 0 no problem would make a run fail (warnings may be listed), 1 a problem would (or an invalid payload), 2 usage error, 3 AWS or environment error.',
    )
    .action(async (path: string, opts: AwsCliOptions & { json?: boolean }) => {
      const { io, out } = ctx;
      const request = await loadRequest(path, io);
      const { report } = await withAwsRun(request, opts, io, { json: opts.json === true }, (deps, clients) =>
        runPreflight(request, {
          ...deps,
          preflight: new AwsPreflightReader({ clients, credentials: deps.credentials }),
        }),
      );
      if (opts.json) printJson(io.stdout, report);
      else println(io.stdout, renderPreflight(report, out));
      ctx.setExit(report.ok ? EXIT.ok : EXIT.failed);
    });
};

/** The problems as a table, then one line of counts. */
function renderPreflight(report: PreflightReport, c: Colors): string {
  const { counts } = report;
  const summary = `${counts.passed} checks passed, ${counts.errors} ${counts.errors === 1 ? 'error' : 'errors'}, ${counts.warnings} ${counts.warnings === 1 ? 'warning' : 'warnings'} in ${counts.locations} locations${counts.notChecked > 0 ? ` (${counts.notChecked} not checked: a run would not go there)` : ''}`;
  if (report.problems.length === 0) return `${c.green('✓')} ${summary}`;
  const table = new Table({
    head: [...PREFLIGHT_COLUMNS],
    style: { head: [], border: [] },
    colWidths: [14, 16, 21, 10, 48, 48],
    wordWrap: true,
  });
  for (const row of preflightRows(report)) {
    const [account = '', region = '', check = '', severity = '', found = '', fix = ''] = row;
    table.push([account, region, check, severity === 'error' ? c.red(severity) : c.yellow(severity), found, fix]);
  }
  const verdict = report.ok ? c.yellow('! no problem would make a run fail') : c.red('✗ a run would fail');
  return `${table.toString()}\n${verdict}: ${summary}`;
}
