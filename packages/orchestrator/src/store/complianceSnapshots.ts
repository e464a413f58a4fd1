import {
  assembleComplianceSnapshot,
  type ComplianceManifest,
  type ComplianceShard,
  type ComplianceSnapshot,
  type ComplianceSnapshotListing,
  type ComplianceSnapshotWriter,
  type ComplianceStore,
  parseComplianceManifest,
  parseComplianceShard,
  type StoredComplianceSnapshot,
  StoredDocumentError,
  splitComplianceSnapshot,
  type ValidationIssue,
} from '@orgpatch/core';
import pLimit from 'p-limit';
import { ComplianceSnapshotInvalidError, RunStoreError } from '../errors.js';
import { assertRunId, isRunId } from './runId.js';
import { sha256Of } from './storedDocuments.js';

/**
 * How a store keeps a snapshot's objects: `<snapshot-id>/manifest.json` and
 * `<snapshot-id>/shards/NNNNN.json`, each created once and never replaced.
 */
export interface SnapshotObjects {
  /** Where an object is (a path or an s3:// URL), for messages. */
  where(snapshotId: string, name: string): string;
  read(snapshotId: string, name: string): Promise<string | undefined>;
  /** Creates the object; false when one is already there (nothing is replaced). */
  create(snapshotId: string, name: string, text: string): Promise<boolean>;
  /** The snapshot ids that have objects. */
  listIds(): Promise<readonly string[]>;
}

const MANIFEST = 'manifest.json';
const shardName = (id: number): string => `shards/${String(id).padStart(5, '0')}.json`;

/**
 * Compliance snapshots kept as a manifest and shards of nodes (one shard per 250 accounts), so no
 * stored document grows with the whole Organization. Shards are written first, the manifest, which
 * lists each shard's SHA-256, last: a snapshot is there once its manifest is. Every read validates
 * the manifest, each shard's hash and shape (core's schemas), and that each names the snapshot.
 */
export class ComplianceSnapshots implements ComplianceStore {
  constructor(private readonly objects: SnapshotObjects) {}

  async putSnapshot(snapshot: ComplianceSnapshot): Promise<string> {
    const writer = await this.openSnapshot(snapshot.snapshotId);
    const { manifest, shards } = splitComplianceSnapshot(snapshot);
    for (const shard of shards) await writer.addShard(shard.nodes);
    return writer.finish(manifest);
  }

  async openSnapshot(snapshotId: string): Promise<ComplianceSnapshotWriter> {
    const id = snapshotId;
    assertRunId(id);
    const refuse = () =>
      new RunStoreError(
        `A compliance snapshot is already stored as ${this.objects.where(id, MANIFEST)}: snapshots are never replaced; take it again under a new id.`,
      );
    if ((await this.objects.read(id, MANIFEST)) !== undefined) throw refuse();
    const entries: ComplianceManifest['shards'][number][] = [];
    let finished = false;
    return {
      addShard: async (nodes) => {
        if (finished) throw new RunStoreError(`Compliance snapshot ${id} is already written: no shard can be added.`);
        const first = nodes[0];
        const last = nodes[nodes.length - 1];
        if (first === undefined || last === undefined) return;
        const shard: ComplianceShard = { schemaVersion: 1, snapshotId: id, id: entries.length, nodes };
        const text = `${JSON.stringify(shard)}\n`;
        // A shard left by a crashed writer of the same id is not listed by any manifest: replace-free, so refuse.
        if (!(await this.objects.create(id, shardName(shard.id), text))) throw refuse();
        entries.push({
          id: shard.id,
          firstAccountId: first.accountId,
          lastAccountId: last.accountId,
          nodes: nodes.length,
          sha256: sha256Of(text),
        });
      },
      finish: async (head) => {
        finished = true;
        if (head.snapshotId !== id) {
          throw new RunStoreError(
            `Compliance snapshot ${id} cannot be finished with the manifest of ${head.snapshotId}.`,
          );
        }
        if (!(await this.objects.create(id, MANIFEST, `${JSON.stringify({ ...head, shards: entries })}\n`))) {
          throw refuse();
        }
        return this.objects.where(id, MANIFEST);
      },
    };
  }

