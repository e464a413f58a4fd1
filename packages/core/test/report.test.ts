import { describe, expect, it } from 'vitest';
import {
  type AutomationStatus,
  buildPlan,
  createRunRecord,
  haltWaves,
  locationKey,
  markWaveRunning,
  type RunRecord,
  renderReportCsv,
  renderReportHtml,
  renderReportJson,
  renderReportMarkdown,
  summarizeRun,
} from '../src/index.js';
import { CSV_COLUMNS, csvField, markdownCell } from '../src/report.js';
import { escapeHtml } from '../src/reportHtmlTables.js';
import { recordExecutionState, recordPatchStates, recordStarted } from '../src/runRecord.js';
import { parseCsv } from './parseCsv.js';
import {
  account,
  groups,
  inventoryError,
  makeOrg,
  makeRequest,
  makeScope,
  makeWave,
  observeAll,
} from './plan.fixtures.js';

const A = '222222222222';
const B = '333333333333';
const C = '444444444444';
const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const EVIL_NAME = '<script>alert("x")</script> & "Sons", Ltd\'s | team\nline2';

/** dev: account A (with a hostile name); prod: B and C. A/us-east-1 fails one instance, prod is halted. */
function makeReportRecord(): RunRecord {
  const request = makeRequest({
    regions,
    organization: makeScope({
      waves: [makeWave('dev', { targetOus: ['ou-dev'] }), makeWave('prod', { targetOus: ['ou-prod'] })],
      // The report's skip cells are the subject here: unreachable locations are skipped by opt-out.
      skipUnreachable: ['access-denied', 'member-stack-missing'],
    }),
  });
  const accounts = [
    account(A, ['r-root', 'ou-dev'], { name: EVIL_NAME }),
    account(B, ['r-root', 'ou-prod']),
    account(C, ['r-root', 'ou-prod'], { status: 'SUSPENDED' }),
  ];
  const organization = makeOrg(accounts);
  const plan = buildPlan({
    request,
    organization,
    observations: observeAll([A, B], regions, {
      [locationKey(A, 'us-east-1')]: groups({ WebServers: ['i-a1', 'i-a2'], DbServers: null }),
      [locationKey(A, 'ap-southeast-2')]: inventoryError(
        'member-stack-missing',
        'AccessDenied',
        'not authorized to perform sts:AssumeRole',
      ),
      [locationKey(B, 'eu-west-1')]: groups({ WebServers: [], DbServers: [] }),
    }),
  });
  let record = createRunRecord({
    runId: 'run-7',
    createdAt: new Date('2026-03-01T00:00:00Z'),
    snapshotId: '6a1e0b5d-2d35-4c8b-9a52-4a5c6b7d8e9f',
    idempotencyKey: 'run-7',
    request,
    organization,
    plan,
  });
  record = markWaveRunning(record, 'dev');
  const loc = { accountId: A, region: 'us-east-1' };
  record = recordStarted(record, loc, {
    executionId: 'exec-1',
    clientToken: 'tok',
    group: 'WebServers',
    status: 'InProgress',
    startedAt: '2026-03-01T00:01:00.000Z',
    instances: [],
  });
  const child = (instanceId: string, status: AutomationStatus, failureMessage?: string) => ({
    executionId: `child-${instanceId}`,
    instanceId,
    status,
    ...(failureMessage ? { failureMessage } : {}),
  });
  record = recordExecutionState(
    record,
    loc,
    'exec-1',
    {
      executionId: 'exec-1',
      status: 'Failed',
      failureMessage: 'Step "PatchLinux" failed, see "details"',
      children: [child('i-a1', 'Success'), child('i-a2', 'Failed', 'exit code 1, "reboot" failed\r\nretry later')],
    },
    new Date('2026-03-01T00:09:00Z'),
  );
  record = recordPatchStates(
    record,
    loc,
    new Map([
      [
        'i-a1',
        { operation: 'Install', installedCount: 42, missingCount: 0, failedCount: 0, installedPendingRebootCount: 0 },
      ],
    ]),
  );
  const eu = { accountId: A, region: 'eu-west-1' };
  record = recordStarted(record, eu, {
    executionId: 'exec-2',
    clientToken: 'tok2',
    group: 'WebServers',
    status: 'InProgress',
    startedAt: '2026-03-01T00:01:00.000Z',
    instances: [],
  });
  record = recordExecutionState(
    record,
    eu,
    'exec-2',
    { executionId: 'exec-2', status: 'Success', children: [child(`i-${A.slice(-4)}1`, 'Success')] },
    new Date('2026-03-01T00:10:00Z'),
  );
  return haltWaves(record, 'prod', 'Wave "dev" had 1 failed location of 2', new Date('2026-03-01T00:11:00Z'));
}

