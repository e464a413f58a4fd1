import { NODE_LEVELS, type NodeCompliance, type NodeLevel, nodeLevel } from './complianceModel.js';
import { type ComplianceHead, type ComplianceInput, complianceSource, forEachNode } from './complianceSource.js';
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

/** The counts of one snapshot that the comparison's totals give before and after. */
function emptyCounts() {
  return { critical: 0, security: 0, nonCompliant: 0, missing: 0 };
}

function count(counts: ReturnType<typeof emptyCounts>, node: NodeCompliance, level: NodeLevel): void {
  if (level === 'critical') counts.critical += 1;
  if (level === 'security') counts.security += 1;
  if (NON_COMPLIANT.has(level)) counts.nonCompliant += 1;
  counts.missing += node.patch?.missing ?? 0;
}

/** Refuses two snapshots of different Organizations. */
function assertComparable(before: ComplianceHead, after: Pick<ComplianceHead, 'organization' | 'snapshotId'>): void {
  const orgOf = (s: Pick<ComplianceHead, 'organization'>) =>
    s.organization.organizationId ?? `management account ${s.organization.managementAccountId}`;
  if (orgOf(before) !== orgOf(after)) {
    throw new ComplianceCompareError(
      `Snapshot ${before.snapshotId} is of Organization ${orgOf(before)}, snapshot ${after.snapshotId} of ${orgOf(after)}: compare two snapshots of the same Organization.`,
    );
  }
}

/**
 * Compares an earlier snapshot with a later one, node by node (by account, Region and id), in one
 * pass over each: what is held is the earlier snapshot's non-compliant nodes (their level and
 * missing count) and the changes, never either snapshot's every node. Rows worst first (by the
 * later level), then by place.
 * @throws ComplianceCompareError when the two are of different Organizations.
 */
export async function compareSnapshots(
  beforeInput: ComplianceInput,
  afterInput: ComplianceInput,
): Promise<ComplianceComparison> {
  const beforeSource = complianceSource(beforeInput);
  const afterSource = complianceSource(afterInput);
  const before = beforeSource.head;
  const after = afterSource.head;
  assertComparable(before, after);
  // Every earlier node's level (by key), and the missing count of the non-compliant ones: a few
  // dozen bytes a node, where holding the earlier nodes themselves would be a kilobyte each.
  const earlier = new Map<string, NodeLevel>();
  const missingEarlier = new Map<string, number>();
  const was = emptyCounts();
  await forEachNode(beforeSource, (n) => {
    const level = nodeLevel(n);
    count(was, n, level);
    const key = keyOf(n);
    earlier.set(key, level);
    if (NON_COMPLIANT.has(level)) missingEarlier.set(key, n.patch?.missing ?? 0);
  });
  const now = emptyCounts();
  const nodes: NodeDelta[] = [];
  let fixed = 0;
  let added = 0;
  let still = 0;
  await forEachNode(afterSource, (node) => {
    const a = nodeLevel(node);
    count(now, node, a);
    const key = keyOf(node);
    const b = earlier.get(key);
    earlier.delete(key);
    const badBefore = b !== undefined && NON_COMPLIANT.has(b);
    const badAfter = NON_COMPLIANT.has(a);
    let change: NodeChange | undefined;
    if (badBefore && badAfter) change = 'still-missing';
    else if (badBefore && a === 'compliant') change = 'fixed';
    else if (!badBefore && badAfter) change = 'new';
    if (change === undefined) return;
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
      missingBefore: missingEarlier.get(key) ?? 0,
      missingAfter: node.patch?.missing ?? 0,
    });
  });
  let gone = 0;
  for (const [key, level] of earlier) {
    if (!NON_COMPLIANT.has(level)) continue;
    gone += 1;
    const [accountId = '', region = '', instanceId = ''] = key.split('|');
    nodes.push({
      accountId,
      region,
      instanceId,
      change: 'gone',
      before: level,
      missingBefore: missingEarlier.get(key) ?? 0,
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
  return {
    before: { snapshotId: before.snapshotId, takenAt: before.takenAt },
    after: { snapshotId: after.snapshotId, takenAt: after.takenAt },
    nodes,
    totals: {
      fixed,
      new: added,
      stillMissing: still,
      gone,
      criticalNodes: { before: was.critical, after: now.critical },
      securityNodes: { before: was.security, after: now.security },
      nonCompliantNodes: { before: was.nonCompliant, after: now.nonCompliant },
      missingPatches: { before: was.missing, after: now.missing },
    },
  };
}
