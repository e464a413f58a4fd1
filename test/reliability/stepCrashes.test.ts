import type { OrganizationSnapshot, RunRecord, ShardCommit } from '@orgpatch/core';
import { runEngine } from '@orgpatch/orchestrator';
import {
  account,
  FakeAutomation,
  FakeDirectory,
  FakeInventory,
  fakeDeps,
  groups,
  MemoryRunStore,
} from '@orgpatch/orchestrator/testing';
import { describe, expect, it } from 'vitest';

// Issue 13: every step is idempotent. Whichever store write a crash interrupts (before it is made,
// or after it is made but before the process goes on), running the engine again with the same run id
// ends the run as an uninterrupted one does: nothing started twice, no outcome lost.

const DEV = 'ou-ab12-dev00001';
const PROD = 'ou-ab12-prod0001';

const payload = {
  TaskExecutionId: '11111111-2222-4333-8444-555555555555',
  Targets: [{ Key: 'ResourceGroup', Values: ['WebServers', 'DbServers'] }],
  Regions: ['us-east-1', 'eu-west-1'],
  Organization: {
    Waves: [
      { Name: 'dev', TargetOus: [DEV], ErrorThreshold: '1' },
      { Name: 'prod', TargetOus: [PROD], ErrorThreshold: '0' },
    ],
  },
  Concurrency: { Global: 4, PerAccount: 2 },
};

function organization(): OrganizationSnapshot {
  const accounts = [];
  for (let i = 0; i < 4; i += 1) {
    accounts.push(account(String(100000000000 + i), ['r-ab12', DEV]));
    accounts.push(account(String(300000000000 + i), ['r-ab12', PROD]));
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

/** Two groups with instances everywhere but eu-west-1 of the first dev account; one dev location fails. */
function world() {
  const inventory = new FakeInventory((l) =>
    l.accountId === '100000000000' && l.region === 'eu-west-1'
      ? groups('WebServers')
      : {
          ...groups('WebServers', `i-${l.accountId.slice(-6)}${l.region.length}1`),
          ...groups('DbServers', `i-${l.accountId.slice(-6)}${l.region.length}2`),
        },
  );
  const automation = new FakeAutomation((l) =>
    l.accountId === '100000000002' && l.region === 'us-east-1' ? 'Failed' : 'Success',
  );
  const store = new MemoryRunStore();
  return fakeDeps({ directory: new FakeDirectory(organization()), inventory, automation, store });
}

function outcome(record: RunRecord | undefined) {
  return {
    status: record?.status,
    waves: record?.waves.map((w) => `${w.name} ${w.status}`),
    locations: record?.locations.map(
      (l) => `${l.accountId}/${l.region}: ${l.status} [${l.executions.map((e) => `${e.group}=${e.status}`).join(' ')}]`,
    ),
  };
}

/** The same deps with a store whose `n`th shard commit dies, before or after it is written. */
function crashingAt(deps: ReturnType<typeof world>, n: number, when: 'before' | 'after') {
  let commits = 0;
  const sharded = deps.store.sharded;
  const store = Object.assign(Object.create(deps.store) as MemoryRunStore, {
    sharded: {
      ...sharded,
      commit: async (runId: string, commit: ShardCommit) => {
        commits += 1;
        if (commits === n && when === 'before') throw new Error(`crash before commit ${n}`);
        const written = await sharded.commit(runId, commit);
        if (commits === n) throw new Error(`crash after commit ${n}`);
        return written;
      },
    },
  });
  return { deps: { ...deps, store }, commits: () => commits };
}

describe('the step engine resumed after a crash at any store write', () => {
  it('ends every crashed run as the uninterrupted one, starting each location and group once', async () => {
    const reference = world();
    const counting = crashingAt(reference, 0, 'after');
    const done = await runEngine(payload, counting.deps);
    const total = counting.commits();
    const expected = outcome(await reference.store.get(done.begun.runId));
    expect(expected.status).toBe('failed');
    expect(total).toBeGreaterThan(10);
    const starts = reference.automation.executions.size;
    expect(starts).toBeGreaterThan(0);

    const tried: string[] = [];
    for (let n = 1; n <= total; n += 1) {
      for (const when of ['before', 'after'] as const) {
        const deps = world();
        const crashing = crashingAt(deps, n, when);
        await expect(runEngine(payload, crashing.deps)).rejects.toThrow(/crash/);
        const resumed = await runEngine(payload, deps);
        expect(resumed.finished?.status, `crash ${when} commit ${n}`).toBe('failed');
        expect(outcome(await deps.store.get(resumed.begun.runId)), `crash ${when} commit ${n}`).toEqual(expected);
        // One execution per location and group: a repeated start found the first by its ClientToken.
        expect(deps.automation.executions.size, `crash ${when} commit ${n}`).toBe(starts);
        expect(deps.store.inProgress.size).toBe(0);
        tried.push(`${when} ${n}`);
      }
    }
    expect(tried).toHaveLength(total * 2);
  }, 120_000);
});

describe('a dry run after a crashed real run', () => {
  it('is refused as another request under the same run id, and starts nothing', async () => {
    const deps = world();
    const crashing = crashingAt(deps, 4, 'after');
    await expect(runEngine(payload, crashing.deps)).rejects.toThrow(/crash/);
    const startsBefore = deps.automation.startCalls.length;
    await expect(runEngine({ ...payload, DryRun: true }, deps)).rejects.toThrow(/DryRun/);
    expect(deps.automation.startCalls).toHaveLength(startsBefore);
  });
});
