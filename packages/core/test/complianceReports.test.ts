import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import {
  type ComplianceSnapshot,
  compareSnapshots,
  complianceGate,
  type FailOn,
  joinChunks,
  renderComplianceAsff,
  renderComplianceAsffBatches,
  renderComplianceCsv,
  renderComplianceHtml,
  renderComplianceJson,
  renderComplianceMarkdown,
  splitComplianceSnapshot,
  summarizeCompliance,
} from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { COMPLIANCE_SCRIPT, SCRIPT_SHA256 } from '../src/complianceHtml.js';
import { mixedSnapshot, nodes, patch, snapshotOf } from './complianceFixture.js';
import { parseCsv } from './parseCsv.js';

/** The ASFF attributes Security Hub requires on every finding ("Required top-level ASFF attributes"). */
const REQUIRED_ASFF = [
  'AwsAccountId',
  'CreatedAt',
  'Description',
  'GeneratorId',
  'Id',
  'ProductArn',
  'Resources',
  'SchemaVersion',
  'Severity',
  'Title',
  'Types',
  'UpdatedAt',
];

/** The data a compliance page embeds (gzip, base64), as the page's script reads it. */
function pageDataOf(html: string): { nodes: unknown[][]; notSeen: unknown[][]; accounts: string[] } {
  const open = '<script type="application/octet-stream" id="page-data" data-encoding="gzip+base64">';
  const from = html.indexOf(open) + open.length;
  const base64 = html.slice(from, html.indexOf('</script>', from));
  return JSON.parse(gunzipSync(Buffer.from(base64, 'base64')).toString('utf8'));
}

const gateOf = async (s: ComplianceSnapshot, failOn: FailOn) => complianceGate(await summarizeCompliance(s), failOn);

