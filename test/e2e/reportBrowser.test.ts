import { parsePayload, renderReportHtmlChunks, splitRunRecord } from '@orgpatch/core';
import { renderReport, startRun, trackRun } from '@orgpatch/orchestrator';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DENIED, type E2e, e2eWorld, orgPayload, startE2e } from './harness.js';

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it when missing). Never a downloaded browser. */
const CHROMIUM = process.env.ORGPATCH_CHROMIUM ?? '/usr/bin/chromium';

let browser: Browser;
let e2e: E2e | undefined;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await e2e?.stop();
  e2e = undefined;
});

describe('the HTML run report in a real browser', () => {
  it('renders the OU roll-up and heat map, shows every failed and halted location, opens an account on click, and loads nothing from anywhere', async () => {
    // Dev fails its patching, so prod is halted: the report must show both.
    e2e = await startE2e(e2eWorld({ devFails: true }), {
      accessDenied: [{ accountId: DENIED, service: 'resource-groups' }],
    });
    const request = parsePayload(orgPayload());
    const deps = e2e.deps(request);
    const { record } = await startRun(request, deps);
    const { record: finished } = await trackRun(record, deps, { until: 'done', writeReports: false });
    expect(finished.status).toBe('halted');
    const html = renderReport(finished, 'html');
    // The page a sharded run's finish writes, a shard at a time, is the same page.
    const { manifest, shards } = splitRunRecord(finished, { accountsPerShard: 2, estimatedBytesPerShard: 1024 ** 2 });
    expect(shards.length).toBeGreaterThan(1);
    let streamed = '';
    for await (const chunk of renderReportHtmlChunks(manifest, () => shards)) streamed += chunk;
    expect(streamed).toBe(html);

    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('data:') && r.url() !== 'about:blank') requests.push(r.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setContent(html, { waitUntil: 'load' });

    await expect(page.title()).resolves.toBe(`orgpatch run ${finished.runId}`);
    expect(await page.locator('h1 .status').innerText()).toBe('halted');
    // One heat-map cell per location, all on screen.
    const cells = page.locator('table.heatmap td[data-account]');
    expect(await cells.count()).toBe(finished.locations.length);
    for (const l of finished.locations.filter((x) => x.status === 'failed' || x.status === 'halted')) {
      const cell = page.locator(`table.heatmap td[data-account="${l.accountId}"][data-region="${l.region}"]`);
      await expect(cell.isVisible()).resolves.toBe(true);
      expect(await cell.getAttribute('data-status')).toBe(l.status);
      // And a row in the locations table, with its reason.
      const row = page.locator('table.locations tr', { hasText: l.accountId }).filter({ hasText: l.region });
      expect(await row.count()).toBeGreaterThan(0);
      expect(await row.first().innerText()).toContain(l.status === 'halted' ? 'halted' : 'failed');
    }
    expect(await page.locator('table.heatmap td.s-failed:visible').count()).toBeGreaterThan(0);
    expect(await page.locator('table.heatmap td.s-halted:visible').count()).toBeGreaterThan(0);

    // The OU roll-up: a row per OU path of the run's accounts (discovery's, kept in the record), its counts adding up.
    expect(finished.locations.every((l) => (l.ouPath?.length ?? 0) > 0)).toBe(true);
    const ouOf = (l: (typeof finished.locations)[number]): string => (l.ouPath ?? []).join(' / ');
    const ous = new Set(finished.locations.map(ouOf));
    expect(await page.locator('table.ou-rollup tbody tr').count()).toBe(ous.size);
    for (const ou of ous) {
      const row = page.locator(`table.ou-rollup tr[data-ou="${ou}"]`);
      await expect(row.isVisible()).resolves.toBe(true);
      const [, accounts, locations] = await row.locator('td').allInnerTexts();
      const own = finished.locations.filter((l) => ouOf(l) === ou);
      expect(Number(accounts)).toBe(new Set(own.map((l) => l.accountId)).size);
      expect(Number(locations)).toBe(own.length);
    }
    // Needs attention: every failed and halted location (and, the run being over, any never started
    // or still running), on screen without opening anything.
    const needing = finished.locations.filter((l) =>
      ['failed', 'halted', 'starting', 'started', 'planned'].includes(l.status),
    );
    expect(needing.some((l) => l.status === 'failed')).toBe(true);
    expect(await page.locator('table.attention tbody tr').count()).toBe(needing.length);
    for (const l of needing) {
      const row = page.locator(`table.attention tr[data-account="${l.accountId}"][data-region="${l.region}"]`);
      await expect(row.isVisible()).resolves.toBe(true);
      expect(await row.getAttribute('data-status')).toBe(l.status);
    }
    // Each account is collapsed, and opens on click.
    const accountIds = new Set(finished.locations.map((l) => l.accountId));
    expect(await page.locator('details.account').count()).toBe(accountIds.size);
    const failedAccount = needing[0]?.accountId ?? '';
    const details = page.locator(`details.account[data-account="${failedAccount}"]`);
    const regions = details.locator('ul.regions');
    await expect(regions.isVisible()).resolves.toBe(false);
    await details.locator('summary').click();
    await expect(regions.isVisible()).resolves.toBe(true);
    expect(await details.getAttribute('open')).toBe('');
    expect(await regions.textContent()).toContain(needing[0]?.region ?? '?');

    // Self-contained: no request leaves the page, no script error.
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders a run too large for the per-location sections from its shards: a compact row for every location needing attention, accounts collapsed', async () => {
    e2e = await startE2e(e2eWorld({ devFails: true }), {
      accessDenied: [{ accountId: DENIED, service: 'resource-groups' }],
    });
    const request = parsePayload(orgPayload());
    const deps = e2e.deps(request);
    const { record } = await startRun(request, deps);
    const { record: finished } = await trackRun(record, deps, { until: 'done', writeReports: false });
    // The run's accounts copied until the page must be compact: a shard per copy, made when reached.
    const attention = new Set(['failed', 'halted', 'starting', 'started', 'planned']);
    const perCopy = finished.locations.filter((l) => attention.has(l.status)).length;
    const copies = Math.ceil(2001 / perCopy);
    const copyOf = (k: number) =>
      finished.locations.map((l) => ({ ...l, accountId: `${String(k).padStart(4, '0')}${l.accountId.slice(4)}` }));
    const shards = function* () {
      for (let k = 0; k < copies; k += 1) yield { locations: copyOf(k) };
    };
    let html = '';
    for await (const chunk of renderReportHtmlChunks(finished, shards)) html += chunk;

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setContent(html, { waitUntil: 'load' });
    expect(await page.locator('table.attention.compact').count()).toBe(1);
    expect(await page.locator('table.attention tbody tr').count()).toBe(perCopy * copies);
    expect(await page.locator('table.heatmap').count()).toBe(0);
    const last = copyOf(copies - 1).filter((l) => l.status === 'failed');
    expect(last.length).toBeGreaterThan(0);
    for (const l of last) {
      const row = page.locator(`table.attention tr[data-account="${l.accountId}"][data-region="${l.region}"]`);
      await expect(row.isVisible()).resolves.toBe(true);
      expect(await row.getAttribute('data-status')).toBe('failed');
    }
    const accounts = new Set(finished.locations.map((l) => l.accountId)).size;
    expect(await page.locator('details.account').count()).toBe(accounts * copies);
    expect(await page.locator('details.account[open]').count()).toBe(0);
    const failedAccount = page.locator(`details.account[data-account="${last[0]?.accountId}"]`);
    await failedAccount.locator('summary').click();
    await expect(failedAccount.locator('ul.regions').isVisible()).resolves.toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
