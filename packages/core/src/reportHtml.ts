import { displayText } from './displayText.js';
import type { SkipReason } from './planModel.js';
import { locationsFailuresFirst } from './report.js';
import { locationReason } from './reportCsv.js';
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
 * The HTML report: one self-contained page (inline CSS, no script, no external resource; a
 * Content-Security-Policy forbids loading any) with the run's summary, an account x Region heat
 * map and the per-instance table. Every value from the record is escaped.
 *
 * The heat map is `<table class="heatmap">` with one `<td data-account="..." data-region="..."
 * data-status="..." class="s-<status>" title="...">` per location of the record (attributes in that
 * order), coloured by status, its reason in `title`. Inside the cell, a `<small>` says why a location
 * was skipped (`no instances`, `excluded`, ...) or how many instances failed in a location whose
 * automation still succeeded within MaxErrors (`<small class="some-failed">2 failed</small>`, which
 * also tints the cell), so a green cell never hides a failed instance. A combination the record lacks
 * (there should be none) gets a `<td class="s-none">` without data attributes.
 */

/**
 * Escapes text for HTML element content and quoted attribute values. An entity would still be the
 * character it names, so control and bidirectional characters are first written out by
 * {@link displayText}: a browser cannot reorder or hide the text around them.
 */
export function escapeHtml(value: string): string {
  return displayText(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STATUS_LABEL: Readonly<Record<LocationStatus, string>> = {
  succeeded: 'succeeded',
  failed: 'failed',
  halted: 'halted',
  starting: 'starting',
  started: 'running',
  planned: 'planned',
  skipped: 'skipped',
};

/** The heat map's short form of each skip reason (the full sentence is in the cell's title). */
const SKIP_LABEL: Readonly<Record<SkipReason, string>> = {
  'no-instances': 'no instances',
  'groups-missing': 'no such group',
  'account-excluded': 'excluded',
  'account-pending-activation': 'not activated',
  'account-suspended': 'suspended',
  'account-pending-closure': 'closing',
  'account-closed': 'closed',
  'management-account-not-included': 'management',
  'region-not-enabled': 'Region not enabled',
  'access-denied': 'access denied',
  'member-stack-missing': 'no member stack',
};

const STYLE = `
:root { color-scheme: light; --ok: #2e7d32; --fail: #c62828; --halt: #ef6c00; --run: #1565c0; --plan: #78909c; --skip: #cfd8dc; --partial: #f9a825; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem; color: #1b1f23; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
.meta { color: #57606a; margin: 0 0 1rem; }
.status { display: inline-block; padding: .1rem .5rem; border-radius: .75rem; color: #fff; font-weight: 600; }
table { border-collapse: collapse; margin: .25rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .55rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.heatmap td { text-align: center; min-width: 6.5rem; font-weight: 600; }
.heatmap th[scope=row] small { display: block; color: #57606a; font-weight: 400; }
.s-succeeded { background: var(--ok); color: #fff; } .s-failed { background: var(--fail); color: #fff; }
.s-halted { background: var(--halt); color: #fff; } .s-started, .s-starting { background: var(--run); color: #fff; }
.s-planned { background: var(--plan); color: #fff; } .s-skipped { background: var(--skip); color: #37474f; }
.heatmap td small { display: block; font-weight: 400; font-size: 11px; }
.heatmap td.s-succeeded:has(.some-failed) { background: var(--partial); color: #1b1f23; }
.s-none { background: repeating-linear-gradient(45deg, #fff, #fff 4px, #eceff1 4px, #eceff1 8px); }
.legend .partial { background: var(--partial); }
.legend span { display: inline-block; padding: .1rem .5rem; margin-right: .35rem; border-radius: .25rem; }
`;

function cell(value: string | number, className?: string): string {
  return `<td${className ? ` class="${className}"` : ''}>${escapeHtml(String(value))}</td>`;
}

function locationCountsTable(c: LocationCounts): string {
  const head = ['total', 'planned', 'starting', 'skipped', 'running', 'succeeded', 'failed', 'halted'];
  const values = [c.total, c.planned, c.starting, c.skipped, c.started, c.succeeded, c.failed, c.halted];
  return `<table class="summary"><thead><tr><th>Locations</th>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody><tr><th scope="row">all</th>${values.map((v) => cell(v, 'num')).join('')}</tr></tbody></table>`;
}

function instanceCountsTable(c: InstanceCounts): string {
  const head = ['total', 'succeeded', 'failed', 'in progress', 'not started'];
  const values = [c.total, c.succeeded, c.failed, c.inProgress, c.notStarted];
  return `<table class="summary"><thead><tr><th>Instances</th>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody><tr><th scope="row">all</th>${values.map((v) => cell(v, 'num')).join('')}</tr></tbody></table>`;
}

function heatCell(outcome: LocationOutcome): string {
  const reason = locationReason(outcome);
  const title = `${outcome.accountName} (${outcome.accountId}) ${outcome.region}: ${STATUS_LABEL[outcome.status]}${reason ? ` — ${reason}` : ''}`;
  return `<td data-account="${escapeHtml(outcome.accountId)}" data-region="${escapeHtml(outcome.region)}" data-status="${outcome.status}" class="s-${outcome.status}" title="${escapeHtml(title)}">${heatCellContent(outcome)}</td>`;
}

/** `succeeded · 20/22` with `2 failed` beneath, `skipped` with `no instances` beneath, ... */
function heatCellContent(outcome: LocationOutcome): string {
  const label = escapeHtml(STATUS_LABEL[outcome.status]);
  if (outcome.decision.action === 'skip')
    return `${label}<small>${escapeHtml(SKIP_LABEL[outcome.decision.reason])}</small>`;
  if (outcome.instanceCount === 0) return label;
  const results = instanceResultsOf(outcome);
  const failed = results.filter(
    (r) => isTerminalAutomationStatus(r.status) && !isSuccessfulAutomationStatus(r.status),
  ).length;
  const succeeded = results.filter((r) => isSuccessfulAutomationStatus(r.status)).length;
  if (results.length === 0) return `${label} · ${outcome.instanceCount}`;
  // The automation's own targets are the truth once known: instances may join a group after inventory.
  const counts = `${label} · ${succeeded}/${results.length}`;
  return failed > 0 ? `${counts}<small class="some-failed">${failed} failed</small>` : counts;
}

function heatMap(record: RunRecord): string {
  const regionOrder = new Map(record.request.regions.map((r, i) => [r, i]));
  const regions = [...new Set(record.locations.map((l) => l.region))].sort(
    (a, b) => (regionOrder.get(a) ?? Number.MAX_SAFE_INTEGER) - (regionOrder.get(b) ?? Number.MAX_SAFE_INTEGER),
  );
  const accounts = new Map<string, { name: string; cells: Map<string, LocationOutcome> }>();
  for (const l of [...record.locations].sort((a, b) =>
    a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0,
  )) {
    const row = accounts.get(l.accountId) ?? { name: l.accountName, cells: new Map<string, LocationOutcome>() };
    // One cell per (account, Region): the record holds each location once.
    if (!row.cells.has(l.region)) row.cells.set(l.region, l);
    accounts.set(l.accountId, row);
  }
  const head = `<thead><tr><th scope="col">Account</th>${regions.map((r) => `<th scope="col">${escapeHtml(r)}</th>`).join('')}</tr></thead>`;
  const body = [...accounts.entries()]
    .map(([id, row]) => {
      const cells = regions
        .map((region) => {
          const outcome = row.cells.get(region);
          return outcome === undefined ? '<td class="s-none" title="not in this run">–</td>' : heatCell(outcome);
        })
        .join('');
      return `<tr><th scope="row">${escapeHtml(row.name)}<small>${escapeHtml(id)}</small></th>${cells}</tr>`;
    })
    .join('\n');
  const legend = (Object.keys(STATUS_LABEL) as LocationStatus[])
    .map((s) => `<span class="s-${s}">${STATUS_LABEL[s]}</span>`)
    .concat('<span class="partial">succeeded, some instances failed</span>')
    .join('');
  return `<table class="heatmap">${head}<tbody>\n${body}\n</tbody></table>\n<p class="legend">${legend}</p>`;
}

function wavesTable(record: RunRecord): string {
  const summary = summarizeRun(record);
  const rows = summary.waves
    .map(
      (w) =>
        `<tr>${cell(w.name)}${cell(w.status)}${cell(w.locations.total, 'num')}${cell(`${w.failed} of ${w.total}`, 'num')}${cell(w.errorThreshold)}${cell(w.reason ?? (w.exceeded ? 'error threshold exceeded' : ''))}</tr>`,
    )
    .join('\n');
  return `<table class="waves"><thead><tr><th>Wave</th><th>Status</th><th>Locations</th><th>Failed</th><th>Error threshold</th><th>Note</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function locationsTable(record: RunRecord): string {
  const rows = locationsFailuresFirst(record)
    .map((l) => {
      const decision = l.decision.action === 'skip' ? `skip (${l.decision.reason})` : l.decision.action;
      return `<tr>${cell(l.accountId)}${cell(l.accountName)}${cell(l.region)}${cell(l.wave)}<td class="s-${l.status}">${escapeHtml(STATUS_LABEL[l.status])}</td>${cell(decision)}${cell(l.instanceCount, 'num')}${cell(locationReason(l))}</tr>`;
    })
    .join('\n');
  return `<table class="locations"><thead><tr><th>Account</th><th>Name</th><th>Region</th><th>Wave</th><th>Status</th><th>Decision</th><th>Instances</th><th>Reason</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function instancesTable(record: RunRecord): string {
  const rows: string[] = [];
  for (const l of record.locations) {
    for (const e of l.executions) {
      for (const i of e.instances) {
        const p = i.patch;
        rows.push(
          `<tr>${cell(l.accountId)}${cell(l.accountName)}${cell(l.region)}${cell(e.group)}${cell(i.instanceId)}${cell(i.status)}${cell(i.executionId ?? '')}${cell(p ? p.operation : '')}${cell(p ? p.installedCount : '', 'num')}${cell(p ? p.missingCount : '', 'num')}${cell(p ? p.failedCount : '', 'num')}${cell(p ? p.installedPendingRebootCount : '', 'num')}${cell(i.failureMessage ?? '')}</tr>`,
        );
      }
    }
  }
  if (rows.length === 0) return '<p>No instance has a result yet.</p>';
  return `<table class="instances"><thead><tr><th>Account</th><th>Name</th><th>Region</th><th>Group</th><th>Instance</th><th>Status</th><th>Execution</th><th>Operation</th><th>Installed</th><th>Missing</th><th>Failed</th><th>Pending reboot</th><th>Message</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

const RUN_COLOUR: Readonly<Record<RunRecord['status'], string>> = {
  planned: 'var(--plan)',
  running: 'var(--run)',
  succeeded: 'var(--ok)',
  failed: 'var(--fail)',
  halted: 'var(--halt)',
};

/**
 * The HTML report page for a run record.
 *
 * @example
 * const html = renderReportHtml(record);
 * // one <td data-account=".." data-region=".."> per location inside <table class="heatmap">
 */
export function renderReportHtml(record: RunRecord): string {
  const summary = summarizeRun(record);
  const r = record.request;
  const title = `orgpatch run ${record.runId}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>orgpatch run <code>${escapeHtml(record.runId)}</code> <span class="status" style="background:${RUN_COLOUR[record.status]}">${escapeHtml(record.status)}</span></h1>
<p class="meta">Created ${escapeHtml(record.createdAt)}, updated ${escapeHtml(record.updatedAt)}${record.dryRun ? ' · dry run: nothing started' : ''}<br>
${escapeHtml(`${r.operation}, reboot ${r.rebootOption}; document ${r.document.name}${r.document.version ? ` version ${r.document.version}` : ''}; targets ${targetLabels(r).join(', ')}; MaxConcurrency ${r.maxConcurrency.raw}, MaxErrors ${r.maxErrors.raw}; SnapshotId ${record.snapshotId}`)}</p>
<h2>Summary</h2>
${locationCountsTable(summary.locations)}
${instanceCountsTable(summary.instances)}
<h2>Accounts × Regions</h2>
${heatMap(record)}
<h2>Waves</h2>
${wavesTable(record)}
<h2>Locations</h2>
${locationsTable(record)}
<h2>Instances</h2>
${instancesTable(record)}
</body>
</html>
`;
}
