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
 * The run's compliance as sentences (the reports and the CLI):
 * `Critical missing before: 3, after: 0. Security missing before: ...`, or why there is no
 * snapshot, or no snapshot before this run (then only the after counts).
 *
 * @example
 * runComplianceLines({ taken: true, after, before }); // ['Critical missing before: 3, after: 0. ...', 'Compliance snapshot ...']
 */
export function runComplianceLines(c: RunCompliance): string[] {
  if (!c.taken) return [`No compliance snapshot was taken after this run: ${c.reason}`];
  const { after, before } = c;
  const unseen = (n: RunComplianceCounts) => (n.notSeen === 0 ? '' : `, ${n.notSeen} places not seen`);
  const taken = `Compliance snapshot ${after.snapshotId} (${after.takenAt}): ${after.nodes} nodes${unseen(after)}`;
  if (before === undefined) {
    return [
      `No snapshot before this run. Critical missing after: ${after.critical}. Security missing after: ${after.security}. Unmanaged after: ${after.unmanaged}.`,
      `${taken}.`,
    ];
  }
  return [
    `Critical missing before: ${before.critical}, after: ${after.critical}. Security missing before: ${before.security}, after: ${after.security}. Unmanaged before: ${before.unmanaged}, after: ${after.unmanaged}.`,
    `${taken}; before: snapshot ${before.snapshotId} (${before.takenAt}): ${before.nodes} nodes${unseen(before)}.`,
  ];
}
