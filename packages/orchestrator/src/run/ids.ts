import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * The run id. With a maintenance-window task execution id it is derived from it (`mw-<id>`), so a
 * retried Lambda invocation of the same task finds and resumes the same run record. Otherwise it is
 * time-sortable: `YYYYMMDD-HHMMSS-<6 hex>` in UTC.
 */
export function runIdFor(
  taskExecutionId: string | undefined,
  now: Date,
  random: () => string = () => randomBytes(3).toString('hex'),
): string {
  if (taskExecutionId) return `mw-${taskExecutionId.replace(/[^A-Za-z0-9._-]/g, '-')}`.slice(0, 128);
  const iso = now.toISOString(); // 2026-11-28T23:17:00.123Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  return `${stamp}-${random()}`;
}

/** A name-based UUID (version 5 layout, SHA-1) in orgpatch's SnapshotId namespace. */
export function nameBasedUuid(name: string): string {
  const hash = createHash('sha1').update('orgpatch/snapshot-id/v1\u0000').update(name).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The run's SnapshotId (one GUID for every location, so all nodes are judged against the same
 * baseline snapshot): the request's own, else derived from the task execution id (a retried
 * invocation must send identical parameters, or its ClientTokens would mismatch), else random.
 */
export function snapshotIdFor(requested: string | undefined, taskExecutionId: string | undefined): string {
  if (requested) return requested;
  if (taskExecutionId) return nameBasedUuid(taskExecutionId);
  return randomUUID();
}
