import { displayText } from './displayText.js';
import type { PlanDecision } from './planModel.js';
import type { LocationOutcome, LocationStatus, RunRecord } from './runModel.js';
import {
  type InstanceCounts,
  instanceResultsOf,
  isSuccessfulAutomationStatus,
  isTerminalAutomationStatus,
  type LocationCounts,
  summarizeRun,
} from './runRecord.js';
import { targetLabels } from './targets.js';

/**
 * Renderers of a run record: JSON (record + summary), CSV (one row per instance) and Markdown.
 * The HTML page is in reportHtml.ts. All are pure functions of the record.
 */

/**
 * The JSON report: `{ summary, record }`, pretty-printed, ending with a newline.
 * `summary` is {@link summarizeRun}'s result, `record` the run record as stored. Parsing it gives the
 * record back unchanged, yet the file holds no raw control or bidirectional character: JSON.stringify
 * escapes C0 controls and {@link displayText} the rest, as the `\uXXXX` escapes JSON reads back.
 */
export function renderReportJson(record: RunRecord): string {
  return `${displayText(JSON.stringify({ summary: summarizeRun(record), record }, null, 2))}\n`;
}

/**
 * The CSV report's columns, in order:
 * - run_id, wave, account_id, account_name, region: where;
 * - location_status: planned | starting | skipped | started | succeeded | failed | halted;
 * - decision: start | skip | fail (the plan's); reason: why skipped, failed or halted, or what the plan noted;
 * - group, execution_id, execution_status: the automation execution (empty if none was started);
 * - instance_id, instance_status, failure_message: the per-instance child execution;
 * - patch_operation, installed, missing, failed, installed_pending_reboot, operation_end_time: the
 *   instance's patch state after the run (empty until read).
 */
export const CSV_COLUMNS = [
  'run_id',
  'wave',
  'account_id',
  'account_name',
  'region',
  'location_status',
  'decision',
  'reason',
  'group',
  'execution_id',
  'execution_status',
  'instance_id',
  'instance_status',
  'failure_message',
  'patch_operation',
  'installed',
  'missing',
  'failed',
  'installed_pending_reboot',
  'operation_end_time',
] as const;

/** A row of the CSV report: counts are numbers, everything else text. */
type CsvRow = Record<(typeof CSV_COLUMNS)[number], string | number>;

/** What makes Excel, LibreOffice Calc and Google Sheets read a cell as a formula when it comes first. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field. A number is written bare, so a spreadsheet reads it as a number. Text is always
 * in double quotes, `"` doubled inside (RFC 4180), shown by {@link displayText}, and, when it starts
 * with `=`, `+`, `-`, `@`, tab or carriage return, prefixed with `'` as OWASP's "CSV Injection"
 * advice asks: names and messages come from other accounts, and a cell such as
 * `=HYPERLINK("https://example.com")` would otherwise run as a formula in the reader's spreadsheet.
 * Spreadsheets hide that `'`; other readers see it.
 *
 * @example
 * csvField('=1+1'); // `"'=1+1"`
 * csvField(-2); // `-2`
 */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const text = displayText(value);
  return `"${FORMULA_START.test(text) ? "'" : ''}${text.replaceAll('"', '""')}"`;
}

function decisionNote(decision: PlanDecision): string {
  switch (decision.action) {
    case 'start':
      return decision.detail ?? '';
    case 'skip':
      return decision.detail;
    case 'fail':
      return decision.message;
  }
}

/** The reason column: the record's words, else what the plan noted. */
export function locationReason(outcome: LocationOutcome): string {
  return outcome.reason ?? decisionNote(outcome.decision);
}

/**
 * The CSV report (RFC 4180: CRLF line ends, a header row of {@link CSV_COLUMNS}, each field
 * written by {@link csvField}): one row per instance of each execution; a location without instances gets
 * one row per execution, or one row of its own when nothing was started, so skipped and failed
 * locations appear too.
 */
