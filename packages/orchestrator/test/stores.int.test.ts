import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  applyLocationEvents,
  type LeaseScope,
  type RunRecord,
  type RunStore,
  renderReportCsv,
  renderReportHtml,
  renderReportJson,
  renderReportMarkdown,
} from '@orgpatch/core';
import { type Sandbox, startSandbox } from '@orgpatch/sandbox';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidRunIdError, RunRecordInvalidError, RunStoreConflictError, RunStoreError } from '../src/errors.js';
import { writeReports, writeStoredReports } from '../src/run/reports.js';
import { LocalRunStore } from '../src/store/localRunStore.js';
import { S3RunStore } from '../src/store/s3RunStore.js';
import { MemoryRunStore } from '../src/testing.js';
import { accountIdOf, plannedRunRecord, runRecord } from './runRecordFixture.js';

// The SDK's documented switch for its Node 20 support warning (read when a client is constructed).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const BUCKET = 'orgpatch-runs';
let sandbox: Sandbox;
let s3: S3Client;
beforeAll(async () => {
  sandbox = await startSandbox({ buckets: [BUCKET], timeScale: 0 });
  s3 = new S3Client(sandbox.clientConfig());
});
afterAll(async () => {
  s3.destroy();
  await sandbox.stop();
});

/** One store's storage, fresh for each test, and ways to reach it around the store. */
interface Storage {
  /** A new store instance on this storage: another orgpatch process. */
  open(): RunStore;
  /** Stores `text` as the object `name` of run `runId` (its whole record by default), bypassing the store (a hand edit, a damaged file). */
  writeRaw(runId: string, text: string, name?: string): Promise<void>;
  /** The text of the object `name` of run `runId`, bypassing the store. */
  readRaw(runId: string, name: string): Promise<string | undefined>;
  /** The text of the artifact `name` (report.json, ...) of run `runId`, bypassing the store. */
  readArtifact(runId: string, name: string): Promise<string | undefined>;
  /** Deletes the object `name` of run `runId`, bypassing the store. */
  removeRaw(runId: string, name: string): Promise<void>;
  /** The names of run `runId`'s objects (`manifest.json`, `shards/0-1-....json`), sorted. */
  names(runId: string): Promise<string[]>;
  /** The names of run `runId`'s objects written while `action` ran, sorted. */
  writesDuring(runId: string, action: () => Promise<unknown>): Promise<string[]>;
  /** Where the object `name` of run `runId` is (its whole record by default), as the store's errors name it. */
  where(runId: string, name?: string): string;
  dispose(): Promise<void>;
}

/** Every file under `dir` (dot files, the locks and temporary files, aside), by relative name: inode and mtime. */
async function files(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path);
    out.set(relative(dir, path), `${info.ino}:${info.mtimeMs}`);
  }
  return out;
}

const kinds: [string, () => Promise<Storage>][] = [
  [
    'LocalRunStore',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'orgpatch-store-'));
      const file = (runId: string, name = 'record.json') => join(dir, runId, name);
      return {
        open: () => new LocalRunStore(dir),
        writeRaw: async (runId, text, name) => {
          await mkdir(dirname(file(runId, name)), { recursive: true });
          await writeFile(file(runId, name), text);
        },
        readRaw: (runId, name) => readFile(file(runId, name), 'utf8').catch(() => undefined),
        readArtifact: (runId, name) => readFile(file(runId, name), 'utf8').catch(() => undefined),
        removeRaw: (runId, name) => rm(file(runId, name)),
        names: async (runId) => [...(await files(join(dir, runId))).keys()].sort(),
        writesDuring: async (runId, action) => {
          const before = await files(join(dir, runId));
          await action();
          const after = await files(join(dir, runId));
          return [...after].flatMap(([name, id]) => (before.get(name) === id ? [] : [name])).sort();
        },
        where: file,
        dispose: () => rm(dir, { recursive: true, force: true }),
      };
    },
  ],
  [
    'S3RunStore',
    async () => {
      // A root of its own per test: the bucket outlives the test.
      const root = `t-${Math.random().toString(36).slice(2, 10)}/`;
      const key = (runId: string, name = 'record.json') => `${root}runs/${runId}/${name}`;
      // The keys the stores put, to say which objects were written (the sandbox's log counts them).
      const putKeys: string[] = [];
      const client = new S3Client(sandbox.clientConfig());
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'PutObjectCommand') putKeys.push(String((args.input as { Key?: string }).Key));
          return next(args);
        },
        { step: 'initialize', name: 'putKeys' },
      );
      return {
        open: () => new S3RunStore({ client, bucket: BUCKET, root }),
        writeRaw: async (runId, text, name) => {
          await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key(runId, name), Body: text }));
        },
        readRaw: async (runId, name) => {
          const out = await s3
            .send(new GetObjectCommand({ Bucket: BUCKET, Key: key(runId, name) }))
            .catch(() => undefined);
          return out?.Body?.transformToString('utf-8');
        },
        readArtifact: async (runId, name) => {
          const out = await s3
            .send(new GetObjectCommand({ Bucket: BUCKET, Key: key(runId, name) }))
            .catch(() => undefined);
          return out?.Body?.transformToString('utf-8');
        },
        removeRaw: async (runId, name) => {
          await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key(runId, name) }));
        },
        names: async (runId) => (await listKeys(key(runId, ''))).map((k) => k.slice(key(runId, '').length)),
        writesDuring: async (runId, action) => {
          putKeys.length = 0;
          sandbox.calls.reset();
          await action();
          expect(sandbox.calls.count({ service: 's3', operation: 'PutObject', ok: true })).toBe(putKeys.length);
          const prefix = key(runId, '');
          return putKeys.flatMap((k) => (k.startsWith(prefix) ? [k.slice(prefix.length)] : [])).sort();
        },
        where: (runId, name) => `s3://${BUCKET}/${key(runId, name)}`,
        dispose: async () => client.destroy(),
      };
    },
  ],
  [
    'MemoryRunStore',
    async () => {
      const first = new MemoryRunStore();
      const opened: MemoryRunStore[] = [];
      const key = (runId: string, name = 'record.json') => `${runId}/${name}`;
      return {
        open: () => {
          const store = new MemoryRunStore(first);
          opened.push(store);
          return store;
        },
        writeRaw: async (runId, text, name) => {
          first.objects.set(key(runId, name), text);
        },
        readRaw: async (runId, name) => first.objects.get(key(runId, name)),
        readArtifact: async (runId, name) => first.artifacts.get(key(runId, name)),
        removeRaw: async (runId, name) => {
          first.objects.delete(key(runId, name));
        },
        names: async (runId) =>
          [...first.objects.keys()]
            .flatMap((k) => (k.startsWith(key(runId, '')) ? [k.slice(key(runId, '').length)] : []))
            .sort(),
        writesDuring: async (runId, action) => {
          const before = opened.map((s) => s.written.length);
          await action();
          return opened
            .flatMap((s, i) => s.written.slice(before[i] ?? 0))
            .flatMap((k) => (k.startsWith(key(runId, '')) ? [k.slice(key(runId, '').length)] : []))
            .sort();
        },
        where: (runId, name) => `memory://${key(runId, name)}`,
        dispose: async () => undefined,
      };
    },
  ],
];

