import { describe, expect, it } from 'vitest';
import {
  type LocationOutcome,
  type RunRecord,
  renderReportHtml,
  renderReportHtmlChunks,
  renderReportMarkdown,
  renderReportMarkdownChunks,
  splitRunRecord,
} from '../src/index.js';
import { assembleRunRecord } from '../src/runShards.js';
import { largeRunRecord, largeRunShards } from './largeRecord.js';

const MB = 1_000_000;

async function joined(chunks: AsyncIterable<string>): Promise<{ text: string; largest: number }> {
  let text = '';
  let largest = 0;
  for await (const chunk of chunks) {
    text += chunk;
    largest = Math.max(largest, chunk.length);
  }
  return { text, largest };
}

/** A run's shards handed out asynchronously, one at a time, as a store reads them; counts the passes. */
function passesOver(shards: readonly { readonly locations: readonly LocationOutcome[] }[]) {
  let passes = 0;
  return {
    pass: async function* () {
      passes += 1;
      for (const shard of shards) yield await Promise.resolve(shard);
    },
    passes: () => passes,
  };
}

const HOSTILE = '=cmd|"/c calc"!A1 \u202Eevil\u0000 <script>alert(1)</script> | [x](https://e.com)\r\nnext';

/** A small finished run with hostile names and reasons, a location still running and one never started. */
function smallRecord(): RunRecord {
  const record = largeRunRecord({ accounts: 7, regions: 3, failEvery: 4 });
  return {
    ...record,
    locations: record.locations.map((l, i) => {
      if (i === 2) return { ...l, status: 'planned' as const, executions: [] };
      if (i === 5) return { ...l, status: 'started' as const };
      return i % 3 === 0 ? { ...l, accountName: HOSTILE, reason: HOSTILE } : l;
    }),
  };
}

/** The needs-attention rows of a page: account, Region and status of each. */
function attentionRows(html: string): string[] {
  const table = /<table class="attention[^"]*">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  return [...table.matchAll(/<tr data-account="(\d+)" data-region="([a-z0-9-]+)" data-status="(\w+)">/g)].map(
    (m) => `${m[1]}/${m[2]}/${m[3]}`,
  );
}

describe('reports rendered a shard at a time', () => {
  it('HTML and Markdown: the chunks from a manifest and its shards join to the whole-record page', async () => {
    for (const record of [
      smallRecord(),
      largeRunRecord({ accounts: 40, regions: 4, failEvery: 7 }),
      largeRunRecord({ accounts: 0, regions: 2, failEvery: 2 }),
    ]) {
      const { manifest, shards } = splitRunRecord(record, { accountsPerShard: 3, estimatedBytesPerShard: 1024 ** 2 });
      const assembled = assembleRunRecord(manifest, shards);
      const html = passesOver(shards);
      expect((await joined(renderReportHtmlChunks(manifest, html.pass))).text).toBe(renderReportHtml(assembled));
      const md = passesOver(shards);
      expect((await joined(renderReportMarkdownChunks(manifest, md.pass))).text).toBe(renderReportMarkdown(assembled));
      if (record.locations.length > 0) {
        // One pass for the facts, then one per section that lists locations.
        expect(html.passes()).toBeGreaterThan(2);
        expect(md.passes()).toBeGreaterThan(2);
      }
    }
  });

  it('lists every location needing attention: failed, halted, running, and never started in a run that is over', () => {
    const record = smallRecord();
    const html = renderReportHtml(record);
    const needing = record.locations.filter((l) => ['failed', 'halted', 'started', 'planned'].includes(l.status));
    expect(needing.map((l) => l.status)).toEqual(expect.arrayContaining(['failed', 'halted', 'started', 'planned']));
    const order = ['failed', 'halted', 'starting', 'started', 'planned'];
    const expected = [...needing]
      .sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status))
      .map((l) => `${l.accountId}/${l.region}/${l.status}`);
    expect(attentionRows(html)).toEqual(expected);
    expect(html).not.toContain('<script>');
    // A dry run's starts all stay planned: none of them needs attention.
    const dry = { ...record, dryRun: true };
    expect(attentionRows(renderReportHtml(dry)).some((r) => r.endsWith('/planned'))).toBe(false);
  });

  it('writes a long needs-attention table compactly, every location still in it', () => {
    // Every location patched either failed or was halted: 3,840 of 4,800.
    const record = largeRunRecord({ accounts: 300, regions: 16, failEvery: 2 });
    const html = renderReportHtml(record);
    const needing = record.locations.filter((l) => l.status === 'failed' || l.status === 'halted');
    expect(needing.length).toBe(3840);
    expect(new Set(attentionRows(html))).toEqual(new Set(needing.map((l) => `${l.accountId}/${l.region}/${l.status}`)));
    expect(attentionRows(html)).toHaveLength(needing.length);
    expect(html).toContain('<table class="attention compact">');
    expect(html).toContain('3840 locations need attention');
    // The reason is in every compact row.
    expect(html.match(/exceeded its error threshold\./g)?.length).toBeGreaterThanOrEqual(needing.length / 2);
  });

  it('lists instances only when there are at most 2,000 results, and says where they all are otherwise', () => {
    const few = renderReportHtml(largeRunRecord({ accounts: 20, regions: 4, failEvery: 7 }));
    expect(few).toContain('<table class="instances">');
    const record = largeRunRecord({ accounts: 80, regions: 16, failEvery: 7 });
    const rows = record.locations.reduce((n, l) => n + l.executions.reduce((m, e) => m + e.instances.length, 0), 0);
    expect(rows).toBeGreaterThan(2000);
    const many = renderReportHtml(record);
    expect(many).not.toContain('<table class="instances">');
    expect(many).toContain(`The run has ${rows} instance results, more than the 2000 this page lists`);
    expect(many).toContain('report.csv and report.json have every instance');
    // At 80 accounts, the heat map stays.
    expect(many.match(/<td data-account=/g)).toHaveLength(record.locations.length);
  });

  it('renders 5,000 accounts x 16 Regions from shards made one at a time: under 5 MB, every failed or halted location listed', async () => {
    const run = largeRunShards({ accounts: 5000, regions: 16, failEvery: 100 });
    expect(run.counts.locations).toBe(80_000);
    const { text: html, largest } = await joined(renderReportHtmlChunks(run.head, run.shards));
    expect(Buffer.byteLength(html, 'utf8')).toBeLessThan(5 * MB);
    // Written in chunks of about 64 KiB: the writer never holds the page.
    expect(largest).toBeLessThan(256 * 1024);
    const expected = new Set<string>();
    for (const shard of run.shards()) {
      for (const l of shard.locations) {
        if (l.status === 'failed' || l.status === 'halted') expected.add(`${l.accountId}/${l.region}/${l.status}`);
      }
    }
    expect(expected.size).toBe(run.counts.failed + run.counts.halted);
    const rows = attentionRows(html);
    expect(rows).toHaveLength(expected.size);
    expect(new Set(rows)).toEqual(expected);
    expect(html.match(/<details class="account[^"]*" data-account=/g)).toHaveLength(5000);
    expect(html).not.toContain('<table class="heatmap">');
    expect(html).toContain('report.csv has a row for every location and instance');
  }, 120_000);
});
