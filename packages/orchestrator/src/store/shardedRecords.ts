import {
  assembleRunRecord,
  isInlinePlanning,
  type RunListing,
  type RunManifest,
  type RunPlanGroup,
  type RunPlanGroupEntry,
  type RunRecord,
  type RunShard,
  type RunSkipNote,
  type ShardCommit,
  type ShardedRun,
  type SplitRunRecordOptions,
  StoredDocumentError,
  type StoredRunManifest,
  type StoredRunShardEntry,
  splitRunRecord,
} from '@orgpatch/core';
import pLimit from 'p-limit';
import pRetry, { AbortError } from 'p-retry';
import { RunRecordInvalidError, RunStoreConflictError, RunStoreError } from '../errors.js';
import {
  decodeRunManifest,
  decodeRunPlanGroup,
  decodeRunRecord,
  decodeRunShard,
  decodeRunSkipNote,
  encodeRunDocument,
  sha256Of,
} from './storedDocuments.js';

/**
 * How every store keeps a run: a manifest and shards (core's runShards.ts), the same layout under
 * each store's run folder (`runs/<run-id>/` in S3, `<root>/<run-id>/` locally):
 *
 * - `manifest.json`: everything but the locations, and the index of the shards;
 * - `shards/<n>-<revision>-<hash>.json`: shard n as the manifest revision `revision` wrote it, its
 *   name ending in the first 16 hex digits of its SHA-256;
 * - `planning/<n>-<hash>.json`: plan group n of a run planned a group at a time (its accounts),
 *   written once before the first manifest and deleted once every group is planned;
 * - `record.json`: a run written whole by an orgpatch before this layout, read as it is and
 *   replaced by a manifest and shards at its next write;
 * - `skipped.json`: a skip note (core's runSkipNote.ts), when an invocation started nothing because
 *   the day was not its Patch Tuesday go-day; listed only while the run has no manifest or record.
 *
 * A shard object is never changed once written: a changed shard is written under a new name, and
 * the manifest, written last and conditionally, is the one write that makes the new version the
 * run's. A writer that dies or loses the race to the manifest leaves the run as it was (its new
 * shard objects are not referenced, and cost only storage); a reader always sees the shards of one
 * manifest. Shard objects a new manifest no longer references are deleted after it is written.
 */

/** The manifest's name in the run folder. */
export const MANIFEST = 'manifest.json';
/** The whole-record document of runs written before manifests and shards. */
export const LEGACY_RECORD = 'record.json';
/** The skip note's name in the run folder. */
export const SKIP_NOTE = 'skipped.json';
/** The folder of the shard objects. */
const SHARDS_DIR = 'shards';
/** The folder of the plan group objects of a run still planning. */
const PLANNING_DIR = 'planning';

/**
 * The bound on a shard: at most 100 accounts, and at most 4 MiB by the estimate of what its
 * locations take once the run is finished (1 KiB per location, per group and per instance in each
 * group), half of the 8 MB no stored object may exceed. The arithmetic is in the orchestrator's
 * README ("Run store").
 */
export const SHARD_BOUNDS: SplitRunRecordOptions = { accountsPerShard: 100, estimatedBytesPerShard: 4 * 1024 ** 2 };

/** How many objects of one run are read or written at once. */
const PARALLEL_OBJECTS = 8;

/**
 * How many times a shard commit reads the manifest again when another writer (a step on another
 * shard) wrote it first. Writers of different shards only ever race on the manifest, so each retry
 * is one more read and write of it; the waits are short and jittered so racing writers spread out.
 */
const COMMIT_RETRIES = { retries: 12, minTimeout: 20, maxTimeout: 2_000, factor: 2, randomize: true } as const;

/** How many times `get` reads a manifest again when it changed while its shards were being read. */
const READ_ATTEMPTS = 3;

/** The name of a plan group object, from its number and its entry in the manifest. */
function planGroupObject(group: number, entry: RunPlanGroupEntry): string {
  return `${PLANNING_DIR}/${group}-${entry.sha256.slice(0, 16)}.json`;
}

/** The names of the plan group objects a manifest still planning lists (none for inline groups). */
function storedPlanGroups(planning: NonNullable<StoredRunManifest['planning']>): string[] {
  return isInlinePlanning(planning) ? [] : planning.groups.map((entry, i) => planGroupObject(i, entry));
}

