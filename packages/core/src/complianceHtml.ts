import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { NODE_LEVELS, type NodeCompliance, nodeLevel } from './complianceModel.js';
import type { ComplianceRollupRow, ComplianceTotals } from './complianceRollup.js';
import {
  type ComplianceHead,
  type ComplianceInput,
  type ComplianceSource,
  complianceSource,
} from './complianceSource.js';
import { type ComplianceReportExtras, comparisonLines, summaryOf, TOTAL_COLUMNS } from './complianceText.js';
import { displayText } from './displayText.js';
import { escapeHtml } from './reportHtmlTables.js';

/**
 * The compliance page: one self-contained HTML file. In order: the totals and the gate, the
 * comparison (when given), the roll-up by OU (`<table class="ou-rollup">`, a `<tr data-ou>` per OU
 * path, worst first), what could not be seen (its counts by why, and `<table class="not-seen">`,
 * a `<tr data-account data-region>` per place, 500 then all: `#more-not-seen`), the roll-up by
 * Region, the accounts that need attention (worst first), and the nodes: a table (`<table
 * class="nodes">`, a `<tr data-account data-region data-node data-level data-management>` per
 * node) with a search box (`#search`: account, name, Region, node id, baseline), a level filter
 * (`#level`) and a sort (`#sort`, by severity first), 500 rows at a time (`#more`). The script
 * fills both tables from the data embedded in the page, then marks `<body data-ready>`.
 *
 * So that the page stays under 5 MB at 5,000 accounts, the data is JSON compressed with gzip, in
 * base64 (inflated by the browser's DecompressionStream), with nodes worst first (unmanaged,
 * offline, critical, security, no data, other, stale, compliant) up to {@link PAGE_DATA_BUDGET}
 * bytes; the rest are counted on the page and listed in the CSV. The only script is the one below,
 * allowed by its hash in the Content-Security-Policy; nothing is loaded from anywhere. Every text
 * is escaped, and the script writes only `textContent`.
 */

/** The most bytes of page data (gzip, then base64) the page embeds. */
const PAGE_DATA_BUDGET = 3_500_000;
/** Up to how many accounts the accounts table lists (worst first). */
const ACCOUNT_ROWS = 1_000;

