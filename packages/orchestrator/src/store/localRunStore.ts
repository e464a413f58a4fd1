import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type {
  ComplianceSnapshot,
  ComplianceSnapshotListing,
  ComplianceSnapshotWriter,
  ComplianceStore,
  LeaseResult,
  LeaseScope,
  RunLease,
  RunListing,
  RunRecord,
  RunSkipNote,
  RunStore,
  ShardedRun,
  ShardedRunStore,
  StoredComplianceSnapshot,
} from '@orgpatch/core';
import { RunStoreError } from '../errors.js';
import { ComplianceSnapshots, type SnapshotObjects } from './complianceSnapshots.js';
import { type FileLockOptions, withFileLock } from './fileLock.js';
import { isInProgress } from './inProgressIndex.js';
import { KeyedQueue } from './keyedQueue.js';
import { decideLease, type LeaseRequest } from './leaseDecision.js';
import { listRuns } from './listing.js';
import { assertArtifactName, assertLeaseKey, assertRunId, isRunId } from './runId.js';
import { shardedAccess } from './shardedAccess.js';
import { type ConditionalWrite, type RunObjects, ShardedRecords, type VersionedText } from './shardedRecords.js';
import { decodeRunLease, encodeInProgressMarker, encodeRunLease, sha256Of } from './storedDocuments.js';

/** The CLI's default run folder, relative to the working directory. */
export const DEFAULT_LOCAL_RUNS_DIR = join('.orgpatch', 'runs');

/** Folders beside the runs, named with a leading dot so that no run id can be one of them. */
const IN_PROGRESS_DIR = '.in-progress';
const LEASES_DIR = '.leases';
const COMPLIANCE_DIR = '.compliance';

/** Options of {@link LocalRunStore}. */
export interface LocalRunStoreOptions {
  /** How lock files behave (a crashed writer's lock is broken after `staleMs`). */
  readonly lock?: FileLockOptions;
}

/**
 * Keeps run records in a local folder: `<root>/<run-id>/manifest.json` and
 * `<root>/<run-id>/shards/*.json` (the layout is in shardedRecords.ts; a `record.json` written
 * before it is still read) with the rendered reports beside them, the in-progress index as
 * empty-ish marker files `<root>/.in-progress/<run-id>`, and scope leases as
 * `<root>/.leases/<key>.json`.
 *
 * Writes emulate S3's conditional writes: a run's objects (or a lease) are read, compared and
 * replaced while holding the run's lock file (`<run-id>/.record.lock`, created with `wx`), and each
 * new text goes to a temporary file renamed into place, so neither another process nor a crash
 * ever leaves half an object. An object is replaced only if its content (by hash) is what this store
 * last read or wrote; a run it has not seen is only created.
 */
