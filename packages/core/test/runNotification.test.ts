import { describe, expect, it } from 'vitest';
import { runNotification } from '../src/runNotification.js';
import type { RunSummary } from '../src/runSummary.js';

const counts = (c: Partial<RunSummary['locations']>): RunSummary['locations'] => ({
  total: 0,
  planned: 0,
  starting: 0,
  skipped: 0,
  started: 0,
  succeeded: 0,
  failed: 0,
  halted: 0,
  ...c,
});
const instances = (failed: number): RunSummary['instances'] => ({
  total: 10 + failed,
  succeeded: 10,
  failed,
  inProgress: 0,
  notStarted: 0,
});

function summary(accounts: number): RunSummary {
  return {
    runId: 'r-1',
    status: 'halted',
    dryRun: false,
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T02:00:00.000Z',
    locations: counts({ total: 30, succeeded: 20, failed: 3, halted: 7 }),
    instances: instances(4),
    accounts: Array.from({ length: accounts }, (_, i) => ({
      accountId: String(100000000000 + i),
      accountName: `acct-${i}`,
      locations: counts({ failed: i % 4, halted: i === 1 ? 2 : 0 }),
      instances: instances(i % 3),
    })),
    regions: [],
    waves: [
      {
        name: 'dev',
        status: 'failed',
        errorThreshold: '0',
        failed: 3,
        total: 20,
        exceeded: true,
        locations: counts({}),
      },
      {
        name: 'prod',
        status: 'halted',
        reason: 'Wave "dev" had 3 failed locations of 20',
        errorThreshold: '0',
        failed: 0,
        total: 7,
        exceeded: false,
        locations: counts({}),
      },
    ],
  };
}

describe('runNotification', () => {
  it('is a chat custom notification with the status, counts, why waves halted, the worst accounts and the report', () => {
    const n = runNotification(summary(8), { html: 's3://b/runs/r-1/report.html', csv: 's3://b/runs/r-1/report.csv' });
    expect(n).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown' } });
    expect(n.content.title).toBe(':octagonal_sign: orgpatch run r-1 halted');
    expect(n.content.description).toContain('*Locations*: 3 failed, 7 halted, 20 succeeded (30 in all)');
    expect(n.content.description).toContain(
      '• prod: halted, 0 of 7 failed (threshold 0) — Wave "dev" had 3 failed locations of 20',
    );
    // The worst five, most failed locations first (3: accounts 7 and 3, 7 with more failed instances), then 2 ...
    const worst = n.content.description.split('\n').filter((l) => l.startsWith('• 1000'));
    expect(worst).toHaveLength(5);
    expect(worst[0]).toMatch(/^• 100000000007 \(acct-7\): 3 locations failed, 0 halted, 1 instance failed$/);
    expect(worst[1]).toMatch(/^• 100000000003 /);
    expect(worst[2]).toMatch(/^• 100000000002 /);
    expect(n.content.description).toContain('*Report*: s3://b/runs/r-1/report.html');
    expect(n.metadata.threadId).toBe('orgpatch-r-1');
    expect(n.metadata.relatedResources).toEqual(['s3://b/runs/r-1/report.html', 's3://b/runs/r-1/report.csv']);
  });

  it('stays short for a huge run: the description is cut, never the report link', () => {
    const big = summary(3);
    const n = runNotification(
      {
        ...big,
        waves: Array.from(
          { length: 400 },
          (_, i) => ({ ...big.waves[0], name: `wave-${i}` }) as RunSummary['waves'][number],
        ),
      },
      { html: 'report.html' },
    );
    expect(n.content.description.length).toBeLessThan(3_600);
    expect(n.content.description).toContain('*Report*: report.html');
    expect(n.content.nextSteps).toContain('Open the report: report.html');
  });
});
