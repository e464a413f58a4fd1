import { displayText } from './displayText.js';
import { locationReason } from './reportCsv.js';
import { collectReportFacts, FAILURES_FIRST, type ReportFacts, type ReportHead, reportFactsOf } from './reportFacts.js';
import { joinReportParts, type LocationPasses, passOver, type ReportPart, streamReportParts } from './reportPasses.js';
import { runComplianceLines } from './runCompliance.js';
import type { LocationOutcome, RunRecord } from './runModel.js';
import { isSuccessfulAutomationStatus, isTerminalAutomationStatus } from './runRecord.js';
import { type InstanceCounts, instanceResultsOf, type LocationCounts, waveNote } from './runSummary.js';
import { targetLabels } from './targets.js';

/**
 * The Markdown report of a run, and what the other renderers share. The JSON report is in
 * reportJson.ts, the CSV report in reportCsv.ts, the HTML page in reportHtml.ts. All are pure
 * functions of the run: of a whole record, or of a manifest and passes over its shards (as chunks,
 * one shard in memory at a time).
 */

export { CSV_COLUMNS, csvField } from './reportCsv.js';

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

/** A table's header and separator lines; its rows follow, a line each. */
function tableHead(header: readonly string[]): string {
  return `${line(header)}${line(header.map(() => '---'))}`;
}

function line(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |\n`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return tableHead(header) + rows.map(line).join('');
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

function locationLine(l: LocationOutcome): string {
  return line([
    markdownCell(l.accountId),
    markdownCell(l.accountName),
    markdownCell(l.region),
    markdownCell(l.wave),
    l.status,
    l.decision.action === 'skip' ? `skip (${l.decision.reason})` : l.decision.action,
    String(l.instanceCount),
    markdownCell(locationReason(l)),
  ]);
}

function failedInstanceLines(l: LocationOutcome): string {
  return instanceResultsOf(l)
    .filter((i) => isTerminalAutomationStatus(i.status) && !isSuccessfulAutomationStatus(i.status))
    .map((i) =>
      line([
        markdownCell(l.accountId),
        markdownCell(l.region),
        markdownCell(i.instanceId),
        markdownCell(i.executionId ?? ''),
        i.status,
        markdownCell(i.failureMessage ?? ''),
      ]),
    )
    .join('');
}

/** The Markdown report, in order: its summary and roll-ups from the facts, its locations by passes. */
function* markdown(head: ReportHead, facts: ReportFacts): Generator<ReportPart> {
  const { summary } = facts;
  const r = head.request;
  yield [
    `# orgpatch run ${markdownCell(head.runId)}`,
    '',
    `- Status: **${summary.status}**${head.dryRun ? ' (dry run: nothing started)' : ''}`,
    `- Created: ${markdownCell(head.createdAt)}; updated: ${markdownCell(head.updatedAt)}`,
    `- Operation: ${r.operation}, reboot: ${r.rebootOption}; document ${markdownCell(r.document.name)}${r.document.version ? ` version ${markdownCell(r.document.version)}` : ''}`,
    `- Targets: ${targetLabels(r).map(markdownCell).join(', ')}`,
    `- Regions: ${r.regions.map(markdownCell).join(', ')}`,
    `- MaxConcurrency ${markdownCell(r.maxConcurrency.raw)}, MaxErrors ${markdownCell(r.maxErrors.raw)}; SnapshotId ${markdownCell(head.snapshotId)}`,
    '',
    '## Summary',
    '',
    '',
  ].join('\n');
  yield table(
    ['Locations', 'total', 'planned', 'starting', 'skipped', 'started', 'succeeded', 'failed', 'halted'],
    [locationCountsRow('all', summary.locations)],
  );
  yield '\n';
  yield table(
    ['Instances', 'total', 'succeeded', 'failed', 'in progress', 'not started'],
    [instanceCountsRow('all', summary.instances)],
  );
  if (head.compliance !== undefined) {
    yield `\n## Compliance\n\n${runComplianceLines(head.compliance)
      .map((l) => `${markdownCell(l)}\n`)
      .join('\n')}`;
  }
  yield '\n### Per account\n\n';
  yield tableHead([
    'Account',
    'Name',
    'Locations',
    'Failed locations',
    'Instances',
    'Succeeded',
    'Failed',
    'Not started',
  ]);
  for (const a of summary.accounts)
    yield line([markdownCell(a.accountId), markdownCell(a.accountName), ...rollupCells(a)]);
  yield '\n### Per Region\n\n';
  yield table(
    ['Region', 'Locations', 'Failed locations', 'Instances', 'Succeeded', 'Failed', 'Not started'],
    summary.regions.map((g) => [markdownCell(g.region), ...rollupCells(g)]),
  );
  yield '\n## Waves\n\n';
  yield table(
    ['Wave', 'Status', 'Locations', 'Failed', 'Error threshold', 'Note'],
    summary.waves.map((w) => [
      markdownCell(w.name),
      w.status,
      String(w.locations.total),
      `${w.failed} of ${w.total}`,
      markdownCell(w.errorThreshold),
      markdownCell(waveNote(w)),
    ]),
  );
  yield '\n## Locations\n\n';
  yield tableHead(['Account', 'Name', 'Region', 'Wave', 'Status', 'Decision', 'Instances', 'Reason']);
  for (const status of FAILURES_FIRST) if (summary.locations[status] > 0) yield passOver(status, locationLine);
  if (facts.failedInstances > 0) {
    yield '\n## Failed instances\n\n';
    yield tableHead(['Account', 'Region', 'Instance', 'Execution', 'Status', 'Message']);
    yield { each: failedInstanceLines };
  }
}

/**
 * The Markdown report: what was asked, the summary (locations and instances, per account and per
 * Region), the waves, one row per account x Region with its status, decision and reason (failures
 * first; within a status in the run's order), and the instances that failed.
 */
export function renderReportMarkdown(record: RunRecord): string {
  return joinReportParts(markdown(record, reportFactsOf(record, record.locations)), record.locations);
}

/**
 * The Markdown report of {@link renderReportMarkdown}, as chunks, from a run kept as a manifest and
 * shards: one pass gathers the summary (a few numbers per account), then a pass per location status
 * present and one for the failed instances, one shard in memory at a time. Joined, the chunks are
 * exactly `renderReportMarkdown` of the record the manifest and shards hold.
 *
 * @param head the run's manifest (or record).
 * @param shards starts a pass over the run's shards (or batches of locations), in order; called several times.
 */
export async function* renderReportMarkdownChunks(head: ReportHead, shards: LocationPasses): AsyncGenerator<string> {
  const facts = await collectReportFacts(head, shards());
  yield* streamReportParts(markdown(head, facts), shards);
}
