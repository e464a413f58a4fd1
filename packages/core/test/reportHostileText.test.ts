import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AutomationStatus,
  buildPlan,
  createRunRecord,
  locationKey,
  markWaveRunning,
  type RunRecord,
  renderReportCsv,
  renderReportHtml,
  renderReportJson,
  renderReportMarkdown,
} from '../src/index.js';
import { DEFAULT_WAVE_NAME } from '../src/plan.js';
import { CSV_COLUMNS } from '../src/report.js';
import { recordExecutionState, recordPatchStates, recordStarted } from '../src/runRecord.js';
import { parseCsv } from './parseCsv.js';
import { account, groups, inventoryError, makeOrg, makeRequest, makeScope } from './plan.fixtures.js';

/**
 * Names, groups and messages come from other accounts and from AWS. Whatever they hold, no report
 * may hand a spreadsheet a formula or a reader a character that reorders or hides text.
 */

const FORMULA = "=cmd|' /C calc'!A0";
const SUM = '+SUM(1+1)';
const LINK = '@HYPERLINK("http://x")';
const MINUS = '-2+3';
const BIDI = 'pay\u202Eroll\u2066 | [x](http://evil.example) <b>bold</b>';
const CONTROL = 'ok\rFAKE\u0000\u001B[2J\u0085';
const GROUP = '=Web|Servers\u202E';
const MESSAGE = '@SUM(1)\u202Edeliaf\u0007 | <img src=x>\rsucceeded';

const accounts = [
  ['222222222222', FORMULA],
  ['333333333333', SUM],
  ['444444444444', LINK],
  ['555555555555', MINUS],
  ['666666666666', BIDI],
  ['777777777777', CONTROL],
] as const;
const [A, B] = [accounts[0][0], accounts[1][0]];
const UNREACHABLE = accounts[5][0];
const REGION = 'us-east-1';

/** One Region, six accounts with hostile names, a hostile group; A has a failed instance, B patch counts. */
function makeHostileRecord(): RunRecord {
  const request = makeRequest({ regions: [REGION], resourceGroups: [GROUP], organization: makeScope() });
  const organization = makeOrg(accounts.map(([id, name]) => account(id, ['r-root'], { name })));
  const observations = new Map(
    accounts.map(([id]) => [
      locationKey(id, REGION),
      id === UNREACHABLE
        ? inventoryError('access-denied', '=Code', MESSAGE)
        : groups({ [GROUP]: [`i-${id.slice(-4)}`] }),
    ]),
  );
  let record = createRunRecord({
    runId: 'run-hostile',
    createdAt: new Date('2026-03-01T00:00:00Z'),
    snapshotId: '6a1e0b5d-2d35-4c8b-9a52-4a5c6b7d8e9f',
    idempotencyKey: 'run-hostile',
    request,
    organization,
    plan: buildPlan({ request, organization, observations }),
  });
  record = markWaveRunning(record, DEFAULT_WAVE_NAME);
  const start = (id: string, status: AutomationStatus, failureMessage?: string): void => {
    const location = { accountId: id, region: REGION };
    const instanceId = `i-${id.slice(-4)}`;
    record = recordStarted(record, location, {
      executionId: `exec-${id}`,
      clientToken: `tok-${id}`,
      group: GROUP,
      status: 'InProgress',
      startedAt: '2026-03-01T00:01:00.000Z',
      instances: [],
    });
    record = recordExecutionState(
      record,
      location,
      `exec-${id}`,
      {
        executionId: `exec-${id}`,
        status,
        ...(failureMessage ? { failureMessage } : {}),
        children: [{ executionId: `child-${id}`, instanceId, status, ...(failureMessage ? { failureMessage } : {}) }],
      },
      new Date('2026-03-01T00:09:00Z'),
    );
    record = recordPatchStates(
      record,
      location,
      new Map([
        [
          instanceId,
          { operation: 'Install', installedCount: 42, missingCount: 3, failedCount: 0, installedPendingRebootCount: 1 },
        ],
      ]),
    );
  };
  start(A, 'Failed', MESSAGE);
  start(B, 'Success');
  return record;
}

/**
 * Raw characters no report may hold, as the spec lists them, one UTF-16 unit at a time: C0 controls
 * but tab, LF and the CR of a CR LF; DEL and C1; the bidirectional controls; unpaired surrogates.
 */
