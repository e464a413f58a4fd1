import { displayText } from './displayText.js';
import type { PlanDecision } from './planModel.js';
import type { LocationOutcome } from './runModel.js';

/**
 * The CSV report, written a location at a time: {@link renderReportCsvChunks} takes the locations
 * as they come (a run's shards, one after another) and never holds more than one location's rows;
 * {@link renderReportCsv} is the same text for a whole record.
 */

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

const EMPTY = {
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
} as const;

/** One location's rows: one per instance of each execution, one per execution without instances, or one of its own. */
function locationRows(runId: string, outcome: LocationOutcome): CsvRow[] {
  const location = {
    run_id: runId,
    wave: outcome.wave,
    account_id: outcome.accountId,
    account_name: outcome.accountName,
    region: outcome.region,
    location_status: outcome.status,
    decision: outcome.decision.action,
    reason: locationReason(outcome),
  };
  if (outcome.executions.length === 0) return [{ ...location, ...EMPTY }];
  const rows: CsvRow[] = [];
  for (const execution of outcome.executions) {
    const exec = {
      ...location,
      ...EMPTY,
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
  return rows;
}

/** The header line, CRLF included. */
function csvHeader(): string {
  return `${CSV_COLUMNS.map(csvField).join(',')}\r\n`;
}

/** A location's lines, each ending in CRLF. */
function csvLocationLines(runId: string, outcome: LocationOutcome): string {
  let out = '';
  for (const row of locationRows(runId, outcome)) {
    out += `${CSV_COLUMNS.map((column) => csvField(row[column])).join(',')}\r\n`;
  }
  return out;
}

/**
 * The CSV report (RFC 4180: CRLF line ends, a header row of {@link CSV_COLUMNS}, each field
 * written by {@link csvField}): one row per instance of each execution; a location without instances gets
 * one row per execution, or one row of its own when nothing was started, so skipped and failed
 * locations appear too.
 */
export function renderReportCsv(record: {
  readonly runId: string;
  readonly locations: readonly LocationOutcome[];
}): string {
  let out = csvHeader();
  for (const outcome of record.locations) out += csvLocationLines(record.runId, outcome);
  return out;
}

/**
 * The CSV report of {@link renderReportCsv}, as chunks: the header line, then one chunk per location
 * (its rows), so a run kept as shards is written a shard at a time without the whole run in memory.
 * Joined, the chunks are exactly `renderReportCsv` of the record that holds these locations.
 *
 * @param header the run's id (a manifest or record has it).
 * @param locations the run's location outcomes in record order, e.g. each shard's `locations` in turn.
 * @example
 * for await (const chunk of renderReportCsvChunks(manifest, locationsOf(shards))) await write(chunk);
 */
export async function* renderReportCsvChunks(
  header: { readonly runId: string },
  locations: Iterable<LocationOutcome> | AsyncIterable<LocationOutcome>,
): AsyncGenerator<string> {
  yield csvHeader();
  for await (const outcome of locations) yield csvLocationLines(header.runId, outcome);
}