/** The record with a start recorded as intended in `accountId`'s first location. */
function changeOneLocation(record: RunRecord, accountId: string): RunRecord {
  const location = record.locations.find((l) => l.accountId === accountId)!;
  return applyLocationEvents(
    record,
    [
      {
        kind: 'start-intended',
        location,
        intents: [
          { group: 'WebServers', clientToken: `token-${accountId}`, recordedAt: at(1).toISOString(), attempts: 0 },
        ],
      },
    ],
    at(1),
  );
}

const scope: LeaseScope = { key: 'org-o-ab12cd34ef', description: 'the Organization o-ab12cd34ef' };
const at = (minute: number): Date => new Date(Date.UTC(2026, 10, 28, 12, minute));

describe.each(kinds)('%s', (_name, create) => {
  let storage: Storage;
  beforeEach(async () => {
    storage = await create();
  });
  afterEach(async () => {
    await storage.dispose();
  });

  describe('records', () => {
    it('writes a record and reads it back as it was', async () => {
      const store = storage.open();
      const record = runRecord('20261128-120000-aaaaaa');
      await store.put(record);
      expect(await store.get('20261128-120000-aaaaaa')).toEqual(record);
      expect(await storage.open().get('20261128-120000-aaaaaa')).toEqual(record);
      expect(await store.get('20261128-120000-bbbbbb')).toBeUndefined();
    });

    it('lets one of two processes creating the same run win; the other gets RunStoreConflictError', async () => {
      const a = storage.open();
      const b = storage.open();
      const results = await Promise.allSettled([
        a.put(runRecord('r1', 'running')),
        b.put({ ...runRecord('r1', 'running'), snapshotId: 'from-b' }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]).toBeInstanceOf(RunStoreConflictError);
      expect(lost[0]).toBeInstanceOf(RunStoreError);
      expect((lost[0] as Error).message).toMatch(/Run r1 was not written .*another orgpatch process is writing it/);
      const winner = results[0]?.status === 'fulfilled' ? 'a' : 'b';
      expect((await storage.open().get('r1'))?.snapshotId).toBe(winner === 'a' ? runRecord('r1').snapshotId : 'from-b');
    });

    it('refuses to replace a record changed since this process read it, until it reads it again', async () => {
      const a = storage.open();
      const b = storage.open();
      await a.put(runRecord('r1', 'planned'));
      const seen = await b.get('r1');
      await a.put(runRecord('r1', 'running'));
      await expect(b.put({ ...seen!, status: 'halted' })).rejects.toBeInstanceOf(RunStoreConflictError);
      expect((await a.get('r1'))?.status).toBe('running');
      const fresh = await b.get('r1');
      await b.put({ ...fresh!, status: 'halted' });
      expect((await storage.open().get('r1'))?.status).toBe('halted');
      // a has not read b's write: its next write is refused too.
      await expect(a.put(runRecord('r1', 'failed'))).rejects.toBeInstanceOf(RunStoreConflictError);
    });

    it('never overwrites a run it has not seen: creating over an existing record is a conflict', async () => {
      await storage.open().put(runRecord('r1', 'running'));
      await expect(storage.open().put(runRecord('r1', 'succeeded'))).rejects.toBeInstanceOf(RunStoreConflictError);
      expect((await storage.open().get('r1'))?.status).toBe('running');
    });

    it("orders one process's own writes to a run, each replacing the one before", async () => {
      const store = storage.open();
      await Promise.all(
        (['planned', 'running', 'succeeded'] as const).map((status) => store.put(runRecord('r1', status))),
      );
      expect((await storage.open().get('r1'))?.status).toBe('succeeded');
    });

    it.each([
      ['an empty object', '{}', /schemaVersion: /],
      ['a list', '[]', /\(root\): /],
      ['locations: null', () => JSON.stringify({ ...runRecord('r1'), locations: null }), /- locations: .*null/],
      ['invalid JSON', '{"runId": "r1",', /\(root\): not valid JSON/],
      ['an unknown field', () => JSON.stringify({ ...runRecord('r1'), extra: 1 }), /extra/],
    ])('refuses a corrupt record (%s) with RunRecordInvalidError naming it', async (_what, text, problem) => {
      await storage.writeRaw('r1', typeof text === 'function' ? text() : text);
      const attempt = storage.open().get('r1');
      await expect(attempt).rejects.toBeInstanceOf(RunRecordInvalidError);
      await expect(attempt).rejects.toBeInstanceOf(RunStoreError);
      const error = (await attempt.catch((e: unknown) => e)) as RunRecordInvalidError;
      expect(error.message).toContain(`Run record ${storage.where('r1')} cannot be used`);
      expect(error.message).toMatch(problem);
      expect(error.runId).toBe('r1');
    });

    it('refuses a record that claims another run id than the one it is stored under', async () => {
      await storage.writeRaw('r1', JSON.stringify(runRecord('../../etc')));
      const error = await storage
        .open()
        .get('r1')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RunRecordInvalidError);
      expect((error as Error).message).toMatch(/runId: is "\.\.\/\.\.\/etc", but the record was read as run "r1"/);
    });

    it('refuses a record whose request is not what its own payload means', async () => {
      const record = runRecord('r1');
      const tampered = { ...record, request: { ...record.request, resourceGroups: ['Everything'] } };
      await storage.writeRaw('r1', JSON.stringify(tampered));
      await expect(storage.open().get('r1')).rejects.toThrow(/request\.resourceGroups\[0\]: differs/);
    });

    it('refuses run ids that would leave the store', async () => {
      const store = storage.open();
      await expect(store.get('../etc')).rejects.toBeInstanceOf(InvalidRunIdError);
      await expect(store.put(runRecord('../etc'))).rejects.toBeInstanceOf(InvalidRunIdError);
    });
  });

  describe('manifest and shards', () => {
    // 250 accounts in 2 Regions: shards of 100, 100 and 50 accounts.
    const planned = () => plannedRunRecord('r1', 250);
    const shardNames = (names: readonly string[]) => names.filter((n) => n.startsWith('shards/'));

    it('lists runs from their manifests (or whole records) alone, without reading a shard', async () => {
      const store = storage.open();
      await store.put(planned());
      await store.put({ ...plannedRunRecord('r2', 120), status: 'succeeded' });
      await storage.writeRaw('r0', JSON.stringify(runRecord('r0', 'failed')));
      // With every shard gone, a listing that read one would list the run as unreadable.
      for (const runId of ['r1', 'r2']) {
        for (const name of shardNames(await storage.names(runId))) await storage.removeRaw(runId, name);
      }
      expect(await storage.open().list()).toEqual([
        { runId: 'r0', createdAt: '2026-11-28T12:00:00.000Z', status: 'failed' },
        { runId: 'r1', createdAt: '2026-11-28T12:00:00.000Z', status: 'planned' },
        { runId: 'r2', createdAt: '2026-11-28T12:00:00.000Z', status: 'succeeded' },
      ]);
    });

    it('writes every report from the shards, one at a time, as the whole record renders them', async () => {
      const store = storage.open();
      const record = changeOneLocation(changeOneLocation(planned(), accountIdOf(0)), accountIdOf(220));
      await store.put(record);
      const chunked = vi.spyOn(store as Required<RunStore>, 'putArtifactChunks');
      const whole = vi.spyOn(store, 'get');
      const written = await writeReports(record, store);
      expect(chunked.mock.calls.map((c) => c[1]).sort()).toEqual([
        'report.csv',
        'report.html',
        'report.json',
        'report.md',
      ]);
      expect(whole).not.toHaveBeenCalled();
      // The same run as read back whole (its objects' keys in the stored order), rendered whole.
      const stored = (await storage.open().get('r1'))!;
      expect(stored).toEqual(record);
      const json = (await storage.readArtifact('r1', 'report.json'))!;
      expect(json).toBe(renderReportJson(stored));
      expect(JSON.parse(json).record).toEqual(record);
      expect(await storage.readArtifact('r1', 'report.csv')).toBe(renderReportCsv(stored));
      expect(await storage.readArtifact('r1', 'report.md')).toBe(renderReportMarkdown(stored));
      expect(await storage.readArtifact('r1', 'report.html')).toBe(renderReportHtml(stored));
      expect(Object.keys(written).sort()).toEqual(['csv', 'html', 'json', 'md']);
    });

    it('writes a stored run by its id alone: from the shards, or from a record written whole', async () => {
      const store = storage.open();
      const record = changeOneLocation(planned(), accountIdOf(120));
      await store.put(record);
      const whole = vi.spyOn(store, 'get');
      await writeStoredReports('r1', store);
      expect(whole).not.toHaveBeenCalled();
      // The same run as read back whole (its objects' keys in the stored order), rendered whole.
      const stored = (await storage.open().get('r1'))!;
      expect(await storage.readArtifact('r1', 'report.html')).toBe(renderReportHtml(stored));
      expect(await storage.readArtifact('r1', 'report.json')).toBe(renderReportJson(stored));
      const legacy = runRecord('r0', 'succeeded');
      await storage.writeRaw('r0', JSON.stringify(legacy));
      await writeStoredReports('r0', storage.open());
      expect(await storage.readArtifact('r0', 'report.md')).toBe(renderReportMarkdown(legacy));
      await expect(writeStoredReports('r9', storage.open())).rejects.toThrow(/Run r9 was not found/);
    });

    it('writes the reports of a run kept as a whole record from the record', async () => {
      const record = { ...runRecord('r0', 'succeeded') };
      await storage.writeRaw('r0', JSON.stringify(record));
      const store = storage.open();
      const chunked = vi.spyOn(store as Required<RunStore>, 'putArtifactChunks');
      await writeReports(record, store);
      expect(chunked).not.toHaveBeenCalled();
      expect(await storage.readArtifact('r0', 'report.json')).toBe(renderReportJson(record));
      expect(await storage.readArtifact('r0', 'report.csv')).toBe(renderReportCsv(record));
    });

    it('writes a run as a manifest and shards, and rewrites only the shard that changed and the manifest', async () => {
      const store = storage.open();
      const first = await storage.writesDuring('r1', () => store.put(planned()));
      expect(first).toEqual([
        'manifest.json',
        expect.stringMatching(/^shards\/0-1-[0-9a-f]{16}\.json$/),
        expect.stringMatching(/^shards\/1-1-[0-9a-f]{16}\.json$/),
        expect.stringMatching(/^shards\/2-1-[0-9a-f]{16}\.json$/),
      ]);
      const before = await storage.names('r1');
      const changed = changeOneLocation((await store.get('r1'))!, accountIdOf(150));
      const second = await storage.writesDuring('r1', () => store.put(changed));
      expect(second).toEqual(['manifest.json', expect.stringMatching(/^shards\/1-2-[0-9a-f]{16}\.json$/)]);
      // The old version of shard 1 is gone; shards 0 and 2 are the objects written first.
      const after = await storage.names('r1');
      expect(shardNames(after)).toEqual(
        [...shardNames(before).filter((n) => !n.startsWith('shards/1-')), second[1]].sort(),
      );
      expect(await storage.open().get('r1')).toEqual(changed);
      // Nothing changed: only the manifest is written again, whether the shards are the objects the
      // store wrote or copies of them (compared by hash).
      expect(await storage.writesDuring('r1', () => store.put(changed))).toEqual(['manifest.json']);
      expect(await storage.writesDuring('r1', () => store.put(structuredClone(changed)))).toEqual(['manifest.json']);
      const copied = changeOneLocation(structuredClone(changed), accountIdOf(0));
      expect(await storage.writesDuring('r1', () => store.put(copied))).toEqual([
        'manifest.json',
        expect.stringMatching(/^shards\/0-5-[0-9a-f]{16}\.json$/),
      ]);
    });

    it('reads a run written whole (record.json), lists it, and moves it to a manifest and shards at its next write', async () => {
      const legacy = planned();
      await storage.writeRaw('r1', JSON.stringify(legacy, null, 2));
      const store = storage.open();
      expect(await store.get('r1')).toEqual(legacy);
      expect(await storage.open().list()).toEqual([{ runId: 'r1', createdAt: legacy.createdAt, status: 'planned' }]);
      const stale = storage.open();
      await stale.get('r1');
      const changed = changeOneLocation(legacy, accountIdOf(7));
      await store.put(changed);
      const names = await storage.names('r1');
      expect(names).not.toContain('record.json');
      expect(names.filter((n) => n === 'manifest.json' || n.startsWith('shards/'))).toHaveLength(4);
      expect(await storage.open().get('r1')).toEqual(changed);
      // Another process that read the whole record must read the run again before writing it.
      await expect(stale.put({ ...legacy, status: 'halted' })).rejects.toBeInstanceOf(RunStoreConflictError);
      expect(await storage.open().get('r1')).toEqual(changed);
    });

    it('says so when record.json changed while the run was moved to a manifest (an older orgpatch writing it)', async () => {
      await storage.writeRaw('r1', JSON.stringify(planned()));
      const store = storage.open();
      await store.get('r1');
      await storage.writeRaw('r1', JSON.stringify({ ...planned(), status: 'halted' }));
      await expect(store.put(changeOneLocation(planned(), accountIdOf(3)))).rejects.toThrow(
        /Run r1 was moved to .*manifest\.json, but .*record\.json changed meanwhile: an orgpatch older than the manifest layout/,
      );
      expect(await storage.open().get('r1')).toEqual(changeOneLocation(planned(), accountIdOf(3)));
    });

    it('never creates a run over a whole record it has not read', async () => {
      await storage.writeRaw('r1', JSON.stringify(runRecord('r1')));
      await expect(storage.open().put(runRecord('r1', 'halted'))).rejects.toBeInstanceOf(RunStoreConflictError);
      expect((await storage.open().get('r1'))?.status).toBe('running');
    });

    it('reads a run whose migration stopped before record.json was removed from its manifest, and removes it', async () => {
      const store = storage.open();
      await store.put(planned());
      await storage.writeRaw('r1', JSON.stringify(runRecord('r1', 'failed')));
      const reader = storage.open();
      expect(await reader.get('r1')).toEqual(planned());
      await reader.put(changeOneLocation(planned(), accountIdOf(0)));
      expect(await storage.names('r1')).not.toContain('record.json');
    });

    it('keeps the run as the winner wrote it when a process that read it earlier writes a changed shard', async () => {
      const a = storage.open();
      const b = storage.open();
      await a.put(planned());
      const seen = (await b.get('r1'))!;
      const byA = changeOneLocation(seen, accountIdOf(10));
      await a.put(byA);
      await expect(b.put(changeOneLocation(seen, accountIdOf(200)))).rejects.toBeInstanceOf(RunStoreConflictError);
      expect(await storage.open().get('r1')).toEqual(byA);
    });

    it('refuses a damaged manifest with RunRecordInvalidError naming it', async () => {
      await storage.open().put(planned());
      const manifest = JSON.parse((await storage.readRaw('r1', 'manifest.json'))!);
      for (const [text, problem] of [
        ['{"schemaVersion": 2,', /\(root\): not valid JSON/],
        [JSON.stringify({ ...manifest, extra: 1 }), /extra/],
        [JSON.stringify({ ...manifest, runId: 'r2' }), /runId: is "r2", but the manifest was read as run "r1"/],
        [
          JSON.stringify({ ...manifest, counts: [{ ...manifest.counts[0], planned: 1 }] }),
          /counts\[0\]\.planned: is 1, but the shards hold 500/,
        ],
      ] as const) {
        await storage.writeRaw('r1', text, 'manifest.json');
        const error = await storage
          .open()
          .get('r1')
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RunRecordInvalidError);
        expect((error as Error).message).toContain(`Run record ${storage.where('r1', 'manifest.json')} cannot be used`);
        expect((error as Error).message).toMatch(problem);
      }
      // A listing reads the manifest alone: it finds what is wrong with the manifest itself.
      await storage.writeRaw('r1', '{"schemaVersion": 2,', 'manifest.json');
      expect(await storage.open().list()).toEqual([
        { runId: 'r1', status: 'unreadable', problem: expect.stringContaining('manifest.json') },
      ]);
    });

    it('refuses a shard that was changed, damaged or removed, naming it', async () => {
      await storage.open().put(planned());
      const shard = shardNames(await storage.names('r1'))[1]!;
      const text = (await storage.readRaw('r1', shard))!;
      const read = async (): Promise<Error> => {
        try {
          await storage.open().get('r1');
        } catch (error) {
          return error as Error;
        }
        throw new Error('the damaged run was read');
      };

      await storage.writeRaw('r1', text.replace('"planned"', '"succeeded"'), shard);
      let error = await read();
      expect(error).toBeInstanceOf(RunRecordInvalidError);
      expect(error.message).toContain(`Run record ${storage.where('r1', shard)} cannot be used`);
      expect(error.message).toMatch(/its SHA-256 is [0-9a-f]{64}, but the manifest lists [0-9a-f]{64}/);

      // Damaged, with the manifest's hash made to match: the shard's own checks name the path.
      const damaged = text.replace('"status":"planned"', '"status":"lost"');
      const manifest = JSON.parse((await storage.readRaw('r1', 'manifest.json'))!);
      const entry = manifest.shards[1];
      entry.sha256 = createHash('sha256').update(damaged).digest('hex');
      const renamed = `shards/1-${entry.revision}-${entry.sha256.slice(0, 16)}.json`;
      await storage.writeRaw('r1', damaged, renamed);
      await storage.writeRaw('r1', JSON.stringify(manifest), 'manifest.json');
      error = await read();
      expect(error.message).toContain(`Run record ${storage.where('r1', renamed)} cannot be used`);
      expect(error.message).toMatch(/- locations\[0\]\.status: /);

      await storage.removeRaw('r1', renamed);
      error = await read();
      expect(error.message).toContain(`Run record ${storage.where('r1', renamed)} cannot be used`);
      expect(error.message).toMatch(/is listed by .*manifest\.json, but there is no such object/);
    });
  });

  describe('in-progress index', () => {
    it('lists the runs that are not finished and not dry runs, and drops a run when it finishes', async () => {
      const store = storage.open();
      await store.put(runRecord('r1', 'running'));
      await store.put(runRecord('r2', 'planned'));
      await store.put(runRecord('r3', 'succeeded'));
      await store.put(runRecord('r4', 'planned', true));
      await store.put(runRecord('r5', 'running'));
      await store.put(runRecord('r5', 'halted'));
      expect(await storage.open().listInProgress()).toEqual(['r1', 'r2']);
      const listed = await store.list();
      expect(listed.map((r) => `${r.runId}:${r.status}`)).toEqual([
        'r1:running',
        'r2:planned',
        'r3:succeeded',
        'r4:planned',
        'r5:halted',
      ]);
      const r1 = await store.get('r1');
      await store.put({ ...r1!, status: 'failed' });
      expect(await storage.open().listInProgress()).toEqual(['r2']);
    });

    it('lists the index without reading a record (a damaged record does not matter to it)', async () => {
      await storage.open().put(runRecord('r1', 'running'));
      await storage.writeRaw('r1', '{oops');
      expect(await storage.open().listInProgress()).toEqual(['r1']);
    });

    it('keeps a run indexed when its finishing write lost to another process', async () => {
      const a = storage.open();
      await a.put(runRecord('r1', 'running'));
      const b = storage.open();
      await b.put({ ...(await b.get('r1'))!, updatedAt: at(5).toISOString() });
      await expect(a.put(runRecord('r1', 'succeeded'))).rejects.toBeInstanceOf(RunStoreConflictError);
      expect(await storage.open().listInProgress()).toEqual(['r1']);
    });
  });

  describe('leases', () => {
    it('grants a free scope, refuses a second run with the holder, and renews for the holder', async () => {
      const store = storage.open();
      const first = await store.acquireLease({ scope, runId: 'run-a', now: at(0), expiresAt: at(15) });
      expect(first).toEqual({
        granted: true,
        lease: { scope, runId: 'run-a', acquiredAt: at(0).toISOString(), expiresAt: at(15).toISOString() },
      });
      const refused = await storage.open().acquireLease({ scope, runId: 'run-b', now: at(1), expiresAt: at(16) });
      expect(refused).toEqual({ granted: false, holder: first.granted ? first.lease : undefined });
      const renewed = await storage.open().acquireLease({ scope, runId: 'run-a', now: at(10), expiresAt: at(25) });
      expect(renewed).toEqual({
        granted: true,
        lease: { scope, runId: 'run-a', acquiredAt: at(0).toISOString(), expiresAt: at(25).toISOString() },
      });
      const stillRefused = await store.acquireLease({ scope, runId: 'run-b', now: at(20), expiresAt: at(35) });
      expect(stillRefused.granted).toBe(false);
    });

    it('lets another run take over an expired lease; the old holder releasing it then does nothing', async () => {
      const store = storage.open();
      await store.acquireLease({ scope, runId: 'run-a', now: at(0), expiresAt: at(15) });
      const takeover = await storage.open().acquireLease({ scope, runId: 'run-b', now: at(15), expiresAt: at(30) });
      expect(takeover).toMatchObject({ granted: true, lease: { runId: 'run-b', acquiredAt: at(15).toISOString() } });
      await store.releaseLease(scope, 'run-a');
      const refused = await store.acquireLease({ scope, runId: 'run-a', now: at(16), expiresAt: at(31) });
      expect(refused).toMatchObject({ granted: false, holder: { runId: 'run-b' } });
    });

    it('frees the scope when the holder releases it', async () => {
      const store = storage.open();
      await store.acquireLease({ scope, runId: 'run-a', now: at(0), expiresAt: at(15) });
      await storage.open().releaseLease(scope, 'run-a');
      const next = await storage.open().acquireLease({ scope, runId: 'run-b', now: at(1), expiresAt: at(16) });
      expect(next).toMatchObject({ granted: true, lease: { runId: 'run-b' } });
      await storage.open().releaseLease({ ...scope, key: 'org-o-other' }, 'run-b');
    });

    it('never grants one scope to two runs asking at once', async () => {
      const results = await Promise.all(
        ['run-a', 'run-b', 'run-c'].map((runId) =>
          storage.open().acquireLease({ scope, runId, now: at(0), expiresAt: at(15) }),
        ),
      );
      const granted = results.filter((r) => r.granted);
      expect(granted).toHaveLength(1);
      const holder = granted[0]?.granted ? granted[0].lease.runId : '';
      for (const r of results) if (!r.granted) expect(r.holder.runId).toBe(holder);
    });

    it('refuses a scope key that is not a safe path segment', async () => {
      const store = storage.open();
      await expect(
        store.acquireLease({ scope: { ...scope, key: '../runs' }, runId: 'run-a', now: at(0), expiresAt: at(15) }),
      ).rejects.toBeInstanceOf(RunStoreError);
      await expect(store.releaseLease({ ...scope, key: 'a/b' }, 'run-a')).rejects.toBeInstanceOf(RunStoreError);
    });
  });
});

