import { type NodeCompliance, type NodeLevel, needsAttention, nodeLevel } from './complianceModel.js';
import { type ComplianceInput, complianceSource, forEachNode } from './complianceSource.js';

/** Counts over a set of nodes (and what could not be seen there). */
export interface ComplianceTotals {
  nodes: number;
  /** Nodes by level (see NodeLevel). */
  critical: number;
  security: number;
  other: number;
  unknown: number;
  compliant: number;
  unmanaged: number;
  offline: number;
  stale: number;
  /** Patches, summed over the nodes. */
  missingPatches: number;
  criticalPatches: number;
  securityPatches: number;
  /** Places (account or account and Region) that could not be read. */
  notSeen: number;
}

/** A roll-up row: what it is about, and its totals. */
export interface ComplianceRollupRow {
  /** The OU path (`r-ab12 / ou-ab12-1`), account id or Region. */
  readonly key: string;
  /** The account's name, for account rows. */
  readonly name?: string;
  readonly accounts: number;
  readonly totals: ComplianceTotals;
}

/** Totals by Organization, OU path, account and Region; rows worst first. */
export interface ComplianceRollup {
  readonly organization: ComplianceTotals;
  readonly ous: readonly ComplianceRollupRow[];
  readonly accounts: readonly ComplianceRollupRow[];
  readonly regions: readonly ComplianceRollupRow[];
}

/** Empty totals, to add nodes to a shard at a time ({@link addNodeToTotals}). */
export function emptyTotals(): ComplianceTotals {
  return {
    nodes: 0,
    critical: 0,
    security: 0,
    other: 0,
    unknown: 0,
    compliant: 0,
    unmanaged: 0,
    offline: 0,
    stale: 0,
    missingPatches: 0,
    criticalPatches: 0,
    securityPatches: 0,
    notSeen: 0,
  };
}

function addNode(t: ComplianceTotals, node: NodeCompliance, level: NodeLevel): void {
  t.nodes += 1;
  t[level] += 1;
  if (node.management === 'unmanaged') t.unmanaged += 1;
  if (node.management === 'offline') t.offline += 1;
  if (node.stale) t.stale += 1;
  t.missingPatches += node.patch?.missing ?? 0;
  t.criticalPatches += node.patch?.critical ?? 0;
  t.securityPatches += node.patch?.security ?? 0;
}

/** Counts one node in `totals` (a snapshot's totals are built a shard at a time). */
export function addNodeToTotals(totals: ComplianceTotals, node: NodeCompliance): void {
  addNode(totals, node, nodeLevel(node));
}

/** Sorts rows worst first: critical nodes, security nodes, other, unknown, not seen, then by key. */
function byCompliance(a: ComplianceRollupRow, b: ComplianceRollupRow): number {
  const t = a.totals;
  const u = b.totals;
  return (
    u.critical - t.critical ||
    u.security - t.security ||
    u.other - t.other ||
    u.unknown + u.unmanaged + u.offline - (t.unknown + t.unmanaged + t.offline) ||
    u.notSeen - t.notSeen ||
    a.key.localeCompare(b.key)
  );
}

/** The OU label of an account: its OU path joined, or a placeholder for an account discovery did not see. */
export function ouLabel(ouPath: readonly string[] | undefined): string {
  return ouPath === undefined || ouPath.length === 0 ? '(OU not known)' : ouPath.join(' / ');
}

/** A roll-up and the count the `any` gate needs, from one pass over a snapshot. */
export interface ComplianceSummary {
  readonly rollup: ComplianceRollup;
  /** Nodes that need attention (see needsAttention). */
  readonly attention: number;
}

/**
 * Rolls a snapshot up by Organization, OU path, account and Region, in one pass over its nodes (a
 * row per OU, account and Region is held, never the nodes). An account's OU is the path discovery
 * saw. What could not be seen counts in `notSeen` of its account, its OU and (when it names one)
 * its Region, never as compliant.
 */
