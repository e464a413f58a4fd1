import { complianceGate, nodeLevel, parsePayload, renderComplianceHtml, summarizeCompliance } from '@orgpatch/core';
import { collectCompliance } from '@orgpatch/orchestrator';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compliancePayload, complianceWorld, NODE } from './complianceWorld.js';
import { DEV1, type E2e, NOSTACK, startE2e } from './harness.js';

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it when missing). Never a downloaded browser. */
const CHROMIUM = process.env.ORGPATCH_CHROMIUM ?? '/usr/bin/chromium';

let browser: Browser;
let e2e: E2e;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  e2e = await startE2e(complianceWorld());
});
afterAll(async () => {
  await browser?.close();
  await e2e?.stop();
});

const visibleNodes = (page: Page) =>
  page.locator('table.nodes tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-node')));

describe('the HTML compliance page in a real browser', () => {
  it('renders the OU roll-up first, shows every unmanaged and non-compliant node, filters, searches and loads nothing', async () => {
    const request = parsePayload(compliancePayload());
    const snapshot = await collectCompliance(request, e2e.deps(request), {
      snapshotId: 'c-browser',
      takenAt: new Date(e2e.sandbox.clock.now()),
      maxAgeDays: 7,
    });
    const summary = await summarizeCompliance(snapshot);
    const html = await renderComplianceHtml(snapshot, { summary, gate: complianceGate(summary, 'critical') });
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('data:') && r.url() !== 'about:blank') requests.push(r.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.setContent(html, { waitUntil: 'load' });
    // The script inflates the page's data (gzip, base64) and fills the tables, then says so.
    await page.waitForSelector('body[data-ready]');

    await expect(page.title()).resolves.toBe('orgpatch compliance c-browser');
    // The OU roll-up comes before any other table but the totals.
    const tables = await page.locator('table').evaluateAll((t) => t.map((x) => x.className));
    expect(tables.slice(0, 2)).toEqual(['totals', 'ou-rollup']);
    expect(await page.locator('table.ou-rollup tbody tr').count()).toBe(2);
    expect(await page.locator('p.gate.fail').textContent()).toContain('1 node missing Critical patches');

    // Not seen, never collapsed: the account without member stacks and the Region not enabled.
    await expect(page.locator(`table.not-seen tr[data-account="${NOSTACK}"]`).isVisible()).resolves.toBe(true);
    await expect(
      page.locator(`table.not-seen tr[data-account="${DEV1}"][data-region="ap-east-1"]`).isVisible(),
    ).resolves.toBe(true);

    // The script ran (the policy allows it by hash): a row per node, worst first.
    const all = await visibleNodes(page);
    expect(all).toHaveLength(snapshot.nodes.length);
    expect(all[0]).toBe(NODE.unmanaged);
    for (const id of [NODE.unmanaged, NODE.offline, NODE.critical, NODE.security, NODE.other]) {
      await expect(page.locator(`table.nodes tr[data-node="${id}"]`).isVisible()).resolves.toBe(true);
    }
    expect(await page.locator(`table.nodes tr[data-node="${NODE.critical}"]`).getAttribute('data-level')).toBe(
      'critical',
    );
    expect(await page.locator(`table.nodes tr[data-node="${NODE.unmanaged}"]`).getAttribute('data-management')).toBe(
      'unmanaged',
    );

    // Filter by level.
    await page.selectOption('#level', 'critical');
    expect(await visibleNodes(page)).toEqual([NODE.critical]);
    await page.selectOption('#level', 'unmanaged');
    expect(await visibleNodes(page)).toEqual([NODE.unmanaged]);
    await page.selectOption('#level', 'other');
    const others = snapshot.nodes.filter((n) => nodeLevel(n) === 'other').map((n) => n.instanceId);
    expect((await visibleNodes(page)).sort()).toEqual(others.sort());
    // Search, across levels.
    await page.selectOption('#level', '');
    await page.fill('#search', 'prod-one');
    expect(await visibleNodes(page)).toEqual([NODE.other]);
    await page.fill('#search', NODE.hybrid.slice(0, 12));
    expect(await visibleNodes(page)).toEqual([NODE.hybrid]);
    expect(await page.locator('#shown').textContent()).toBe('1 of 1 matching nodes shown');
    await page.fill('#search', 'no such node');
    expect(await visibleNodes(page)).toEqual([]);

    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