/** The page's script. Its SHA-256 is in the policy ({@link SCRIPT_SHA256}); a unit test checks the two agree. */
export const COMPLIANCE_SCRIPT = `(function () {
  var holder = document.getElementById('page-data');
  var shown = document.getElementById('shown');
  var binary = atob(holder.textContent.trim());
  var bytes = new Uint8Array(binary.length);
  for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  var inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  new Response(inflated).text().then(function (text) { start(JSON.parse(text)); }, function (error) {
    shown.textContent = 'The page data could not be read: ' + error;
  });
  function start(data) {
  var body = document.querySelector('table.nodes tbody');
  var search = document.getElementById('search');
  var level = document.getElementById('level');
  var sort = document.getElementById('sort');
  var more = document.getElementById('more');
  var LEVELS = ['critical', 'security', 'other', 'unknown', 'compliant'];
  var MANAGEMENT = ['online', 'offline', 'unmanaged'];
  var limit = 500;
  function matches(n, q, l) {
    var management = MANAGEMENT[n[4]];
    if (l === 'unmanaged' || l === 'offline') { if (management !== l) return false; }
    else if (l === 'stale') { if (!n[5]) return false; }
    else if (l !== '' && LEVELS[n[3]] !== l) return false;
    if (q === '') return true;
    var text = (data.accounts[n[0]] + ' ' + data.names[n[0]] + ' ' + data.regions[n[1]] + ' ' + n[2] + ' ' + (n[12] < 0 ? '' : data.baselines[n[12]])).toLowerCase();
    return text.indexOf(q) >= 0;
  }
  function order(a, b) {
    if (sort.value === 'account') return data.accounts[a[0]] < data.accounts[b[0]] ? -1 : data.accounts[a[0]] > data.accounts[b[0]] ? 1 : 0;
    if (sort.value === 'missing') return (b[9] || 0) - (a[9] || 0);
    return 0;
  }
  function cells(n) {
    var has = n[6] !== null;
    return [data.accounts[n[0]], data.names[n[0]], data.regions[n[1]], n[2], LEVELS[n[3]], MANAGEMENT[n[4]] + (n[5] ? ', stale' : ''),
      has ? n[6] : '', has ? n[7] : '', has ? n[8] : '', has ? n[9] : '', has ? n[10] : '', has ? n[11] : '',
      n[12] < 0 ? '' : data.baselines[n[12]], n[13] === null ? 'never' : n[13] + ' d'];
  }
  function row(values) {
    var tr = document.createElement('tr');
    values.forEach(function (value) {
      var td = document.createElement('td');
      td.textContent = String(value);
      tr.appendChild(td);
    });
    return tr;
  }
  function render() {
    var q = search.value.trim().toLowerCase();
    var rows = data.nodes.filter(function (n) { return matches(n, q, level.value); });
    if (sort.value !== 'severity') rows = rows.slice().sort(order);
    body.textContent = '';
    var fragment = document.createDocumentFragment();
    rows.slice(0, limit).forEach(function (n) {
      var tr = row(cells(n));
      tr.dataset.account = data.accounts[n[0]];
      tr.dataset.region = data.regions[n[1]];
      tr.dataset.node = n[2];
      tr.dataset.level = LEVELS[n[3]];
      tr.dataset.management = MANAGEMENT[n[4]];
      tr.className = 'l-' + LEVELS[n[3]] + ' m-' + MANAGEMENT[n[4]];
      fragment.appendChild(tr);
    });
    body.appendChild(fragment);
    shown.textContent = Math.min(limit, rows.length) + ' of ' + rows.length + ' matching nodes shown';
    more.hidden = rows.length <= limit;
  }
  function renderNotSeen(all) {
    var table = document.querySelector('table.not-seen tbody');
    if (!table) return;
    var button = document.getElementById('more-not-seen');
    var fragment = document.createDocumentFragment();
    data.notSeen.slice(0, all ? data.notSeen.length : 500).forEach(function (g) {
      var region = g[1] < 0 ? '' : data.regions[g[1]];
      var tr = row([data.accounts[g[0]], region === '' ? '(every Region)' : region, data.reasons[g[2]], g[3]]);
      tr.dataset.account = data.accounts[g[0]];
      tr.dataset.region = region;
      fragment.appendChild(tr);
    });
    table.textContent = '';
    table.appendChild(fragment);
    button.hidden = all || data.notSeen.length <= 500;
  }
  search.addEventListener('input', function () { limit = 500; render(); });
  level.addEventListener('change', function () { limit = 500; render(); });
  sort.addEventListener('change', function () { limit = 500; render(); });
  more.addEventListener('click', function () { limit += 500; render(); });
  var moreNotSeen = document.getElementById('more-not-seen');
  if (moreNotSeen) moreNotSeen.addEventListener('click', function () { renderNotSeen(true); });
  renderNotSeen(false);
  render();
  document.body.dataset.ready = 'true';
  }
})();`;

/** base64 SHA-256 of {@link COMPLIANCE_SCRIPT}, as the Content-Security-Policy names it. */
export const SCRIPT_SHA256 = 'HbAxYGYUFU+u35Jguit+J4WZAotk/NKLQgzd7O8u8pk=';

const STYLE = `
:root { color-scheme: light; --crit: #b71c1c; --sec: #e65100; --other: #f9a825; --unknown: #78909c; --ok: #2e7d32; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem; color: #1b1f23; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
.meta, .note { color: #57606a; }
table { border-collapse: collapse; margin: .25rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.crit { background: var(--crit); color: #fff; } td.sec { background: var(--sec); color: #fff; }
tr.l-critical td:nth-child(5) { background: var(--crit); color: #fff; } tr.l-security td:nth-child(5) { background: var(--sec); color: #fff; }
tr.l-other td:nth-child(5) { background: var(--other); } tr.l-unknown td:nth-child(5) { background: var(--unknown); color: #fff; }
tr.m-unmanaged td:nth-child(6), tr.m-offline td:nth-child(6) { color: var(--crit); font-weight: 600; }
.gate { font-weight: 600; } .gate.fail { color: var(--crit); } .gate.pass { color: var(--ok); }
.controls { display: flex; gap: .5rem; align-items: center; margin: .5rem 0; }
.controls input { min-width: 20rem; padding: .25rem .4rem; }
`;

