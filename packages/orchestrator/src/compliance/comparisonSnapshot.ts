import {
  type ComplianceHead,
  type ComplianceSource,
  type ComplianceStore,
  type RunStore,
  storedComplianceSource,
} from '@orgpatch/core';
import { ComplianceOrganizationMismatchError, ComplianceSnapshotNotFoundError } from '../errors.js';

/**
 * A stored snapshot to report on, read a shard at a time, after one whole pass that validates every
 * shard (shape and hash): so a malformed snapshot is refused before anything is read from AWS,
 * rendered or written, and memory never holds more than a shard of it.
 *
 * @returns undefined when no snapshot is stored under the id.
 * @throws ComplianceSnapshotInvalidError (from the store) when the snapshot is malformed.
 */
export async function validatedSnapshot(
  store: Pick<ComplianceStore, 'readSnapshot'>,
  id: string,
): Promise<ComplianceSource | undefined> {
  const stored = await store.readSnapshot(id);
  if (stored === undefined) return undefined;
  for await (const _shard of stored.shards()) {
    // Each shard is validated as it is read; nothing is kept.
  }
  return storedComplianceSource(stored);
}

/**
 * The snapshot `id` names for `--compare`: a snapshot stored under that id, else the latest
 * snapshot taken for the run of that id. Read and validated (see {@link validatedSnapshot}) before
 * anything else happens, so a bad id costs no AWS call.
 *
 * @param where the store, in words, for the error.
 * @throws ComplianceSnapshotNotFoundError when neither is stored (saying when the run exists but has no snapshot);
 *   ComplianceSnapshotInvalidError when the snapshot is malformed.
 */
export async function comparisonSnapshot(
  store: Pick<ComplianceStore, 'readSnapshot' | 'listSnapshots'> & Pick<RunStore, 'get'>,
  id: string,
  where: string,
): Promise<ComplianceSource> {
  const snapshot = await validatedSnapshot(store, id);
  if (snapshot !== undefined) return snapshot;
  const forRun = (await store.listSnapshots()).filter((l) => 'takenAt' in l && l.runId === id).at(-1);
  if (forRun !== undefined) {
    const found = await validatedSnapshot(store, forRun.snapshotId);
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

type Named = Pick<ComplianceHead, 'organization' | 'snapshotId'>;

/** @throws ComplianceOrganizationMismatchError when `earlier` was taken of another Organization than `later`. */
export function assertSameOrganization(earlier: Named, later: Pick<ComplianceHead, 'organization'>): void {
  const org = (s: Pick<ComplianceHead, 'organization'>) =>
    s.organization.organizationId ?? `of management account ${s.organization.managementAccountId}`;
  if (org(earlier) !== org(later))
    throw new ComplianceOrganizationMismatchError(earlier.snapshotId, org(earlier), org(later));
}
