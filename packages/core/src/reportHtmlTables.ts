import { displayText } from './displayText.js';
import { locationReason } from './reportCsv.js';
import {
  type AccountRollup,
  FAILURES_FIRST,
  instanceTally,
  type OuRollup,
  ouLabel,
  SKIP_LABEL,
  STATUS_LABEL,
  type Tally,
} from './reportFacts.js';
import type { LocationPass } from './reportPasses.js';
import type { LocationOutcome, LocationStatus } from './runModel.js';
import { isSuccessfulAutomationStatus, isTerminalAutomationStatus } from './runRecord.js';
import {
  type InstanceCounts,
  instanceResultsOf,
  type LocationCounts,
  type RunSummary,
  waveNote,
} from './runSummary.js';

/**
 * The pieces of the HTML report (reportHtml.ts puts them in order): its style, its tables, and the
 * rows written a location at a time. Every value from the run is escaped by {@link escapeHtml}.
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

export const STYLE = `
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
table.compact td { padding: .1rem .4rem; font-size: 12px; }
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

function head(columns: readonly string[]): string {
  return `<thead><tr>${columns.map((c) => `<th>${c}</th>`).join('')}</tr></thead>`;
}

export function locationCountsTable(c: LocationCounts): string {
  const columns = ['total', 'planned', 'starting', 'skipped', 'running', 'succeeded', 'failed', 'halted'];
  const values = [c.total, c.planned, c.starting, c.skipped, c.started, c.succeeded, c.failed, c.halted];
  return `<table class="summary">${head(['Locations', ...columns])}<tbody><tr><th scope="row">all</th>${values.map((v) => cell(v, 'num')).join('')}</tr></tbody></table>`;
}

export function instanceCountsTable(c: InstanceCounts): string {
  const columns = ['total', 'succeeded', 'failed', 'in progress', 'not started'];
  const values = [c.total, c.succeeded, c.failed, c.inProgress, c.notStarted];
  return `<table class="summary">${head(['Instances', ...columns])}<tbody><tr><th scope="row">all</th>${values.map((v) => cell(v, 'num')).join('')}</tr></tbody></table>`;
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
  if (results.length === 0) return `${label} · ${outcome.instanceCount}`;
  const failed = results.filter(
    (r) => isTerminalAutomationStatus(r.status) && !isSuccessfulAutomationStatus(r.status),
  ).length;
  const succeeded = results.filter((r) => isSuccessfulAutomationStatus(r.status)).length;
  // The automation's own targets are the truth once known: instances may join a group after inventory.
  const counts = `${label} · ${succeeded}/${results.length}`;
  return failed > 0 ? `${counts}<small class="some-failed">${failed} failed</small>` : counts;
}

/** The heat map's header row and its legend, around the rows {@link heatMapPass} writes. */
export function heatMapHead(regions: readonly string[]): string {
  return `<table class="heatmap"><thead><tr><th scope="col">Account</th>${regions.map((r) => `<th scope="col">${escapeHtml(r)}</th>`).join('')}</tr></thead><tbody>\n`;
}

export function heatMapFoot(): string {
  const legend = (Object.keys(STATUS_LABEL) as LocationStatus[])
    .map((s) => `<span class="s-${s}">${STATUS_LABEL[s]}</span>`)
    .concat('<span class="partial">succeeded, some instances failed</span>')
    .join('');
  return `</tbody></table>\n<p class="legend">${legend}</p>\n`;
}

/**
 * The heat map's rows, an account at a time: an account's locations are consecutive in a run, so
 * its row is written when the next account starts. A Region the account has no location in gets a
 * `<td class="s-none">`; a second location of the same account and Region (there should be none)
 * is left out of the map.
 */
export function heatMapPass(regions: readonly string[]): LocationPass {
  let account: { id: string; name: string; cells: Map<string, string> } | undefined;
  const flush = (): string | undefined => {
    if (account === undefined) return undefined;
    const row = account;
    const cells = regions
      .map((region) => row.cells.get(region) ?? '<td class="s-none" title="not in this run">–</td>')
      .join('');
    return `<tr><th scope="row">${escapeHtml(row.name)}<small>${escapeHtml(row.id)}</small></th>${cells}</tr>\n`;
  };
  return {
    each(l) {
      let out: string | undefined;
      if (account?.id !== l.accountId) {
        out = flush();
        account = { id: l.accountId, name: l.accountName, cells: new Map() };
      }
      if (!account.cells.has(l.region)) account.cells.set(l.region, heatCell(l));
      return out;
    },
    end() {
      const out = flush();
      account = undefined;
      return out;
    },
  };
}

export function wavesTable(summary: RunSummary): string {
  const rows = summary.waves
    .map(
      (w) =>
        `<tr>${cell(w.name)}${cell(w.status)}${cell(w.locations.total, 'num')}${cell(`${w.failed} of ${w.total}`, 'num')}${cell(w.errorThreshold)}${cell(waveNote(w))}</tr>`,
    )
    .join('\n');
  return `<table class="waves">${head(['Wave', 'Status', 'Locations', 'Failed', 'Error threshold', 'Note'])}<tbody>\n${rows}\n</tbody></table>`;
}

export const LOCATIONS_HEAD = `<table class="locations">${head(['Account', 'Name', 'Region', 'Wave', 'Status', 'Decision', 'Instances', 'Reason'])}<tbody>\n`;