/** The name of a shard object, from its entry in the manifest. */
function shardObject(entry: Pick<StoredRunShardEntry, 'id' | 'revision' | 'sha256'>): string {
  return `${SHARDS_DIR}/${entry.id}-${entry.revision}-${entry.sha256.slice(0, 16)}.json`;
}

/** An object's text and version (an ETag, or a hash of the text). */
export interface VersionedText {
  readonly text: string;
  readonly version: string;
}

/** The outcome of a conditional write: the new version, or the refusal with its cause. */
export type ConditionalWrite =
  | { readonly ok: true; readonly version: string }
  | { readonly ok: false; readonly cause?: unknown };

/**
 * The objects of a run folder, as a store provides them: names are relative to the run's folder
 * (`manifest.json`, `shards/0-1-....json`, `record.json`).
 */
export interface RunObjects {
  /** Where the object is, as errors name it (a file path, an s3:// URL). */
  where(runId: string, name: string): string;
  /** The object's text and version, or undefined when there is none. */
  read(runId: string, name: string): Promise<VersionedText | undefined>;
  /**
   * Writes the object only if it is still at `version`, or, when `version` is undefined, only if
   * there is none. A refused write changes nothing.
   */
  write(runId: string, name: string, text: string, version: string | undefined): Promise<ConditionalWrite>;
  /** Deletes the object, only if it is at `version` when one is given; whether it was deleted (or was not there). */
  remove(runId: string, name: string, version?: string): Promise<boolean>;
}

/**
 * What a store last read or wrote of a run: a whole record, or a manifest. With a manifest, the
 * location and plan location objects of that version (held weakly): records are immutable and
 * their updates share every location they do not change, so a shard made only of these objects is
 * the one the manifest lists, and need not be encoded to be known unchanged.
 */
type Seen =
  | { readonly kind: 'record'; readonly version: string }
  | {
      readonly kind: 'manifest';
      readonly version: string;
      readonly manifest: StoredRunManifest;
      readonly known: WeakSet<object>;
    };

/** The location and plan location objects of `shards`, held weakly. */
function knownObjects(shards: readonly Pick<RunShard, 'locations' | 'plannedLocations'>[]): WeakSet<object> {
  const known = new WeakSet<object>();
  for (const shard of shards) {
    for (const l of shard.locations) known.add(l);
    for (const l of shard.plannedLocations) known.add(l);
  }
  return known;
}

/** Whether `shard` is, object for object, the one `entry` lists in the version whose objects are `known`. */
function isKnown(
  shard: RunShard,
  entry: Pick<StoredRunShardEntry, 'locations' | 'firstAccountId' | 'lastAccountId'>,
  before: StoredRunShardEntry,
  known: WeakSet<object>,
): boolean {
  return (
    before.locations === entry.locations &&
    before.firstAccountId === entry.firstAccountId &&
    before.lastAccountId === entry.lastAccountId &&
    shard.locations.every((l) => known.has(l)) &&
    shard.plannedLocations.every((l) => known.has(l))
  );
}

/** A listed shard missing from the store: the manifest changed meanwhile, or the run is damaged. */
class MissingShard {
  constructor(readonly name: string) {}
}

/**
 * Reads and writes run records as a manifest and shards through a store's {@link RunObjects}, with
 * the RunStore contract: validated reads, conditional writes (against what this instance last read
 * or wrote of the run), and only the shards that changed rewritten. One instance per store instance;
 * the store keeps one run's writes in order.
 */
export class ShardedRecords {
  private readonly seen = new Map<string, Seen>();
  private readonly limit = pLimit(PARALLEL_OBJECTS);

  constructor(private readonly objects: RunObjects) {}

