import { open, stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

/** What the browser check found on a compliance page. */
export interface BrowserCheck {
  readonly ok: boolean;
  /** Each check that failed, in words (empty when ok). */
  readonly problems: readonly string[];
  /** Nodes the page lists at level critical, and the snapshot's count. */
  readonly critical: { readonly listed: number; readonly total: number };
  readonly unmanaged: { readonly listed: number; readonly total: number };
}

interface ReportHead {
  readonly snapshotId: string;
  readonly notSeen: readonly { readonly reason: string }[];
  readonly rollup: {
    readonly organization: { readonly critical: number; readonly security: number; readonly unmanaged: number };
    readonly ous: readonly unknown[];
  };
}

/** The compliance JSON report's head (everything before its nodes), read without reading the nodes. */
export async function reportHead(jsonPath: string): Promise<ReportHead> {
  const marker = ',"nodes":[';
  const file = await open(jsonPath);
  try {
    let text = '';
    const buffer = Buffer.alloc(1 << 20);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) throw new Error(`${jsonPath} has no nodes list`);
      text += buffer.toString('utf8', 0, bytesRead);
      const at = text.indexOf(marker);
      if (at >= 0) return JSON.parse(`${text.slice(0, at)}}`) as ReportHead;
    }
  } finally {
    await file.close();
  }
}

/**
 * Opens the compliance page `orgpatch compliance` wrote in Debian's chromium (as the e2e browser
 * test does, ORGPATCH_CHROMIUM or /usr/bin/chromium) and checks what issue 14 asks of it at scale:
 * under 5 MB; it renders with no script error and loads nothing; the OU roll-up comes first, a row
 * per OU of the snapshot; the level filter shows only that level, and lists every critical, security
 * and unmanaged node the snapshot has (the JSON report's totals).
 */
export async function checkComplianceHtml(htmlPath: string, jsonPath: string): Promise<BrowserCheck> {
  const head = await reportHead(jsonPath);
  const problems: string[] = [];
  const size = (await stat(htmlPath)).size;
  if (size >= 5 * 1024 * 1024) problems.push(`the page is ${size} bytes, not under 5 MB`);
  const browser = await chromium.launch({
    executablePath: process.env.ORGPATCH_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  const url = pathToFileURL(htmlPath).href;
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
    await page.waitForSelector('body[data-ready]', { timeout: 120_000 });
    if ((await page.title()) !== `orgpatch compliance ${head.snapshotId}`) problems.push('the title is wrong');
    const tables = await page.locator('table').evaluateAll((t) => t.map((x) => x.className));
    if (tables[0] !== 'totals' || tables[1] !== 'ou-rollup') problems.push(`tables in order ${tables.join(', ')}`);
    const ous = await page.locator('table.ou-rollup tbody tr').count();
    if (ous !== head.rollup.ous.length) problems.push(`${ous} OU rows for ${head.rollup.ous.length} OUs`);
    const listed = async (level: string): Promise<number> => {
      await page.selectOption('#level', level);
      const shown = (await page.locator('#shown').textContent()) ?? '';
      const levels = await page
        .locator('table.nodes tbody tr')
        .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-level'), r.getAttribute('data-management')]));
      const wrong = levels.filter(([l, m]) => (level === 'unmanaged' ? m !== 'unmanaged' : l !== level));
      if (wrong.length > 0) problems.push(`the ${level} filter shows ${wrong.length} rows of another kind`);
      const matching = /of (\d+) matching nodes shown/.exec(shown);
      return matching ? Number(matching[1]) : -1;
    };
    const t = head.rollup.organization;
    const critical = await listed('critical');
    const security = await listed('security');
    const unmanaged = await listed('unmanaged');
    if (critical !== t.critical) problems.push(`${critical} critical nodes listed of ${t.critical}`);
    if (security !== t.security) problems.push(`${security} security nodes listed of ${t.security}`);
    if (unmanaged !== t.unmanaged) problems.push(`${unmanaged} unmanaged nodes listed of ${t.unmanaged}`);
    if (errors.length > 0) problems.push(`script errors: ${errors.join('; ')}`);
    if (requests.length > 0) problems.push(`the page loaded ${requests.length} things`);
    return {
      ok: problems.length === 0,
      problems,
      critical: { listed: critical, total: t.critical },
      unmanaged: { listed: unmanaged, total: t.unmanaged },
    };
  } finally {
    await browser.close();
  }
}
