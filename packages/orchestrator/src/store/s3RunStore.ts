import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
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
import pLimit from 'p-limit';
import { awsErrorCode, awsErrorMessage, awsHttpStatus } from '../aws/awsErrors.js';
import { AwsEnvironmentError, RunStoreError } from '../errors.js';
import { ComplianceSnapshots, type SnapshotObjects } from './complianceSnapshots.js';
import { isInProgress } from './inProgressIndex.js';
import { KeyedQueue } from './keyedQueue.js';
import { decideLease, type LeaseRequest } from './leaseDecision.js';
import { listRuns } from './listing.js';
import { assertArtifactName, assertLeaseKey, assertRunId, isRunId } from './runId.js';
import { shardedAccess } from './shardedAccess.js';
import { type ConditionalWrite, type RunObjects, ShardedRecords } from './shardedRecords.js';
import { decodeRunLease, encodeInProgressMarker, encodeRunLease } from './storedDocuments.js';

/** The environment variable that names the run-record bucket (set on the Lambda by infra). */
const RUN_BUCKET_ENV = 'ORGPATCH_RUN_BUCKET';

/** Options of {@link S3RunStore}. */
export interface S3RunStoreOptions {
  readonly client: S3Client;
  /** @default process.env.ORGPATCH_RUN_BUCKET */
  readonly bucket?: string;
  /**
   * Key prefix everything is kept under: `<root>runs/`, `<root>in-progress/` and `<root>leases/`.
   * A root without a trailing slash gets one (`team-a` is `team-a/`).
   * @default '' (the bucket's top level)
   */
  readonly root?: string;
}

/** How many times a lease request re-reads and retries when another writer changed the lease meanwhile. */
const LEASE_ATTEMPTS = 5;

/**
 * The part size of an artifact streamed by {@link S3RunStore.putArtifactChunks}, and so the size up
 * to which it is one PutObject: 8 MiB, the AWS CLI's and boto3's multipart threshold and chunk size,
 * rather than S3's 5 MiB minimum: 40% fewer requests for a report of tens of MB (5,000
 * accounts), up to 80 GB in S3's 10,000 parts, for a few parts' worth of memory whatever the size
 * (with {@link ARTIFACT_PARTS_IN_FLIGHT} parts uploading, one filling and the SDK's copies, 30 to
 * 50 MiB of buffers were measured writing 50, 150 and 300 MB; the JS heap grew by 2 MiB).
 */
const ARTIFACT_PART_BYTES = 8 * 1024 ** 2;

/** How many parts of one artifact upload at once: two keep the connection busy while the next part fills. */
const ARTIFACT_PARTS_IN_FLIGHT = 2;

/** A stored object's text and ETag. */
interface Versioned {
  readonly text: string;
  readonly etag: string;
}

/**
 * Keeps run records in S3: `<root>runs/<run-id>/manifest.json` and `<root>runs/<run-id>/shards/*.json`
 * (the layout is in shardedRecords.ts; a `record.json` written before it is still read) with the
 * rendered reports beside them, the in-progress index as small objects `<root>in-progress/<run-id>`,
 * and scope leases as `<root>leases/<key>.json`.
 *
 * Every manifest, shard and lease write is an S3 conditional write: `If-None-Match: *` to create,
 * `If-Match` with the ETag this store last read or wrote to replace. S3 answers a failed
 * precondition with 412 PreconditionFailed, and a write racing another conditional write with 409
 * ConditionalRequestConflict; both mean another writer got there first (RunStoreConflictError).
 * Needs s3:GetObject, s3:PutObject and s3:DeleteObject on those prefixes (s3:PutObject covers the
 * multipart upload of a large report; s3:AbortMultipartUpload lets a failed one be cleaned up) and
 * s3:ListBucket.
 */
