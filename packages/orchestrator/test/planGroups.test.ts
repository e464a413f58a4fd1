import type { OrganizationSnapshot, RunRecord } from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { runEngine } from '../src/steps/engine.js';
import { runStep } from '../src/steps/index.js';
import { encodeRunDocument } from '../src/store/storedDocuments.js';
import {
  account,
  FakeAutomation,
  FakeDirectory,
  FakeInventory,
  fakeDeps,
  groups,
  MemoryRunStore,
} from '../src/testing.js';

const DEV = 'ou-ab12-dev00001';
const PROD = 'ou-ab12-prod0001';
const RUN = 'run-plan-groups';

const payload = (org: Record<string, unknown> = {}) => ({
  Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
  Regions: ['us-east-1', 'eu-west-1'],
  Organization: {
    Waves: [
      { Name: 'dev', TargetOus: [DEV], ErrorThreshold: '0' },
      { Name: 'prod', TargetOus: [PROD], ErrorThreshold: '0' },
    ],
    ...org,
  },
  Concurrency: { Global: 4, PerAccount: 2 },
});

/** `n` dev and `n` prod accounts (long names, so an account list would show in the manifest's size) and the management account. */
function organization(n: number): OrganizationSnapshot {
  const accounts = [];
  for (let i = 0; i < n; i += 1) {
    accounts.push({
      ...account(String(100000000000 + i), ['r-ab12', DEV]),
      name: `dev-workload-${i}-`.padEnd(60, 'x'),
    });
    accounts.push({
      ...account(String(300000000000 + i), ['r-ab12', PROD]),
      name: `prod-workload-${i}-`.padEnd(60, 'x'),
    });
  }
  accounts.push(account('999999999999', ['r-ab12']));
  return {
    organizationId: 'o-abcdefghij',
    managementAccountId: '999999999999',
    callerAccountId: '999999999999',
    partition: 'aws',
    accounts,
  };
}

function world(n: number, store = new MemoryRunStore(), org = organization(n)) {
  return fakeDeps({
    directory: new FakeDirectory(org),
    inventory: new FakeInventory((l) => groups('WebServers', `i-${l.accountId.slice(-8)}${l.region.slice(-1)}`)),
    automation: new FakeAutomation(),
    store,
  });
}

const planningObjects = (store: MemoryRunStore) => [...store.objects.keys()].filter((k) => k.includes('/planning/'));

function outcome(record: RunRecord | undefined) {
  return {
    status: record?.status,
    locations: record?.locations.map((l) => `${l.accountId}/${l.region}/${l.wave} ${l.ouPath?.join('/')}: ${l.status}`),
  };
}