export async function summarizeCompliance(input: ComplianceInput): Promise<ComplianceSummary> {
  const source = complianceSource(input);
  const { head } = source;
  const organization = emptyTotals();
  const ous = new Map<string, { accounts: Set<string>; totals: ComplianceTotals }>();
  const accounts = new Map<string, { accounts: Set<string>; totals: ComplianceTotals; name?: string }>();
  const regions = new Map<string, { accounts: Set<string>; totals: ComplianceTotals }>();
  const accountInfo = new Map(head.accounts.map((a) => [a.id, a]));
  const row = <T extends { accounts: Set<string>; totals: ComplianceTotals }>(
    map: Map<string, T>,
    key: string,
    make: () => T,
  ): T => {
    let r = map.get(key);
    if (r === undefined) {
      r = make();
      map.set(key, r);
    }
    return r;
  };
  const fresh = () => ({ accounts: new Set<string>(), totals: emptyTotals() });
  const placesOf = (accountId: string, region: string | undefined) => {
    const info = accountInfo.get(accountId);
    const places = [
      row(ous, ouLabel(info?.ouPath), fresh),
      row(accounts, accountId, () => ({ ...fresh(), ...(info ? { name: info.name } : {}) })),
    ];
    if (region !== undefined) places.push(row(regions, region, fresh));
    for (const p of places) p.accounts.add(accountId);
    return places;
  };
  let attention = 0;
  await forEachNode(source, (node) => {
    const level = nodeLevel(node);
    addNode(organization, node, level);
    if (needsAttention(node)) attention += 1;
    for (const place of placesOf(node.accountId, node.region)) addNode(place.totals, node, level);
  });
  for (const gap of head.notSeen) {
    organization.notSeen += 1;
    for (const place of placesOf(gap.accountId, gap.region)) place.totals.notSeen += 1;
  }
  const rows = (map: Map<string, { accounts: Set<string>; totals: ComplianceTotals; name?: string }>) =>
    [...map]
      .map(([key, r]) => ({
        key,
        ...(r.name === undefined ? {} : { name: r.name }),
        accounts: r.accounts.size,
        totals: r.totals,
      }))
      .sort(byCompliance);
  return { rollup: { organization, ous: rows(ous), accounts: rows(accounts), regions: rows(regions) }, attention };
}

/** The roll-up of {@link summarizeCompliance}. */
export async function rollUpCompliance(input: ComplianceInput): Promise<ComplianceRollup> {
  return (await summarizeCompliance(input)).rollup;
}

/** What `--fail-on` gates on. */
export type FailOn = 'critical' | 'security' | 'any' | 'never';

/** The values `--fail-on` takes. */
export const FAIL_ON_VALUES: readonly FailOn[] = ['critical', 'security', 'any', 'never'];

/** The gate's decision: whether a pipeline should fail, and why in one sentence. */
export interface GateDecision {
  readonly failOn: FailOn;
  readonly fail: boolean;
  /** Nodes (or, for `any`, nodes and places not seen) at or above the level. */
  readonly offending: number;
  readonly message: string;
}

/**
 * The `--fail-on` gate. `critical`: a node misses a Critical patch. `security`: a Critical or
 * Security patch. `any`: anything that keeps the Organization from being known compliant: a
 * non-compliant patch of any class, a node without patch data, unmanaged, offline or with a stale
 * scan, or a place that could not be read. `never`: never fails. For `critical` and `security`,
 * what could not be seen is named in the message (it is not known compliant) but does not fail.
 */
export function complianceGate(summary: ComplianceSummary, failOn: FailOn): GateDecision {
  const t = summary.rollup.organization;
  const unseen = t.notSeen;
  const unseenNote =
    unseen === 0
      ? ''
      : `; ${unseen} place${unseen === 1 ? '' : 's'} could not be read and ${unseen === 1 ? 'is' : 'are'} not known compliant`;
  if (failOn === 'never') {
    return { failOn, fail: false, offending: 0, message: `--fail-on never: the gate does not fail${unseenNote}.` };
  }
  const offendingNodes =
    failOn === 'any' ? summary.attention : failOn === 'critical' ? t.critical : t.critical + t.security;
  const offending = failOn === 'any' ? offendingNodes + unseen : offendingNodes;
  const what: Record<Exclude<FailOn, 'never'>, string> = {
    critical: 'missing Critical patches',
    security: 'missing Critical or Security patches',
    any: 'not known compliant (non-compliant, unmanaged, offline, without patch data or stale)',
  };
  const message =
    offending === 0
      ? `--fail-on ${failOn}: no node ${what[failOn]}${unseenNote}.`
      : `--fail-on ${failOn}: ${offendingNodes} node${offendingNodes === 1 ? '' : 's'} ${what[failOn]}${failOn === 'any' && unseen > 0 ? `, and ${unseen} place${unseen === 1 ? '' : 's'} not read` : unseenNote}.`;
  return { failOn, fail: offending > 0, offending, message };
}