function hiddenCharacters(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const u = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (u >= 0xd800 && u <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i += 1;
      continue;
    }
    const control =
      (u < 0x20 && u !== 0x09 && u !== 0x0a && !(u === 0x0d && next === 0x0a)) || (u >= 0x7f && u <= 0x9f);
    const bidi =
      u === 0x061c || u === 0x200e || u === 0x200f || (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069);
    const surrogate = u >= 0xd800 && u <= 0xdfff;
    if (control || bidi || surrogate) found.push(`U+${u.toString(16).toUpperCase().padStart(4, '0')}`);
  }
  return found;
}

const NUMERIC_COLUMNS = new Set<string>(['installed', 'missing', 'failed', 'installed_pending_reboot']);
const FORMULA_START = /^[=+\-@\t\r]/;

function csvRows(record: RunRecord): Record<(typeof CSV_COLUMNS)[number], string>[] {
  const [header, ...rows] = parseCsv(renderReportCsv(record));
  expect(header).toEqual([...CSV_COLUMNS]);
  return rows.map((row) => {
    expect(row).toHaveLength(CSV_COLUMNS.length);
    return Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, row[i] ?? ''])) as Record<
      (typeof CSV_COLUMNS)[number],
      string
    >;
  });
}

/** Text cells whose first character would make a spreadsheet evaluate them. */
function formulaCells(record: RunRecord): string[] {
  return csvRows(record).flatMap((row) =>
    Object.entries(row)
      .filter(([column, value]) => !NUMERIC_COLUMNS.has(column) && FORMULA_START.test(value))
      .map(([column, value]) => `${column}=${JSON.stringify(value)}`),
  );
}

/** The `|` that separate cells, not the escaped `\|` inside them. */
const cellSeparators = (line: string): number => line.match(/(?<!\\)(?:\\\\)*\|/g)?.length ?? 0;

function renderAll(record: RunRecord): Record<'json' | 'csv' | 'md' | 'html', string> {
  return {
    json: renderReportJson(record),
    csv: renderReportCsv(record),
    md: renderReportMarkdown(record),
    html: renderReportHtml(record),
  };
}

