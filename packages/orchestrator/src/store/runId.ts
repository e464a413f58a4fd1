import { InvalidRunIdError, RunStoreError } from '../errors.js';

/** Run ids are file and S3 key segments: letters, digits, `.`, `_` and `-`, not starting with a dot. */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** Whether a run id is valid (a name found in a listing may be anything). */
export function isRunId(value: string): boolean {
  return SEGMENT.test(value);
}

/** Checks a run id before it becomes part of a path or key. @throws InvalidRunIdError */
export function assertRunId(runId: string): void {
  if (!SEGMENT.test(runId)) throw new InvalidRunIdError(runId);
}

/** Names in a run's folder that hold the run itself (see shardedRecords.ts), never an artifact. */
const RUN_NAMES: ReadonlySet<string> = new Set(['manifest.json', 'record.json', 'shards', 'skipped.json']);

/**
 * Artifact names are plain file names such as `report.html`, other than those the run itself is
 * kept under (`manifest.json`, `shards`, `record.json`, `skipped.json`). @throws RunStoreError
 */
export function assertArtifactName(name: string): void {
  if (!SEGMENT.test(name)) {
    throw new RunStoreError(`Artifact name ${JSON.stringify(name)} is not a plain file name.`);
  }
  if (RUN_NAMES.has(name.toLowerCase())) {
    throw new RunStoreError(
      `Artifact name ${JSON.stringify(name)} is where the run record itself is kept: name the artifact otherwise.`,
    );
  }
}

/** Lease scope keys become file and S3 key segments too: the same characters as run ids. @throws RunStoreError */
export function assertLeaseKey(key: string): void {
  if (!SEGMENT.test(key)) {
    throw new RunStoreError(
      `Lease key ${JSON.stringify(key)} is not valid: a key is one path segment of letters, digits, ".", "_" and "-", not starting with a dot.`,
    );
  }
}
