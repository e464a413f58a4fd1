import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ComplianceSnapshot, type ComplianceStore, nodeLevel, parsePayload } from '@orgpatch/core';
import { type Sandbox, startSandbox, type WorldFile } from '@orgpatch/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsClientFactory, createAwsClientFactory } from '../src/aws/clients.js';
import { createAwsRunDeps } from '../src/awsRunDeps.js';
import { collectCompliance } from '../src/compliance/collectCompliance.js';
import { ComplianceSnapshotInvalidError, RunStoreError } from '../src/errors.js';
import { LocalRunStore } from '../src/store/localRunStore.js';
import { S3RunStore } from '../src/store/s3RunStore.js';
import { MemoryRunStore } from '../src/testing.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const MANAGEMENT = '111111111111';
const MEMBER = '222222222222';
const NO_STACKS = '333333333333';
const DENIED = '444444444444';
const REGION = 'us-east-1';
const OPT_IN = 'af-south-1';
const BUCKET = 'orgpatch-compliance';
const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;
const HYBRID = 'mi-0000000000000000a';

/** Group "web" of the member holds every kind of node; one managed node is outside it. */
const WORLD: WorldFile = {
  organization: { id: 'o-compliance1', rootId: 'r-cmp1', managementAccountId: MANAGEMENT },
  startTime: '2026-03-01T00:00:00Z',
  regions: [REGION, OPT_IN],
  ous: [{ id: 'ou-cmp1-prod0001', name: 'prod', parentId: 'r-cmp1' }],
  accounts: [
    { id: MANAGEMENT, name: 'management', email: 'mgmt@example.com', parentId: 'r-cmp1', memberStacks: false },
    {
      id: MEMBER,
      name: 'member',
      email: 'member@example.com',
      parentId: 'ou-cmp1-prod0001',
      regionsNotEnabled: [OPT_IN],
      locations: {
        [REGION]: {
          instances: [
            {
              instanceId: id(1),
              groups: ['web'],
              missingPatches: 5,
              criticalPatches: 2,
              securityPatches: 1,
              lastScanDaysAgo: 1,
            },
            { instanceId: id(2), groups: ['web'], lastScanDaysAgo: 10 },
            { instanceId: id(3), groups: ['web'], managed: false },
            { instanceId: id(4), groups: ['web'], missingPatches: 2, pingStatus: 'ConnectionLost', lastScanDaysAgo: 2 },
            { instanceId: HYBRID, groups: ['web'], missingPatches: 1, securityPatches: 1, lastScanDaysAgo: 0.5 },
            { instanceId: id(5), missingPatches: 3, lastScanDaysAgo: 1 },
            { instanceId: id(6), groups: ['web'] },
          ],
        },
      },
    },
    {
      id: NO_STACKS,
      name: 'no-stacks',
      email: 'nostacks@example.com',
      parentId: 'ou-cmp1-prod0001',
      memberStacks: false,
      locations: { [REGION]: { instances: [{ instanceId: id(7), groups: ['web'] }] } },
    },
    {
      id: DENIED,
      name: 'denied',
      email: 'denied@example.com',
      parentId: 'ou-cmp1-prod0001',
      locations: { [REGION]: { instances: [{ instanceId: id(8), groups: ['web'], lastScanDaysAgo: 1 }] } },
    },
  ],
};

const request = parsePayload({
  Targets: [{ Key: 'ResourceGroup', Values: ['web'] }],
  Regions: [REGION, OPT_IN],
  Organization: { Accounts: [MEMBER, NO_STACKS, DENIED] },
});

let sandbox: Sandbox;
let clients: AwsClientFactory;
let dir: string;
const take = (snapshotId: string, allNodes = false) => {
  const deps = createAwsRunDeps(request, {
    clients,
    store: new MemoryRunStore(),
    credentialClock: () => sandbox.clock.now(),
  });
  return collectCompliance(request, deps, {
    snapshotId,
    takenAt: new Date(sandbox.clock.now()),
    maxAgeDays: 7,
    allNodes,
  });
};