describe('renderReportJson', () => {
  it('holds the summary and the record, and parses back', () => {
    const record = makeReportRecord();
    const json = renderReportJson(record);
    expect(json.endsWith('}\n')).toBe(true);
    const parsed = JSON.parse(json);
    expect(parsed.record).toEqual(record);
    expect(parsed.summary).toEqual(JSON.parse(JSON.stringify(summarizeRun(record))));
  });
});

describe('renderReportCsv', () => {
  it('quotes every text field as RFC 4180 asks and writes counts as bare numbers', () => {
    expect(csvField('plain')).toBe('"plain"');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField('')).toBe('""');
    expect(csvField(42)).toBe('42');
    expect(csvField(-2)).toBe('-2');
  });

  it('prefixes a text field that a spreadsheet would run as a formula with a quote', () => {
    expect(csvField(`=cmd|' /C calc'!A0`)).toBe(`"'=cmd|' /C calc'!A0"`);
    expect(csvField('+SUM(1+1)')).toBe(`"'+SUM(1+1)"`);
    expect(csvField('@HYPERLINK("http://x")')).toBe(`"'@HYPERLINK(""http://x"")"`);
    expect(csvField('-2+3')).toBe(`"'-2+3"`);
    expect(csvField('\t=1')).toBe(`"'\t=1"`);
    expect(csvField('\r\n=1')).toBe(`"'\r\n=1"`);
    expect(csvField('a=1')).toBe('"a=1"');
  });

  it('has the documented header and one row per instance, plus rows for locations without instances', () => {
    const record = makeReportRecord();
    const csv = renderReportCsv(record);
    expect(csv.split('\r\n')[0]).toBe(CSV_COLUMNS.map((c) => `"${c}"`).join(','));
    const [header, ...rows] = parseCsv(csv);
    expect(header).toEqual([...CSV_COLUMNS]);
    const column = (name: (typeof CSV_COLUMNS)[number]): number => CSV_COLUMNS.indexOf(name);
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
    // 9 locations: A/us-east-1 has 2 instance rows, A/eu-west-1 1 instance row, the 7 others one row each.
    expect(rows).toHaveLength(2 + 1 + 7);
    const byInstance = new Map(rows.filter((r) => r[column('instance_id')]).map((r) => [r[column('instance_id')], r]));
    expect(byInstance.get('i-a2')?.[column('failure_message')]).toBe('exit code 1, "reboot" failed\r\nretry later');
    expect(byInstance.get('i-a2')?.[column('account_name')]).toBe(EVIL_NAME);
    expect(byInstance.get('i-a1')?.[column('installed')]).toBe('42');
    expect(byInstance.get('i-a1')?.[column('patch_operation')]).toBe('Install');
    const skipped = rows.filter((r) => r[column('location_status')] === 'skipped');
    expect(skipped.map((r) => `${r[column('account_id')]}/${r[column('region')]}`).sort()).toEqual(
      [`${A}/ap-southeast-2`, `${B}/eu-west-1`, `${C}/us-east-1`, `${C}/eu-west-1`, `${C}/ap-southeast-2`].sort(),
    );
    expect(skipped.find((r) => r[column('account_id')] === A)?.[column('reason')]).toContain(
      'deploy the member StackSets',
    );
    const halted = rows.filter((r) => r[column('location_status')] === 'halted');
    expect(halted.map((r) => r[column('region')])).toEqual(['us-east-1', 'ap-southeast-2']);
  });
});

describe('renderReportMarkdown', () => {
  it('escapes Markdown in cells', () => {
    expect(markdownCell('a | b\nc <x> *y*')).toBe('a \\| b c \\<x\\> \\*y\\*');
  });

  it('keeps a cell from becoming a link, an autolink or math', () => {
    expect(markdownCell('[x](https://e.com) www.e.com a@e.com $x$')).toBe(
      '\\[x\\](https\\://e.com) www\\.e.com a\\@e.com \\$x\\$',
    );
  });

  it('shows the summary, the waves and every location with failures first', () => {
    const record = makeReportRecord();
    const md = renderReportMarkdown(record);
    expect(md).toContain('# orgpatch run run-7');
    expect(md).toContain('- Status: **halted**');
    expect(md).toContain('| all | 9 | 0 | 0 | 5 | 0 | 1 | 1 | 2 |');
    expect(md).toContain('| dev | failed | 3 | 1 of 2 | 0 |');
    expect(md).toContain('| prod | halted | 6 | 0 of 2 | 0 | Wave "dev" had 1 failed location of 2 |');
    const locationRows = md
      .slice(md.indexOf('## Locations'), md.indexOf('## Failed instances'))
      .split('\n')
      .filter((line) => line.startsWith(`| ${A}`) || line.startsWith(`| ${B}`) || line.startsWith(`| ${C}`));
    expect(locationRows).toHaveLength(9);
    expect(locationRows[0]).toContain('| failed |');
    expect(locationRows.at(-1)).toContain('| skipped |');
    expect(md).not.toContain('<script>');
    expect(md).toContain('\\<script\\>');
    expect(md).toContain('## Failed instances');
    expect(md).toContain('| i-a2 | child-i-a2 | Failed |');
  });
});

