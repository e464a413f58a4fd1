import type { ComplianceComparison } from './complianceCompare.js';
import { NODE_LEVELS, type NodeCompliance, type NodeLevel, needsAttention, nodeLevel } from './complianceModel.js';
import {
  type ComplianceSummary,
  type ComplianceTotals,
  type GateDecision,
  ouLabel,
  summarizeCompliance,
} from './complianceRollup.js';
import { type ComplianceInput, type ComplianceSource, complianceSource, joinChunks } from './complianceSource.js';
import { displayText } from './displayText.js';
import { markdownCell } from './report.js';
import { csvField } from './reportCsv.js';

/**
 * Compliance as JSON, CSV and Markdown. Every text from AWS or another account goes through the
 * reports' one character policy ({@link displayText}); CSV cells are formula-safe.
 */

/** What a rendered compliance report may carry besides the snapshot. */
export interface ComplianceReportExtras {
  readonly gate?: GateDecision;
  readonly comparison?: ComplianceComparison;
  /** The snapshot's roll-up, when already made (else each report makes it: one more pass). */
  readonly summary?: ComplianceSummary;
}

/** The extras' summary, or one made now (a pass over the nodes). */
export function summaryOf(source: ComplianceSource, extras: ComplianceReportExtras): Promise<ComplianceSummary> {
  return extras.summary ? Promise.resolve(extras.summary) : summarizeCompliance(source);
}

/**
 * The nodes of a source worst first without sorting them in memory: a pass per level (in
 * {@link NODE_LEVELS} order), each yielding that level's nodes (those `keep` keeps) in snapshot order,
 * which is what a stable sort by level gives. A consumer that has enough stops the passes by leaving
 * its loop.
 */
async function* nodesByLevel(
  source: ComplianceSource,
  levels: readonly NodeLevel[] = NODE_LEVELS,
  keep: (node: NodeCompliance) => boolean = () => true,
): AsyncGenerator<NodeCompliance> {
  for (const level of levels) {
    for await (const batch of source.batches()) {
      for (const node of batch) if (nodeLevel(node) === level && keep(node)) yield node;
    }
  }
}

/**
 * The JSON report, a chunk at a time (a node per line), so that a large Organization is never one
 * string: the snapshot's header, its roll-ups, the gate and comparison when given, what could not
 * be seen, the accounts, and every node with its level.
 */
export async function* renderComplianceJsonChunks(
  input: ComplianceInput,
  extras: ComplianceReportExtras = {},
): AsyncGenerator<string> {
  const source = complianceSource(input);
  const { notSeen, accounts, ...header } = source.head;
  const head = {
    ...header,
    rollup: (await summaryOf(source, extras)).rollup,
    ...(extras.gate ? { gate: extras.gate } : {}),
    ...(extras.comparison ? { comparison: extras.comparison } : {}),
    notSeen,
    accounts,
  };
  yield displayText(JSON.stringify(head).slice(0, -1));
  yield ',"nodes":[';
  let first = true;
  for await (const batch of source.batches()) {
    const lines: string[] = [];
    for (const n of batch) {
      lines.push(`${first ? '' : ','}\n${displayText(JSON.stringify({ ...n, level: nodeLevel(n) }))}`);
      first = false;
    }
    if (lines.length > 0) yield lines.join('');
  }
  yield '\n]}\n';
}

/** The JSON report as one text (see {@link renderComplianceJsonChunks}). */
export function renderComplianceJson(input: ComplianceInput, extras: ComplianceReportExtras = {}): Promise<string> {
  return joinChunks(renderComplianceJsonChunks(input, extras));
}

/** The CSV report's columns, in order. */
const COMPLIANCE_CSV_COLUMNS = [
  'snapshot_id',
  'account_id',
  'account_name',
  'ou_path',
  'region',
  'instance_id',
  'level',
  'management',
  'ping_status',
  'stale',
  'operation',
  'operation_end_time',
  'baseline_id',
  'installed',
  'missing',
  'failed',
  'installed_pending_reboot',
  'critical',
  'security',
  'other',
  'not_seen_reason',
  'message',
] as const;

/**
 * The CSV report, a chunk at a time: a row per node (worst first: a pass per level), then a row per
 * place that could not be read (level `not-seen`, with its reason and message).
 */
