import {
  type OrganizationSnapshot,
  parsePayload,
  type RunRecord,
  renderReportHtml,
  renderReportMarkdown,
} from '@orgpatch/core';
import { describe, expect, it, vi } from 'vitest';
import { startRun } from '../src/run/startRun.js';
import { trackRun } from '../src/run/trackRun.js';
import { runEngine } from '../src/steps/engine.js';
import { runStep } from '../src/steps/index.js';
import {
  account,
  FakeAutomation,
  FakeDirectory,
  FakeInventory,
  fakeDeps,
  groups,
  key,
  MemoryRunStore,
} from '../src/testing.js';

const DEV = 'ou-ab12-dev00001';
const PROD = 'ou-ab12-prod0001';
const TASK = '11111111-2222-4333-8444-555555555555';

function payload(extra: Record<string, unknown> = {}, org: Record<string, unknown> = {}) {
  return {
    TaskExecutionId: TASK,
    Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
    Regions: ['us-east-1', 'eu-west-1'],
    Organization: {
      Waves: [
        { Name: 'dev', TargetOus: [DEV], ErrorThreshold: '0' },
        { Name: 'prod', TargetOus: [PROD], ErrorThreshold: '0' },
      ],
      ...org,
    },
    Concurrency: { Global: 3, PerAccount: 1 },
    ...extra,
  };
}

/** An Organization of `n` dev and `n` prod accounts, a suspended one and the management account. */
function organization(n: number): OrganizationSnapshot {
  const accounts = [];
  for (let i = 0; i < n; i += 1) {
    accounts.push(account(String(100000000000 + i), ['r-ab12', DEV]));
    accounts.push(account(String(300000000000 + i), ['r-ab12', PROD]));
  }
  accounts.push(account('555555555555', ['r-ab12', PROD], 'SUSPENDED'));
  accounts.push(account('999999999999', ['r-ab12']));
  return {
    organizationId: 'o-abcdefghij',
    managementAccountId: '999999999999',
    callerAccountId: '999999999999',
    partition: 'aws',
    accounts,
  };
}

/** WebServers with one instance everywhere, but empty in eu-west-1 of every tenth account. */
function inventory() {
  return new FakeInventory((l) =>
    l.region === 'eu-west-1' && l.accountId.endsWith('0')
      ? groups('WebServers')
      : groups('WebServers', `i-${l.accountId.slice(-8)}${l.region === 'us-east-1' ? '01' : '02'}`),
  );
}

/** What a run came to, location by location, and its waves. */
function outcome(record: RunRecord) {
  return {
    status: record.status,
    waves: record.waves.map((w) => [w.name, w.status, w.reason ?? '']),
    locations: record.locations
      .map(
        (l) =>
          `${l.accountId}/${l.region}/${l.wave} in ${l.ouPath?.join('/') ?? '(no OU)'}: ${l.status} ${l.executions.map((e) => e.status).join(',')}`,
      )
      .sort(),
  };
}

async function bothEngines(n: number, automation: () => FakeAutomation, extra: Record<string, unknown> = {}) {
  const whole = fakeDeps({
    directory: new FakeDirectory(organization(n)),
    inventory: inventory(),
    automation: automation(),
  });
  const { record } = await startRun(parsePayload(payload(extra)), whole);
  const tracked = await trackRun(record.runId, whole);
  const stepped = fakeDeps({
    directory: new FakeDirectory(organization(n)),
    inventory: inventory(),
    automation: automation(),
  });
  const result = await runEngine(payload(extra), stepped, { runId: record.runId, pool: 3 });
  const steppedRecord = await stepped.store.get(record.runId);
  if (steppedRecord === undefined) throw new Error('no record');
  return { whole, tracked: tracked.record, stepped, steppedRecord, result };
}