describe('compliance reports', () => {
  it('JSON: the roll-ups, the gate, every node with its level and what was not seen', async () => {
    const s = mixedSnapshot();
    const json = JSON.parse(await renderComplianceJson(s, { gate: await gateOf(s, 'critical') }));
    expect(json.rollup.organization.critical).toBe(1);
    expect(json.gate.fail).toBe(true);
    expect(json.nodes).toHaveLength(7);
    expect(json.nodes[0]).toMatchObject({ instanceId: 'i-0000000000000000a', level: 'critical' });
    expect(json.notSeen[0]).toMatchObject({ region: 'eu-west-1', reason: 'region-not-enabled' });
  });

  it('CSV: a row per node worst first, a row per place not seen, formulas neutralised', async () => {
    const s = mixedSnapshot();
    const hostile = { ...s, accounts: s.accounts.map((a) => ({ ...a, name: '=HYPERLINK("x")' })) };
    const rows = parseCsv(await renderComplianceCsv(hostile));
    expect(rows[0]?.[0]).toBe('snapshot_id');
    expect(rows).toHaveLength(1 + 7 + 1);
    expect(rows[1]?.[5]).toBe('i-0000000000000000a');
    expect(rows[1]?.[6]).toBe('critical');
    expect(rows[1]?.[2]).toBe('\'=HYPERLINK("x")');
    const gap = rows[8];
    expect(gap?.[6]).toBe('not-seen');
    expect(gap?.[20]).toBe('region-not-enabled');
  });

  it('Markdown: totals, gate, comparison, roll-ups, not seen, and the nodes that need attention', async () => {
    const s = mixedSnapshot();
    const md = await renderComplianceMarkdown(s, {
      gate: await gateOf(s, 'security'),
      comparison: await compareSnapshots(mixedSnapshot('c-earlier'), s),
    });
    expect(md).toContain('## By OU');
    expect(md).toContain('r-ab12 / ou-ab12-dev');
    expect(md).toContain('region-not-enabled');
    expect(md).toContain('Critical missing before: 1, after: 1');
    expect(md).toContain('i-0000000000000000d');
    expect(md).not.toContain('| i-0000000000000000c |'); // compliant, online, fresh: not listed
  });

  it('ASFF: one finding per non-compliant node with every required attribute, ARNs of the partition', async () => {
    const s = snapshotOf(
      [
        {
          accountId: '200000000000',
          region: 'cn-north-1',
          reading: nodes(
            { instanceId: 'i-0000000000000000a', management: 'online', patch: patch(1, { critical: 2 }) },
            { instanceId: 'mi-0000000000000000b', management: 'online', patch: patch(1, { other: 1 }) },
            { instanceId: 'i-0000000000000000c', management: 'online', patch: patch(1) },
            { instanceId: 'i-0000000000000000d', management: 'unmanaged' },
          ),
        },
      ],
      { partition: 'aws-cn' },
    );
    const findings = JSON.parse(await renderComplianceAsff(s));
    expect(findings).toHaveLength(2);
    for (const f of findings) {
      for (const key of REQUIRED_ASFF) expect(f[key], key).toBeDefined();
      expect(f.SchemaVersion).toBe('2018-10-08');
      expect(f.ProductArn).toBe('arn:aws-cn:securityhub:cn-north-1:100000000000:product/100000000000/default');
      expect(f.Resources[1].Type).toBe('AwsSsmPatchCompliance');
      expect(f.Resources[1].Details.AwsSsmPatchCompliance.Patch.ComplianceSummary.Status).toBe('NON_COMPLIANT');
    }
    expect(findings[0].Severity.Label).toBe('CRITICAL');
    expect(findings[0].Resources[0]).toMatchObject({
      Type: 'AwsEc2Instance',
      Id: 'arn:aws-cn:ec2:cn-north-1:200000000000:instance/i-0000000000000000a',
    });
    expect(findings[1].Resources[0].Id).toBe(
      'arn:aws-cn:ssm:cn-north-1:200000000000:managed-instance/mi-0000000000000000b',
    );
    expect(JSON.stringify(findings)).not.toContain('arn:aws:');
  });

  it('ASFF batches hold at most 100 findings, as BatchImportFindings takes them', async () => {
    const many = Array.from({ length: 230 }, (_, i) => ({
      instanceId: `i-${i.toString(16).padStart(17, '0')}`,
      management: 'online' as const,
      patch: patch(1, { security: 1 }),
    }));
    const s = snapshotOf([{ accountId: '200000000000', region: 'us-east-1', reading: nodes(...many) }]);
    const batches: number[] = [];
    for await (const b of renderComplianceAsffBatches(s)) batches.push(JSON.parse(b).Findings.length);
    expect(batches).toEqual([100, 100, 30]);
  });

  it('HTML: its one script is the one the Content-Security-Policy allows, by hash', async () => {
    const hash = createHash('sha256').update(COMPLIANCE_SCRIPT, 'utf8').digest('base64');
    expect(SCRIPT_SHA256).toBe(hash);
    const html = await renderComplianceHtml(mixedSnapshot());
    expect(html).toContain(`script-src 'sha256-${hash}'`);
    expect(html).toContain(`<script>${COMPLIANCE_SCRIPT}</script>`);
  });

  it('HTML: a hostile account name cannot end the data script or the page', async () => {
    const s = mixedSnapshot();
    const hostile = {
      ...s,
      accounts: s.accounts.map((a) => ({ ...a, name: '</script><img src=x onerror=alert(1)>\u202E' })),
    };
    const html = await renderComplianceHtml(hostile);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('\u202E');
    // Inside the embedded data too, the name went through the reports' character policy.
    expect(JSON.stringify(pageDataOf(html))).not.toContain('\u202E');
  });

  it('HTML stays under 5 MB at 5,000 accounts, keeping every unmanaged, offline, critical and security node', async () => {
    const readings = [];
    for (let a = 0; a < 5000; a++) {
      for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-2']) {
        const list = Array.from({ length: 9 }, (_, i) => {
          const instanceId = `i-${(a * 100 + i).toString(16).padStart(17, '0')}`;
          if (i === 0 && a % 10 === 0) return { instanceId, management: 'unmanaged' as const };
          if (i === 1 && a % 10 === 0)
            return { instanceId, management: 'offline' as const, patch: patch(3, { other: 1 }) };
          const counts = i === 2 ? { critical: 1 } : i === 3 ? { security: 2 } : i < 7 ? { other: 5 } : {};
          return { instanceId, management: 'online' as const, patch: patch(2, counts) };
        });
        readings.push({ accountId: String(200000000000 + a), region, reading: nodes(...list) });
      }
    }
    const s = snapshotOf(readings, { accounts: 5000 });
    expect(s.nodes).toHaveLength(135_000);
    const html = await renderComplianceHtml(s, { gate: await gateOf(s, 'critical') });
    expect(Buffer.byteLength(html)).toBeLessThan(5 * 1024 * 1024);
    const listed = pageDataOf(html).nodes;
    // unmanaged 500*3, offline 500*3, critical and security 15,000 each: all of them.
    const kinds = listed.map((n) => (n[4] === 2 ? 'unmanaged' : n[4] === 1 ? 'offline' : n[3]));
    expect(kinds.filter((k) => k === 'unmanaged')).toHaveLength(1500);
    expect(kinds.filter((k) => k === 'offline')).toHaveLength(1500);
    expect(kinds.filter((k) => k === 0)).toHaveLength(15_000);
    expect(kinds.filter((k) => k === 1)).toHaveLength(15_000);
    // Compressed, every node fits: none is left out.
    expect(listed).toHaveLength(135_000);
    expect(html).not.toContain('class="note omitted"');
    // Within a smaller budget the least urgent are left out, counted on the page; the urgent stay.
    const small = await renderComplianceHtml(s, {}, { pageDataBudget: 150_000 });
    expect(Buffer.byteLength(small)).toBeLessThan(600_000);
    const kept = pageDataOf(small).nodes;
    const omitted = Number(/<p class="note omitted">(\d+) nodes/.exec(small)?.[1]);
    expect(kept.length + omitted).toBe(135_000);
    expect(kept.filter((n) => n[4] === 2)).toHaveLength(1500);
    expect(kept.filter((n) => n[3] === 0 && n[4] === 0)).toHaveLength(15_000);
    // 135,000 nodes take a couple of seconds on a quiet machine; a busy one is allowed longer.
  }, 60_000);
});