describe('renderReportHtml', () => {
  it('escapes every special character', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('is one self-contained page: no script, no external resource', () => {
    const html = renderReportHtml(makeReportRecord());
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html).not.toMatch(/url\(|@import/i);
    expect(html).toContain("default-src 'none'");
    for (const tag of ['table', 'tr', 'td', 'th', 'thead', 'tbody', 'h2']) {
      const opened = html.match(new RegExp(`<${tag}[\\s>]`, 'g'))?.length ?? 0;
      const closed = html.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0;
      expect(closed, tag).toBe(opened);
    }
  });

  it('escapes a hostile account name everywhere it appears', () => {
    const html = renderReportHtml(makeReportRecord());
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Sons&quot;, Ltd&#39;s');
  });

  it('has exactly one heat-map cell per account x Region, with status and reason', () => {
    const record = makeReportRecord();
    const html = renderReportHtml(record);
    const heatmap = /<table class="heatmap">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    const cells = [
      ...heatmap.matchAll(
        /<td data-account="([^"]*)" data-region="([^"]*)" data-status="(\w+)" class="s-(\w+)" title="([^"]*)">/g,
      ),
    ].map((m) => [m[0], m[4], m[1], m[2], m[3], m[5]]);
    expect(cells).toHaveLength(3 * 3);
    const keys = cells.map((c) => `${c[2]}/${c[3]}`);
    expect(new Set(keys).size).toBe(9);
    expect(new Set(keys)).toEqual(new Set(record.locations.map((l) => `${l.accountId}/${l.region}`)));
    const cellOf = (accountId: string, region: string) => cells.find((c) => c[2] === accountId && c[3] === region);
    expect(cellOf(A, 'us-east-1')?.[1]).toBe('failed');
    expect(cellOf(A, 'eu-west-1')?.[4]).toBe('succeeded');
    expect(cellOf(C, 'us-east-1')?.[5]).toContain('SUSPENDED');
    expect(cellOf(A, 'ap-southeast-2')?.[5]).toContain('deploy the member StackSets');
    expect(heatmap.match(/<td/g)).toHaveLength(9);
  });

  it('says in each cell why a location was skipped and never shows a failed instance as plain green', () => {
    const eu = { accountId: A, region: 'eu-west-1' };
    // The parent succeeded within MaxErrors although one of its two children failed.
    const record = recordExecutionState(
      makeReportRecord(),
      eu,
      'exec-2',
      {
        executionId: 'exec-2',
        status: 'Success',
        children: [
          { executionId: `child-i-${A.slice(-4)}1`, instanceId: `i-${A.slice(-4)}1`, status: 'Success' },
          { executionId: 'c-2', instanceId: 'i-eu2', status: 'Failed', failureMessage: 'exit code 1' },
        ],
      },
      new Date('2026-03-01T00:10:00Z'),
    );
    const html = renderReportHtml(record);
    const cellOf = (accountId: string, region: string) =>
      new RegExp(`<td data-account="${accountId}" data-region="${region}"[^>]*>(.*?)</td>`).exec(html)?.[1];
    expect(cellOf(A, 'eu-west-1')).toMatch(/^succeeded · 1\/2<small class="some-failed">1 failed<\/small>$/);
    expect(cellOf(C, 'us-east-1')).toBe('skipped<small>suspended</small>');
    expect(cellOf(A, 'ap-southeast-2')).toBe('skipped<small>no member stack</small>');
    expect(cellOf(B, 'eu-west-1')).toBe('skipped<small>no instances</small>');
    expect(html).toContain('td.s-succeeded:has(.some-failed)');
  });

  it('lists every instance result in the instance table', () => {
    const html = renderReportHtml(makeReportRecord());
    const instances = /<table class="instances">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    expect(instances.match(/<tr>/g)).toHaveLength(1 + 3);
    expect(instances).toContain('<td>i-a2</td><td>Failed</td>');
  });
});