describe('reports of a run with hostile names, groups and messages', () => {
  it('CSV: neutralises every text cell a spreadsheet would run as a formula', () => {
    const record = makeHostileRecord();
    expect(formulaCells(record)).toEqual([]);
    const rows = csvRows(record);
    const nameOf = (id: string) => rows.find((r) => r.account_id === id)?.account_name;
    expect(nameOf(A)).toBe(`'${FORMULA}`);
    expect(nameOf(B)).toBe(`'${SUM}`);
    expect(nameOf(accounts[2][0])).toBe(`'${LINK}`);
    expect(nameOf(accounts[3][0])).toBe(`'${MINUS}`);
    const failed = rows.find((r) => r.account_id === A);
    expect(failed?.group).toBe("'=Web|Servers\\u202E");
    expect(failed?.failure_message).toBe("'@SUM(1)\\u202Edeliaf\\u0007 | <img src=x>\\u000Dsucceeded");
  });

  it('CSV: quotes every text cell and writes counts as bare numbers', () => {
    const csv = renderReportCsv(makeHostileRecord());
    const line = csv.split('\r\n').find((l) => l.includes(`"${B}"`)) ?? '';
    expect(line).toMatch(/^"run-hostile","default","333333333333","'\+SUM\(1\+1\)","us-east-1",/);
    expect(line).toMatch(/,"Install",42,3,0,1,"[^"]*"$/);
    expect(csvRows(makeHostileRecord()).find((r) => r.account_id === B)?.installed).toBe('42');
  });

  it('Markdown: keeps one cell per column and turns no name into a link or HTML', () => {
    const md = renderReportMarkdown(makeHostileRecord());
    const tableLines = md.split('\n').filter((l) => l.startsWith('|'));
    const locations = md
      .slice(md.indexOf('## Locations'), md.indexOf('## Failed instances'))
      .split('\n')
      .filter((l) => l.startsWith('|'));
    expect(locations).toHaveLength(2 + accounts.length);
    for (const line of locations) expect(cellSeparators(line), line).toBe(cellSeparators(locations[0] ?? ''));
    expect(tableLines.length).toBeGreaterThan(locations.length);
    expect(md).not.toMatch(/(?<!\\)<(b|img)\b/);
    expect(md).not.toMatch(/(?<!\\)\]\(http/);
    expect(md).toContain('pay\\u202Eroll\\u2066 \\| \\[x\\](http\\://evil.example) \\<b\\>bold\\</b\\>');
    expect(md).toContain('ok FAKE\\u0000\\u001B\\[2J\\u0085');
  });

  it('HTML: shows control and bidirectional characters as text and stays one self-contained page', () => {
    const html = renderReportHtml(makeHostileRecord());
    expect(html).toContain('pay\\u202Eroll\\u2066 | [x](http://evil.example) &lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('ok\\u000DFAKE\\u0000\\u001B[2J\\u0085');
    expect(html).toContain('@SUM(1)\\u202Edeliaf\\u0007 | &lt;img src=x&gt;\\u000Dsucceeded');
    expect(html).not.toMatch(/<(img|b)\b/i);
    for (const tag of ['table', 'tr', 'td', 'th']) {
      expect(html.match(new RegExp(`</${tag}>`, 'g'))?.length, tag).toBe(
        html.match(new RegExp(`<${tag}[\\s>]`, 'g'))?.length,
      );
    }
  });

  it('JSON: escapes control and bidirectional characters and still parses back to the record', () => {
    const record = makeHostileRecord();
    const json = renderReportJson(record);
    expect(json).toContain('pay\\u202Eroll\\u2066');
    expect(json).toContain('ok\\rFAKE\\u0000\\u001b[2J\\u0085');
    expect(JSON.parse(json).record).toEqual(record);
  });

  it('holds no raw control or bidirectional character in any format', () => {
    for (const [format, text] of Object.entries(renderAll(makeHostileRecord()))) {
      expect(hiddenCharacters(text), format).toEqual([]);
    }
  });
});

describe('reports of arbitrary account names and failure messages (property)', () => {
  const base = makeHostileRecord();
  /** Every location named `name`, every failed instance and execution saying `message`. */
  const withText = (name: string, message: string): RunRecord => ({
    ...base,
    locations: base.locations.map((l) => ({
      ...l,
      accountName: name,
      executions: l.executions.map((e) => ({
        ...e,
        ...(e.failureMessage === undefined ? {} : { failureMessage: message }),
        instances: e.instances.map((i) => (i.failureMessage === undefined ? i : { ...i, failureMessage: message })),
      })),
    })),
  });
  const hostileUnit = fc.constantFrom(
    ...['=', '+', '-', '@', '\t', '\r', '\n', '"', ',', '|', '\\', '<', "'", 'a', ' '],
    ...['\u202E', '\u2066', '\u200F', '\u061C', '\u0000', '\u001B', '\u007F', '\u0085', '\uD800', '\uDC00', '😀'],
  );
  const text = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({ unit: hostileUnit }),
    fc.tuple(fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\r\n'), fc.string()).map(([a, b]) => a + b),
  );
  const csvRowCount = csvRows(base).length;

  it('no CSV cell read back starts with a formula character, and the rows and columns stay as they were', () => {
    fc.assert(
      fc.property(text, text, (name, message) => {
        const record = withText(name, message);
        expect(csvRows(record)).toHaveLength(csvRowCount);
        expect(formulaCells(record)).toEqual([]);
      }),
    );
  });

  it('no report holds a raw control or bidirectional character', () => {
    fc.assert(
      fc.property(text, text, (name, message) => {
        for (const [format, rendered] of Object.entries(renderAll(withText(name, message)))) {
          expect(hiddenCharacters(rendered), format).toEqual([]);
        }
      }),
    );
  });

  it('leaves an ordinary name exactly as it is in the CSV', () => {
    const ordinary = fc
      .string({ unit: 'grapheme', minLength: 1 })
      .filter((s) => !FORMULA_START.test(s) && hiddenCharacters(s).length === 0);
    fc.assert(
      fc.property(ordinary, (name) => {
        for (const row of csvRows(withText(name, 'x'))) expect(row.account_name).toBe(name);
      }),
    );
  });
});