const TOTAL_HEADER = TOTAL_COLUMNS.map((c) => c.header);

function totalCells(t: ComplianceTotals): string {
  return TOTAL_COLUMNS.map(({ key, mark }) => {
    const v = t[key];
    return `<td class="num${mark && v > 0 ? ` ${mark}` : ''}">${v}</td>`;
  }).join('');
}

function rollupTable(
  className: string,
  first: string,
  rows: readonly ComplianceRollupRow[],
  attribute: string,
  withName = false,
): string {
  const body = rows
    .map(
      (r) =>
        `<tr data-${attribute}="${escapeHtml(r.key)}"><th scope="row">${escapeHtml(r.key)}</th>${withName ? `<td>${escapeHtml(r.name ?? '')}</td>` : ''}<td class="num">${r.accounts}</td>${totalCells(r.totals)}</tr>`,
    )
    .join('\n');
  return `<table class="${className}"><thead><tr><th>${first}</th>${withName ? '<th>Name</th>' : ''}<th>Accounts</th>${TOTAL_HEADER.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Embedding order: what matters most first, so a budget cut drops the least important nodes. */
function priority(node: NodeCompliance): number {
  if (node.management === 'unmanaged') return 0;
  if (node.management === 'offline') return 1;
  const level = nodeLevel(node);
  if (level === 'critical') return 2;
  if (level === 'security') return 3;
  if (level === 'unknown') return 4;
  if (level === 'other') return 5;
  return node.stale ? 6 : 7;
}

/** How many embedding priorities there are ({@link priority}'s values are 0 to this less one). */
const PRIORITIES = 8;

/**
 * The data the script reads (nodes worst first, and the places not seen), as JSON compressed with
 * gzip and written in base64: the script inflates it with the browser's DecompressionStream. Node
 * rows are made in a pass over the nodes per priority (never sorted or held all at once) and
 * written into the compressor as they are made, so what is held is the compressed data. If it comes
 * out over `budget`, it is made again with the share of the most urgent rows that fits. Returns how
 * many nodes were left out.
 */
async function pageData(
  source: ComplianceSource,
  totalNodes: number,
  budget: number,
): Promise<{ readonly base64: string; readonly omitted: number }> {
  let made = await compressPageData(source, Number.POSITIVE_INFINITY);
  while (base64Length(made.data.length) > budget && made.rows > 0) {
    made = await compressPageData(source, Math.floor((made.rows * budget * 0.95) / base64Length(made.data.length)));
  }
  return { base64: made.data.toString('base64'), omitted: totalNodes - made.rows };
}

/** The page data with at most `limit` node rows, compressed as it is made; and how many rows it holds. */
async function compressPageData(
  source: ComplianceSource,
  limit: number,
): Promise<{ readonly data: Buffer; readonly rows: number }> {
  const snapshot = source.head;
  const gzip = createGzip({ level: 9 });
  const compressed: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => compressed.push(chunk));
  const ended = once(gzip, 'end');
  const write = async (text: string): Promise<void> => {
    if (!gzip.write(text)) await once(gzip, 'drain');
  };
  const accounts: string[] = [];
  const accountIndex = new Map<string, number>();
  const regions: string[] = [];
  const regionIndex = new Map<string, number>();
  const baselines: string[] = [];
  const baselineIndex = new Map<string, number>();
  const reasons: string[] = [];
  const reasonIndex = new Map<string, number>();
  const indexOf = (list: string[], map: Map<string, number>, value: string): number => {
    let i = map.get(value);
    if (i === undefined) {
      i = list.length;
      list.push(value);
      map.set(value, i);
    }
    return i;
  };
  const takenAt = Date.parse(snapshot.takenAt);
  const rowOf = (n: NodeCompliance): string => {
    const p = n.patch;
    const age =
      p === undefined ? null : Math.max(0, Math.floor((takenAt - Date.parse(p.operationEndTime)) / 86_400_000));
    return shown([
      indexOf(accounts, accountIndex, n.accountId),
      indexOf(regions, regionIndex, n.region),
      n.instanceId,
      NODE_LEVELS.indexOf(nodeLevel(n)),
      ['online', 'offline', 'unmanaged'].indexOf(n.management),
      n.stale ? 1 : 0,
      p?.critical ?? null,
      p?.security ?? null,
      p?.other ?? null,
      p?.missing ?? null,
      p?.failed ?? null,
      p?.installedPendingReboot ?? null,
      p === undefined ? -1 : indexOf(baselines, baselineIndex, p.baselineId),
      age,
    ]);
  };
  // The dictionaries grow as rows are made, so they come last.
  await write('{"nodes":[\n');
  let rows = 0;
  for (let level = 0; level < PRIORITIES && rows < limit; level += 1) {
    for await (const batch of source.batches()) {
      const lines: string[] = [];
      for (const n of batch) {
        if (priority(n) !== level) continue;
        if (rows >= limit) break;
        lines.push(`${rows === 0 ? '' : ',\n'}${rowOf(n)}`);
        rows += 1;
      }
      if (lines.length > 0) await write(lines.join(''));
      if (rows >= limit) break;
    }
  }
  const notSeen = snapshot.notSeen.map((g) =>
    shown([
      indexOf(accounts, accountIndex, g.accountId),
      g.region === undefined ? -1 : indexOf(regions, regionIndex, g.region),
      indexOf(reasons, reasonIndex, g.reason),
      g.message,
    ]),
  );
  const names = new Map(snapshot.accounts.map((a) => [a.id, a.name]));
  await write(`\n],"notSeen":[\n${notSeen.join(',\n')}\n],`);
  gzip.end(
    `"accounts":${shown(accounts)},"names":${shown(accounts.map((a) => names.get(a) ?? ''))},"regions":${shown(regions)},"baselines":${shown(baselines)},"reasons":${shown(reasons)}}`,
  );
  await ended;
  return { data: Buffer.concat(compressed), rows };
}

/**
 * A value as JSON whose every string went through the reports' character policy first: the script
 * shows what JSON.parse gives back, so a control or bidirectional character must arrive as the
 * visible `\uXXXX` text, not as a JSON escape that parses back into the character itself.
 */
function shown(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? displayText(v) : v));
}

/** How long `bytes` bytes are in base64. */
function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/** What could not be seen: counts by why, and a table the script fills (500 rows, then all). */
function notSeenSection(snapshot: ComplianceHead): string {
  if (snapshot.notSeen.length === 0) return '<p class="note">Every target account and Region was read.</p>';
  const byReason = new Map<string, number>();
  for (const g of snapshot.notSeen) byReason.set(g.reason, (byReason.get(g.reason) ?? 0) + 1);
  const counts = [...byReason]
    .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
    .map(([reason, n]) => `${escapeHtml(reason)} ${n}`)
    .join(', ');
  return `<p class="note not-seen-counts">${snapshot.notSeen.length} place${snapshot.notSeen.length === 1 ? '' : 's'} could not be read: ${counts}.</p>
