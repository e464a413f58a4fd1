import type { ComplianceTotals } from './complianceRollup.js';

/**
 * What a finished run says of compliance: the snapshot it took of the nodes it targeted (same
 * collector and store as `orgpatch compliance`), and the latest snapshot of the same Organization
 * stored before the run began, as a few counts each. Never invented: a snapshot that was not taken
 * says why, and a run with no snapshot before it says so.
 */

/** The counts a run report compares: nodes missing Critical patches, Security (not Critical), unmanaged. */
export interface RunComplianceCounts {
  readonly snapshotId: string;
  readonly takenAt: string;
  readonly nodes: number;
  readonly critical: number;
  readonly security: number;
  readonly unmanaged: number;
  /** Places (account, or account and Region) the snapshot could not read. */
  readonly notSeen: number;
}

/** A run's compliance: taken (with the snapshot before the run, when there is one), or not, and why. */
export type RunCompliance =
  | {
      readonly taken: true;
      readonly after: RunComplianceCounts;
      /** Absent when no snapshot of the Organization was stored before the run began. */
      readonly before?: RunComplianceCounts;
    }
  | { readonly taken: false; readonly reason: string };

/** The counts a run report keeps of a snapshot's organization totals. */
export function runComplianceCounts(
  snapshot: { readonly snapshotId: string; readonly takenAt: string },
  totals: Pick<ComplianceTotals, 'nodes' | 'critical' | 'security' | 'unmanaged' | 'notSeen'>,
): RunComplianceCounts {
  return {
    snapshotId: snapshot.snapshotId,
    takenAt: snapshot.takenAt,
    nodes: totals.nodes,
    critical: totals.critical,
    security: totals.security,
    unmanaged: totals.unmanaged,
    notSeen: totals.notSeen,
  };
}

/**
 * One snapshot's counts in a sentence: `Compliance after the run: 12 nodes: 0 missing Critical
 * patches, 1 missing Security (not Critical) patches, 2 unmanaged (snapshot c-r1, 2025-01-05T04:00:00.000Z).`
 */
export function complianceCountsLine(label: string, n: RunComplianceCounts): string {
  const unseen = n.notSeen === 0 ? '' : `, ${n.notSeen} places not seen`;
  return `${label}: ${n.nodes} nodes: ${n.critical} missing Critical patches, ${n.security} missing Security (not Critical) patches, ${n.unmanaged} unmanaged${unseen} (snapshot ${n.snapshotId}, ${n.takenAt}).`;
}

/**
 * The run's compliance as sentences (the reports and the CLI): the snapshot after the run, then
 * `Critical missing before: 3, after: 0. Security missing before: ...` against the snapshot before
 * it, or "No snapshot before this run"; or why no snapshot was taken.
 *
 * @example
 * runComplianceLines({ taken: true, after, before }); // ['Compliance after the run: ...', 'Critical missing before: 3, after: 0. ...']
 */
export function runComplianceLines(c: RunCompliance): string[] {
  if (!c.taken) return [`No compliance snapshot was taken after this run: ${c.reason}`];
  const { after, before } = c;
  const first = complianceCountsLine('Compliance after the run', after);
  if (before === undefined) return [first, 'No snapshot before this run: nothing to compare with.'];
  return [
    first,
    `Critical missing before: ${before.critical}, after: ${after.critical}. Security missing before: ${before.security}, after: ${after.security}. Unmanaged before: ${before.unmanaged}, after: ${after.unmanaged} (before: snapshot ${before.snapshotId}, ${before.takenAt}, ${before.nodes} nodes${before.notSeen === 0 ? '' : `, ${before.notSeen} places not seen`}).`,
  ];
}
