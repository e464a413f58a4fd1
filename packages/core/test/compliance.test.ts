import {
  assembleComplianceSnapshot,
  type ComplianceSnapshot,
  compareSnapshots,
  complianceGate,
  type FailOn,
  nodeLevel,
  parseComplianceManifest,
  parseComplianceShard,
  rollUpCompliance,
  StoredDocumentError,
  splitComplianceSnapshot,
  summarizeCompliance,
} from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { mixedSnapshot, nodes, patch, snapshotOf } from './complianceFixture.js';

describe('buildComplianceSnapshot', () => {
  it('judges staleness against max age, keeps a node listed twice once, and sorts by place', () => {
    const s = mixedSnapshot();
    expect(s.nodes.map((n) => n.instanceId)).toEqual([
      'i-0000000000000000a',
      'i-0000000000000000b',
      'i-0000000000000000c',
      'i-0000000000000000d',
      'mi-0000000000000000e',
      'i-00000000000000010',
      'i-0000000000000000f',
    ]);
    const byId = new Map(s.nodes.map((n) => [n.instanceId, n]));
    expect(byId.get('i-0000000000000000a')?.stale).toBe(false);
    expect(byId.get('i-0000000000000000f')?.stale).toBe(true); // 10 days > 7
    expect(byId.get('i-0000000000000000d')?.stale).toBe(true); // no patch data
    const twice = snapshotOf([
      {
        accountId: '200000000000',
        region: 'us-east-1',
        reading: nodes(
          { instanceId: 'i-0000000000000000a', management: 'online', patch: patch(1) },
          { instanceId: 'i-0000000000000000a', management: 'online', patch: patch(1) },
        ),
      },
    ]);
    expect(twice.nodes).toHaveLength(1);
  });

  it('names an account whose role is missing in every Region once, and a Region not enabled by itself', () => {
    const failure = { kind: 'error', error: 'member-stack-missing', code: 'AccessDenied', message: 'no role' } as const;
    const s = snapshotOf([
      { accountId: '200000000000', region: 'us-east-1', reading: failure },
      { accountId: '200000000000', region: 'eu-west-1', reading: failure },
      {
        accountId: '200000000001',
        region: 'eu-west-1',
        reading: { kind: 'error', error: 'region-not-enabled', code: 'UnrecognizedClientException', message: 'x' },
      },
    ]);
    expect(s.notSeen).toEqual([
      { accountId: '200000000000', reason: 'member-stack-missing', code: 'AccessDenied', message: 'no role' },
      expect.objectContaining({ accountId: '200000000001', region: 'eu-west-1', reason: 'region-not-enabled' }),
    ]);
    expect(s.nodes).toEqual([]);
  });
});

describe('nodeLevel', () => {
  it('ranks critical over security over other, and no data as unknown', () => {
    expect(nodeLevel({ patch: patch(0, { critical: 1, security: 5 }) })).toBe('critical');
    expect(nodeLevel({ patch: patch(0, { security: 1, other: 5 }) })).toBe('security');
    expect(nodeLevel({ patch: patch(0, { other: 1 }) })).toBe('other');
    expect(nodeLevel({ patch: { ...patch(0), installedPendingReboot: 1 } })).toBe('other');
    expect(nodeLevel({ patch: patch(0) })).toBe('compliant');
    expect(nodeLevel({})).toBe('unknown');
  });
});

describe('rollUpCompliance', () => {
  it('totals by Organization, OU, account and Region, counting what was not seen and never as compliant', async () => {
    const r = await rollUpCompliance(mixedSnapshot());
    expect(r.organization).toMatchObject({
      nodes: 7,
      critical: 1,
      security: 1,
      other: 1,
      unknown: 1,
      compliant: 3,
      unmanaged: 1,
      offline: 1,
      stale: 3,
      notSeen: 1,
      criticalPatches: 2,
      securityPatches: 3,
    });
    expect(r.ous.map((o) => o.key)).toEqual(['r-ab12 / ou-ab12-dev', 'r-ab12 / ou-ab12-prod']);
    expect(r.ous[0]?.totals.notSeen).toBe(1);
    expect(r.accounts[0]).toMatchObject({ key: '200000000000', name: 'account-0' });
    expect(r.regions.find((x) => x.key === 'eu-west-1')?.totals).toMatchObject({ nodes: 1, other: 1, notSeen: 1 });
    // Worst first: us-east-1 holds the critical node.
    expect(r.regions[0]?.key).toBe('us-east-1');
  });
});

