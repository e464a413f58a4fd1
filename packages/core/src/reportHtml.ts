import { displayText } from './displayText.js';
import type { SkipReason } from './planModel.js';
import { locationsFailuresFirst } from './report.js';
import { locationReason } from './reportCsv.js';
import type { LocationOutcome, LocationStatus, RunRecord } from './runModel.js';
import { isSuccessfulAutomationStatus, isTerminalAutomationStatus } from './runRecord.js';
import {
  type InstanceCounts,
  instanceResultsOf,
  type LocationCounts,
  type RunSummary,
  summarizeRun,
} from './runSummary.js';
import { targetLabels } from './targets.js';

/**
 * The HTML report: one self-contained page (inline CSS, no script, no external resource; a
 * Content-Security-Policy forbids loading any). Every value from the record is escaped. In order:
 * the run's summary; a roll-up by OU path (`<table class="ou-rollup">`, a row per OU: accounts,
 * locations by status, instances and failed instances); **needs attention** (`<table
 * class="attention">`, a row `<tr data-account data-region data-status>` for every failed or halted
 * location, never collapsed); the waves; each OU's accounts as collapsed `<details class="account"
 * data-account="...">` (counts in the summary, Regions grouped by outcome inside). Then, for a run
 * of at most {@link DETAILED_ACCOUNTS} accounts, the account x Region heat map, every location and
 * every instance: so the page stays a few megabytes at 5,000 accounts x 16 Regions.
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
h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
details.account { margin: .15rem 0; } details.account > summary { cursor: pointer; }
details.account.has-failed > summary { color: var(--fail); font-weight: 600; }
details.account summary small, p.omitted { color: #57606a; font-weight: 400; }
ul.regions { margin: .25rem 0 .5rem; padding-left: 1.5rem; } ul.regions li { margin: .1rem 0; padding: 0 .35rem; width: fit-content; }
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

function wavesTable(summary: RunSummary): string {
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

/** How many instances of a location failed, and how many it has (its automation's targets once known). */
function instanceTally(outcome: LocationOutcome): { readonly total: number; readonly failed: number } {
  const results = instanceResultsOf(outcome);
  if (results.length === 0) return { total: outcome.instanceCount, failed: 0 };
  const failed = results.filter((r) => isTerminalAutomationStatus(r.status) && !isSuccessfulAutomationStatus(r.status));
  return { total: results.length, failed: failed.length };
}

/** Counts of a set of locations: by status, and their instances. */
interface Tally {
  readonly byStatus: Record<LocationStatus, number>;
  locations: number;
  instances: number;
  failedInstances: number;
}

function emptyTally(): Tally {
  const byStatus = { planned: 0, starting: 0, skipped: 0, started: 0, succeeded: 0, failed: 0, halted: 0 };
  return { byStatus, locations: 0, instances: 0, failedInstances: 0 };
}

function addTo(tally: Tally, outcome: LocationOutcome, instances: { total: number; failed: number }): void {
  tally.byStatus[outcome.status] += 1;
  tally.locations += 1;
  tally.instances += instances.total;
  tally.failedInstances += instances.failed;
}

/** What the page shows of an OU path: its ids from the root down, or that the record has none. */
function ouLabel(outcome: LocationOutcome): string {
  return outcome.ouPath === undefined || outcome.ouPath.length === 0 ? '(OU not recorded)' : outcome.ouPath.join(' / ');
}

/** One account's part of the page: its locations' short labels grouped, and its counts. */
interface AccountRollup {
  readonly accountId: string;
  readonly accountName: string;
  readonly tally: Tally;
  /** Region names by what a heat-map cell would say, in record order: `succeeded`, `skipped (no instances)`, ... */
  readonly regionsByLabel: Map<string, { readonly status: LocationStatus; readonly regions: string[] }>;
}

interface OuRollup {
  readonly ou: string;
  readonly tally: Tally;
  readonly accounts: Map<string, AccountRollup>;
}

/** The record rolled up by OU, then account, in one pass; OUs and accounts sorted. */
function rollUp(record: RunRecord): OuRollup[] {
  const ous = new Map<string, OuRollup>();
  for (const l of record.locations) {
    const ou = ouLabel(l);
    let byOu = ous.get(ou);
    if (byOu === undefined) {
      byOu = { ou, tally: emptyTally(), accounts: new Map() };
      ous.set(ou, byOu);
    }
    let account = byOu.accounts.get(l.accountId);
    if (account === undefined) {
      account = { accountId: l.accountId, accountName: l.accountName, tally: emptyTally(), regionsByLabel: new Map() };
      byOu.accounts.set(l.accountId, account);
    }
    const instances = instanceTally(l);
    addTo(byOu.tally, l, instances);
    addTo(account.tally, l, instances);
    const note =
      l.decision.action === 'skip'
        ? ` (${SKIP_LABEL[l.decision.reason]})`
        : instances.failed > 0
          ? ` (${instances.failed} of ${instances.total} instances failed)`
          : '';
    const label = `${STATUS_LABEL[l.status]}${note}`;
    const group = account.regionsByLabel.get(label) ?? { status: l.status, regions: [] };
    group.regions.push(l.region);
    account.regionsByLabel.set(label, group);
  }
  const byKey =
    <T>(key: (t: T) => string) =>
    (a: T, b: T) =>
      key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
  return [...ous.values()].sort(byKey((o) => o.ou));
}