  /**
   * Writes `record`: the shards whose text changed since this instance last read or wrote the run,
   * then the manifest, conditionally; then deletes what the new manifest no longer references.
   * @throws RunStoreConflictError when another writer created or changed the run meanwhile.
   */
  async put(record: RunRecord): Promise<void> {
    const { runId } = record;
    const seen = this.seen.get(runId);
    const previous = seen?.kind === 'manifest' ? seen.manifest : undefined;
    if (seen === undefined && (await this.objects.read(runId, LEGACY_RECORD)) !== undefined) {
      // A run this instance has not seen is only created: a whole record under the id is a run.
      throw new RunStoreConflictError(runId, this.objects.where(runId, LEGACY_RECORD));
    }
    if (previous?.engine === 'steps') {
      throw new RunStoreError(
        `Run ${runId} is kept by the step engine a shard at a time, and a whole record must not overwrite it: continue it with the engine that runs it (orgpatch run --run-id ${runId}, or its Step Functions execution).`,
      );
    }
    const revision = (previous?.revision ?? 0) + 1;
    const { manifest, shards } = splitRunRecord(record, SHARD_BOUNDS);
    const changed: { readonly name: string; readonly text: string }[] = [];
    const entries = manifest.shards.map((summary, i): StoredRunShardEntry => {
      const shard = shards[i] as RunShard;
      const before = previous?.shards[i];
      if (before && seen?.kind === 'manifest' && isKnown(shard, summary, before, seen.known)) return before;
      const text = encodeRunDocument(shard);
      const sha256 = sha256Of(text);
      if (before?.sha256 === sha256) return { ...summary, revision: before.revision, sha256 };
      const entry = { ...summary, revision, sha256 };
      changed.push({ name: shardObject(entry), text });
      return entry;
    });
    await Promise.all(changed.map((c) => this.limit(() => this.createShard(runId, c.name, c.text))));
    const stored: StoredRunManifest = { ...manifest, revision, shards: entries };
    const version = seen?.kind === 'manifest' ? seen.version : undefined;
    const written = await this.objects.write(runId, MANIFEST, encodeRunDocument(stored), version);
    if (!written.ok) {
      throw new RunStoreConflictError(runId, this.objects.where(runId, MANIFEST), { cause: written.cause });
    }
    this.seen.set(runId, { kind: 'manifest', version: written.version, manifest: stored, known: knownObjects(shards) });
    const kept = new Set(entries.map(shardObject));
    const unreferenced = (previous?.shards ?? []).map(shardObject).filter((name) => !kept.has(name));
    // The manifest write committed the change: shards it no longer names are only storage now, so a
    // failure to delete them must not make a committed write look failed.
    await Promise.all(
      unreferenced.map((name) => this.limit(() => this.objects.remove(runId, name).catch(() => undefined))),
    );
    await this.removeWholeRecord(runId, seen);
  }

  /**
   * Writes a new shard object. One of that name already there was written by a writer that died
   * before its manifest, or is being written by one racing this one: the same shard, at the same
   * revision, with the same hash, so it is used when it holds the same text.
   */
  private async createShard(runId: string, name: string, text: string): Promise<void> {
    const written = await this.objects.write(runId, name, text, undefined);
    if (written.ok || (await this.objects.read(runId, name))?.text === text) return;
    throw new RunStoreConflictError(runId, this.objects.where(runId, name), { cause: written.cause });
  }

  /**
   * The whole record a run was kept as before its first manifest goes once the manifest is written.
   * After the first manifest of a run, its next write removes it too, in case the writer died in
   * between (a leftover is ignored: the manifest wins).
   */
  private async removeWholeRecord(runId: string, seen: Seen | undefined): Promise<void> {
    if (seen?.kind === 'record') {
      if (!(await this.objects.remove(runId, LEGACY_RECORD, seen.version))) {
        throw new RunStoreError(
          `Run ${runId} was moved to ${this.objects.where(runId, MANIFEST)}, but ${this.objects.where(runId, LEGACY_RECORD)} changed meanwhile: an orgpatch older than the manifest layout is writing the run. ` +
            `The manifest is the run's record now; stop the older version and remove ${LEGACY_RECORD}.`,
        );
      }
    } else if (seen?.kind === 'manifest' && seen.manifest.revision === 1) {
      await this.objects.remove(runId, LEGACY_RECORD);
    }
  }

