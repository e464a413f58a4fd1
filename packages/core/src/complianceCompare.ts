import {
  type ComplianceSnapshot,
  NODE_LEVELS,
  type NodeCompliance,
  type NodeLevel,
  nodeLevel,
} from './complianceModel.js';
import { OrgPatchError } from './errors.js';

/**
 * What happened to one node between two snapshots: `fixed` (non-compliant before, compliant
 * after), `new` (non-compliant after, compliant or absent before), `still-missing` (non-compliant
 * in both), `gone` (non-compliant before, not in the later snapshot). Nodes compliant in both are
 * not listed.
 */
export type NodeChange = 'fixed' | 'new' | 'still-missing' | 'gone';

/** One node's change, with its level before and after. */
export interface NodeDelta {
  readonly accountId: string;
  readonly region: string;
  readonly instanceId: string;
  readonly change: NodeChange;
  readonly before?: NodeLevel;
  readonly after?: NodeLevel;
  /** Missing patches before and after. */
  readonly missingBefore: number;
  readonly missingAfter: number;
}

/** A count before and after. */
export interface BeforeAfter {
  readonly before: number;
  readonly after: number;
}

/** Two snapshots compared: per node, and in totals. */
export interface ComplianceComparison {
  readonly before: { readonly snapshotId: string; readonly takenAt: string };
  readonly after: { readonly snapshotId: string; readonly takenAt: string };
  readonly nodes: readonly NodeDelta[];
  readonly totals: {
    readonly fixed: number;
    readonly new: number;
    readonly stillMissing: number;
    readonly gone: number;
    /** Nodes missing Critical patches, Security patches (not Critical), any non-compliant patch. */
    readonly criticalNodes: BeforeAfter;
    readonly securityNodes: BeforeAfter;
    readonly nonCompliantNodes: BeforeAfter;
    readonly missingPatches: BeforeAfter;
  };
}

/** Two snapshots of different Organizations cannot be compared. */
export class ComplianceCompareError extends OrgPatchError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ComplianceCompareError';
  }
}

const NON_COMPLIANT: ReadonlySet<NodeLevel> = new Set(['critical', 'security', 'other']);

const keyOf = (n: NodeCompliance): string => `${n.accountId}|${n.region}|${n.instanceId}`;

/**
 * Compares an earlier snapshot with a later one, node by node (by account, Region and id). Rows
 * worst first (by the later level), then by place.
 * @throws ComplianceCompareError when the two are of different Organizations.
 */
export function compareSnapshots(before: ComplianceSnapshot, after: ComplianceSnapshot): ComplianceComparison {
  const orgOf = (s: ComplianceSnapshot) =>
    s.organization.organizationId ?? `management account ${s.organization.managementAccountId}`;
  if (orgOf(before) !== orgOf(after)) {
    throw new ComplianceCompareError(
      `Snapshot ${before.snapshotId} is of Organization ${orgOf(before)}, snapshot ${after.snapshotId} of ${orgOf(after)}: compare two snapshots of the same Organization.`,
    );
  }
  const earlier = new Map(before.nodes.map((n) => [keyOf(n), n]));
  const nodes: NodeDelta[] = [];
  let fixed = 0;
  let added = 0;
  let still = 0;
  let gone = 0;
  for (const node of after.nodes) {
    const was = earlier.get(keyOf(node));
    earlier.delete(keyOf(node));
    const b = was === undefined ? undefined : nodeLevel(was);
    const a = nodeLevel(node);
    const badBefore = b !== undefined && NON_COMPLIANT.has(b);
    const badAfter = NON_COMPLIANT.has(a);
    let change: NodeChange | undefined;
    if (badBefore && badAfter) change = 'still-missing';
    else if (badBefore && a === 'compliant') change = 'fixed';
    else if (!badBefore && badAfter) change = 'new';
    if (change === undefined) continue;
    if (change === 'fixed') fixed += 1;
    else if (change === 'new') added += 1;
    else still += 1;
    nodes.push({
      accountId: node.accountId,
      region: node.region,
      instanceId: node.instanceId,
      change,
      ...(b === undefined ? {} : { before: b }),
      after: a,
      missingBefore: was?.patch?.missing ?? 0,
      missingAfter: node.patch?.missing ?? 0,
    });
  }
  for (const was of earlier.values()) {
    const b = nodeLevel(was);
    if (!NON_COMPLIANT.has(b)) continue;
    gone += 1;
    nodes.push({
      accountId: was.accountId,
      region: was.region,
      instanceId: was.instanceId,
      change: 'gone',
      before: b,
      missingBefore: was.patch?.missing ?? 0,
      missingAfter: 0,
    });
  }
  const rank = (d: NodeDelta) => NODE_LEVELS.indexOf(d.after ?? d.before ?? 'compliant');
  nodes.sort(
    (x, y) =>
      rank(x) - rank(y) ||
      x.accountId.localeCompare(y.accountId) ||
      x.region.localeCompare(y.region) ||
      x.instanceId.localeCompare(y.instanceId),
  );
  const count = (s: ComplianceSnapshot, test: (l: NodeLevel) => boolean) =>
    s.nodes.filter((n) => test(nodeLevel(n))).length;
  const both = (test: (l: NodeLevel) => boolean): BeforeAfter => ({
    before: count(before, test),
    after: count(after, test),
  });
  const missing = (s: ComplianceSnapshot) => s.nodes.reduce((sum, n) => sum + (n.patch?.missing ?? 0), 0);
  return {
    before: { snapshotId: before.snapshotId, takenAt: before.takenAt },
    after: { snapshotId: after.snapshotId, takenAt: after.takenAt },
    nodes,
    totals: {
      fixed,
      new: added,
      stillMissing: still,
      gone,
      criticalNodes: both((l) => l === 'critical'),
      securityNodes: both((l) => l === 'security'),
      nonCompliantNodes: both((l) => NON_COMPLIANT.has(l)),
      missingPatches: { before: missing(before), after: missing(after) },
    },
  };
}
