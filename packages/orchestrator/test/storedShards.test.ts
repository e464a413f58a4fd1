import { splitRunRecord } from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { SHARD_BOUNDS } from '../src/store/shardedRecords.js';
import { decodeRunShard, encodeRunDocument, sha256Of } from '../src/store/storedDocuments.js';
import { plannedRunRecord } from './runRecordFixture.js';

describe('a stored shard read again', () => {
  it('is the same shard every time, and the text of one shard is never taken for another run or number', () => {
    const record = plannedRunRecord('r-cache', 3, ['us-east-1', 'eu-west-1'], 2);
    const [shard] = splitRunRecord(record, SHARD_BOUNDS).shards;
    if (shard === undefined) throw new Error('no shard');
    const text = encodeRunDocument(shard);
    const sha = sha256Of(text);
    const first = decodeRunShard(text, 'memory://s0', record.runId, shard.id, sha);
    const again = decodeRunShard(text, 'memory://s0', record.runId, shard.id, sha);
    expect(again).toEqual(first);
    expect(again).toEqual(shard);
    // Validated once as shard 0 of this run, the same text is still refused as another shard or run.
    expect(() => decodeRunShard(text, 'memory://s1', record.runId, shard.id + 1, sha)).toThrow(/read as shard 1/);
    expect(() => decodeRunShard(text, 'memory://other', 'r-other', shard.id, sha)).toThrow(/read as run "r-other"/);
    // And a changed text is refused by its hash, however often the original was read.
    const edited = text.replace('us-east-1', 'us-west-2');
    expect(() => decodeRunShard(edited, 'memory://s0', record.runId, shard.id, sha)).toThrow(/SHA-256/);
  });
});
