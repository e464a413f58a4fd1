import { RunStoreError } from '../errors.js';

/** Run ids are file and S3 key segments: letters, digits, `.`, `_` and `-`, not starting with a dot. */
const RUN_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** Checks a run id before it becomes part of a path or key. @throws RunStoreError */
export function assertRunId(runId: string): void {
  if (!RUN_ID.test(runId)) {
    throw new RunStoreError(
      `Run id ${JSON.stringify(runId)} is not valid: use the id orgpatch printed (letters, digits, ".", "_" and "-").`,
    );
  }
}

/** Artifact names are plain file names such as `report.html`. @throws RunStoreError */
export function assertArtifactName(name: string): void {
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(name)) {
    throw new RunStoreError(`Artifact name ${JSON.stringify(name)} is not a plain file name.`);
  }
}