  async readSnapshot(snapshotId: string): Promise<StoredComplianceSnapshot | undefined> {
    assertRunId(snapshotId);
    const manifest = await this.manifest(snapshotId);
    if (manifest === undefined) return undefined;
    const shard = (entry: ComplianceManifest['shards'][number]) => this.shard(snapshotId, entry);
    return {
      manifest,
      async *shards() {
        for (const entry of manifest.shards) yield await shard(entry);
      },
    };
  }

  async getSnapshot(snapshotId: string): Promise<ComplianceSnapshot | undefined> {
    assertRunId(snapshotId);
    const manifest = await this.manifest(snapshotId);
    if (manifest === undefined) return undefined;
    const limit = pLimit(8);
    const shards = await Promise.all(manifest.shards.map((entry) => limit(() => this.shard(snapshotId, entry))));
    return assembleComplianceSnapshot(manifest, shards);
  }

  async listSnapshots(): Promise<readonly ComplianceSnapshotListing[]> {
    const ids = (await this.objects.listIds()).filter(isRunId);
    const limit = pLimit(8);
    const listed = await Promise.all(
      ids.map((snapshotId) =>
        limit(async (): Promise<ComplianceSnapshotListing | undefined> => {
          try {
            const m = await this.manifest(snapshotId);
            if (m === undefined) return undefined;
            return {
              snapshotId,
              takenAt: m.takenAt,
              ...(m.organization.organizationId ? { organizationId: m.organization.organizationId } : {}),
              ...(m.runId ? { runId: m.runId } : {}),
            };
          } catch (error) {
            return { snapshotId, unreadable: (error as Error).message.split('\n')[0] ?? 'unreadable' };
          }
        }),
      ),
    );
    return listed
      .filter((l): l is ComplianceSnapshotListing => l !== undefined)
      .sort((a, b) => ('takenAt' in a ? a.takenAt : '').localeCompare('takenAt' in b ? b.takenAt : ''));
  }

  private async manifest(snapshotId: string): Promise<ComplianceManifest | undefined> {
    const source = this.objects.where(snapshotId, MANIFEST);
    const text = await this.objects.read(snapshotId, MANIFEST);
    if (text === undefined) return undefined;
    return decode(snapshotId, source, text, (value) => parseComplianceManifest(value, source, { snapshotId }));
  }

  private async shard(snapshotId: string, entry: ComplianceManifest['shards'][number]): Promise<ComplianceShard> {
    const name = shardName(entry.id);
    const source = this.objects.where(snapshotId, name);
    const text = await this.objects.read(snapshotId, name);
    if (text === undefined) {
      throw new ComplianceSnapshotInvalidError(snapshotId, source, [
        { path: '', message: 'is missing, but the manifest lists it' },
      ]);
    }
    const actual = sha256Of(text);
    if (actual !== entry.sha256) {
      throw new ComplianceSnapshotInvalidError(snapshotId, source, [
        {
          path: '',
          message: `its SHA-256 is ${actual}, but the manifest lists ${entry.sha256}`,
          hint: 'a shard is never changed once written: it was edited or damaged',
        },
      ]);
    }
    return decode(snapshotId, source, text, (value) =>
      parseComplianceShard(value, source, { snapshotId, id: entry.id, nodes: entry.nodes }),
    );
  }
}

/** `text` parsed as JSON and validated by `parse`; any problem becomes one error naming `source`. */
function decode<T>(snapshotId: string, source: string, text: string, parse: (value: unknown) => T): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const issue: ValidationIssue = { path: '', message: `not valid JSON: ${(error as Error).message}` };
    throw new ComplianceSnapshotInvalidError(snapshotId, source, [issue], { cause: error });
  }
  try {
    return parse(value);
  } catch (error) {
    if (error instanceof StoredDocumentError) {
      throw new ComplianceSnapshotInvalidError(snapshotId, source, error.issues, { cause: error });
    }
    throw error;
  }
}