export class LocalRunStore implements RunStore, ComplianceStore {
  /** Absolute path of the runs folder. */
  readonly root: string;
  private readonly lock: FileLockOptions;
  private readonly records = new ShardedRecords(this.objects());
  private readonly writes = new KeyedQueue();
  /** The run a shard at a time, for the step engines. */
  readonly sharded: ShardedRunStore = shardedAccess(this.records, {
    exclusive: (runId, task) =>
      this.writes.run(runId, async () => {
        const dir = this.runDir(runId);
        await this.makeDir(dir);
        return withFileLock(join(dir, '.record.lock'), task, this.lock);
      }),
    index: async (manifest) => {
      await this.writeAtomic(join(this.root, IN_PROGRESS_DIR, manifest.runId), encodeInProgressMarker(manifest));
    },
    unindex: (runId) => this.remove(join(this.root, IN_PROGRESS_DIR, runId)),
  });
  private readonly snapshots = new ComplianceSnapshots(this.snapshotObjects());

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
    await this.writes.run(record.runId, async () => {
      await this.makeDir(dir);
      await withFileLock(
        join(dir, '.record.lock'),
        async () => {
          const marker = join(this.root, IN_PROGRESS_DIR, record.runId);
          // Marker first, and removed last: a crash in between leaves a run indexed, never one orphaned.
          if (isInProgress(record)) await this.writeAtomic(marker, encodeInProgressMarker(record));
          await this.records.put(record);
          if (!isInProgress(record)) await this.remove(marker);
        },
        this.lock,
      );
    });
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    this.runDir(runId);
    return this.records.get(runId);
  }

  async list(): Promise<readonly RunListing[]> {
    return listRuns((await this.names(this.root)).filter(isRunId), (runId) => this.records.listing(runId));
  }

  async putSkipNote(note: RunSkipNote): Promise<void> {
    const dir = this.runDir(note.runId);
    await this.writes.run(note.runId, async () => {
      await this.makeDir(dir);
      await withFileLock(join(dir, '.record.lock'), () => this.records.putSkipNote(note), this.lock);
    });
  }

  /** The run's manifest and its shards one at a time (see RunStore.readShards). */
  async readShards(runId: string): Promise<ShardedRun | undefined> {
    this.runDir(runId);
    return this.records.readShards(runId);
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

  /** Streams the chunks to a temporary file renamed into place, as {@link putArtifact} writes. */
  async putArtifactChunks(
    runId: string,
    name: string,
    chunks: AsyncIterable<string>,
    _contentType: string,
  ): Promise<string> {
    assertArtifactName(name);
    const dir = this.runDir(runId);
    await this.makeDir(dir);
    return this.writeAtomic(join(dir, name), chunks);
  }

  /** Keeps a compliance snapshot under `<root>/.compliance/<snapshot-id>/` (see ComplianceStore). */
  putSnapshot(snapshot: ComplianceSnapshot): Promise<string> {
    return this.snapshots.putSnapshot(snapshot);
  }

  getSnapshot(snapshotId: string): Promise<ComplianceSnapshot | undefined> {
    return this.snapshots.getSnapshot(snapshotId);
  }

  openSnapshot(snapshotId: string): Promise<ComplianceSnapshotWriter> {
    return this.snapshots.openSnapshot(snapshotId);
  }

  readSnapshot(snapshotId: string): Promise<StoredComplianceSnapshot | undefined> {
    return this.snapshots.readSnapshot(snapshotId);
  }

  listSnapshots(): Promise<readonly ComplianceSnapshotListing[]> {
    return this.snapshots.listSnapshots();
  }

  /** The snapshot folders' files: each created once (a temporary file hard-linked into place, never over another). */
  private snapshotObjects(): SnapshotObjects {
    const file = (snapshotId: string, name: string): string => join(this.root, COMPLIANCE_DIR, snapshotId, name);
    return {
      where: file,
      read: (snapshotId, name) => readIfPresent(file(snapshotId, name)),
      create: async (snapshotId, name, text) => {
        const target = file(snapshotId, name);
        await this.makeDir(dirname(target));
        const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
        try {
          await writeFile(temp, text, 'utf8');
          await link(temp, target);
          return true;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
          throw new RunStoreError(
            `Cannot write ${target}: ${(error as Error).message}. Check that the folder is writable.`,
            {
              cause: error,
            },
          );
        } finally {
          await rm(temp, { force: true }).catch(() => undefined);
        }
      },
      listIds: () => this.names(join(this.root, COMPLIANCE_DIR)),
    };
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

  /**
   * The run folders' files as {@link ShardedRecords} uses them. Writes and removals happen under the
   * run's lock (taken by `put`), so each read-compare-write is one step for other processes.
   */
  private objects(): RunObjects {
    const file = (runId: string, name: string): string => join(this.runDir(runId), name);
    return {
      where: file,
      read: async (runId, name): Promise<VersionedText | undefined> => {
        const text = await readIfPresent(file(runId, name));
        return text === undefined ? undefined : { text, version: sha256Of(text) };
      },
      write: async (runId, name, text, version): Promise<ConditionalWrite> => {
        const current = await readIfPresent(file(runId, name));
        if ((current === undefined ? undefined : sha256Of(current)) !== version) return { ok: false };
        await this.writeAtomic(file(runId, name), text);
        return { ok: true, version: sha256Of(text) };
      },
      remove: async (runId, name, version) => {
        if (version !== undefined) {
          const current = await readIfPresent(file(runId, name));
          if (current !== undefined && sha256Of(current) !== version) return false;
        }
        await this.remove(file(runId, name));
        return true;
      },
    };
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
  private async writeAtomic(target: string, body: string | AsyncIterable<string>): Promise<string> {
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

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RunStoreError(`Cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}
