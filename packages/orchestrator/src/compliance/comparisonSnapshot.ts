import type { ComplianceSnapshot, ComplianceStore, RunStore } from '@orgpatch/core';
import { ComplianceOrganizationMismatchError, ComplianceSnapshotNotFoundError } from '../errors.js';

/**
 * The snapshot `id` names for `--compare`: a snapshot stored under that id, else the latest
 * snapshot taken for the run of that id. Read and validated before anything else happens, so a bad
 * id costs no AWS call.
 *
 * @param where the store, in words, for the error.
 * @throws ComplianceSnapshotNotFoundError when neither is stored (saying when the run exists but has no snapshot);
 *   ComplianceSnapshotInvalidError when the snapshot is malformed.
 */
export async function comparisonSnapshot(
  store: ComplianceStore & Pick<RunStore, 'get'>,
  id: string,
  where: string,
): Promise<ComplianceSnapshot> {
  const snapshot = await store.getSnapshot(id);
  if (snapshot !== undefined) return snapshot;
  const forRun = (await store.listSnapshots()).filter((l) => 'takenAt' in l && l.runId === id).at(-1);
  if (forRun !== undefined) {
    const found = await store.getSnapshot(forRun.snapshotId);
    if (found !== undefined) return found;
  }
  const run = await store.get(id);
  throw new ComplianceSnapshotNotFoundError(
    id,
    where,
    run === undefined
      ? ''
      : ` (a run ${id} is stored, but no compliance snapshot was taken for it: compare with a snapshot id instead)`,
  );
}

/** @throws ComplianceOrganizationMismatchError when `earlier` was taken of another Organization than `later`. */
export function assertSameOrganization(earlier: ComplianceSnapshot, later: ComplianceSnapshot): void {
  const org = (s: ComplianceSnapshot) =>
    s.organization.organizationId ?? `of management account ${s.organization.managementAccountId}`;
  if (org(earlier) !== org(later))
    throw new ComplianceOrganizationMismatchError(earlier.snapshotId, org(earlier), org(later));
}