beforeAll(async () => {
  sandbox = await startSandbox({
    world: structuredClone(WORLD),
    timeScale: 0,
    emptyPageRate: 0.3,
    buckets: [BUCKET],
    faults: { accessDenied: [{ accountId: DENIED, service: 'ssm' }] },
  });
  clients = createAwsClientFactory({ ...sandbox.clientConfig(REGION), homeRegion: REGION });
  dir = await mkdtemp(join(tmpdir(), 'orgpatch-compliance-'));
});
afterAll(async () => {
  clients.destroy();
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('collectCompliance against the sandbox', () => {
  it('reads every group member: levels, unmanaged, offline, hybrid, stale and never scanned; names what it could not see', async () => {
    const before = sandbox.calls.count({ service: 'ssm', operation: 'StartAutomationExecution' });
    const s = await take('c-groups');
    const byId = new Map(s.nodes.map((n) => [n.instanceId, n]));
    expect([...byId.keys()].sort()).toEqual([id(1), id(2), id(3), id(4), id(6), HYBRID].sort());
    expect(nodeLevel(byId.get(id(1)) ?? {})).toBe('critical');
    expect(byId.get(id(1))?.patch).toMatchObject({
      critical: 2,
      security: 1,
      other: 2,
      missing: 5,
      baselineId: expect.any(String),
    });
    expect(byId.get(id(2))).toMatchObject({ management: 'online', stale: true });
    expect(nodeLevel(byId.get(id(2)) ?? {})).toBe('compliant');
    expect(byId.get(id(3))).toEqual({
      accountId: MEMBER,
      region: REGION,
      instanceId: id(3),
      management: 'unmanaged',
      stale: true,
    });
    expect(byId.get(id(4))).toMatchObject({ management: 'offline', pingStatus: 'ConnectionLost' });
    expect(nodeLevel(byId.get(HYBRID) ?? {})).toBe('security');
    expect(byId.get(id(6))).toMatchObject({ management: 'online', stale: true });
    expect(byId.get(id(6))?.patch).toBeUndefined();
    expect(s.notSeen.map((g) => [g.accountId, g.region, g.reason])).toEqual([
      [MEMBER, OPT_IN, 'region-not-enabled'],
      [NO_STACKS, undefined, 'member-stack-missing'],
      // Its af-south-1 holds no group: nothing there to read, so nothing was refused.
      [DENIED, REGION, 'access-denied'],
    ]);
    expect(s.accounts.find((a) => a.id === MEMBER)?.ouPath).toEqual(['r-cmp1', 'ou-cmp1-prod0001']);
    // Read-only: nothing was started.
    expect(sandbox.calls.count({ service: 'ssm', operation: 'StartAutomationExecution' })).toBe(before);
  });

  it('with allNodes takes every managed node, group or not', async () => {
    const s = await take('c-all', true);
    const ids = s.nodes.filter((n) => n.accountId === MEMBER).map((n) => n.instanceId);
    expect(ids).toContain(id(5));
    expect(ids).not.toContain(id(3)); // not managed: SSM does not know it, and no group names it
  });

  it('asks DescribeInstancePatchStates for at most 50 ids a call', async () => {
    const calls = () => sandbox.calls.count({ service: 'ssm', operation: 'DescribeInstancePatchStates' });
    const before = calls();
    await take('c-count');
    // One location read (the member's us-east-1): 5 managed group members, one call.
    expect(calls() - before).toBe(1);
  });
});

describe('compliance snapshots in the stores', () => {
  let snapshot: ComplianceSnapshot;
  beforeAll(async () => {
    snapshot = await take('c-stored');
  });
  const stores: [string, () => ComplianceStore & { root: string }][] = [
    ['LocalRunStore', () => new LocalRunStore(join(dir, 'runs'))],
    [
      'S3RunStore',
      () =>
        new S3RunStore({ client: clients.s3(REGION), bucket: BUCKET, root: 'team-a' }) as S3RunStore & { root: string },
    ],
  ];
  for (const [name, open] of stores) {
    it(`${name}: keeps a snapshot, reads it back validated, lists it, never replaces it, and knows no other id`, async () => {
      const store = open();
      await store.putSnapshot(snapshot);
      expect(await store.getSnapshot('c-stored')).toEqual(snapshot);
      expect(await store.listSnapshots()).toEqual([
        { snapshotId: 'c-stored', takenAt: snapshot.takenAt, organizationId: 'o-compliance1' },
      ]);
      await expect(store.putSnapshot(snapshot)).rejects.toThrow(RunStoreError);
      await expect(store.putSnapshot(snapshot)).rejects.toThrow(/already stored.*never replaced/);
      expect(await store.getSnapshot('c-unknown')).toBeUndefined();
      await expect(store.getSnapshot('../etc')).rejects.toThrow(/not valid/i);
    });
  }

  it('refuses a manifest edited outside orgpatch, and a shard whose hash no longer matches, naming the file', async () => {
    const store = new LocalRunStore(join(dir, 'tampered'));
    await store.putSnapshot(snapshot);
    const manifest = join(dir, 'tampered', '.compliance', 'c-stored', 'manifest.json');
    const shard = join(dir, 'tampered', '.compliance', 'c-stored', 'shards', '00000.json');
    const original = await readFile(shard, 'utf8');
    await writeFile(shard, original.replace('"online"', '"offline"'));
    const error = await store.getSnapshot('c-stored').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComplianceSnapshotInvalidError);
    expect((error as Error).message).toContain(shard);
    expect((error as Error).message).toContain('SHA-256');
    await writeFile(shard, original);
    const text = await readFile(manifest, 'utf8');
    await writeFile(manifest, text.replace('"maxAgeDays":7', '"maxAgeDays":"seven"'));
    await expect(store.getSnapshot('c-stored')).rejects.toThrow(/maxAgeDays/);
    await writeFile(manifest, '{ not json');
    await expect(store.getSnapshot('c-stored')).rejects.toThrow(/not valid JSON/);
    const listed = await store.listSnapshots();
    expect(listed).toEqual([{ snapshotId: 'c-stored', unreadable: expect.stringContaining('c-stored') }]);
  });
});
