import { createHash } from 'node:crypto';
import {
  compareSnapshots,
  complianceGate,
  renderComplianceAsff,
  renderComplianceAsffBatches,
  renderComplianceCsv,
  renderComplianceHtml,
  renderComplianceJson,
  renderComplianceMarkdown,
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

describe('compliance reports', () => {
  it('JSON: the roll-ups, the gate, every node with its level and what was not seen', () => {
    const s = mixedSnapshot();
    const json = JSON.parse(renderComplianceJson(s, { gate: complianceGate(s, 'critical') }));
    expect(json.rollup.organization.critical).toBe(1);
    expect(json.gate.fail).toBe(true);
    expect(json.nodes).toHaveLength(7);
    expect(json.nodes[0]).toMatchObject({ instanceId: 'i-0000000000000000a', level: 'critical' });
    expect(json.notSeen[0]).toMatchObject({ region: 'eu-west-1', reason: 'region-not-enabled' });
  });

  it('CSV: a row per node worst first, a row per place not seen, formulas neutralised', () => {
    const s = mixedSnapshot();
    const hostile = { ...s, accounts: s.accounts.map((a) => ({ ...a, name: '=HYPERLINK("x")' })) };
    const rows = parseCsv(renderComplianceCsv(hostile));
    expect(rows[0]?.[0]).toBe('snapshot_id');
    expect(rows).toHaveLength(1 + 7 + 1);
    expect(rows[1]?.[5]).toBe('i-0000000000000000a');
    expect(rows[1]?.[6]).toBe('critical');
    expect(rows[1]?.[2]).toBe('\'=HYPERLINK("x")');
    const gap = rows[8];
    expect(gap?.[6]).toBe('not-seen');
    expect(gap?.[20]).toBe('region-not-enabled');
  });

  it('Markdown: totals, gate, comparison, roll-ups, not seen, and the nodes that need attention', () => {
    const s = mixedSnapshot();
    const md = renderComplianceMarkdown(s, {
      gate: complianceGate(s, 'security'),
      comparison: compareSnapshots(mixedSnapshot('c-earlier'), s),
    });
    expect(md).toContain('## By OU');
    expect(md).toContain('r-ab12 / ou-ab12-dev');
    expect(md).toContain('region-not-enabled');
    expect(md).toContain('Critical missing before: 1, after: 1');
    expect(md).toContain('i-0000000000000000d');
    expect(md).not.toContain('| i-0000000000000000c |'); // compliant, online, fresh: not listed
  });

  it('ASFF: one finding per non-compliant node with every required attribute, ARNs of the partition', () => {
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
    const findings = JSON.parse(renderComplianceAsff(s));
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

  it('ASFF batches hold at most 100 findings, as BatchImportFindings takes them', () => {
    const many = Array.from({ length: 230 }, (_, i) => ({
      instanceId: `i-${i.toString(16).padStart(17, '0')}`,
      management: 'online' as const,
      patch: patch(1, { security: 1 }),
    }));
    const s = snapshotOf([{ accountId: '200000000000', region: 'us-east-1', reading: nodes(...many) }]);
    const batches = [...renderComplianceAsffBatches(s)].map((b) => JSON.parse(b).Findings.length);
    expect(batches).toEqual([100, 100, 30]);
  });

  it('HTML: its one script is the one the Content-Security-Policy allows, by hash', () => {
    const hash = createHash('sha256').update(COMPLIANCE_SCRIPT, 'utf8').digest('base64');
    expect(SCRIPT_SHA256).toBe(hash);
    const html = renderComplianceHtml(mixedSnapshot());
    expect(html).toContain(`script-src 'sha256-${hash}'`);
    expect(html).toContain(`<script>${COMPLIANCE_SCRIPT}</script>`);
  });

  it('HTML: a hostile account name cannot end the data script or the page', () => {
    const s = mixedSnapshot();
    const hostile = {
      ...s,
      accounts: s.accounts.map((a) => ({ ...a, name: '</script><img src=x onerror=alert(1)>\u202E' })),
    };
    const html = renderComplianceHtml(hostile);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('\u202E');
  });

  it('HTML stays under 5 MB at 5,000 accounts, keeping every unmanaged, offline, critical and security node', () => {
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
    const html = renderComplianceHtml(s, { gate: complianceGate(s, 'critical') });
    expect(Buffer.byteLength(html)).toBeLessThan(5 * 1024 * 1024);
    const data = JSON.parse(html.slice(html.indexOf('{"accounts"'), html.indexOf('</script>')));
    const listed = data.nodes as unknown[][];
    // unmanaged 500*3, offline 500*3, critical and security 15,000 each: all of them.
    const kinds = listed.map((n) => (n[4] === 2 ? 'unmanaged' : n[4] === 1 ? 'offline' : n[3]));
    expect(kinds.filter((k) => k === 'unmanaged')).toHaveLength(1500);
    expect(kinds.filter((k) => k === 'offline')).toHaveLength(1500);
    expect(kinds.filter((k) => k === 0)).toHaveLength(15_000);
    expect(kinds.filter((k) => k === 1)).toHaveLength(15_000);
    expect(html).toMatch(/<p class="note omitted">\d+ nodes/);
    // 135,000 nodes take a couple of seconds on a quiet machine; a busy one is allowed longer.
  }, 60_000);
});
