import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../src/index.js';
import { largeRunRecord } from './largeRecord.js';

const MB = 1_000_000;

function attentionRows(html: string): { account: string; region: string; status: string }[] {
  const table = /<table class="attention">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  return [...table.matchAll(/<tr data-account="(\d+)" data-region="([a-z0-9-]+)" data-status="(\w+)">/g)].map((m) => ({
    account: m[1] ?? '',
    region: m[2] ?? '',
    status: m[3] ?? '',
  }));
}

describe('the HTML report rolled up by OU and account', () => {
  it('stays under 5 MB at 5,000 accounts x 16 Regions, with every failed or halted location in the needs-attention table', () => {
    const record = largeRunRecord({ accounts: 5000, regions: 16, failEvery: 100 });
    expect(record.locations).toHaveLength(80_000);
    const html = renderReportHtml(record);
    expect(Buffer.byteLength(html, 'utf8')).toBeLessThan(5 * MB);
    const needing = record.locations.filter((l) => l.status === 'failed' || l.status === 'halted');
    expect(needing.length).toBe(1600);
    const rows = attentionRows(html);
    expect(new Set(rows.map((r) => `${r.account}/${r.region}/${r.status}`))).toEqual(
      new Set(needing.map((l) => `${l.accountId}/${l.region}/${l.status}`)),
    );
    expect(rows).toHaveLength(needing.length);
    // One collapsed section per account, none open; no per-location heat map at this size.
    expect(html.match(/<details class="account[^"]*" data-account=/g)).toHaveLength(5000);
    expect(html).not.toMatch(/<details[^>]* open/);
    expect(html).not.toContain('<table class="heatmap">');
    expect(html).toContain('report.csv has a row for every location and instance');
  }, 60_000);

  it('counts each OU path: accounts, locations by status, instances and failed instances', () => {
    const record = largeRunRecord({ accounts: 40, regions: 4, failEvery: 7 });
    const html = renderReportHtml(record);
    const rollup = /<table class="ou-rollup">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    const rows = [...rollup.matchAll(/<tr data-ou="([^"]*)"[^>]*>(.*?)<\/tr>/g)];
    expect(rows).toHaveLength(20);
    for (const [, ou, cells] of rows) {
      const own = record.locations.filter((l) => l.ouPath?.join(' / ') === ou);
      const numbers = [...(cells ?? '').matchAll(/<td class="num">(\d+)<\/td>/g)].map((m) => Number(m[1]));
      const count = (status: string) => own.filter((l) => l.status === status).length;
      const failedInstances = own
        .flatMap((l) => l.executions.flatMap((e) => e.instances))
        .filter((i) => i.status === 'Failed').length;
      expect(numbers).toEqual([
        new Set(own.map((l) => l.accountId)).size,
        own.length,
        count('succeeded'),
        count('failed'),
        count('halted'),
        count('skipped'),
        count('started') + count('starting'),
        count('planned'),
        own.reduce((n, l) => n + l.instanceCount, 0),
        failedInstances,
      ]);
    }
    // A small run keeps its heat map too.
    expect(html).toContain('<table class="heatmap">');
  });

  it('rolls accounts up under "(OU not recorded)" when the record predates OU paths', () => {
    const record = largeRunRecord({ accounts: 3, regions: 2, failEvery: 3 });
    const old = { ...record, locations: record.locations.map(({ ouPath: _ouPath, ...l }) => l) };
    const html = renderReportHtml(old);
    expect(html).toContain('<tr data-ou="(OU not recorded)" class="has-failed">');
    expect(html.match(/<section class="ou"/g)).toHaveLength(1);
  });
});
