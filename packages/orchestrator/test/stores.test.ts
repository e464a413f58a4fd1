import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '@orgpatch/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStoreError } from '../src/errors.js';
import { LocalRunStore } from '../src/store/localRunStore.js';

function record(runId: string, status: RunRecord['status'] = 'running'): RunRecord {
  return { runId, status, createdAt: '2026-11-28T12:00:00.000Z' } as unknown as RunRecord;
}

describe('LocalRunStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orgpatch-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes <run-id>/record.json and reads it back', async () => {
    const store = new LocalRunStore(dir);
    await store.put(record('20261128-120000-aaaaaa'));
    expect((await store.get('20261128-120000-aaaaaa'))?.status).toBe('running');
    const text = await readFile(join(dir, '20261128-120000-aaaaaa', 'record.json'), 'utf8');
    expect(JSON.parse(text).runId).toBe('20261128-120000-aaaaaa');
  });

  it('replaces a record atomically and leaves no temporary files', async () => {
    const store = new LocalRunStore(dir);
    await Promise.all(['running', 'succeeded', 'failed'].map((s) => store.put(record('r1', s as RunRecord['status']))));
    expect(await readdir(join(dir, 'r1'))).toEqual(['record.json']);
    expect(['running', 'succeeded', 'failed']).toContain((await store.get('r1'))?.status);
  });

  it('answers undefined for a run it does not hold, and lists the runs it does', async () => {
    const store = new LocalRunStore(dir);
    expect(await store.get('nope')).toBeUndefined();
    expect(await new LocalRunStore(join(dir, 'missing')).list()).toEqual([]);
    await store.put(record('a', 'succeeded'));
    await store.put(record('b', 'running'));
    expect((await store.list()).map((r) => `${r.runId}:${r.status}`)).toEqual(['a:succeeded', 'b:running']);
  });

  it('writes artifacts beside the record and says where', async () => {
    const store = new LocalRunStore(dir);
    const where = await store.putArtifact('r1', 'report.html', '<html></html>', 'text/html');
    expect(where).toBe(join(dir, 'r1', 'report.html'));
    expect(await readFile(where, 'utf8')).toBe('<html></html>');
  });

  it('refuses run ids and artifact names that would leave its folder', async () => {
    const store = new LocalRunStore(dir);
    await expect(store.get('../etc')).rejects.toBeInstanceOf(RunStoreError);
    await expect(store.putArtifact('r1', '../x.html', '', 'text/html')).rejects.toBeInstanceOf(RunStoreError);
  });

  it('says which file is broken when a record is not JSON', async () => {
    const store = new LocalRunStore(dir);
    await store.putArtifact('r2', 'record.json', '{oops', 'application/json');
    await expect(store.get('r2')).rejects.toThrow(/r2\/record\.json is not valid JSON/);
  });
});
