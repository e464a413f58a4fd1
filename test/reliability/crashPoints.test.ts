import { paginateDescribeAutomationExecutions } from '@aws-sdk/client-ssm';
import { type Location, leaseScopeFor, type PatchRequest, parsePayload, type RunStore } from '@orgpatch/core';
import { type AwsRunDeps, LocalRunStore, startRun, trackRun } from '@orgpatch/orchestrator';
import { afterEach, describe, expect, it } from 'vitest';
import { DENIED, type E2e, e2eWorld, orgPayload, startE2e } from '../e2e/harness.js';

/**
 * The crash-point harness: the whole run (plan, record, starts wave by wave, tracking, reports) is
 * replayed once per side effect, and killed at that effect, before it happens or right after it
 * happened (its answer lost). Then, as AWS would, a fresh process (the tracker) reads the store and
 * carries on. Whatever the crash point, every automation planned is started exactly once, every
 * automation started is in the record, and the run ends as an uncrashed run does.
 */

/** What kills the process: thrown at the crash point and from every effect after it. */
class Crash extends Error {
  constructor(readonly point: string) {
    super(`crashed at ${point}`);
    this.name = 'Crash';
  }
}

type Mode = 'before' | 'after';

interface CrashPlan {
  /** The effect (1-based) the process dies at; 0 never. */
  readonly at: number;
  readonly mode: Mode;
}

/** Wraps the effects (store writes and leases, automation starts) with a counter and the crash. */
function crashing(deps: AwsRunDeps, plan: CrashPlan): { deps: AwsRunDeps; effects: string[] } {
  const effects: string[] = [];
  let dead = false;
  const effect = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    if (dead) throw new Crash(`${name} (after death)`);
    effects.push(name);
    const here = effects.length === plan.at;
    if (here && plan.mode === 'before') {
      dead = true;
      throw new Crash(name);
    }
    const result = await run();
    if (here) {
      dead = true;
      throw new Crash(name);
    }
    return result;
  };
  const s = deps.store;
  const store: RunStore = {
    put: (record) => effect(`put ${record.status}`, () => s.put(record)),
    get: (runId) => (dead ? Promise.reject(new Crash('get')) : s.get(runId)),
    list: () => s.list(),
    putSkipNote: (note) => effect('putSkipNote', () => s.putSkipNote(note)),
    listInProgress: () => s.listInProgress(),
    acquireLease: (request) => effect('acquireLease', () => s.acquireLease(request)),
    releaseLease: (scope, runId) => effect('releaseLease', () => s.releaseLease(scope, runId)),
    putArtifact: (runId, name, body, type) => effect(`artifact ${name}`, () => s.putArtifact(runId, name, body, type)),
  };
  const a = deps.automation;
  return {
    effects,
    deps: {
      ...deps,
      store,
      automation: {
        start: (input) => effect(`start ${input.location.accountId}/${input.location.region}`, () => a.start(input)),
        describe: (location, id) => (dead ? Promise.reject(new Crash('describe')) : a.describe(location, id)),
        stop: (location, id) => a.stop(location, id),
      },
    },
  };
}

const TASK = '5d0c1f2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f';

let e2e: E2e | undefined;
afterEach(async () => {
  await e2e?.stop();
  e2e = undefined;
});

async function world(): Promise<E2e> {
  // The run is replayed once per side effect: without SSM's API rates (the sandbox's default), whose
  // real-time retries would multiply by every replay; runs under them are resilience.test.ts's.
  return startE2e(e2eWorld(), { throttle: [], accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] });
}

function request(): PatchRequest {
  return parsePayload(orgPayload({ TaskExecutionId: TASK }));
}

/** Runs to the end as the CLI's `run --wait` does. */
async function runToEnd(req: PatchRequest, deps: AwsRunDeps): Promise<void> {
  const { record } = await startRun(req, deps);
  await trackRun(record, deps, { until: 'done' });
}