<table class="not-seen"><thead><tr><th>Account</th><th>Region</th><th>Why</th><th>What AWS said</th></tr></thead><tbody></tbody></table>
<button id="more-not-seen" type="button" hidden>Show every place not seen</button>`;
}

function comparisonSection(extras: ComplianceReportExtras): string {
  const c = extras.comparison;
  if (!c) return '';
  const t = c.totals;
  return `<h2>Compared with ${escapeHtml(c.before.snapshotId)}</h2>
<section class="comparison">${comparisonLines(c)
    .map((l) => `<p>${escapeHtml(l)}</p>`)
    .join('')}
<table class="delta"><thead><tr><th></th><th>Before</th><th>After</th></tr></thead><tbody>
<tr data-count="critical"><th scope="row">Nodes missing Critical patches</th><td class="num">${t.criticalNodes.before}</td><td class="num">${t.criticalNodes.after}</td></tr>
<tr data-count="security"><th scope="row">Nodes missing Security patches</th><td class="num">${t.securityNodes.before}</td><td class="num">${t.securityNodes.after}</td></tr>
<tr data-count="non-compliant"><th scope="row">Non-compliant nodes</th><td class="num">${t.nonCompliantNodes.before}</td><td class="num">${t.nonCompliantNodes.after}</td></tr>
</tbody></table></section>`;
}

/**
 * The compliance page for a snapshot (see the module comment for its parts).
 * @example
 * const summary = await summarizeCompliance(snapshot);
 * const html = await renderComplianceHtml(snapshot, { summary, gate: complianceGate(summary, 'critical') });
 */
export async function renderComplianceHtml(
  input: ComplianceInput,
  extras: ComplianceReportExtras = {},
  limits: { /** Bytes of embedded page data. @default 3,500,000 */ readonly pageDataBudget?: number } = {},
): Promise<string> {
  const source = complianceSource(input);
  const snapshot = source.head;
  const { rollup } = await summaryOf(source, extras);
  const { base64, omitted } = await pageData(
    source,
    rollup.organization.nodes,
    limits.pageDataBudget ?? PAGE_DATA_BUDGET,
  );
  const needing = rollup.accounts.filter((r) => {
    const t = r.totals;
    return t.nodes !== t.compliant || t.notSeen > 0 || t.unmanaged > 0 || t.offline > 0 || t.stale > 0;
  });
  const org = snapshot.organization.organizationId ?? `management account ${snapshot.organization.managementAccountId}`;
  const title = `orgpatch compliance ${snapshot.snapshotId}`;
  const gate = extras.gate
    ? `<p class="gate ${extras.gate.fail ? 'fail' : 'pass'}">${escapeHtml(extras.gate.message)}</p>`
    : '';
  const options = ['critical', 'security', 'other', 'unknown', 'compliant', 'unmanaged', 'offline', 'stale']
    .map((l) => `<option value="${l}">${l === 'unknown' ? 'no patch data' : l}</option>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_SHA256}'">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>orgpatch compliance <code>${escapeHtml(snapshot.snapshotId)}</code></h1>
