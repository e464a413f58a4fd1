import { displayText } from './displayText.js';
import { locationReason } from './reportCsv.js';
import type { LocationOutcome, LocationStatus, RunRecord } from './runModel.js';
import { isSuccessfulAutomationStatus, isTerminalAutomationStatus } from './runRecord.js';
import { type InstanceCounts, instanceResultsOf, type LocationCounts, summarizeRun } from './runSummary.js';
import { targetLabels } from './targets.js';

/**
 * The Markdown report of a run record, and what the other renderers share. The JSON report is in
 * reportJson.ts, the CSV report in reportCsv.ts, the HTML page in reportHtml.ts. All are pure
 * functions of the record.
 */

export { CSV_COLUMNS, csvField } from './reportCsv.js';

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