describe('S3RunStore on S3', () => {
  it('lists N sharded runs with one GetObject (the manifest) per run and no shard read', async () => {
    const root = 'list-cost/';
    const store = new S3RunStore({ client: s3, bucket: BUCKET, root });
    const runIds = ['r1', 'r2', 'r3', 'r4'];
    // 250 accounts: three shards per run.
    for (const runId of runIds) await store.put(plannedRunRecord(runId, 250));
    const getKeys: string[] = [];
    const client = new S3Client(sandbox.clientConfig());
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetObjectCommand') getKeys.push(String((args.input as { Key?: string }).Key));
        return next(args);
      },
      { step: 'initialize', name: 'getKeys' },
    );
    sandbox.calls.reset();
    const listed = await new S3RunStore({ client, bucket: BUCKET, root }).list();
    client.destroy();
    expect(listed.map((r) => r.runId)).toEqual(runIds);
    expect(sandbox.calls.count({ service: 's3', operation: 'GetObject' })).toBe(runIds.length);
    expect(getKeys.sort()).toEqual(runIds.map((runId) => `${root}runs/${runId}/manifest.json`));
  });

  it('lists the in-progress index with one ListObjectsV2 and no GetObject, however many runs finished', async () => {
    const root = 'index-cost/';
    const store = new S3RunStore({ client: s3, bucket: BUCKET, root });
    for (let i = 0; i < 30; i += 1) await store.put(runRecord(`done-${i}`, 'succeeded'));
    await store.put(runRecord('live-1', 'running'));
    sandbox.calls.reset();
    expect(await new S3RunStore({ client: s3, bucket: BUCKET, root }).listInProgress()).toEqual(['live-1']);
    expect(sandbox.calls.count({ service: 's3', operation: 'GetObject' })).toBe(0);
    expect(sandbox.calls.count({ service: 's3', operation: 'ListObjectsV2' })).toBe(1);
  });

  it('keeps records, index and leases under its root, and a store with another root sees none of them', async () => {
    const teamA = new S3RunStore({ client: s3, bucket: BUCKET, root: 'team-a' });
    expect(teamA.root).toBe('team-a/');
    await teamA.put(runRecord('r1', 'running'));
    await teamA.acquireLease({ scope, runId: 'r1', now: at(0), expiresAt: at(15) });
    const where = await teamA.putArtifact('r1', 'report.html', '<html></html>', 'text/html');
    expect(where).toBe(`s3://${BUCKET}/team-a/runs/r1/report.html`);
    const keys = await listKeys('team-a/');
    expect(keys).toEqual([
      'team-a/in-progress/r1',
      `team-a/leases/${scope.key}.json`,
      'team-a/runs/r1/manifest.json',
      'team-a/runs/r1/report.html',
    ]);
    const teamB = new S3RunStore({ client: s3, bucket: BUCKET, root: 'team-b/' });
    expect(await teamB.listInProgress()).toEqual([]);
    expect(await teamB.get('r1')).toBeUndefined();
    expect(await teamB.acquireLease({ scope, runId: 'r2', now: at(1), expiresAt: at(16) })).toMatchObject({
      granted: true,
    });
  });

  it("takes S3's 409 ConditionalRequestConflict (a conditional write racing another) for a conflict", async () => {
    const racing = new S3Client(sandbox.clientConfig());
    racing.middlewareStack.add(
      (next, context) => async (args) => {
        if (
          context.commandName === 'PutObjectCommand' &&
          String((args.input as { Key?: string }).Key).endsWith('manifest.json')
        ) {
          throw new S3ServiceException({
            name: 'ConditionalRequestConflict',
            $fault: 'client',
            $metadata: { httpStatusCode: 409 },
            message: 'A conflicting operation occurred.',
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'conditionalConflict' },
    );
    const store = new S3RunStore({ client: racing, bucket: BUCKET, root: 'conflict-409/' });
    await expect(store.put(runRecord('r1', 'running'))).rejects.toBeInstanceOf(RunStoreConflictError);
    racing.destroy();
  });

  describe('putArtifactChunks', () => {
    const MB = 1_000_000;
    afterEach(() => {
      sandbox.faults.set({ accessDenied: [] });
    });

    /** `bytes` of report-like text in chunks of about 64 KiB, and its SHA-256 as the generator yielded it. */
    function reportChunks(bytes: number, failAfter?: number): { chunks: AsyncIterable<string>; sha256: () => string } {
      const hash = createHash('sha256');
      async function* generate(): AsyncGenerator<string> {
        let written = 0;
        let line = 0;
        while (written < bytes) {
          if (failAfter !== undefined && written >= failAfter) throw new Error('the report renderer failed');
          let chunk = '';
          while (chunk.length < 65_536 && written + chunk.length < bytes) {
            chunk += `{"accountId":"${String(100_000_000_000 + line).padStart(12, '0')}","region":"eu-west-${line % 3}","n":${line}}\n`;
            line += 1;
          }
          chunk = chunk.slice(0, bytes - written);
          written += chunk.length;
          hash.update(chunk);
          yield chunk;
        }
      }
      return { chunks: generate(), sha256: () => hash.digest('hex') };
    }

    async function openUploads(prefix: string): Promise<string[]> {
      const out = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }));
      return (out.Uploads ?? []).map((u) => u.Key ?? '');
    }

    it('streams a 20 MB report in parts and reads it back byte for byte', async () => {
      const store = new S3RunStore({ client: s3, bucket: BUCKET, root: 'stream-20/' });
      const { chunks, sha256 } = reportChunks(20 * MB);
      sandbox.calls.reset();
      const where = await store.putArtifactChunks('r1', 'report.json', chunks, 'application/json');
      expect(where).toBe(`s3://${BUCKET}/stream-20/runs/r1/report.json`);
      // 8 MiB parts: 8 + 8 + 4 MiB.
      expect(sandbox.calls.count({ operation: 'CreateMultipartUpload', ok: true })).toBe(1);
      expect(sandbox.calls.count({ operation: 'UploadPart', ok: true })).toBe(3);
      expect(sandbox.calls.count({ operation: 'CompleteMultipartUpload', ok: true })).toBe(1);
      expect(sandbox.calls.count({ operation: 'PutObject' })).toBe(0);
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'stream-20/runs/r1/report.json' }));
      const body = Buffer.from(await got.Body!.transformToByteArray());
      expect(body.length).toBe(20 * MB);
      expect(createHash('sha256').update(body).digest('hex')).toBe(sha256());
      expect(got.ContentType).toBe('application/json');
      expect(got.ETag).toMatch(/-3"$/);
      expect(await openUploads('stream-20/')).toEqual([]);
    });

    it('writes a report smaller than one part with a single PutObject', async () => {
      const store = new S3RunStore({ client: s3, bucket: BUCKET, root: 'stream-small/' });
      const { chunks, sha256 } = reportChunks(3 * MB);
      sandbox.calls.reset();
      await store.putArtifactChunks('r1', 'report.csv', chunks, 'text/csv');
      expect(sandbox.calls.count({ operation: 'PutObject', ok: true })).toBe(1);
      expect(sandbox.calls.count({ operation: 'CreateMultipartUpload' })).toBe(0);
      const text = await storedText('stream-small/runs/r1/report.csv');
      expect(createHash('sha256').update(text).digest('hex')).toBe(sha256());
    });

    it('aborts an upload that fails midway, names the URL, and leaves nothing behind', async () => {
      const client = new S3Client(sandbox.clientConfig());
      // Part 2 is sent once part 1 is stored; from then on the sandbox denies UploadPart.
      let firstStored: () => void = () => {};
      const partOne = new Promise<void>((resolve) => {
        firstStored = resolve;
      });
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const part = (args.input as { PartNumber?: number }).PartNumber;
          if (context.commandName !== 'UploadPartCommand') return next(args);
          if (part === 1) {
            const out = await next(args);
            firstStored();
            return out;
          }
          await partOne;
          sandbox.faults.set({
            accessDenied: [{ accountId: sandbox.world.managementAccountId, service: 's3', operations: ['UploadPart'] }],
          });
          return next(args);
        },
        { step: 'initialize', name: 'denyAfterFirstPart' },
      );
      const store = new S3RunStore({ client, bucket: BUCKET, root: 'stream-fail/' });
      sandbox.calls.reset();
      const attempt = store.putArtifactChunks('r1', 'report.json', reportChunks(20 * MB).chunks, 'application/json');
      await expect(attempt).rejects.toBeInstanceOf(RunStoreError);
      await expect(attempt).rejects.toThrow(
        /^Cannot write s3:\/\/orgpatch-runs\/stream-fail\/runs\/r1\/report\.json \(AccessDenied\)/,
      );
      await expect(attempt).rejects.toThrow(/no uploaded part is left.*orgpatch report r1/);
      client.destroy();
      expect(sandbox.calls.count({ operation: 'UploadPart', ok: true })).toBeGreaterThanOrEqual(1);
      expect(sandbox.calls.count({ operation: 'AbortMultipartUpload', ok: true })).toBe(1);
      expect(await openUploads('stream-fail/')).toEqual([]);
      expect(await listKeys('stream-fail/')).toEqual([]);
    });

    it('aborts the upload itself when S3 refuses to complete it (Upload leaves it open)', async () => {
      const store = new S3RunStore({ client: s3, bucket: BUCKET, root: 'stream-complete/' });
      sandbox.faults.set({
        accessDenied: [
          { accountId: sandbox.world.managementAccountId, service: 's3', operations: ['CompleteMultipartUpload'] },
        ],
      });
      sandbox.calls.reset();
      const attempt = store.putArtifactChunks('r1', 'report.csv', reportChunks(12 * MB).chunks, 'text/csv');
      await expect(attempt).rejects.toThrow(
        /^Cannot write s3:\/\/orgpatch-runs\/stream-complete\/runs\/r1\/report\.csv \(AccessDenied\)/,
      );
      expect(sandbox.calls.count({ operation: 'UploadPart', ok: true })).toBe(2);
      expect(sandbox.calls.count({ operation: 'AbortMultipartUpload', ok: true })).toBe(1);
      expect(await openUploads('stream-complete/')).toEqual([]);
      expect(await listKeys('stream-complete/')).toEqual([]);
    });

    it('names the URL when the bucket does not exist, having started nothing', async () => {
      const store = new S3RunStore({ client: s3, bucket: 'no-such-bucket', root: 'stream-nobucket/' });
      const attempt = store.putArtifactChunks('r1', 'report.json', reportChunks(12 * MB).chunks, 'application/json');
      await expect(attempt).rejects.toBeInstanceOf(RunStoreError);
      await expect(attempt).rejects.toThrow(
        /^Cannot write s3:\/\/no-such-bucket\/stream-nobucket\/runs\/r1\/report\.json \(NoSuchBucket\)/,
      );
    });

    it('rethrows an error of the chunks as it is, and aborts the upload', async () => {
      const store = new S3RunStore({ client: s3, bucket: BUCKET, root: 'stream-source/' });
      sandbox.calls.reset();
      const attempt = store.putArtifactChunks(
        'r1',
        'report.json',
        reportChunks(30 * MB, 18 * MB).chunks,
        'application/json',
      );
      await expect(attempt).rejects.toThrow(/^the report renderer failed$/);
      await expect(attempt).rejects.not.toBeInstanceOf(RunStoreError);
      expect(sandbox.calls.count({ operation: 'UploadPart', ok: true })).toBeGreaterThanOrEqual(1);
      expect(sandbox.calls.count({ operation: 'AbortMultipartUpload', ok: true })).toBe(1);
      expect(await openUploads('stream-source/')).toEqual([]);
      expect(await listKeys('stream-source/')).toEqual([]);
    });
  });
});

async function storedText(key: string): Promise<string> {
  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await got.Body?.transformToString('utf-8')) ?? '';
}

async function listKeys(prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).map((c) => c.Key ?? '').sort();
}