<p class="meta">${escapeHtml(`Taken ${snapshot.takenAt} of Organization ${org}; ${snapshot.scope.allNodes ? 'every managed node' : `targets ${snapshot.scope.targets.join(', ')}`}; Regions ${snapshot.scope.regions.join(', ')}; a scan older than ${snapshot.maxAgeDays} days is stale.`)}</p>
<table class="totals"><thead><tr>${TOTAL_HEADER.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody><tr>${totalCells(rollup.organization)}</tr></tbody></table>
${gate}
${comparisonSection(extras)}
<h2>By OU</h2>
${rollupTable('ou-rollup', 'OU path', rollup.ous, 'ou')}
<h2>Not seen</h2>
${notSeenSection(snapshot)}
<h2>By Region</h2>
${rollupTable('regions', 'Region', rollup.regions, 'region')}
<h2>Accounts that need attention</h2>
${rollupTable('accounts', 'Account', needing.slice(0, ACCOUNT_ROWS), 'account', true)}
${needing.length > ACCOUNT_ROWS ? `<p class="note">${needing.length - ACCOUNT_ROWS} more accounts need attention: the CSV lists every node.</p>` : ''}
<h2>Nodes</h2>
<div class="controls"><input id="search" type="search" placeholder="Search account, name, Region, node id, baseline" aria-label="Search nodes">
<select id="level" aria-label="Level"><option value="">every level</option>${options}</select>
<select id="sort" aria-label="Sort"><option value="severity">worst first</option><option value="account">by account</option><option value="missing">most missing patches</option></select>
<span id="shown" class="note"></span></div>
<table class="nodes"><thead><tr><th>Account</th><th>Name</th><th>Region</th><th>Node</th><th>Level</th><th>Management</th><th>Critical</th><th>Security</th><th>Other</th><th>Missing</th><th>Failed</th><th>Pending reboot</th><th>Baseline</th><th>Scan age</th></tr></thead><tbody></tbody></table>
<button id="more" type="button" hidden>Show 500 more</button>
${omitted > 0 ? `<p class="note omitted">${omitted} nodes (the least urgent: other, stale or compliant) are not listed on this page, to keep it small; the CSV lists every node.</p>` : ''}
<script type="application/octet-stream" id="page-data" data-encoding="gzip+base64">${base64}</script>
<script>${COMPLIANCE_SCRIPT}</script>
</body>
</html>
`;
}
