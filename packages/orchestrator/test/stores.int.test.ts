import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { LeaseScope, RunStore } from '@orgpatch/core';
import { type Sandbox, startSandbox } from '@orgpatch/sandbox';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidRunIdError, RunRecordInvalidError, RunStoreConflictError, RunStoreError } from '../src/errors.js';
import { LocalRunStore } from '../src/store/localRunStore.js';
import { S3RunStore } from '../src/store/s3RunStore.js';
import { MemoryRunStore } from '../src/testing.js';
import { runRecord } from './runRecordFixture.js';

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
  /** Stores `text` as run `runId`'s record, bypassing the store (a hand edit, a damaged file). */
  writeRaw(runId: string, text: string): Promise<void>;
  /** Where the record of `runId` is, as the store's errors name it. */
  where(runId: string): string;
  dispose(): Promise<void>;
}

const kinds: [string, () => Promise<Storage>][] = [
  [
    'LocalRunStore',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'orgpatch-store-'));
      return {
        open: () => new LocalRunStore(dir),
        writeRaw: async (runId, text) => {
          await mkdir(join(dir, runId), { recursive: true });
          await writeFile(join(dir, runId, 'record.json'), text);
        },
        where: (runId) => join(dir, runId, 'record.json'),
        dispose: () => rm(dir, { recursive: true, force: true }),
      };
    },
  ],
  [
    'S3RunStore',
    async () => {
      // A root of its own per test: the bucket outlives the test.
      const root = `t-${Math.random().toString(36).slice(2, 10)}/`;
      return {
        open: () => new S3RunStore({ client: s3, bucket: BUCKET, root }),
        writeRaw: async (runId, text) => {
          await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${root}runs/${runId}/record.json`, Body: text }));
        },
        where: (runId) => `s3://${BUCKET}/${root}runs/${runId}/record.json`,
        dispose: async () => undefined,
      };
    },
  ],
  [
    'MemoryRunStore',
    async () => {
      const first = new MemoryRunStore();
      return {
        open: () => new MemoryRunStore(first),
        writeRaw: async (runId, text) => {
          first.records.set(runId, text);
        },
        where: (runId) => `memory://${runId}/record.json`,
        dispose: async () => undefined,
      };
    },
  ],
];

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
      'team-a/runs/r1/record.json',
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
          String((args.input as { Key?: string }).Key).endsWith('record.json')
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
});

async function listKeys(prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).map((c) => c.Key ?? '').sort();
}