  /**
   * The run's record: its manifest and shards, each validated (a shard's text must hash to what the
   * manifest lists), assembled; or the whole record of a run written before manifests.
   * @throws RunRecordInvalidError naming the object that is damaged and what is wrong with it.
   */
  async get(runId: string): Promise<RunRecord | undefined> {
    for (let attempt = 1; attempt <= READ_ATTEMPTS; attempt += 1) {
      const read = await this.objects.read(runId, MANIFEST);
      if (read === undefined) return this.getWholeRecord(runId);
      const where = this.objects.where(runId, MANIFEST);
      const manifest = decodeRunManifest(read.text, where, runId);
      const shards = await Promise.all(manifest.shards.map((entry) => this.limit(() => this.shard(runId, entry))));
      const missing = shards.find((s): s is MissingShard => s instanceof MissingShard);
      if (missing !== undefined) {
        // Superseded meanwhile (its writer deleted it after a new manifest): read the new one.
        if ((await this.objects.read(runId, MANIFEST))?.version !== read.version) continue;
        throw new RunRecordInvalidError(runId, this.objects.where(runId, missing.name), [
          { path: '', message: `is listed by ${where}, but there is no such object` },
        ]);
      }
      let record: RunRecord;
      try {
        record = assembleRunRecord(manifest, shards as RunShard[], where);
      } catch (error) {
        if (error instanceof StoredDocumentError)
          throw new RunRecordInvalidError(runId, where, error.issues, { cause: error });
        throw error;
      }
      this.seen.set(runId, {
        kind: 'manifest',
        version: read.version,
        manifest,
        known: knownObjects(shards as RunShard[]),
      });
      return record;
    }
    throw new RunStoreError(
      `Run ${runId} could not be read: ${this.objects.where(runId, MANIFEST)} changed under ${READ_ATTEMPTS} reads in a row, so it is being written fast. Try again shortly.`,
    );
  }

  /**
   * What a listing shows of a run (its id, creation time and status), from its manifest alone, or
   * from its whole record for a run written before manifests: no shard is read. Validates what it
   * reads; changes nothing this instance knows of the run.
   * @returns undefined when there is no run under the id.
   */
  async listing(runId: string): Promise<Exclude<RunListing, { status: 'unreadable' }> | undefined> {
    const read = await this.objects.read(runId, MANIFEST);
    if (read !== undefined) {
      const manifest = decodeRunManifest(read.text, this.objects.where(runId, MANIFEST), runId);
      return { runId: manifest.runId, createdAt: manifest.createdAt, status: manifest.status };
    }
    const whole = await this.objects.read(runId, LEGACY_RECORD);
    if (whole !== undefined) {
      const record = decodeRunRecord(whole.text, this.objects.where(runId, LEGACY_RECORD), runId);
      return { runId: record.runId, createdAt: record.createdAt, status: record.status };
    }
    const skipped = await this.objects.read(runId, SKIP_NOTE);
    if (skipped === undefined) return undefined;
    const note = decodeRunSkipNote(skipped.text, this.objects.where(runId, SKIP_NOTE), runId);
    return { runId: note.runId, createdAt: note.createdAt, status: note.status, reason: note.reason };
  }

  /**
   * Keeps a skip note under its run id: created only when there is none, and not at all beside a
   * run (a retried invocation that finds the run resumes it instead).
   */
  async putSkipNote(note: RunSkipNote): Promise<void> {
    const run = (await this.objects.read(note.runId, MANIFEST)) ?? (await this.objects.read(note.runId, LEGACY_RECORD));
    if (run !== undefined) return;
    // A refused create means a note is there already (a retried invocation): it says the same.
    await this.objects.write(note.runId, SKIP_NOTE, `${JSON.stringify(note)}\n`, undefined);
  }

  /**
   * The run's manifest, validated, and a reader of the shards it lists, one at a time, each
   * validated (its text must hash to what the manifest lists) when it is reached.
   * @returns undefined when the run has no manifest (none under the id, or a whole record).
   */
  async readShards(runId: string): Promise<ShardedRun | undefined> {
    const read = await this.objects.read(runId, MANIFEST);
    if (read === undefined) return undefined;
    const where = this.objects.where(runId, MANIFEST);
    const manifest = decodeRunManifest(read.text, where, runId);
    const shard = (entry: StoredRunShardEntry) => this.shard(runId, entry);
    const objects = this.objects;
    return {
      manifest,
      async *shards() {
        for (const entry of manifest.shards) {
          const found = await shard(entry);
          if (found instanceof MissingShard) {
            throw new RunRecordInvalidError(runId, objects.where(runId, found.name), [
              {
                path: '',
                message: `is listed by ${where}, but there is no such object: a later write replaced it, so read the run again`,
              },
            ]);
          }
          yield found;
        }
      },
    };
  }