export function renderReportCsv(record: RunRecord): string {
  const rows: CsvRow[] = [];
  for (const outcome of record.locations) {
    const location = {
      run_id: record.runId,
      wave: outcome.wave,
      account_id: outcome.accountId,
      account_name: outcome.accountName,
      region: outcome.region,
      location_status: outcome.status,
      decision: outcome.decision.action,
      reason: locationReason(outcome),
    };
    const empty = {
      group: '',
      execution_id: '',
      execution_status: '',
      instance_id: '',
      instance_status: '',
      failure_message: '',
      patch_operation: '',
      installed: '',
      missing: '',
      failed: '',
      installed_pending_reboot: '',
      operation_end_time: '',
    };
    if (outcome.executions.length === 0) {
      rows.push({ ...location, ...empty });
      continue;
    }
    for (const execution of outcome.executions) {
      const exec = {
        ...location,
        ...empty,
        group: execution.group,
        execution_id: execution.executionId,
        execution_status: execution.status,
        failure_message: execution.failureMessage ?? '',
      };
      if (execution.instances.length === 0) {
        rows.push(exec);
        continue;
      }
      for (const instance of execution.instances) {
        const patch = instance.patch;
        rows.push({
          ...exec,
          instance_id: instance.instanceId,
          instance_status: instance.status,
          failure_message: instance.failureMessage ?? '',
          patch_operation: patch?.operation ?? '',
          installed: patch?.installedCount ?? '',
          missing: patch?.missingCount ?? '',
          failed: patch?.failedCount ?? '',
          installed_pending_reboot: patch?.installedPendingRebootCount ?? '',
          operation_end_time: patch?.operationEndTime ?? '',
        });
      }
    }
  }
  const lines = [
    CSV_COLUMNS.map(csvField).join(','),
    ...rows.map((row) => CSV_COLUMNS.map((column) => csvField(row[column])).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

const FAILURES_FIRST: Readonly<Record<LocationStatus, number>> = {
  failed: 0,
  halted: 1,
  starting: 2,
  started: 3,
  planned: 4,
  succeeded: 5,
  skipped: 6,
};

/** Locations with failures first, then by account id and the request's Region order. */
export function locationsFailuresFirst(record: RunRecord): LocationOutcome[] {
  const regionOrder = new Map(record.request.regions.map((r, i) => [r, i]));
  return [...record.locations].sort(
    (a, b) =>
      FAILURES_FIRST[a.status] - FAILURES_FIRST[b.status] ||
      (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0) ||
      (regionOrder.get(a.region) ?? 0) - (regionOrder.get(b.region) ?? 0),
  );
}

/**
 * Text made safe for a Markdown table cell, so a name or message cannot end the cell, add a row,
 * open a link, an image, HTML or math, or turn into an autolink (GitHub links a bare `https://...`,
 * `www....` or `a@b`): line breaks flattened, Markdown punctuation backslash-escaped, and the
 * result shown by {@link displayText}.
 */
export function markdownCell(value: string): string {
  return displayText(
    value
      .replace(/\r\n|\r|\n/g, ' ')
      .replace(/[\\`*_[\]<>|#!~&$@]|:(?=\/\/)/g, (c) => `\\${c}`)
      .replace(/\b(www)\./gi, '$1\\.'),
  );
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function locationCountsRow(label: string, c: LocationCounts): string[] {
  return [
    label,
    ...[c.total, c.planned, c.starting, c.skipped, c.started, c.succeeded, c.failed, c.halted].map(String),
  ];
}

function instanceCountsRow(label: string, c: InstanceCounts): string[] {
  return [label, ...[c.total, c.succeeded, c.failed, c.inProgress, c.notStarted].map(String)];
}

/** The count columns shared by the per-account and per-Region roll-ups of the Markdown report. */
function rollupCells(rollup: { readonly locations: LocationCounts; readonly instances: InstanceCounts }): string[] {
  const { locations, instances } = rollup;
  return [
    locations.total,
    locations.failed,
    instances.total,
    instances.succeeded,
    instances.failed,
    instances.notStarted,
  ].map(String);
}

/**
 * The Markdown report: what was asked, the summary (locations and instances, per account and per
 * Region), the waves, one row per account x Region with its status, decision and reason (failures
 * first), and the instances that failed.
 */
export function renderReportMarkdown(record: RunRecord): string {
  const summary = summarizeRun(record);
  const r = record.request;
  const out: string[] = [];
  out.push(`# orgpatch run ${markdownCell(record.runId)}`, '');
  out.push(
    `- Status: **${summary.status}**${record.dryRun ? ' (dry run: nothing started)' : ''}`,
    `- Created: ${markdownCell(record.createdAt)}; updated: ${markdownCell(record.updatedAt)}`,
    `- Operation: ${r.operation}, reboot: ${r.rebootOption}; document ${markdownCell(r.document.name)}${r.document.version ? ` version ${markdownCell(r.document.version)}` : ''}`,
    `- Targets: ${targetLabels(r).map(markdownCell).join(', ')}`,
    `- Regions: ${r.regions.map(markdownCell).join(', ')}`,
    `- MaxConcurrency ${markdownCell(r.maxConcurrency.raw)}, MaxErrors ${markdownCell(r.maxErrors.raw)}; SnapshotId ${markdownCell(record.snapshotId)}`,
    '',
  );

  out.push('## Summary', '');
  out.push(
    table(
      ['Locations', 'total', 'planned', 'starting', 'skipped', 'started', 'succeeded', 'failed', 'halted'],
      [locationCountsRow('all', summary.locations)],
    ),
    '',
    table(
      ['Instances', 'total', 'succeeded', 'failed', 'in progress', 'not started'],
      [instanceCountsRow('all', summary.instances)],
    ),
    '',
  );
  out.push('### Per account', '');
  out.push(
    table(
      ['Account', 'Name', 'Locations', 'Failed locations', 'Instances', 'Succeeded', 'Failed', 'Not started'],
      summary.accounts.map((a) => [markdownCell(a.accountId), markdownCell(a.accountName), ...rollupCells(a)]),
    ),
    '',
  );
  out.push('### Per Region', '');
  out.push(
    table(
      ['Region', 'Locations', 'Failed locations', 'Instances', 'Succeeded', 'Failed', 'Not started'],
      summary.regions.map((g) => [markdownCell(g.region), ...rollupCells(g)]),
    ),
    '',
  );

  out.push('## Waves', '');
  out.push(
    table(
      ['Wave', 'Status', 'Locations', 'Failed', 'Error threshold', 'Note'],
      summary.waves.map((w) => [
        markdownCell(w.name),
        w.status,
        String(w.locations.total),
        `${w.failed} of ${w.total}`,
        markdownCell(w.errorThreshold),
        markdownCell(w.reason ?? (w.exceeded ? 'error threshold exceeded' : '')),
      ]),
    ),
    '',
  );

  out.push('## Locations', '');
  out.push(
    table(
      ['Account', 'Name', 'Region', 'Wave', 'Status', 'Decision', 'Instances', 'Reason'],
      locationsFailuresFirst(record).map((l) => [
        markdownCell(l.accountId),
        markdownCell(l.accountName),
        markdownCell(l.region),
        markdownCell(l.wave),
        l.status,
        l.decision.action === 'skip' ? `skip (${l.decision.reason})` : l.decision.action,
        String(l.instanceCount),
        markdownCell(locationReason(l)),
      ]),
    ),
    '',
  );

  const failedInstances = record.locations.flatMap((l) =>
    instanceResultsOf(l)
      .filter((i) => isTerminalAutomationStatus(i.status) && !isSuccessfulAutomationStatus(i.status))
      .map((i) => ({ l, i })),
  );
  if (failedInstances.length > 0) {
    out.push('## Failed instances', '');
    out.push(
      table(
        ['Account', 'Region', 'Instance', 'Execution', 'Status', 'Message'],
        failedInstances.map(({ l, i }) => [
          markdownCell(l.accountId),
          markdownCell(l.region),
          markdownCell(i.instanceId),
          markdownCell(i.executionId ?? ''),
          i.status,
          markdownCell(i.failureMessage ?? ''),
        ]),
      ),
      '',
    );
  }
  return out.join('\n');
}
