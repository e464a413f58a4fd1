import {
  parseRunLease,
  parseRunRecord,
  type RunLease,
  type RunRecord,
  StoredDocumentError,
  type ValidationIssue,
} from '@orgpatch/core';
import { RunRecordInvalidError, RunStoreError } from '../errors.js';

/**
 * What every store does with the text it reads back: parse it as JSON and validate it with core, so
 * a corrupt or foreign document becomes one typed error naming where it was read and what is wrong.
 */

/**
 * The run record stored as `text` under `runId`.
 * @param source where it was read (a file path, an s3:// URL), for the error.
 * @throws RunRecordInvalidError when it is not JSON, not a run record, or not run `runId`'s.
 */
export function decodeRunRecord(text: string, source: string, runId: string): RunRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunRecordInvalidError(
      runId,
      source,
      [{ path: '', message: `not valid JSON: ${(error as Error).message}` }],
      {
        cause: error,
      },
    );
  }
  try {
    return parseRunRecord(value, source, { runId });
  } catch (error) {
    if (error instanceof StoredDocumentError)
      throw new RunRecordInvalidError(runId, source, error.issues, { cause: error });
    throw error;
  }
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

/** The JSON text a record is stored as. */
export function encodeRunRecord(record: RunRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** The in-progress marker of a run: a few bytes naming it, for a person looking at the store. */
export function encodeInProgressMarker(record: RunRecord): string {
  return `${JSON.stringify({ runId: record.runId, status: record.status, updatedAt: record.updatedAt })}\n`;
}