describe('runEngine (the in-process step engine)', () => {
  it('reaches the same outcome as a run in one piece: same locations, statuses and starts, in wave order', async () => {
    const { whole, tracked, stepped, steppedRecord, result } = await bothEngines(130, () => new FakeAutomation());
    expect(result.finished?.status).toBe('succeeded');
    expect(outcome(steppedRecord)).toEqual(outcome(tracked));
    expect(stepped.automation.startCalls.map((c) => c.clientToken).sort()).toEqual(
      whole.automation.startCalls.map((c) => c.clientToken).sort(),
    );
    // Every dev start comes before the first prod start: the wave is a gate.
    const firstProd = stepped.automation.startCalls.findIndex((c) => c.location.accountId.startsWith('3'));
    const lastDev = stepped.automation.startCalls.map((c) => c.location.accountId.startsWith('1')).lastIndexOf(true);
    expect(lastDev).toBeLessThan(firstProd);
    // 262 accounts in plan groups of 100: three groups, and the record is kept as several shards.
    const manifest = await stepped.store.sharded.manifest(record(steppedRecord));
    expect(manifest?.shards.length).toBeGreaterThanOrEqual(3);
    expect(manifest?.planning).toBeUndefined();
    expect([...stepped.store.artifacts.keys()].some((k) => k.endsWith('report.html'))).toBe(true);
    expect(stepped.store.inProgress.size).toBe(0);
  });

  it('finish writes every report from the shards, never reading the run whole, as the whole record renders them', async () => {
    const failing = () =>
      new FakeAutomation((l) => (l.accountId === '100000000003' && l.region === 'eu-west-1' ? 'Failed' : 'Success'));
    const { stepped, steppedRecord } = await bothEngines(30, failing);
    const runId = steppedRecord.runId;
    stepped.store.artifacts.clear();
    const whole = vi.spyOn(stepped.store, 'get');
    await runStep({ step: 'finish', runId }, stepped);
    expect(whole).not.toHaveBeenCalled();
    expect(stepped.store.artifacts.get(`${runId}/report.html`)).toBe(renderReportHtml(steppedRecord));
    expect(stepped.store.artifacts.get(`${runId}/report.md`)).toBe(renderReportMarkdown(steppedRecord));
    expect(stepped.store.artifacts.get(`${runId}/report.html`)).toContain('data-status="failed"');
  });

  it('halts the later wave when the first fails beyond its threshold, as a run in one piece does', async () => {
    const failing = () =>
      new FakeAutomation((l) => (l.accountId === '100000000003' && l.region === 'eu-west-1' ? 'Failed' : 'Success'));
    const { tracked, stepped, steppedRecord } = await bothEngines(30, failing);
    expect(steppedRecord.status).toBe('halted');
    expect(outcome(steppedRecord)).toEqual(outcome(tracked));
    expect(stepped.automation.startCalls.some((c) => c.location.accountId.startsWith('3'))).toBe(false);
    expect(steppedRecord.waves[1]?.reason).toMatch(/Wave "dev" had 1 failed location/);
  });

  it('a dry run plans every group and starts nothing', async () => {
    const deps = fakeDeps({ directory: new FakeDirectory(organization(60)), inventory: inventory() });
    const result = await runEngine(payload({ DryRun: true }), deps);
    expect(result.finished?.status).toBe('planned');
    expect(deps.automation.startCalls).toHaveLength(0);
    const record = await deps.store.get(result.begun.runId);
    expect(record?.locations.length).toBe(122 * 2);
    // A start step given a dry run refuses before any call.
    await expect(runStep({ step: 'start', runId: result.begun.runId, shard: 0, wave: 'dev' }, deps)).rejects.toThrow(
      /dry run/,
    );
    expect(deps.automation.startCalls).toHaveLength(0);
  });

  it('resumes after a crash between intents and starts without starting anything twice', async () => {
    const store = new MemoryRunStore();
    const automation = new FakeAutomation();
    const deps = fakeDeps({
      directory: new FakeDirectory(organization(20)),
      inventory: inventory(),
      automation,
      store,
    });
    const begun = await runStep({ step: 'begin', payload: payload() }, deps);
    if (!('groups' in begun)) throw new Error('not a begin');
    for (const group of begun.groups) await runStep({ step: 'plan', runId: begun.runId, group }, deps);
    const decision = await runStep({ step: 'next', runId: begun.runId }, deps);
    if (!('action' in decision) || decision.action !== 'start')
      throw new Error(`not a start: ${JSON.stringify(decision)}`);
    // The process dies after the shard's intents are stored and its starts made, before their answers are.
    let commits = 0;
    const sharded = store.sharded;
    const dying = {
      ...deps,
      store: Object.assign(Object.create(store) as MemoryRunStore, {
        sharded: {
          ...sharded,
          commit: (runId: string, commit: Parameters<typeof sharded.commit>[1]) => {
            commits += 1;
            if (commits === 2) return Promise.reject(new Error('process killed'));
            return sharded.commit(runId, commit);
          },
        },
      }),
    };
    await expect(
      runStep({ step: 'start', runId: begun.runId, shard: decision.shards[0] ?? 0, wave: decision.wave }, dying),
    ).rejects.toThrow(/process killed/);
    const startsBefore = automation.startCalls.length;
    expect(startsBefore).toBeGreaterThan(0);
    expect((await store.get(begun.runId))?.locations.filter((l) => l.status === 'starting').length).toBe(startsBefore);
    // Started again from the top, the same run resumes: every location is started once.
    const result = await runEngine(payload(), deps, { runId: begun.runId });
    expect(result.finished?.status).toBe('succeeded');
    const executions = new Set(automation.startCalls.map((c) => c.clientToken));
    expect(automation.executions.size).toBe(executions.size);
    const record = await store.get(begun.runId);
    const started = record?.locations.filter((l) => l.executions.length > 0) ?? [];
    expect(started.length).toBe(executions.size);
    expect(new Set(started.flatMap((l) => l.executions.map((e) => e.executionId))).size).toBe(started.length);
  });

  it('refuses to resume a run id with another request, naming the difference, before anything is read', async () => {
    const deps = fakeDeps({ directory: new FakeDirectory(organization(5)), inventory: inventory() });
    const { begun } = await runEngine(payload(), deps);
    await expect(runEngine(payload({ Regions: ['us-east-1'] }), deps, { runId: begun.runId })).rejects.toThrow(
      /Regions/,
    );
  });
});