/** `12 succeeded, 2 failed, 2 skipped`: the statuses present, failures first. */
function statusWords(tally: Tally): string {
  const order: readonly LocationStatus[] = [
    'failed',
    'halted',
    'starting',
    'started',
    'planned',
    'succeeded',
    'skipped',
  ];
  return order
    .filter((s) => tally.byStatus[s] > 0)
    .map((s) => `${tally.byStatus[s]} ${STATUS_LABEL[s]}`)
    .join(', ');
}

/** The OU roll-up: one row per OU path, with its accounts, locations by status and instances. */
function ouTable(ous: readonly OuRollup[]): string {
  const rows = ous
    .map((o) => {
      const c = o.tally.byStatus;
      const cls = c.failed + c.halted > 0 ? ' class="has-failed"' : '';
      return `<tr data-ou="${escapeHtml(o.ou)}"${cls}>${cell(o.ou)}${[o.accounts.size, o.tally.locations, c.succeeded, c.failed, c.halted, c.skipped, c.started + c.starting, c.planned, o.tally.instances, o.tally.failedInstances].map((v) => cell(v, 'num')).join('')}</tr>`;
    })
    .join('\n');
  return `<table class="ou-rollup"><thead><tr><th>OU path</th><th>Accounts</th><th>Locations</th><th>succeeded</th><th>failed</th><th>halted</th><th>skipped</th><th>running</th><th>planned</th><th>Instances</th><th>Instances failed</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

/** Every failed or halted location, never collapsed, with its OU and reason. */
function attentionTable(record: RunRecord): string {
  const rows = locationsFailuresFirst(record)
    .filter((l) => l.status === 'failed' || l.status === 'halted')
    .map((l) => {
      const instances = instanceTally(l);
      return `<tr data-account="${escapeHtml(l.accountId)}" data-region="${escapeHtml(l.region)}" data-status="${l.status}">${cell(l.accountId)}${cell(l.accountName)}${cell(ouLabel(l))}${cell(l.region)}${cell(l.wave)}<td class="s-${l.status}">${STATUS_LABEL[l.status]}</td>${cell(instances.failed > 0 ? `${instances.failed} of ${instances.total}` : '', 'num')}${cell(locationReason(l))}</tr>`;
    });
  if (rows.length === 0) return '<p class="attention-none">No location failed or was halted.</p>';
  return `<table class="attention"><thead><tr><th>Account</th><th>Name</th><th>OU path</th><th>Region</th><th>Wave</th><th>Status</th><th>Instances failed</th><th>Reason</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** Each OU's accounts, each collapsed: its counts in the summary, its Regions grouped by outcome inside. */
function accountDetails(ous: readonly OuRollup[]): string {
  return ous
    .map((o) => {
      const accounts = [...o.accounts.values()]
        .sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0))
        .map((a) => {
          const failed = a.tally.byStatus.failed + a.tally.byStatus.halted > 0;
          const instances = `${a.tally.instances} instances${a.tally.failedInstances > 0 ? `, ${a.tally.failedInstances} failed` : ''}`;
          const items = [...a.regionsByLabel]
            .map(
              ([label, g]) =>
                `<li class="s-${g.status}">${escapeHtml(label)}: ${escapeHtml(g.regions.join(', '))}</li>`,
            )
            .join('');
          return `<details class="account${failed ? ' has-failed' : ''}" data-account="${escapeHtml(a.accountId)}"><summary>${escapeHtml(a.accountName)} <small>${escapeHtml(a.accountId)} · ${a.tally.locations} locations: ${statusWords(a.tally)}; ${instances}</small></summary><ul class="regions">${items}</ul></details>`;
        })
        .join('\n');
      return `<section class="ou" data-ou="${escapeHtml(o.ou)}"><h3>${escapeHtml(o.ou)}</h3>\n${accounts}\n</section>`;
    })
    .join('\n');
}

/**
 * Up to how many accounts the page also has the per-location heat map, location table and instance
 * table: beyond it they would make the page tens of megabytes (5,000 accounts x 16 Regions is 80,000
 * locations), and the roll-ups, the needs-attention table and report.csv say it all.
 */
const DETAILED_ACCOUNTS = 100;

/** The per-location sections: the heat map, every location, every instance. */
function perLocation(record: RunRecord): string {
  return `<h2>Accounts × Regions</h2>
${heatMap(record)}
<h2>Locations</h2>
${locationsTable(record)}
<h2>Instances</h2>
${instancesTable(record)}`;
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
  const ous = rollUp(record);
  const accounts = ous.reduce((n, o) => n + o.accounts.size, 0);
  const detailed = accounts <= DETAILED_ACCOUNTS;
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
<h2>By OU</h2>
${ouTable(ous)}
<h2>Needs attention</h2>
${attentionTable(record)}
<h2>Waves</h2>
${wavesTable(summary)}
<h2>Accounts</h2>
${accountDetails(ous)}
${detailed ? perLocation(record) : `<p class="omitted">${escapeHtml(`With ${accounts} accounts, the page leaves out the per-location heat map and tables (the roll-ups above and every failed or halted location are here); report.csv has a row for every location and instance.`)}</p>`}
</body>
</html>
`;
}
