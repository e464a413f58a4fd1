import { collectReportFacts, FAILURES_FIRST, type ReportFacts, type ReportHead, reportFactsOf } from './reportFacts.js';
import {
  ATTENTION_HEAD,
  accountDetails,
  attentionRow,
  COMPACT_ATTENTION_HEAD,
  compactAttentionRow,
  escapeHtml,
  heatMapFoot,
  heatMapHead,
  heatMapPass,
  INSTANCES_HEAD,
  instanceCountsTable,
  instanceRows,
  LOCATIONS_HEAD,
  locationCountsTable,
  locationRow,
  ouTable,
  STYLE,
  wavesTable,
} from './reportHtmlTables.js';
import { joinReportParts, type LocationPasses, passOver, type ReportPart, streamReportParts } from './reportPasses.js';
import { type RunCompliance, runComplianceLines } from './runCompliance.js';
import type { RunRecord } from './runModel.js';
import { targetLabels } from './targets.js';

/**
 * The HTML report: one self-contained page (inline CSS, no script, no external resource; a
 * Content-Security-Policy forbids loading any). Every value from the run is escaped. In order:
 * the run's summary; a roll-up by OU path (`<table class="ou-rollup">`, a row per OU: accounts,
 * locations by status, instances and failed instances); **needs attention** (`<table
 * class="attention">`, a row `<tr data-account data-region data-status>` for every location that
 * failed, was halted, is still starting or running, or, in a run that is over, was never started:
 * never collapsed, and past {@link ATTENTION_FULL_ROWS} rows written compactly); the waves; each
 * OU's accounts as collapsed `<details class="account" data-account="...">` (counts in the summary,
 * Regions grouped by outcome inside). Then, for a run of at most {@link DETAILED_ACCOUNTS} accounts,
 * the account x Region heat map and every location; and, for a run of at most
 * {@link MAX_INSTANCE_ROWS} instance results, every instance. So the page stays a few megabytes at
 * 5,000 accounts x 16 Regions.
 *
 * The page is written from one pass over the run's locations that gathers what grows with the
 * accounts (reportFacts.ts), then a pass per section that lists locations: {@link renderReportHtml}
 * over a whole record, {@link renderReportHtmlChunks} over a run's shards, one shard in memory at a
 * time. Within a status, locations are listed in the run's order (wave, account id, Region).
 *
 * The heat map is `<table class="heatmap">` with one `<td data-account="..." data-region="..."
 * data-status="..." class="s-<status>" title="...">` per location of the run (attributes in that
 * order), coloured by status, its reason in `title`. Inside the cell, a `<small>` says why a location
 * was skipped (`no instances`, `excluded`, ...) or how many instances failed in a location whose
 * automation still succeeded within MaxErrors (`<small class="some-failed">2 failed</small>`, which
 * also tints the cell), so a green cell never hides a failed instance. A combination the run lacks
 * (there should be none) gets a `<td class="s-none">` without data attributes.
 */

/**
 * Up to how many accounts the page also has the per-location heat map and location table: beyond
 * it they would make the page tens of megabytes (5,000 accounts x 16 Regions is 80,000 locations),
 * and the roll-ups, the needs-attention table and report.csv say it all.
 */
const DETAILED_ACCOUNTS = 100;

/** Up to how many instance results the page lists every instance (about 300 bytes a row). */
const MAX_INSTANCE_ROWS = 2000;

/**
 * Up to how many rows the needs-attention table has its full columns (name, OU path, wave, failed
 * instances); past it each row has the account, Region, status and reason alone, so a run in which
 * most of 80,000 locations failed still lists them all in a page a browser opens.
 */
const ATTENTION_FULL_ROWS = 2000;

const RUN_COLOUR: Readonly<Record<RunRecord['status'], string>> = {
  planned: 'var(--plan)',
  running: 'var(--run)',
  succeeded: 'var(--ok)',
  failed: 'var(--fail)',
  halted: 'var(--halt)',
};

