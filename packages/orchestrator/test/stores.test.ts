import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunRecordInvalidError, RunStoreError } from '../src/errors.js';
import { KeyedQueue } from '../src/store/keyedQueue.js';
import { decideLease } from '../src/store/leaseDecision.js';
import { LocalRunStore } from '../src/store/localRunStore.js';
import { plannedRunRecord, runRecord } from './runRecordFixture.js';

describe('LocalRunStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orgpatch-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes <run-id>/manifest.json and <run-id>/shards/, and marks an unfinished run in .in-progress/', async () => {
    const store = new LocalRunStore(dir);
    await store.put(plannedRunRecord('20261128-120000-aaaaaa', 150));
    const text = await readFile(join(dir, '20261128-120000-aaaaaa', 'manifest.json'), 'utf8');
    expect(JSON.parse(text)).toMatchObject({ schemaVersion: 2, runId: '20261128-120000-aaaaaa', revision: 1 });
    expect((await readdir(join(dir, '20261128-120000-aaaaaa', 'shards'))).sort()).toEqual([
      expect.stringMatching(/^0-1-[0-9a-f]{16}\.json$/),
      expect.stringMatching(/^1-1-[0-9a-f]{16}\.json$/),
    ]);
    expect(await readdir(join(dir, '.in-progress'))).toEqual(['20261128-120000-aaaaaa']);
    // The index and leases folders start with a dot: never taken for a run.
    expect((await store.list()).map((r) => r.runId)).toEqual(['20261128-120000-aaaaaa']);
  });

  it('replaces a record atomically and leaves no temporary or lock files', async () => {
    const store = new LocalRunStore(dir);
    const record = plannedRunRecord('r1', 50);
    await Promise.all((['running', 'succeeded', 'failed'] as const).map((status) => store.put({ ...record, status })));
    expect((await readdir(join(dir, 'r1'))).sort()).toEqual(['manifest.json', 'shards']);
    expect(await readdir(join(dir, 'r1', 'shards'))).toHaveLength(1);
    expect(await readdir(join(dir, '.in-progress'))).toEqual([]);
    expect((await store.get('r1'))?.status).toBe('failed');
  });

  it('answers undefined for a run it does not hold, and lists nothing in a folder that does not exist', async () => {
    const store = new LocalRunStore(dir);
    expect(await store.get('nope')).toBeUndefined();
    expect(await new LocalRunStore(join(dir, 'missing')).list()).toEqual([]);
    expect(await new LocalRunStore(join(dir, 'missing')).listInProgress()).toEqual([]);
  });

  it('writes artifacts beside the record and says where', async () => {
    const store = new LocalRunStore(dir);
    const where = await store.putArtifact('r1', 'report.html', '<html></html>', 'text/html');
    expect(where).toBe(join(dir, 'r1', 'report.html'));
    expect(await readFile(where, 'utf8')).toBe('<html></html>');
    await expect(store.putArtifact('r1', '../x.html', '', 'text/html')).rejects.toBeInstanceOf(RunStoreError);
  });

  it.each(['record.json', 'manifest.json'])('says which file is broken when %s is not JSON', async (name) => {
    const store = new LocalRunStore(dir);
    await mkdir(join(dir, 'r2'), { recursive: true });
    await writeFile(join(dir, 'r2', name), '{oops');
    const attempt = store.get('r2');
    await expect(attempt).rejects.toBeInstanceOf(RunRecordInvalidError);
    await expect(attempt).rejects.toThrow(
      new RegExp(`r2/${name.replace('.', '\\.')} cannot be used[\\s\\S]*not valid JSON`),
    );
  });

  it('never writes an artifact where the run itself is kept', async () => {
    const store = new LocalRunStore(dir);
    for (const name of ['manifest.json', 'record.json', 'shards', 'Manifest.JSON']) {
      await expect(store.putArtifact('r1', name, '{}', 'application/json')).rejects.toThrow(
        /is where the run record itself is kept/,
      );
    }
  });

  it('breaks a lock left by a crashed writer once it is stale', async () => {
    await mkdir(join(dir, 'r1'), { recursive: true });
    const lock = join(dir, 'r1', '.record.lock');
    await writeFile(lock, '4242 deadbeef 2026-11-28T12:00:00.000Z\n');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await new LocalRunStore(dir, { lock: { staleMs: 30_000 } }).put(runRecord('r1'));
    expect(await readdir(join(dir, 'r1'))).toEqual(['manifest.json']);
  });

  it('waits for a live lock, and gives up with a clear error when it is held too long', async () => {
    await mkdir(join(dir, 'r1'), { recursive: true });
    await writeFile(join(dir, 'r1', '.record.lock'), '4242 cafe 2026-11-28T12:00:00.000Z\n');
    const store = new LocalRunStore(dir, { lock: { staleMs: 60_000, timeoutMs: 20 } });
    await expect(store.put(runRecord('r1'))).rejects.toThrow(
      /Lock .*\.record\.lock has been held for over 20 ms \(by 4242 cafe .*\)\. Another orgpatch process/,
    );
    expect(await readdir(join(dir, 'r1'))).toEqual(['.record.lock']);
  });

  it('refuses a damaged lease with the file and what to do', async () => {
    await mkdir(join(dir, '.leases'), { recursive: true });
    await writeFile(join(dir, '.leases', 'org-o-1.json'), '{"runId": 1}');
    const store = new LocalRunStore(dir);
    const scope = { key: 'org-o-1', description: 'the Organization o-1' };
    await expect(
      store.acquireLease({ scope, runId: 'r1', now: new Date(0), expiresAt: new Date(60_000) }),
    ).rejects.toThrow(/Lease .*org-o-1\.json cannot be used:\n[\s\S]*- runId: [\s\S]*delete it once no orgpatch run/);
  });
});

describe('decideLease', () => {
  const scope = { key: 'org-o-1', description: 'the Organization o-1' };
  const lease = (runId: string, expiresAt: string) => ({
    scope,
    runId,
    acquiredAt: '2026-11-28T12:00:00.000Z',
    expiresAt,
  });

  it('counts a lease as ended at its expiry instant, not a millisecond later', () => {
    const now = new Date('2026-11-28T12:15:00.000Z');
    const expiresAt = new Date('2026-11-28T12:30:00.000Z');
    expect(decideLease(lease('a', '2026-11-28T12:15:00.000Z'), { scope, runId: 'b', now, expiresAt }).kind).toBe(
      'write',
    );
    expect(decideLease(lease('a', '2026-11-28T12:15:00.001Z'), { scope, runId: 'b', now, expiresAt }).kind).toBe(
      'refuse',
    );
  });

  it('refuses a request whose lease would end before it starts', () => {
    const now = new Date('2026-11-28T12:15:00.000Z');
    expect(() => decideLease(undefined, { scope, runId: 'a', now, expiresAt: now })).toThrow(
      /must end after it is taken/,
    );
  });
});

describe('KeyedQueue', () => {
  it('runs tasks of one key in order, even when an earlier one fails, and other keys alongside', async () => {
    const queue = new KeyedQueue();
    const order: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = queue.run('a', async () => {
      await gate;
      order.push('a1');
      throw new Error('a1 failed');
    });
    const second = queue.run('a', async () => {
      order.push('a2');
    });
    await queue.run('b', async () => {
      order.push('b1');
    });
    release();
    await expect(first).rejects.toThrow('a1 failed');
    await second;
    expect(order).toEqual(['b1', 'a1', 'a2']);
  });
});