/** A row of the locations table. */
export function locationRow(l: LocationOutcome): string {
  const decision = l.decision.action === 'skip' ? `skip (${l.decision.reason})` : l.decision.action;
  return `<tr>${cell(l.accountId)}${cell(l.accountName)}${cell(l.region)}${cell(l.wave)}<td class="s-${l.status}">${escapeHtml(STATUS_LABEL[l.status])}</td>${cell(decision)}${cell(l.instanceCount, 'num')}${cell(locationReason(l))}</tr>\n`;
}

export const INSTANCES_HEAD = `<table class="instances">${head(['Account', 'Name', 'Region', 'Group', 'Instance', 'Status', 'Execution', 'Operation', 'Installed', 'Missing', 'Failed', 'Pending reboot', 'Message'])}<tbody>\n`;

/** The instance table's rows of a location: one per instance result of each execution. */
export function instanceRows(l: LocationOutcome): string {
  let out = '';
  for (const e of l.executions) {
    for (const i of e.instances) {
      const p = i.patch;
      out += `<tr>${cell(l.accountId)}${cell(l.accountName)}${cell(l.region)}${cell(e.group)}${cell(i.instanceId)}${cell(i.status)}${cell(i.executionId ?? '')}${cell(p ? p.operation : '')}${cell(p ? p.installedCount : '', 'num')}${cell(p ? p.missingCount : '', 'num')}${cell(p ? p.failedCount : '', 'num')}${cell(p ? p.installedPendingRebootCount : '', 'num')}${cell(i.failureMessage ?? '')}</tr>\n`;
    }
  }
  return out;
}

/** `12 succeeded, 2 failed, 2 skipped`: the statuses present, failures first. */
function statusWords(tally: Tally): string {
  return FAILURES_FIRST.filter((s) => tally.byStatus[s] > 0)
    .map((s) => `${tally.byStatus[s]} ${STATUS_LABEL[s]}`)
    .join(', ');
}

/** The OU roll-up: one row per OU path, with its accounts, locations by status and instances. */
export function ouTable(ous: readonly OuRollup[]): string {
  const rows = ous
    .map((o) => {
      const c = o.tally.byStatus;
      const cls = c.failed + c.halted > 0 ? ' class="has-failed"' : '';
      return `<tr data-ou="${escapeHtml(o.ou)}"${cls}>${cell(o.ou)}${[o.accounts.size, o.tally.locations, c.succeeded, c.failed, c.halted, c.skipped, c.started + c.starting, c.planned, o.tally.instances, o.tally.failedInstances].map((v) => cell(v, 'num')).join('')}</tr>`;
    })
    .join('\n');
  return `<table class="ou-rollup">${head(['OU path', 'Accounts', 'Locations', 'succeeded', 'failed', 'halted', 'skipped', 'running', 'planned', 'Instances', 'Instances failed'])}<tbody>\n${rows}\n</tbody></table>`;
}

export const ATTENTION_HEAD = `<table class="attention">${head(['Account', 'Name', 'OU path', 'Region', 'Wave', 'Status', 'Instances failed', 'Reason'])}<tbody>\n`;

/** A row of the needs-attention table, with the location's name, OU and wave. */
export function attentionRow(l: LocationOutcome): string {
  const instances = instanceTally(l);
  return `<tr data-account="${escapeHtml(l.accountId)}" data-region="${escapeHtml(l.region)}" data-status="${l.status}">${cell(l.accountId)}${cell(l.accountName)}${cell(ouLabel(l))}${cell(l.region)}${cell(l.wave)}<td class="s-${l.status}">${STATUS_LABEL[l.status]}</td>${cell(instances.failed > 0 ? `${instances.failed} of ${instances.total}` : '', 'num')}${cell(locationReason(l))}</tr>\n`;
}

export const COMPACT_ATTENTION_HEAD = `<table class="attention compact">${head(['Account', 'Region', 'Status', 'Reason'])}<tbody>\n`;

/** A row of the needs-attention table when it is long: where, its status and why; the account's section has the rest. */
export function compactAttentionRow(l: LocationOutcome): string {
  return `<tr data-account="${escapeHtml(l.accountId)}" data-region="${escapeHtml(l.region)}" data-status="${l.status}">${cell(l.accountId)}${cell(l.region)}<td class="s-${l.status}">${STATUS_LABEL[l.status]}</td>${cell(locationReason(l))}</tr>\n`;
}

/** One account, collapsed: its counts in the summary, its Regions grouped by outcome inside. */
export function accountDetails(a: AccountRollup): string {
  const failed = a.tally.byStatus.failed + a.tally.byStatus.halted > 0;
  const instances = `${a.tally.instances} instances${a.tally.failedInstances > 0 ? `, ${a.tally.failedInstances} failed` : ''}`;
  const items = [...a.regionsByLabel]
    .map(([label, g]) => `<li class="s-${g.status}">${escapeHtml(label)}: ${escapeHtml(g.regions.join(', '))}</li>`)
    .join('');
  return `<details class="account${failed ? ' has-failed' : ''}" data-account="${escapeHtml(a.accountId)}"><summary>${escapeHtml(a.accountName)} <small>${escapeHtml(a.accountId)} · ${a.tally.locations} locations: ${statusWords(a.tally)}; ${instances}</small></summary><ul class="regions">${items}</ul></details>`;
}
