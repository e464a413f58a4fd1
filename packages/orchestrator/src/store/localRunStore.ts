import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { LeaseResult, LeaseScope, RunLease, RunListing, RunRecord, RunStore } from '@orgpatch/core';
import { RunStoreConflictError, RunStoreError } from '../errors.js';
import { type FileLockOptions, withFileLock } from './fileLock.js';
import { isInProgress } from './inProgressIndex.js';
import { KeyedQueue } from './keyedQueue.js';
import { decideLease, type LeaseRequest } from './leaseDecision.js';
import { listRuns } from './listing.js';
import { assertArtifactName, assertLeaseKey, assertRunId, isRunId } from './runId.js';
import {
  decodeRunLease,
  decodeRunRecord,
  encodeInProgressMarker,
  encodeRunLease,
  encodeRunRecord,
} from './storedDocuments.js';

/** The CLI's default run folder, relative to the working directory. */
export const DEFAULT_LOCAL_RUNS_DIR = join('.orgpatch', 'runs');

/** Folders beside the runs, named with a leading dot so that no run id can be one of them. */
const IN_PROGRESS_DIR = '.in-progress';
const LEASES_DIR = '.leases';
const RECORD = 'record.json';

/** Options of {@link LocalRunStore}. */
export interface LocalRunStoreOptions {
  /** How lock files behave (a crashed writer's lock is broken after `staleMs`). */
  readonly lock?: FileLockOptions;
}

/**
 * Keeps run records in a local folder: `<root>/<run-id>/record.json` with the rendered reports
 * beside it, the in-progress index as empty-ish marker files `<root>/.in-progress/<run-id>`, and
 * scope leases as `<root>/.leases/<key>.json`.
 *
 * Writes emulate S3's conditional writes: a record (or lease) is read, compared and replaced while
 * holding a lock file created with `wx`, and the new text goes to a temporary file renamed into
 * place, so neither another process nor a crash ever leaves half a record. A record is replaced
 * only if its content (by hash) is what this store last read or wrote; a run it has not seen is
 * only created.
 */
export class LocalRunStore implements RunStore {
  /** Absolute path of the runs folder. */
  readonly root: string;
  private readonly lock: FileLockOptions;
  /** Hash of each record as this store last read or wrote it. */
  private readonly versions = new Map<string, string>();
  private readonly writes = new KeyedQueue();

  constructor(root: string = DEFAULT_LOCAL_RUNS_DIR, options: LocalRunStoreOptions = {}) {
    this.root = resolve(root);
    this.lock = options.lock ?? {};
  }

  /** The folder of one run. */
  runDir(runId: string): string {
    assertRunId(runId);
    return join(this.root, runId);
  }

  async put(record: RunRecord): Promise<void> {
    const dir = this.runDir(record.runId);
    const file = join(dir, RECORD);
    await this.writes.run(record.runId, async () => {
      await this.makeDir(dir);
      await withFileLock(
        join(dir, '.record.lock'),
        async () => {
          const current = await readIfPresent(file);
          if ((current === undefined ? undefined : hash(current)) !== this.versions.get(record.runId)) {
            throw new RunStoreConflictError(record.runId, file);
          }
          const text = encodeRunRecord(record);
          const marker = join(this.root, IN_PROGRESS_DIR, record.runId);
          // Marker first, and removed last: a crash in between leaves a run indexed, never one orphaned.
          if (isInProgress(record)) await this.writeAtomic(marker, encodeInProgressMarker(record));
          await this.writeAtomic(file, text);
          if (!isInProgress(record)) await this.remove(marker);
          this.versions.set(record.runId, hash(text));
        },
        this.lock,
      );
    });
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const file = join(this.runDir(runId), RECORD);
    const text = await readIfPresent(file);
    if (text === undefined) {
      this.versions.delete(runId);
      return undefined;
    }
    const record = decodeRunRecord(text, file, runId);
    this.versions.set(runId, hash(text));
    return record;
  }

  async list(): Promise<readonly RunListing[]> {
    return listRuns((await this.names(this.root)).filter(isRunId), (runId) => this.get(runId));
  }

  async listInProgress(): Promise<readonly string[]> {
    return (await this.names(join(this.root, IN_PROGRESS_DIR))).filter(isRunId).sort();
  }

  async acquireLease(request: LeaseRequest): Promise<LeaseResult> {
    return this.withLease(request.scope, async (file, current) => {
      const decision = decideLease(current, request);
      if (decision.kind === 'refuse') return { granted: false, holder: decision.holder };
      await this.writeAtomic(file, encodeRunLease(decision.lease));
      return { granted: true, lease: decision.lease };
    });
  }

  async releaseLease(scope: LeaseScope, runId: string): Promise<void> {
    await this.withLease(scope, async (file, current) => {
      if (current?.runId === runId) await this.remove(file);
    });
  }

  async putArtifact(runId: string, name: string, body: string, _contentType: string): Promise<string> {
    assertArtifactName(name);
    const dir = this.runDir(runId);
    await this.makeDir(dir);
    return this.writeAtomic(join(dir, name), body);
  }

  /** Runs `task` on the scope's lease file and its current lease, under the scope's lock. */
  private async withLease<T>(
    scope: LeaseScope,
    task: (file: string, current: RunLease | undefined) => Promise<T>,
  ): Promise<T> {
    assertLeaseKey(scope.key);
    const dir = join(this.root, LEASES_DIR);
    const file = join(dir, `${scope.key}.json`);
    await this.makeDir(dir);
    return withFileLock(
      join(dir, `${scope.key}.lock`),
      async () => {
        const text = await readIfPresent(file);
        return task(file, text === undefined ? undefined : decodeRunLease(text, file, scope.key));
      },
      this.lock,
    );
  }

  private async names(dir: string): Promise<string[]> {
    try {
      return await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new RunStoreError(`Cannot list ${dir}: ${(error as Error).message}`, { cause: error });
    }
  }

  private async makeDir(dir: string): Promise<void> {
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw new RunStoreError(`Cannot create ${dir}: ${(error as Error).message}. Check that the folder is writable.`, {
        cause: error,
      });
    }
  }

  private async remove(file: string): Promise<void> {
    try {
      await rm(file, { force: true });
    } catch (error) {
      throw new RunStoreError(
        `Cannot remove ${file}: ${(error as Error).message}. Check that the folder is writable.`,
        {
          cause: error,
        },
      );
    }
  }

  /**
   * Writes `body` to a temporary file beside `target` and renames it into place; returns `target`.
   * The temporary name starts with a dot, so listings never take it for a run.
   */
  private async writeAtomic(target: string, body: string): Promise<string> {
    const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(temp, body, 'utf8');
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw new RunStoreError(
        `Cannot write ${target}: ${(error as Error).message}. Check that the folder is writable.`,
        { cause: error },
      );
    }
    return target;
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RunStoreError(`Cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}