function pageHead(head: ReportHead): string {
  const r = head.request;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(`orgpatch run ${head.runId}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>orgpatch run <code>${escapeHtml(head.runId)}</code> <span class="status" style="background:${RUN_COLOUR[head.status]}">${escapeHtml(head.status)}</span></h1>
<p class="meta">Created ${escapeHtml(head.createdAt)}, updated ${escapeHtml(head.updatedAt)}${head.dryRun ? ' · dry run: nothing started' : ''}<br>
${escapeHtml(`${r.operation}, reboot ${r.rebootOption}; document ${r.document.name}${r.document.version ? ` version ${r.document.version}` : ''}; targets ${targetLabels(r).join(', ')}; MaxConcurrency ${r.maxConcurrency.raw}, MaxErrors ${r.maxErrors.raw}; SnapshotId ${head.snapshotId}`)}</p>
`;
}

/** Compliance before and after the run: `<section class="compliance">`, its sentences as paragraphs. */
function complianceSection(compliance: RunCompliance): string {
  const lines = runComplianceLines(compliance).map((l) => `<p>${escapeHtml(l)}</p>`);
  return `<section class="compliance" data-taken="${compliance.taken}"><h2>Compliance</h2>\n${lines.join('\n')}\n</section>\n`;
}

/** Every location needing attention, a pass per status, failures first. */
function* attention(facts: ReportFacts): Generator<ReportPart> {
  const total = facts.attention.reduce((n, a) => n + a.count, 0);
  if (total === 0) {
    yield '<p class="attention-none">No location failed, was halted, or is still to start or running.</p>\n';
    return;
  }
  const compact = total > ATTENTION_FULL_ROWS;
  if (compact) {
    yield `<p class="omitted">${escapeHtml(`${total} locations need attention. Each has a row with its account, Region, status and reason; the account's section below has its name and OU path.`)}</p>\n`;
  }
  yield compact ? COMPACT_ATTENTION_HEAD : ATTENTION_HEAD;
  for (const { status } of facts.attention) yield passOver(status, compact ? compactAttentionRow : attentionRow);
  yield '</tbody></table>\n';
}

/** Each OU's accounts, each collapsed, an account at a time. */
function* accounts(facts: ReportFacts): Generator<string> {
  for (const o of facts.ous) {
    yield `<section class="ou" data-ou="${escapeHtml(o.ou)}"><h3>${escapeHtml(o.ou)}</h3>\n`;
    const sorted = [...o.accounts.values()].sort((a, b) =>
      a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0,
    );
    for (const a of sorted) yield `${accountDetails(a)}\n`;
    yield '</section>\n';
  }
}

/** The heat map and the location table of a small run, or why they are left out. */
function* perLocation(facts: ReportFacts): Generator<ReportPart> {
  if (facts.accounts > DETAILED_ACCOUNTS) {
    yield `<p class="omitted">${escapeHtml(`With ${facts.accounts} accounts, the page leaves out the per-location heat map and table (the roll-ups above and every location needing attention are here); report.csv has a row for every location and instance, and report.json holds the whole run.`)}</p>\n`;
    return;
  }
  yield `<h2>Accounts × Regions</h2>\n${heatMapHead(facts.regions)}`;
  yield heatMapPass(facts.regions);
  yield `${heatMapFoot()}<h2>Locations</h2>\n${LOCATIONS_HEAD}`;
  for (const status of FAILURES_FIRST) if (facts.summary.locations[status] > 0) yield passOver(status, locationRow);
  yield '</tbody></table>\n';
}

/** Every instance result of a run with few, or why they are left out. */
function* instances(facts: ReportFacts): Generator<ReportPart> {
  yield '<h2>Instances</h2>\n';
  if (facts.instanceRows === 0) yield '<p>No instance has a result yet.</p>\n';
  else if (facts.instanceRows > MAX_INSTANCE_ROWS) {
    yield `<p class="omitted">${escapeHtml(`The run has ${facts.instanceRows} instance results, more than the ${MAX_INSTANCE_ROWS} this page lists: report.csv and report.json have every instance.`)}</p>\n`;
  } else {
    yield INSTANCES_HEAD;
    yield { each: instanceRows };
    yield '</tbody></table>\n';
  }
}

/** The page, in order. */
function* page(head: ReportHead, facts: ReportFacts): Generator<ReportPart> {
  const summary = facts.summary;
  yield pageHead(head);
  yield `<h2>Summary</h2>\n${locationCountsTable(summary.locations)}\n${instanceCountsTable(summary.instances)}\n`;
  if (head.compliance !== undefined) yield complianceSection(head.compliance);
  yield `<h2>By OU</h2>\n${ouTable(facts.ous)}\n<h2>Needs attention</h2>\n`;
  yield* attention(facts);
  yield `<h2>Waves</h2>\n${wavesTable(summary)}\n<h2>Accounts</h2>\n`;
  yield* accounts(facts);
  yield* perLocation(facts);
  yield* instances(facts);
  yield '</body>\n</html>\n';
}

/**
 * The HTML report page for a whole run record: {@link renderReportHtmlChunks}' page, joined.
 *
 * @example
 * const html = renderReportHtml(record);
 * // one <td data-account=".." data-region=".."> per location inside <table class="heatmap">
 */
export function renderReportHtml(record: RunRecord): string {
  return joinReportParts(page(record, reportFactsOf(record, record.locations)), record.locations);
}

/**
 * The HTML report page of a run kept as a manifest and shards, as chunks of about 64 KiB: one pass
 * over the shards gathers the summary and the roll-ups (a few numbers per account), then a pass per
 * section lists locations, one shard in memory at a time. Joined, the chunks are exactly
 * `renderReportHtml` of the record the manifest and shards hold.
 *
 * @param head the run's manifest (or record).
 * @param shards starts a pass over the run's shards (or batches of locations), in order; called several times.
 * @example
 * await store.putArtifactChunks(runId, 'report.html', renderReportHtmlChunks(run.manifest, () => run.shards()), 'text/html');
 */
export async function* renderReportHtmlChunks(head: ReportHead, shards: LocationPasses): AsyncGenerator<string> {
  const facts = await collectReportFacts(head, shards());
  yield* streamReportParts(page(head, facts), shards);
}