  /**
   * Writes the manifest of a new run that has no shard yet (revision 1), only if the run id has no
   * record (neither a manifest nor a whole record). Its plan groups, when it has any, are written
   * first, each under its own name and hash, and the manifest lists them: a writer that dies before
   * the manifest leaves no run (a begin repeated writes them again, or finds them written).
   * @throws RunStoreConflictError when it has one.
   */
  async create(manifest: RunManifest, groups: readonly RunPlanGroup[] = []): Promise<StoredRunManifest> {
    const { runId } = manifest;
    if ((await this.objects.read(runId, LEGACY_RECORD)) !== undefined) {
      throw new RunStoreConflictError(runId, this.objects.where(runId, LEGACY_RECORD));
    }
    if (manifest.shards.length > 0) throw new TypeError(`A new run's manifest lists no shard (run ${runId})`);
    const planning = manifest.planning;
    if ((planning === undefined) !== (groups.length === 0) || (planning && planning.groups.length > 0)) {
      throw new TypeError(
        `A new run's manifest has \`planning\` with no group listed exactly when plan groups are given (run ${runId})`,
      );
    }
    const entries = await Promise.all(
      groups.map((g, i) =>
        this.limit(async (): Promise<RunPlanGroupEntry> => {
          if (g.runId !== runId || g.group !== i)
            throw new TypeError(`Plan group ${i} of run ${runId} is not numbered ${i}`);
          const text = encodeRunDocument(g);
          const entry = { accounts: g.accountIds.length, sha256: sha256Of(text) };
          await this.createShard(runId, planGroupObject(i, entry), text);
          return entry;
        }),
      ),
    );
    const stored: StoredRunManifest = {
      ...manifest,
      ...(planning === undefined ? {} : { planning: { ...planning, groups: entries } }),
      revision: 1,
      shards: [],
    };
    const written = await this.objects.write(runId, MANIFEST, encodeRunDocument(stored), undefined);
    if (!written.ok) {
      throw new RunStoreConflictError(runId, this.objects.where(runId, MANIFEST), { cause: written.cause });
    }
    this.seen.delete(runId);
    return stored;
  }

  /** Plan group `group` of a run still planning, validated (it must hash to its entry in the manifest). */
  async readPlanGroup(runId: string, group: number, entry: RunPlanGroupEntry): Promise<RunPlanGroup> {
    const name = planGroupObject(group, entry);
    const read = await this.objects.read(runId, name);
    if (read === undefined) {
      throw new RunRecordInvalidError(runId, this.objects.where(runId, name), [
        { path: '', message: `is listed by the manifest as plan group ${group}, but there is no such object` },
      ]);
    }
    return decodeRunPlanGroup(read.text, this.objects.where(runId, name), runId, group, entry.sha256);
  }

  /** The run's manifest, validated; undefined when it has none. */
  async manifest(runId: string): Promise<StoredRunManifest | undefined> {
    return (await this.readManifest(runId))?.manifest;
  }

  private async readManifest(
    runId: string,
  ): Promise<{ readonly manifest: StoredRunManifest; readonly version: string } | undefined> {
    const read = await this.objects.read(runId, MANIFEST);
    if (read === undefined) return undefined;
    return {
      manifest: decodeRunManifest(read.text, this.objects.where(runId, MANIFEST), runId),
      version: read.version,
    };
  }

  /** One shard the manifest lists, validated (it must hash to its entry). */
  async readShard(runId: string, entry: StoredRunShardEntry): Promise<RunShard> {
    const found = await this.shard(runId, entry);
    if (found instanceof MissingShard) {
      throw new RunRecordInvalidError(runId, this.objects.where(runId, found.name), [
        {
          path: '',
          message:
            'is listed by the manifest, but there is no such object: a later write replaced it, so read the run again',
        },
      ]);
    }
    return found;
  }

