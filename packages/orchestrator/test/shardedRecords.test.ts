import { applyLocationEvents, type RunRecord } from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { RunStoreConflictError, RunStoreError } from '../src/errors.js';
import { type RunObjects, ShardedRecords } from '../src/store/shardedRecords.js';
import { accountIdOf, plannedRunRecord } from './runRecordFixture.js';

/** Objects in a map (an object's version is a counter). */
function objects(): RunObjects & {
  readonly map: Map<string, { text: string; version: string }>;
} {
  const map = new Map<string, { text: string; version: string }>();
  let next = 1;
  return {
    map,
    where: (runId, name) => `test://${runId}/${name}`,
    read: async (runId, name) => {
      return map.get(`${runId}/${name}`);
    },
    write: async (runId, name, text, version) => {
      if (map.get(`${runId}/${name}`)?.version !== version) return { ok: false };
      const stored = { text, version: `v${next++}` };
      map.set(`${runId}/${name}`, stored);
      return { ok: true, version: stored.version };
    },
    remove: async (runId, name) => {
      map.delete(`${runId}/${name}`);
      return true;
    },
  };
}

const changed = (record: RunRecord, n: number): RunRecord => {
  const location = record.locations.find((l) => l.accountId === accountIdOf(n))!;
  const at = new Date('2026-11-28T12:05:00.000Z');
  return applyLocationEvents(
    record,
    [
      {
        kind: 'start-intended',
        location,
        intents: [{ group: 'WebServers', clientToken: `t-${n}`, recordedAt: at.toISOString(), attempts: 0 }],
      },
    ],
    at,
  );
};

describe('ShardedRecords', () => {
  const planned = plannedRunRecord('r1', 250);

  it('reads the new manifest when a shard the one it read listed was replaced meanwhile', async () => {
    const store = objects();
    await new ShardedRecords(store).put(planned);
    const stale = store.map.get('r1/manifest.json')!;
    const writer = new ShardedRecords(store);
    await writer.get('r1');
    await writer.put(changed(planned, 150));
    // The reader's first read of the manifest is the one before the write.
    let served = false;
    const reader = new ShardedRecords({
      ...store,
      read: async (runId, name) => {
        if (name === 'manifest.json' && !served) {
          served = true;
          return stale;
        }
        return store.read(runId, name);
      },
    });
    expect(await reader.get('r1')).toEqual(changed(planned, 150));
  });

  it('gives up with RunStoreError when the manifest changes under every read', async () => {
    const store = objects();
    await new ShardedRecords(store).put(planned);
    const stale = store.map.get('r1/manifest.json')!;
    store.map.delete(`r1/${[...store.map.keys()].find((k) => k.includes('shards/1-'))?.slice(3)}`);
    let n = 0;
    const reader = new ShardedRecords({
      ...store,
      read: async (runId, name) =>
        name === 'manifest.json' ? { text: stale.text, version: `moving-${n++}` } : store.read(runId, name),
    });
    await expect(reader.get('r1')).rejects.toThrow(
      /Run r1 could not be read: test:\/\/r1\/manifest\.json changed under 3 reads in a row/,
    );
    await expect(reader.get('r1')).rejects.toBeInstanceOf(RunStoreError);
  });

  it('uses a shard object a writer that died before its manifest left, and refuses one with other text', async () => {
    const store = objects();
    // The first writer dies at its manifest: its shard objects are there, no manifest is.
    const dying = new ShardedRecords({
      ...store,
      write: async (runId, name, text, version) => {
        if (name === 'manifest.json') throw new Error('killed');
        return store.write(runId, name, text, version);
      },
    });
    await expect(dying.put(planned)).rejects.toThrow('killed');
    const left = [...store.map.keys()].filter((k) => k.includes('/shards/'));
    expect(left).toHaveLength(3);
    await new ShardedRecords(store).put(planned);
    expect(await new ShardedRecords(store).get('r1')).toEqual(planned);

    // Text under a shard's name that is not the shard: refused, naming it.
    const other = objects();
    for (const key of left) other.map.set(key, { text: '{"tampered": true}\n', version: 'x' });
    const error = await new ShardedRecords(other).put(planned).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunStoreConflictError);
    expect((error as Error).message).toMatch(/Run r1 was not written to test:\/\/r1\/shards\/0-1-[0-9a-f]{16}\.json/);
  });
});