describe('plan groups, each stored on its own while a run plans', () => {
  it('keeps the manifest small while planning: it lists each group by size and hash, and the groups go once all are planned', async () => {
    const small = world(60);
    const large = world(600);
    const begunSmall = await runStep({ step: 'begin', payload: payload(), runId: RUN }, small);
    const begun = await runStep({ step: 'begin', payload: payload(), runId: RUN }, large);
    if (!('groups' in begun) || !('groups' in begunSmall)) throw new Error('not a begin');
    // 1,201 accounts in groups of 100: thirteen groups, each its own object, listed by size and hash.
    expect(begun.groups).toEqual([...Array(13).keys()]);
    const manifest = await large.store.sharded.manifest(RUN);
    const planning = manifest?.planning;
    if (planning === undefined || 'accounts' in planning) throw new Error('not stored plan groups');
    expect(planning.groups.map((g) => g.accounts)).toEqual([...Array(12).fill(100), 1]);
    expect(planning.groups.every((g) => /^[0-9a-f]{64}$/.test(g.sha256))).toBe(true);
    expect(planningObjects(large.store)).toHaveLength(13);
    // No account's name or OU is in the manifest: it grows by an account's id in its wave (as it
    // does once planned), and a few bytes a group; a listed account would be over 100 bytes.
    const text = large.store.objects.get(`${RUN}/manifest.json`) ?? '';
    const smallText = small.store.objects.get(`${RUN}/manifest.json`) ?? '';
    expect(text).not.toContain('prod-workload-1-');
    expect((text.length - smallText.length) / (1201 - 121)).toBeLessThan(20);
    const group = await large.store.sharded.planGroup(RUN, 3, planning.groups[3] ?? { accounts: 0, sha256: '' });
    expect(group.accountIds).toHaveLength(100);
    expect(group.accounts.map((a) => a.id)).toEqual(group.accountIds);

    const done = await runEngine(payload(), large, { runId: RUN });
    expect(done.finished?.status).toBe('succeeded');
    expect(planningObjects(large.store)).toEqual([]);
    const record = await large.store.get(RUN);
    expect(record?.locations).toHaveLength(2402);
    // Each location keeps its account's OU path and wave, from its group's accounts.
    const members = record?.locations.filter((l) => l.accountId !== '999999999999') ?? [];
    expect(members).toHaveLength(2400);
    expect(members.every((l) => l.wave === (l.accountId.startsWith('1') ? 'dev' : 'prod'))).toBe(true);
    expect(members.every((l) => l.ouPath?.[1] === (l.accountId.startsWith('1') ? DEV : PROD))).toBe(true);
  });

  it('refuses a plan group edited in the store, naming it, and plans nothing from it', async () => {
    const inventory = new FakeInventory(() => groups('WebServers', 'i-0123456789abcdef0'));
    const deps = { ...world(60), inventory };
    await runStep({ step: 'begin', payload: payload(), runId: RUN }, deps);
    const name = planningObjects(deps.store).find((k) => k.includes('/planning/0-'));
    if (name === undefined) throw new Error('no plan group 0');
    // Moved into the prod OU: its dev accounts would be patched in the prod wave.
    deps.store.objects.set(name, (deps.store.objects.get(name) ?? '').replaceAll(DEV, PROD));
    const before = await deps.store.sharded.manifest(RUN);
    await expect(runStep({ step: 'plan', runId: RUN, group: 0 }, deps)).rejects.toThrow(
      new RegExp(`memory://${name}[\\s\\S]*SHA-256`),
    );
    expect(await deps.store.sharded.manifest(RUN)).toEqual(before);
    expect(inventory.calls).toEqual([]);
  });

  it('plans and finishes a manifest that keeps its groups inline (written before plan groups were stored on their own) as the others', async () => {
    const reference = world(150);
    await runEngine(payload(), reference, { runId: RUN });
    const expected = outcome(await reference.store.get(RUN));

    const deps = world(150);
    const begun = await runStep({ step: 'begin', payload: payload(), runId: RUN }, deps);
    if (!('groups' in begun)) throw new Error('not a begin');
    await runStep({ step: 'plan', runId: RUN, group: 0 }, deps);
    // The manifest as the earlier layout wrote it: every discovered account and every group's ids in it.
    const manifest = await deps.store.sharded.manifest(RUN);
    const planning = manifest?.planning;
    if (manifest === undefined || planning === undefined || 'accounts' in planning) throw new Error('not planning');
    const stored = await Promise.all(planning.groups.map((g, i) => deps.store.sharded.planGroup(RUN, i, g)));
    const inline = {
      ...manifest,
      planning: {
        callerAccountId: planning.callerAccountId,
        accounts: organization(150).accounts,
        groups: stored.map((g) => g.accountIds),
        planned: planning.planned,
      },
    };
    for (const k of planningObjects(deps.store)) deps.store.objects.delete(k);
    deps.store.objects.set(`${RUN}/manifest.json`, encodeRunDocument(inline));

    const resumed = await runEngine(payload(), deps, { runId: RUN });
    expect(resumed.begun.groups).toEqual([1, 2, 3]);
    expect(resumed.finished?.status).toBe('succeeded');
    expect(outcome(await deps.store.get(RUN))).toEqual(expected);
  });

  it('finishes a run whose scope holds no account, with nothing to plan and nothing started', async () => {
    const deps = world(0, new MemoryRunStore(), { ...organization(0), accounts: [] });
    const done = await runEngine(payload(), deps, { runId: RUN });
    expect(done.begun.groups).toEqual([]);
    expect(done.finished?.status).toBe('succeeded');
    expect(deps.automation.startCalls).toEqual([]);
    expect(planningObjects(deps.store)).toEqual([]);
  });
});
