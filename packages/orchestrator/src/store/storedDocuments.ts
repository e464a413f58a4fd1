import { createHash } from 'node:crypto';
import {
  parseRunLease,
  parseRunManifest,
  parseRunPlanGroup,
  parseRunRecord,
  parseRunShard,
  parseRunSkipNote,
  type RunLease,
  type RunPlanGroup,
  type RunRecord,
  type RunShard,
  type RunSkipNote,
  StoredDocumentError,
  type StoredRunManifest,
  type ValidationIssue,
} from '@orgpatch/core';
import { RunRecordInvalidError, RunStoreError } from '../errors.js';

/**
 * What every store does with the text it reads back: parse it as JSON and validate it with core, so
 * a corrupt or foreign document becomes one typed error naming where it was read and what is wrong.
 */

/**
 * The run document stored as `text`, parsed as JSON and validated by `parse`.
 * @throws RunRecordInvalidError naming `source` when it is not JSON or `parse` refuses it.
 */
function decodeRunDocument<T>(text: string, source: string, runId: string, parse: (value: unknown) => T): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunRecordInvalidError(
      runId,
      source,
      [{ path: '', message: `not valid JSON: ${(error as Error).message}` }],
      { cause: error },
    );
  }
  try {
    return parse(value);
  } catch (error) {
    if (error instanceof StoredDocumentError)
      throw new RunRecordInvalidError(runId, source, error.issues, { cause: error });
    throw error;
  }
}

/**
 * The run record stored whole as `text` under `runId` (the layout before manifests and shards).
 * @param source where it was read (a file path, an s3:// URL), for the error.
 * @throws RunRecordInvalidError when it is not JSON, not a run record, or not run `runId`'s.
 */
export function decodeRunRecord(text: string, source: string, runId: string): RunRecord {
  return decodeRunDocument(text, source, runId, (value) => parseRunRecord(value, source, { runId }));
}

/**
 * The manifest of run `runId` stored as `text`.
 * @throws RunRecordInvalidError when it is not JSON, not a manifest, or not run `runId`'s.
 */
export function decodeRunManifest(text: string, source: string, runId: string): StoredRunManifest {
  return decodeRunDocument(text, source, runId, (value) => parseRunManifest(value, source, { runId }));
}

/**
 * Shard `id` of run `runId`, stored as `text`, whose SHA-256 must be `sha256` (the manifest's).
 * @throws RunRecordInvalidError when it was changed since it was written, is not JSON or not that shard.
 */
export function decodeRunShard(text: string, source: string, runId: string, id: number, sha256: string): RunShard {
  checkHash(text, source, runId, sha256, 'shard');
  const key = `${runId}/${id}/${sha256}`;
  if (VALIDATED_SHARDS.has(key)) {
    // This very text (by its SHA-256) was validated as this shard of this run already: its JSON is it.
    return decodeRunDocument(text, source, runId, (value) => value as RunShard);
  }
  const shard = decodeRunDocument(text, source, runId, (value) => parseRunShard(value, source, { runId, id }));
  VALIDATED_SHARDS.add(key);
  if (VALIDATED_SHARDS.size > VALIDATED_SHARDS_KEPT) {
    const oldest = VALIDATED_SHARDS.values().next().value;
    if (oldest !== undefined) VALIDATED_SHARDS.delete(oldest);
  }
  return shard;
}

/**
 * The shards (run id, number and SHA-256 of their text) this process has validated, oldest first: a
 * report reads every shard once per section, and the finish step of a 10,000-account run read each
 * of its 297 shards about twenty times, every time through the schema (a copy of every location).
 * A text that hashes to a validated shard's SHA-256 is that shard, so it is parsed, not validated
 * again. Bounded: a long-lived process (a warm Lambda) forgets the oldest first.
 */
const VALIDATED_SHARDS = new Set<string>();
const VALIDATED_SHARDS_KEPT = 4096;

/**
 * Plan group `group` of run `runId`, stored as `text`, whose SHA-256 must be `sha256` (the manifest's).
 * @throws RunRecordInvalidError when it was changed since it was written, is not JSON or not that group.
 */
export function decodeRunPlanGroup(
  text: string,
  source: string,
  runId: string,
  group: number,
  sha256: string,
): RunPlanGroup {
  checkHash(text, source, runId, sha256, 'plan group');
  return decodeRunDocument(text, source, runId, (value) => parseRunPlanGroup(value, source, { runId, group }));
}

/** @throws RunRecordInvalidError when `text` does not hash to `sha256`, what the manifest lists for it. */
function checkHash(text: string, source: string, runId: string, sha256: string, what: string): void {
  const actual = sha256Of(text);
  if (actual !== sha256) {
    throw new RunRecordInvalidError(runId, source, [
      {
        path: '',
        message: `its SHA-256 is ${actual}, but the manifest lists ${sha256}`,
        hint: `a ${what} is never changed once written: it was edited or damaged`,
      },
    ]);
  }
}

/**
 * The skip note of run `runId` stored as `text`.
 * @throws RunRecordInvalidError when it is not JSON, not a skip note, or not run `runId`'s.
 */
export function decodeRunSkipNote(text: string, source: string, runId: string): RunSkipNote {
  return decodeRunDocument(text, source, runId, (value) => parseRunSkipNote(value, source, { runId }));
}

/** SHA-256 of a document's text, lowercase hex: how manifests name their shards' content. */
export function sha256Of(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The lease stored as `text` for scope `key`.
 * @throws RunStoreError when it is not JSON or not a lease of that scope.
 */
export function decodeRunLease(text: string, source: string, key: string): RunLease {
  const problem = (issues: readonly ValidationIssue[], cause: unknown) =>
    new RunStoreError(
      `Lease ${source} cannot be used:\n${issues.map((i) => `- ${i.path || '(root)'}: ${i.message}`).join('\n')}\n` +
        `No run can take scope ${key} while it is there: delete it once no orgpatch run is in progress on that scope.`,
      { cause },
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw problem([{ path: '', message: `not valid JSON: ${(error as Error).message}` }], error);
  }
  try {
    return parseRunLease(value, source, { key });
  } catch (error) {
    if (error instanceof StoredDocumentError) throw problem(error.issues, error);
    throw error;
  }
}

/** The JSON text a lease is stored as. */
export function encodeRunLease(lease: RunLease): string {
  return `${JSON.stringify(lease)}\n`;
}

/** An object with its keys in code-unit order, so that equal content gives equal JSON text. */
function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const object = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(object).sort()) sorted[key] = object[key];
  return sorted;
}

/**
 * The JSON text a manifest or shard is stored as: keys sorted, so that the same content always has
 * the same text (and hash), however it was built or read back.
 */
export function encodeRunDocument(document: StoredRunManifest | RunShard | RunPlanGroup): string {
  return `${JSON.stringify(document, sortedKeys)}\n`;
}

/** The in-progress marker of a run: a few bytes naming it, for a person looking at the store. */
export function encodeInProgressMarker(record: Pick<RunRecord, 'runId' | 'status' | 'updatedAt'>): string {
  return `${JSON.stringify({ runId: record.runId, status: record.status, updatedAt: record.updatedAt })}\n`;
}