export class S3RunStore implements RunStore, ComplianceStore {
  readonly bucket: string;
  /** The key prefix everything is kept under ('' or ending in `/`). */
  readonly root: string;
  private readonly client: S3Client;
  private readonly records = new ShardedRecords(this.objects());
  /** Whether this store knows the run's in-progress marker to be there (true) or gone (false). */
  private readonly indexed = new Map<string, boolean>();
  private readonly writes = new KeyedQueue();
  /** The run a shard at a time, for the step engines. */
  readonly sharded: ShardedRunStore = shardedAccess(this.records, {
    exclusive: (runId, task) => {
      assertRunId(runId);
      return this.writes.run(runId, task);
    },
    index: async (manifest) => {
      const marker = `${this.root}in-progress/${manifest.runId}`;
      if (this.indexed.get(manifest.runId) === true) return;
      await this.send(marker, () => this.putObject(marker, encodeInProgressMarker(manifest), 'application/json'));
      this.indexed.set(manifest.runId, true);
    },
    unindex: async (runId) => {
      const marker = `${this.root}in-progress/${runId}`;
      if (this.indexed.get(runId) === false) return;
      await this.send(marker, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: marker })));
      this.indexed.set(runId, false);
    },
  });
  private readonly snapshots = new ComplianceSnapshots(this.snapshotObjects());

  constructor(options: S3RunStoreOptions) {
    const bucket = options.bucket ?? process.env[RUN_BUCKET_ENV];
    if (!bucket) {
      throw new AwsEnvironmentError(
        `No run bucket: set ${RUN_BUCKET_ENV} to the name of the orgpatch run-record bucket.`,
      );
    }
    this.bucket = bucket;
    this.client = options.client;
    const root = options.root ?? '';
    this.root = root === '' || root.endsWith('/') ? root : `${root}/`;
  }

  private recordKey(runId: string, name: string): string {
    assertRunId(runId);
    return `${this.root}runs/${runId}/${name}`;
  }

  private url(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  async put(record: RunRecord): Promise<void> {
    const { runId } = record;
    assertRunId(runId);
    await this.writes.run(runId, async () => {
      const marker = `${this.root}in-progress/${runId}`;
      const inProgress = isInProgress(record);
      // Marker first, and removed last: a crash in between leaves a run indexed, never one orphaned.
      if (inProgress && this.indexed.get(runId) !== true) {
        await this.send(marker, () => this.putObject(marker, encodeInProgressMarker(record), 'application/json'));
        this.indexed.set(runId, true);
      }
      await this.records.put(record);
      if (!inProgress && this.indexed.get(runId) !== false) {
        await this.send(marker, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: marker })));
        this.indexed.set(runId, false);
      }
    });
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    assertRunId(runId);
    // Whatever this store knew about the run is superseded by what it just read.
    this.indexed.delete(runId);
    return this.records.get(runId);
  }

  async list(): Promise<readonly RunListing[]> {
    const runIds = (await this.folders(`${this.root}runs/`)).filter(isRunId);
    const limit = pLimit(8);
    return listRuns(
      runIds,
      (runId) => this.records.listing(runId),
      (ids, read) => Promise.all(ids.map((id) => limit(() => read(id)))),
    );
  }

  async putSkipNote(note: RunSkipNote): Promise<void> {
    assertRunId(note.runId);
    await this.writes.run(note.runId, () => this.records.putSkipNote(note));
  }

  /** The run's manifest and its shards one at a time (see RunStore.readShards). */
  async readShards(runId: string): Promise<ShardedRun | undefined> {
    assertRunId(runId);
    return this.records.readShards(runId);
  }

  async listInProgress(): Promise<readonly string[]> {
    const prefix = `${this.root}in-progress/`;
    const runIds: string[] = [];
    await this.send(prefix, async () => {
      for await (const page of paginateListObjectsV2(
        { client: this.client },
        { Bucket: this.bucket, Prefix: prefix },
      )) {
        for (const object of page.Contents ?? []) {
          const id = object.Key?.slice(prefix.length);
          if (id && isRunId(id)) runIds.push(id);
        }
      }
    });
    return runIds.sort();
  }

  async acquireLease(request: LeaseRequest): Promise<LeaseResult> {
    const key = this.leaseKey(request.scope);
    let lost: unknown;
    for (let attempt = 1; attempt <= LEASE_ATTEMPTS; attempt += 1) {
      const current = await this.readLease(key, request.scope.key);
      const decision = decideLease(current?.lease, request);
      if (decision.kind === 'refuse') return { granted: false, holder: decision.holder };
      const written = await this.writeConditionally(key, encodeRunLease(decision.lease), current?.etag);
      if (written.ok) return { granted: true, lease: decision.lease };
      // Another writer changed the lease between the read and the write: read it again and decide again.
      lost = written.cause;
    }
    throw new RunStoreError(
      `Run ${request.runId} could not take the lease ${this.url(key)}: it changed under ${LEASE_ATTEMPTS} attempts in a row, so other orgpatch processes are contending for ${request.scope.description}. Try again shortly.`,
      { cause: lost },
    );
  }

  async releaseLease(scope: LeaseScope, runId: string): Promise<void> {
    const key = this.leaseKey(scope);
    for (let attempt = 1; attempt <= LEASE_ATTEMPTS; attempt += 1) {
      const current = await this.readLease(key, scope.key);
      if (current?.lease.runId !== runId) return;
      try {
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, IfMatch: current.etag }));
        return;
      } catch (error) {
        // Changed meanwhile (renewed, taken over or gone): read it again and decide again.
        if (isPreconditionFailure(error, true)) continue;
        throw this.failure(key, error);
      }
    }
    throw new RunStoreError(
      `Run ${runId} could not release the lease ${this.url(key)}: it changed under ${LEASE_ATTEMPTS} attempts in a row. It expires by itself; other orgpatch processes are contending for ${scope.description}.`,
    );
  }

  async putArtifact(runId: string, name: string, body: string, contentType: string): Promise<string> {
    assertArtifactName(name);
    const key = this.recordKey(runId, name);
    await this.send(key, () => this.putObject(key, body, contentType));
    return this.url(key);
  }

  /**
   * Streams the chunks to S3 as they come, with `@aws-sdk/lib-storage`'s Upload: one PutObject for an
   * artifact of at most {@link ARTIFACT_PART_BYTES}, else a multipart upload of parts of that size,
   * {@link ARTIFACT_PARTS_IN_FLIGHT} at a time, so memory is bounded by the parts, not the artifact.
   * A failed upload is aborted: nothing is left under the key, nor parts in the bucket. An error
   * thrown by `chunks` is rethrown as it is.
   * @throws RunStoreError naming the s3:// URL when S3 refuses the upload.
   */
  async putArtifactChunks(
    runId: string,
    name: string,
    chunks: AsyncIterable<string>,
    contentType: string,
  ): Promise<string> {
    assertArtifactName(name);
    const key = this.recordKey(runId, name);
    let failedSource: { readonly error: unknown } | undefined;
    async function* source(): AsyncGenerator<string> {
      try {
        yield* chunks;
      } catch (error) {
        failedSource = { error };
        throw error;
      }
    }
    const body = Readable.from(source());
    try {
      await this.send(key, () => this.upload(runId, key, body, contentType));
    } catch (error) {
      if (failedSource) throw failedSource.error;
      throw error;
    } finally {
      // Stops the source where it is when the upload failed (its generator's `finally` runs).
      body.destroy();
    }
    return this.url(key);
  }

  /**
   * Uploads `body` to `key`; on failure, aborts the multipart upload if Upload left it open (it does
   * not abort after a failed CompleteMultipartUpload) and throws a RunStoreError saying what is left.
   */
  private async upload(runId: string, key: string, body: Readable, contentType: string): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
      partSize: ARTIFACT_PART_BYTES,
      queueSize: ARTIFACT_PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      const left = upload.uploadId === undefined ? undefined : await this.abortUpload(key, upload.uploadId);
      const rest =
        left === undefined
          ? 'Nothing was written there and no uploaded part is left in the bucket.'
          : `Its multipart upload ${left.uploadId} could not be aborted (${awsErrorCode(left.error)}: ${awsErrorMessage(left.error)}); its parts stay until the bucket's lifecycle rule removes incomplete uploads, or remove them with \`aws s3api abort-multipart-upload --bucket ${this.bucket} --key ${key} --upload-id ${left.uploadId}\`.`;
      throw new RunStoreError(
        `Cannot write ${this.url(key)} (${awsErrorCode(error)}): ${awsErrorMessage(error)}. ${rest} The run's records are not affected: render the report from them with \`orgpatch report ${runId}\`, or write the reports again once S3 accepts writes.`,
        { cause: error },
      );
    }
  }

  /** Aborts a multipart upload: undefined when it is gone (aborted, or never left open), else the failure. */
  private async abortUpload(
    key: string,
    uploadId: string,
  ): Promise<{ readonly uploadId: string; readonly error: unknown } | undefined> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
      return undefined;
    } catch (error) {
      if (awsErrorCode(error) === 'NoSuchUpload' || awsHttpStatus(error) === 404) return undefined;
      return { uploadId, error };
    }
  }

  /** The run folders' objects as {@link ShardedRecords} uses them. */
  private objects(): RunObjects {
    return {
      where: (runId, name) => this.url(this.recordKey(runId, name)),
      read: async (runId, name) => {
        const read = await this.read(this.recordKey(runId, name));
        return read && { text: read.text, version: read.etag };
      },
      write: async (runId, name, text, version): Promise<ConditionalWrite> => {
        const written = await this.writeConditionally(this.recordKey(runId, name), text, version);
        return written.ok ? { ok: true, version: written.etag } : written;
      },
      remove: async (runId, name, version) => {
        const key = this.recordKey(runId, name);
        try {
          await this.client.send(
            new DeleteObjectCommand({ Bucket: this.bucket, Key: key, ...(version ? { IfMatch: version } : {}) }),
          );
          return true;
        } catch (error) {
          if (awsErrorCode(error) === 'NoSuchKey' || awsHttpStatus(error) === 404) return true;
          if (version !== undefined && isPreconditionFailure(error, true)) return false;
          throw this.failure(key, error);
        }
      },
    };
  }

  private leaseKey(scope: LeaseScope): string {
    assertLeaseKey(scope.key);
    return `${this.root}leases/${scope.key}.json`;
  }

  private async readLease(key: string, scopeKey: string): Promise<{ lease: RunLease; etag: string } | undefined> {
    const read = await this.read(key);
    return read && { lease: decodeRunLease(read.text, this.url(key), scopeKey), etag: read.etag };
  }

  /** Keeps a compliance snapshot under `<root>compliance/<snapshot-id>/` (see ComplianceStore). */
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

  /** The snapshots' objects, each created with `If-None-Match: *` (never replaced). */
  private snapshotObjects(): SnapshotObjects {
    const key = (snapshotId: string, name: string): string => `${this.root}compliance/${snapshotId}/${name}`;
    return {
      where: (snapshotId, name) => this.url(key(snapshotId, name)),
      read: async (snapshotId, name) => (await this.read(key(snapshotId, name)))?.text,
      create: async (snapshotId, name, text) =>
        (await this.writeConditionally(key(snapshotId, name), text, undefined)).ok,
      listIds: () => this.folders(`${this.root}compliance/`),
    };
  }

  /** The names of the "folders" right under `prefix` (ListObjectsV2 with a `/` delimiter, every page). */
  private async folders(prefix: string): Promise<string[]> {
    const names: string[] = [];
    await this.send(prefix, async () => {
      for await (const page of paginateListObjectsV2(
        { client: this.client },
        { Bucket: this.bucket, Prefix: prefix, Delimiter: '/' },
      )) {
        for (const p of page.CommonPrefixes ?? []) {
          const name = p.Prefix?.slice(prefix.length).replace(/\/$/, '');
          if (name) names.push(name);
        }
      }
    });
    return names;
  }

  /**
   * PutObject of `body` only if the object is still at `etag` (`If-Match`), or, without one, only if
   * there is no object (`If-None-Match: *`): the new ETag, or the refusal when the precondition failed.
   */
  private async writeConditionally(
    key: string,
    body: string,
    etag: string | undefined,
  ): Promise<{ readonly ok: true; readonly etag: string } | { readonly ok: false; readonly cause: unknown }> {
    let written: string | undefined;
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
          ...(etag === undefined ? { IfNoneMatch: '*' } : { IfMatch: etag }),
        }),
      );
      written = out.ETag;
    } catch (error) {
      if (isPreconditionFailure(error, etag !== undefined)) return { ok: false, cause: error };
      throw this.failure(key, error);
    }
    if (!written) {
      throw new RunStoreError(
        `${this.url(key)} was written but S3 returned no ETag, so the next write cannot be conditional. Use Amazon S3 or a store that returns ETags.`,
      );
    }
    return { ok: true, etag: written };
  }

  private putObject(key: string, body: string, contentType: string): Promise<unknown> {
    return this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  /** The object's text and ETag, or undefined when there is none. */
  private async read(key: string): Promise<Versioned | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const text = (await out.Body?.transformToString('utf-8')) ?? '';
      if (!out.ETag) throw new RunStoreError(`${this.url(key)} was read but S3 returned no ETag.`);
      return { text, etag: out.ETag };
    } catch (error) {
      if (error instanceof RunStoreError) throw error;
      const code = awsErrorCode(error);
      if (code === 'NoSuchKey' || code === 'NotFound') return undefined;
      throw this.failure(key, error, 'read');
    }
  }

  /** Runs an S3 call, turning its AWS error into a RunStoreError that names `key`. */
  private async send<T>(key: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.failure(key, error);
    }
  }

  private failure(key: string, error: unknown, verb: 'read' | 'write' = 'write'): RunStoreError {
    if (error instanceof RunStoreError) return error;
    return new RunStoreError(`Cannot ${verb} ${this.url(key)} (${awsErrorCode(error)}): ${awsErrorMessage(error)}`, {
      cause: error,
    });
  }
}

/**
 * Whether S3 refused a conditional write or delete because of its precondition: 412
 * PreconditionFailed, 409 ConditionalRequestConflict (another conditional write in flight), or, for
 * `If-Match`, 404 NoSuchKey (the object was deleted since it was read).
 */
function isPreconditionFailure(error: unknown, ifMatch: boolean): boolean {
  const code = awsErrorCode(error);
  const status = awsHttpStatus(error);
  if (code === 'PreconditionFailed' || code === 'ConditionalRequestConflict') return true;
  if (status === 412 || status === 409) return true;
  return ifMatch && (code === 'NoSuchKey' || status === 404);
}