describe('complianceGate', async () => {
  const s = mixedSnapshot();
  const gate = async (snapshot: ComplianceSnapshot, failOn: FailOn) =>
    complianceGate(await summarizeCompliance(snapshot), failOn);
  it('fails on critical when a node misses a Critical patch, and names what it did not see', async () => {
    const g = await gate(s, 'critical');
    expect(g).toMatchObject({ fail: true, offending: 1 });
    expect(g.message).toContain('1 place could not be read');
  });
  it('fails on security for Critical or Security patches', async () => {
    expect(await gate(s, 'security')).toMatchObject({ fail: true, offending: 2 });
  });
  it('fails on any for every node not known compliant and every place not read', async () => {
    // a, b, d (unmanaged), e (offline), f (stale), 10 (other): 6 nodes, plus 1 place.
    expect(await gate(s, 'any')).toMatchObject({ fail: true, offending: 7 });
  });
  it('never fails on never, and passes critical when no node misses a Critical patch', async () => {
    expect((await gate(s, 'never')).fail).toBe(false);
    const clean = snapshotOf([
      {
        accountId: '200000000000',
        region: 'us-east-1',
        reading: nodes({ instanceId: 'i-0000000000000000a', management: 'online', patch: patch(1, { other: 3 }) }),
      },
    ]);
    expect(await gate(clean, 'critical')).toMatchObject({ fail: false, offending: 0 });
    expect((await gate(clean, 'any')).fail).toBe(true);
  });
});

describe('compareSnapshots', () => {
  it('says what was fixed, what is new, what is still missing and what is gone, per node and in totals', async () => {
    const before = mixedSnapshot('c-before');
    const after = snapshotOf(
      [
        {
          accountId: '200000000000',
          region: 'us-east-1',
          reading: nodes(
            { instanceId: 'i-0000000000000000a', management: 'online', patch: patch(0) }, // fixed
            { instanceId: 'i-0000000000000000b', management: 'online', patch: patch(0, { security: 1 }) }, // still
            { instanceId: 'i-0000000000000000c', management: 'online', patch: patch(0, { critical: 1 }) }, // new
          ),
        },
        // i-...10 (other) is gone.
      ],
      { id: 'c-after' },
    );
    const c = await compareSnapshots(before, after);
    expect(c.nodes.map((d) => [d.instanceId, d.change])).toEqual([
      ['i-0000000000000000c', 'new'],
      ['i-0000000000000000b', 'still-missing'],
      ['i-00000000000000010', 'gone'],
      ['i-0000000000000000a', 'fixed'],
    ]);
    expect(c.totals).toMatchObject({
      fixed: 1,
      new: 1,
      stillMissing: 1,
      gone: 1,
      criticalNodes: { before: 1, after: 1 },
      securityNodes: { before: 1, after: 1 },
      nonCompliantNodes: { before: 3, after: 2 },
    });
  });

  it('refuses two snapshots of different Organizations', async () => {
    const a = mixedSnapshot('c-a');
    const b = { ...mixedSnapshot('c-b'), organization: { ...a.organization, organizationId: 'o-other' } };
    await expect(compareSnapshots(a, b)).rejects.toThrow(/Organization o-abc123.*o-other.*same Organization/);
  });
});

describe('the stored snapshot', () => {
  const stored = (s = mixedSnapshot(), perShard = 1) => {
    const { manifest, shards } = splitComplianceSnapshot(s, perShard);
    const entries = shards.map((x) => ({
      id: x.id,
      firstAccountId: x.firstAccountId,
      lastAccountId: x.lastAccountId,
      nodes: x.nodes.length,
      sha256: 'a'.repeat(64),
    }));
    return {
      manifest: JSON.parse(JSON.stringify({ ...manifest, shards: entries })),
      shards: shards.map(({ firstAccountId: _f, lastAccountId: _l, ...rest }) => JSON.parse(JSON.stringify(rest))),
    };
  };

  it('splits by accounts and reads back to the same snapshot', () => {
    const s = mixedSnapshot();
    const { manifest, shards } = stored(s);
    expect(shards).toHaveLength(2);
    const m = parseComplianceManifest(manifest, 'm.json', { snapshotId: s.snapshotId });
    const read = shards.map((x, i) =>
      parseComplianceShard(x, `s${i}`, { snapshotId: s.snapshotId, id: i, nodes: m.shards[i]?.nodes ?? -1 }),
    );
    expect(assembleComplianceSnapshot(m, read)).toEqual(s);
  });

  it('refuses a manifest with a wrong field, another snapshot id, or shards out of order, naming the path', () => {
    const { manifest } = stored();
    const bad = { ...manifest, takenAt: 'yesterday', shards: [...manifest.shards].reverse() };
    let error: unknown;
    try {
      parseComplianceManifest(bad, '/x/manifest.json', { snapshotId: 'c-other' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoredDocumentError);
    expect((error as Error).message).toContain('/x/manifest.json');
    expect((error as StoredDocumentError).issues.map((i) => i.path)).toEqual(['takenAt']);
    const wrongId = () =>
      parseComplianceManifest({ ...manifest, shards: [...manifest.shards].reverse() }, 'm', { snapshotId: 'c-other' });
    expect(wrongId).toThrow(/snapshotId: is "c-mixed", but it was read as "c-other"/);
    expect(wrongId).toThrow(/shards\[0\]\.id: is 1/);
  });

  it('refuses a shard with unknown keys or fewer nodes than the manifest lists', () => {
    const { shards } = stored();
    expect(() =>
      parseComplianceShard({ ...shards[0], extra: 1 }, 's', { snapshotId: 'c-mixed', id: 0, nodes: 5 }),
    ).toThrow(StoredDocumentError);
    expect(() => parseComplianceShard(shards[0], 's', { snapshotId: 'c-mixed', id: 0, nodes: 9 })).toThrow(
      /holds 5 nodes, but the manifest lists 9/,
    );
  });
});