export async function* renderComplianceCsvChunks(input: ComplianceInput): AsyncGenerator<string> {
  const source = complianceSource(input);
  const { head } = source;
  const accounts = new Map(head.accounts.map((a) => [a.id, a]));
  const id = csvField(head.snapshotId);
  yield `${COMPLIANCE_CSV_COLUMNS.join(',')}\r\n`;
  let lines: string[] = [];
  for await (const n of nodesByLevel(source)) {
    const a = accounts.get(n.accountId);
    const p = n.patch;
    lines.push(
      [
        id,
        csvField(n.accountId),
        csvField(a?.name ?? ''),
        csvField(ouLabel(a?.ouPath)),
        csvField(n.region),
        csvField(n.instanceId),
        csvField(nodeLevel(n)),
        csvField(n.management),
        csvField(n.pingStatus ?? ''),
        csvField(n.stale ? 'true' : 'false'),
        csvField(p?.operation ?? ''),
        csvField(p?.operationEndTime ?? ''),
        csvField(p?.baselineId ?? ''),
        ...(p
          ? [p.installed, p.missing, p.failed, p.installedPendingReboot, p.critical, p.security, p.other]
          : ['', '', '', '', '', '', '']
        ).map((v) => (v === '' ? '' : csvField(v))),
        '',
        '',
      ].join(','),
    );
    if (lines.length === CSV_ROWS_PER_CHUNK) {
      yield `${lines.join('\r\n')}\r\n`;
      lines = [];
    }
  }
  for (const gap of head.notSeen) {
    const a = accounts.get(gap.accountId);
    lines.push(
      [
        id,
        csvField(gap.accountId),
        csvField(a?.name ?? ''),
        csvField(ouLabel(a?.ouPath)),
        csvField(gap.region ?? ''),
        '',
        csvField('not-seen'),
        ...Array.from({ length: 13 }, () => ''),
        csvField(gap.reason),
        csvField(gap.message),
      ].join(','),
    );
  }
  if (lines.length > 0) yield `${lines.join('\r\n')}\r\n`;
}

/** CSV rows per chunk of {@link renderComplianceCsvChunks}. */
const CSV_ROWS_PER_CHUNK = 1_000;

/** The CSV report as one text (see {@link renderComplianceCsvChunks}). */
export function renderComplianceCsv(input: ComplianceInput): Promise<string> {
  return joinChunks(renderComplianceCsvChunks(input));
}

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * The columns of a totals row, in every format: header, count, and how the HTML page marks a count
 * above zero (`crit` red, `sec` amber).
 */
export const TOTAL_COLUMNS: readonly {
  readonly header: string;
  readonly key: Exclude<keyof ComplianceTotals, 'missingPatches' | 'criticalPatches' | 'securityPatches'>;
  readonly mark?: 'crit' | 'sec';
}[] = [
  { header: 'Nodes', key: 'nodes' },
  { header: 'Critical', key: 'critical', mark: 'crit' },
  { header: 'Security', key: 'security', mark: 'sec' },
  { header: 'Other', key: 'other' },
  { header: 'No data', key: 'unknown' },
  { header: 'Compliant', key: 'compliant' },
  { header: 'Unmanaged', key: 'unmanaged', mark: 'crit' },
  { header: 'Offline', key: 'offline', mark: 'sec' },
  { header: 'Stale', key: 'stale' },
  { header: 'Not seen', key: 'notSeen', mark: 'crit' },
];

const TOTAL_HEADER = TOTAL_COLUMNS.map((c) => c.header);

/** The counts of a totals row, in {@link TOTAL_HEADER}'s order. */
function totalCells(t: ComplianceTotals): number[] {
  return TOTAL_COLUMNS.map((c) => t[c.key]);
}

/** Up to how many nodes the Markdown report lists (worst first); the CSV lists them all. */
const MARKDOWN_NODE_ROWS = 500;