function record(r: RunRecord): string {
  return r.runId;
}
void key;

describe('runEngine on a window payload with PatchTuesday', () => {
  // The fake clock reads 2026-11-28 (a Saturday); November 2026's Patch Tuesday is the 10th.
  it('starts nothing on another day, and leaves a skip note that says why', async () => {
    const deps = fakeDeps({ directory: new FakeDirectory(organization(3)), inventory: inventory() });
    const result = await runEngine(payload({ PatchTuesday: { OffsetDays: 0 } }), deps);
    expect(result.begun.skipped).toMatch(/not the patch day/);
    expect(result.finished).toBeUndefined();
    expect(deps.automation.startCalls).toHaveLength(0);
    expect(await deps.store.sharded.manifest(result.begun.runId)).toBeUndefined();
    expect(await deps.store.list()).toContainEqual(
      expect.objectContaining({ runId: result.begun.runId, status: 'skipped-not-patch-day' }),
    );
  });

  it('runs on the go-day (Patch Tuesday plus the offset)', async () => {
    const deps = fakeDeps({ directory: new FakeDirectory(organization(3)), inventory: inventory() });
    const result = await runEngine(payload({ PatchTuesday: { OffsetDays: 18 } }), deps);
    expect(result.begun.skipped).toBeNull();
    expect(result.finished?.status).toBe('succeeded');
    expect(deps.automation.startCalls.length).toBeGreaterThan(0);
  });
});