/** The parent automations AWS holds in the run's locations (DescribeAutomationExecutions, as a person would check). */
async function parentsIn(e: E2e, locations: readonly Location[]): Promise<string[]> {
  const deps = e.deps(request());
  const ids: string[] = [];
  for (const location of locations) {
    const creds = await deps.credentials.get(location.accountId, location.region);
    const ssm = e.clients.ssm(location.region, creds ? async () => creds : undefined);
    for await (const page of paginateDescribeAutomationExecutions({ client: ssm }, {})) {
      for (const m of page.AutomationExecutionMetadataList ?? []) {
        if (m.ParentAutomationExecutionId === undefined && m.AutomationExecutionId) ids.push(m.AutomationExecutionId);
      }
    }
  }
  return ids;
}

describe('crash at every side effect of a run', () => {
  it('starts every planned automation exactly once, loses none, and ends as an uncrashed run', async () => {
    // The uncrashed run: how many effects, which executions, which outcome.
    e2e = await world();
    const clean = crashing(e2e.deps(request()), { at: 0, mode: 'before' });
    await runToEnd(request(), clean.deps);
    const reference = await e2e.store.get(`mw-${TASK}`);
    const planned = (reference?.locations ?? [])
      .filter((l) => l.decision.action === 'start')
      .map((l) => ({ accountId: l.accountId, region: l.region }));
    const expectedStarts = new Set(await parentsIn(e2e, planned)).size;
    const total = clean.effects.length;
    expect(reference?.status).toBeDefined();
    expect(expectedStarts).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(10);
    await e2e.stop();
    e2e = undefined;

    const failures: string[] = [];
    for (const mode of ['before', 'after'] as const) {
      for (let at = 1; at <= total; at += 1) {
        e2e = await world();
        const crashed = crashing(e2e.deps(request()), { at, mode });
        await expect(runToEnd(request(), crashed.deps)).rejects.toBeInstanceOf(Crash);
        const point = `${mode} effect ${at} (${crashed.effects[at - 1]})`;

        // A new process: a fresh store over the same folder, fresh clients and credentials.
        const store = new LocalRunStore(e2e.store.root);
        const deps = { ...e2e.deps(request()), store };
        const stored = await store.get(`mw-${TASK}`);
        const inProgress = await store.listInProgress();
        if (stored === undefined) {
          // Died before the record existed: nothing may have started; the retried invocation runs it.
          if ((await parentsIn(e2e, planned)).length > 0)
            failures.push(`${point}: automations started without a record`);
          await runToEnd(request(), deps);
        } else if (stored.status === 'succeeded' || stored.status === 'failed' || stored.status === 'halted') {
          // Finished, so not in the index: what production does next is the retried invocation.
          if (inProgress.includes(stored.runId)) await trackRun(stored.runId, deps, { until: 'done' });
          else await startRun(request(), deps);
        } else {
          // The tracker adopts it: it must be in the in-progress index.
          if (!inProgress.includes(stored.runId))
            failures.push(`${point}: unfinished run not in the in-progress index`);
          await trackRun(stored.runId, deps, { until: 'done' });
        }

        const final = await store.get(`mw-${TASK}`);
        const started = await parentsIn(e2e, planned);
        const distinct = new Set(started);
        const recorded = new Set(final?.locations.flatMap((l) => l.executions.map((x) => x.executionId)) ?? []);
        if (distinct.size !== expectedStarts)
          failures.push(`${point}: ${distinct.size} automations, expected ${expectedStarts}`);
        for (const id of distinct) if (!recorded.has(id)) failures.push(`${point}: ${id} started but not recorded`);
        if (final?.status !== reference?.status)
          failures.push(`${point}: ended ${final?.status}, expected ${reference?.status}`);
        if ((await store.listInProgress()).length > 0) failures.push(`${point}: still in the in-progress index`);
        // The Organization is free again for the next run.
        if (final) {
          const scope = leaseScopeFor(final.organization);
          const next = await store.acquireLease({
            scope,
            runId: 'next-run',
            now: new Date(),
            expiresAt: new Date(Date.now() + 60_000),
          });
          if (!next.granted) failures.push(`${point}: the lease is still held by ${next.holder.runId}`);
        }
        await e2e.stop();
        e2e = undefined;
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);
});
