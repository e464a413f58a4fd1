import { describe, expect, it } from 'vitest';
import { displayText } from '../src/displayText.js';
import {
  type RunRecord,
  renderReportCsv,
  renderReportCsvChunks,
  renderReportJson,
  renderReportJsonChunks,
  type ShardLocations,
  splitRunRecord,
  summarizeRun,
} from '../src/index.js';
import { assembleRunRecord } from '../src/runShards.js';
import { largeRunRecord } from './largeRecord.js';

async function joined(chunks: AsyncIterable<string>): Promise<{ text: string; count: number }> {
  let text = '';
  let count = 0;
  for await (const chunk of chunks) {
    text += chunk;
    count += 1;
  }
  return { text, count };
}

/** Shards handed out one at a time, asynchronously, as a store reads them; counts the passes. */
function shardPasses(shards: readonly ShardLocations[]): {
  pass: () => AsyncIterable<ShardLocations>;
  passes: () => number;
} {
  let passes = 0;
  return {
    pass: async function* () {
      passes += 1;
      for (const shard of shards) yield await Promise.resolve(shard);
    },
    passes: () => passes,
  };
}

const HOSTILE = '=cmd|"/c calc"!A1 \u202Eevil\u0000 "quoted"\r\nnext';

function hostileRecord(): RunRecord {
  const record = largeRunRecord({ accounts: 7, regions: 3, failEvery: 4 });
  return {
    ...record,
    locations: record.locations.map((l, i) => (i % 3 === 0 ? { ...l, accountName: HOSTILE, reason: HOSTILE } : l)),
  };
}

describe('report chunks', () => {
  it('JSON: the whole-record report is still summary and record pretty-printed, key for key', () => {
    for (const record of [hostileRecord(), largeRunRecord({ accounts: 0, regions: 2, failEvery: 2 })]) {
      const before = `${displayText(JSON.stringify({ summary: summarizeRun(record), record }, null, 2))}\n`;
      expect(renderReportJson(record)).toBe(before);
      expect(JSON.parse(renderReportJson(record)).record).toEqual(record);
    }
  });

  it('JSON: chunks from a manifest and its shards join to the report of the assembled record, a shard at a time', async () => {
    const record = hostileRecord();
    const { manifest, shards } = splitRunRecord(record, { accountsPerShard: 2, estimatedBytesPerShard: 1024 ** 2 });
    expect(shards.length).toBeGreaterThan(2);
    const assembled = assembleRunRecord(manifest, shards);
    const source = shardPasses(shards);
    const { text, count } = await joined(
      renderReportJsonChunks({ manifest, summary: summarizeRun(assembled) }, source.pass),
    );
    expect(text).toBe(renderReportJson(assembled));
    expect(source.passes()).toBe(2);
    // One chunk per location and plan location, plus the text around the two arrays.
    expect(count).toBe(2 * record.locations.length + 5);
  });

  it('JSON: an empty run gives empty arrays', async () => {
    const record = largeRunRecord({ accounts: 0, regions: 2, failEvery: 2 });
    const { manifest, shards } = splitRunRecord(record, { accountsPerShard: 2, estimatedBytesPerShard: 1024 ** 2 });
    const { text } = await joined(renderReportJsonChunks({ manifest, summary: summarizeRun(record) }, () => shards));
    expect(text).toBe(renderReportJson(assembleRunRecord(manifest, shards)));
    expect(text).toContain('"locations": []');
  });

  it('CSV: chunks of the locations, shard by shard, join to the whole-record report, formulas still neutralised', async () => {
    const record = hostileRecord();
    const { shards } = splitRunRecord(record, { accountsPerShard: 2, estimatedBytesPerShard: 1024 ** 2 });
    async function* locations() {
      for (const shard of shards) yield* shard.locations;
    }
    const { text, count } = await joined(renderReportCsvChunks(record, locations()));
    expect(text).toBe(renderReportCsv(record));
    expect(count).toBe(1 + record.locations.length);
    expect(text).toContain(`"'=cmd|""/c calc""!A1 \\u202Eevil\\u0000 ""quoted""\r\nnext"`);
    expect(text).not.toContain('\u202E');
    expect(text).not.toContain('\u0000');
  });
});