describe('compliance reports from a snapshot read a shard at a time', () => {
  /** The snapshot as a stored one reads: a batch per shard of `perShard` accounts, counting the passes. */
  const sharded = (s: ComplianceSnapshot, perShard: number) => {
    const { shards } = splitComplianceSnapshot(s, perShard);
    const { nodes: _nodes, ...head } = s;
    const source = {
      head,
      passes: 0,
      async *batches() {
        source.passes += 1;
        for (const shard of shards) yield shard.nodes;
      },
    };
    return source;
  };

  it('renders every format exactly as from the whole snapshot, worst first across shards', async () => {
    // Levels spread over accounts, so that a worst-first order has to gather them across shards.
    const readings = Array.from({ length: 6 }, (_, a) => ({
      accountId: String(200000000000 + a),
      region: 'us-east-1',
      reading: nodes(
        { instanceId: `i-${(a * 10).toString(16).padStart(17, '0')}`, management: 'online' as const, patch: patch(1) },
        {
          instanceId: `i-${(a * 10 + 1).toString(16).padStart(17, '0')}`,
          management: 'online' as const,
          patch: patch(1, a % 2 === 0 ? { critical: 1 } : { other: 2 }),
        },
        { instanceId: `i-${(a * 10 + 2).toString(16).padStart(17, '0')}`, management: 'unmanaged' as const },
      ),
    }));
    const s = snapshotOf(readings, { accounts: 6 });
    const source = sharded(s, 2);
    const summary = await summarizeCompliance(source);
    const extras = { summary, gate: complianceGate(summary, 'any') };
    expect(summary).toEqual(await summarizeCompliance(s));
    expect(await renderComplianceJson(source, extras)).toBe(await renderComplianceJson(s, extras));
    expect(await renderComplianceCsv(source)).toBe(await renderComplianceCsv(s));
    expect(await renderComplianceMarkdown(source, extras)).toBe(await renderComplianceMarkdown(s, extras));
    expect(await renderComplianceHtml(source, extras)).toBe(await renderComplianceHtml(s, extras));
    expect(await renderComplianceAsff(source)).toBe(await renderComplianceAsff(s));
    const csv = parseCsv(await renderComplianceCsv(source));
    expect(csv.slice(1, 4).map((r) => r[6])).toEqual(['critical', 'critical', 'critical']);
    const later = sharded({ ...s, snapshotId: 'c-later' }, 4);
    expect(await compareSnapshots(source, later)).toEqual(await compareSnapshots(s, { ...s, snapshotId: 'c-later' }));
    expect(
      await joinChunks(
        (async function* () {
          yield 'a';
          yield 'b';
        })(),
      ),
    ).toBe('ab');
  });

  it('stops reading when the Markdown has its 500 nodes, and reads the CSV in a pass per level', async () => {
    const many = Array.from({ length: 700 }, (_, i) => ({
      instanceId: `i-${i.toString(16).padStart(17, '0')}`,
      management: 'online' as const,
      patch: patch(1, { critical: 1 }),
    }));
    const s = snapshotOf([{ accountId: '200000000000', region: 'us-east-1', reading: nodes(...many) }]);
    const source = sharded(s, 1);
    const summary = await summarizeCompliance(source);
    source.passes = 0;
    const md = await renderComplianceMarkdown(source, { summary });
    expect(source.passes).toBe(1);
    expect(md).toContain('200 more nodes need attention');
    source.passes = 0;
    await renderComplianceCsv(source);
    expect(source.passes).toBe(5);
  });
});