  /**
   * Writes the new shard objects of `commit`, then the manifest conditionally, reading it again and
   * applying the change again when another writer wrote it first; then deletes the shard objects
   * the new manifest no longer lists. A shard changed by another writer since its `base` (or added,
   * when it has none) is a conflict: nothing of this commit becomes the run's.
   * @throws RunStoreConflictError on a conflict, or when the manifest kept changing.
   */
  async commitShards(runId: string, commit: ShardCommit): Promise<StoredRunManifest> {
    const first = await this.readManifest(runId);
    if (first === undefined) throw new RunStoreConflictError(runId, this.objects.where(runId, MANIFEST));
    const revision = first.manifest.revision + 1;
    const written = commit.shards.map(({ shard, base }) => {
      const text = encodeRunDocument(shard);
      const sha256 = sha256Of(text);
      const locations = shard.locations.map((l) => l.accountId);
      const entry: StoredRunShardEntry = {
        id: shard.id,
        firstAccountId: locations[0] ?? '',
        lastAccountId: locations[locations.length - 1] ?? '',
        accounts: new Set(locations).size,
        locations: locations.length,
        revision: base?.sha256 === sha256 ? base.revision : revision,
        sha256,
      };
      return { entry, base, text, unchanged: base?.sha256 === sha256 };
    });
    await Promise.all(
      written
        .filter((w) => !w.unchanged)
        .map((w) => this.limit(() => this.createShard(runId, shardObject(w.entry), w.text))),
    );
    let read = first;
    let replaced: readonly StoredRunShardEntry[] = [];
    const created = written.filter((w) => !w.unchanged).map((w) => shardObject(w.entry));
    const stored = await this.retryCommit(runId, created, () =>
      pRetry(
        async () => {
          const manifest = read.manifest;
          const byId = new Map(manifest.shards.map((e) => [e.id, e]));
          for (const { entry, base } of written) {
            const current = byId.get(entry.id);
            const same =
              base === undefined
                ? current === undefined
                : current?.revision === base.revision && current.sha256 === base.sha256;
            if (!same) {
              throw new AbortError(new RunStoreConflictError(runId, this.objects.where(runId, shardObject(entry))));
            }
          }
          replaced = written.flatMap(({ base }) => (base === undefined ? [] : [base]));
          for (const { entry } of written) byId.set(entry.id, entry);
          const shards = [...byId.values()].sort((a, b) => a.id - b.id);
          const next: StoredRunManifest = {
            ...commit.change({ ...manifest, shards }),
            shards,
            revision: manifest.revision + 1,
          };
          const result = await this.objects.write(runId, MANIFEST, encodeRunDocument(next), read.version);
          if (result.ok) return next;
          const again = await this.readManifest(runId);
          if (again === undefined)
            throw new AbortError(new RunStoreConflictError(runId, this.objects.where(runId, MANIFEST)));
          read = again;
          throw new RunStoreConflictError(runId, this.objects.where(runId, MANIFEST), { cause: result.cause });
        },
        { ...COMMIT_RETRIES, shouldRetry: ({ error }) => error instanceof RunStoreConflictError },
      ),
    );
    this.seen.delete(runId);
    const kept = new Set(stored.shards.map(shardObject));
    // The commit that planned the last group ends the plan groups' use: they are only storage now.
    const planned = first.manifest.planning !== undefined && stored.planning === undefined;
    const groups = planned && first.manifest.planning ? storedPlanGroups(first.manifest.planning) : [];
    await Promise.all(
      [...replaced.map(shardObject).filter((name) => !kept.has(name)), ...groups].map((name) =>
        this.limit(() => this.objects.remove(runId, name).catch(() => undefined)),
      ),
    );
    return stored;
  }

  /**
   * Runs a commit; when it fails, deletes the shard objects it created, unless the manifest lists
   * them after all (a write that succeeded though its answer was lost): a lost commit leaves no
   * object behind.
   */
  private async retryCommit(
    runId: string,
    created: readonly string[],
    commit: () => Promise<StoredRunManifest>,
  ): Promise<StoredRunManifest> {
    try {
      return await commit();
    } catch (error) {
      const listed = new Set((await this.manifest(runId).catch(() => undefined))?.shards.map(shardObject) ?? created);
      await Promise.all(
        created
          .filter((name) => !listed.has(name))
          .map((name) => this.limit(() => this.objects.remove(runId, name).catch(() => undefined))),
      );
      throw error;
    }
  }

  private async shard(runId: string, entry: StoredRunShardEntry): Promise<RunShard | MissingShard> {
    const name = shardObject(entry);
    const read = await this.objects.read(runId, name);
    if (read === undefined) return new MissingShard(name);
    return decodeRunShard(read.text, this.objects.where(runId, name), runId, entry.id, entry.sha256);
  }

  private async getWholeRecord(runId: string): Promise<RunRecord | undefined> {
    const read = await this.objects.read(runId, LEGACY_RECORD);
    if (read === undefined) {
      this.seen.delete(runId);
      return undefined;
    }
    const record = decodeRunRecord(read.text, this.objects.where(runId, LEGACY_RECORD), runId);
    this.seen.set(runId, { kind: 'record', version: read.version });
    return record;
  }
}