/** The comparison's totals as sentences (Markdown, and the CLI's text). */
export function comparisonLines(c: ComplianceComparison): string[] {
  const t = c.totals;
  return [
    `Compared with snapshot ${c.before.snapshotId} (${c.before.takenAt}): ${t.fixed} fixed, ${t.new} new, ${t.stillMissing} still missing, ${t.gone} gone.`,
    `Critical missing before: ${t.criticalNodes.before}, after: ${t.criticalNodes.after}. Security missing before: ${t.securityNodes.before}, after: ${t.securityNodes.after}. Non-compliant nodes before: ${t.nonCompliantNodes.before}, after: ${t.nonCompliantNodes.after}. Missing patches before: ${t.missingPatches.before}, after: ${t.missingPatches.after}.`,
  ];
}

/**
 * The Markdown report: totals, the gate, the comparison, roll-ups by OU and Region, what could not
 * be seen, and the nodes that need attention (worst first, up to 500; the CSV has every node).
 */
export async function renderComplianceMarkdown(
  input: ComplianceInput,
  extras: ComplianceReportExtras = {},
): Promise<string> {
  const source = complianceSource(input);
  const snapshot = source.head;
  const { rollup, attention: attentionCount } = await summaryOf(source, extras);
  const attention: NodeCompliance[] = [];
  for await (const n of nodesByLevel(source, NODE_LEVELS, needsAttention)) {
    attention.push(n);
    if (attention.length === MARKDOWN_NODE_ROWS) break;
  }
  const out: string[] = [
    `# orgpatch compliance ${markdownCell(snapshot.snapshotId)}`,
    '',
    markdownCell(
      `Taken ${snapshot.takenAt} of Organization ${snapshot.organization.organizationId ?? snapshot.organization.managementAccountId}; ${snapshot.scope.allNodes ? 'every managed node' : `targets ${snapshot.scope.targets.join(', ')}`}; Regions ${snapshot.scope.regions.join(', ')}; stale after ${snapshot.maxAgeDays} days.`,
    ),
    '',
    table(TOTAL_HEADER, [totalCells(rollup.organization)]),
  ];
  if (extras.gate) out.push('', `**Gate:** ${markdownCell(extras.gate.message)}`);
  if (extras.comparison) {
    out.push('', '## Compared', '', ...comparisonLines(extras.comparison).map(markdownCell));
    const rows = extras.comparison.nodes
      .slice(0, MARKDOWN_NODE_ROWS)
      .map((d) => [d.change, d.accountId, d.region, d.instanceId, d.before ?? '-', d.after ?? '-'].map(markdownCell));
    if (rows.length > 0) out.push('', table(['Change', 'Account', 'Region', 'Node', 'Before', 'After'], rows));
  }
  out.push(
    '',
    '## By OU',
    '',
    table(
      ['OU path', 'Accounts', ...TOTAL_HEADER],
      rollup.ous.map((r) => [markdownCell(r.key), r.accounts, ...totalCells(r.totals)]),
    ),
    '',
    '## By Region',
    '',
    table(
      ['Region', 'Accounts', ...TOTAL_HEADER],
      rollup.regions.map((r) => [markdownCell(r.key), r.accounts, ...totalCells(r.totals)]),
    ),
  );
  out.push('', '## Not seen', '');
  out.push(
    snapshot.notSeen.length === 0
      ? 'Every target account and Region was read.'
      : table(
          ['Account', 'Region', 'Reason', 'Message'],
          snapshot.notSeen.map((g) =>
            [g.accountId, g.region ?? '(every Region)', g.reason, g.message].map(markdownCell),
          ),
        ),
  );
  out.push('', '## Nodes that need attention', '');
  out.push(
    attention.length === 0
      ? 'None: every node is managed, online, scanned recently and compliant.'
      : table(
          ['Account', 'Region', 'Node', 'Level', 'Management', 'Stale', 'Critical', 'Security', 'Other', 'Missing'],
          attention.map((n) => [
            markdownCell(n.accountId),
            markdownCell(n.region),
            markdownCell(n.instanceId),
            nodeLevel(n),
            n.management,
            n.stale ? 'stale' : '',
            n.patch?.critical ?? '',
            n.patch?.security ?? '',
            n.patch?.other ?? '',
            n.patch?.missing ?? '',
          ]),
        ),
  );
  if (attentionCount > attention.length) {
    out.push('', `${attentionCount - attention.length} more nodes need attention: the CSV report lists every node.`);
  }
  return `${out.join('\n')}\n`;
}
