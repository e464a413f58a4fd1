import { describe, expect, it } from 'vitest';
import {
  applyLocationEvents,
  buildPlan,
  createRunRecord,
  type LocationEvent,
  markWaveRunning,
  type RunRecord,
  summarizeRun,
} from '../src/index.js';
import { account, makeOrg, makeRequest, makeScope, observeAll } from './plan.fixtures.js';

const A = '222222222222';
const T0 = new Date('2026-03-01T00:00:00Z');
const where = { accountId: A, region: 'us-east-1' };

/** One account, one Region with WebServers to start: wave `default` running. */
function running(): RunRecord {
  const request = makeRequest({ regions: ['us-east-1'], organization: makeScope() });
  const organization = makeOrg([account(A)]);
  const plan = buildPlan({ request, organization, observations: observeAll([A], ['us-east-1']) });
  const record = createRunRecord({
    runId: 'run-i',
    createdAt: T0,
    snapshotId: '6a1e0b5d-2d35-4c8b-9a52-4a5c6b7d8e9f',
    idempotencyKey: 'run-i',
    request,
    organization,
    plan,
  });
  return markWaveRunning(record, 'default', T0);
}

const intend: LocationEvent = {
  kind: 'start-intended',
  location: where,
  intents: [
    {
      group: 'WebServers',
      clientToken: '7d4c2b0a-0000-5000-8000-000000000001',
      recordedAt: T0.toISOString(),
      attempts: 0,
    },
  ],
};
const location = (r: RunRecord) => r.locations.find((l) => l.accountId === A && l.region === 'us-east-1');

describe('start intents', () => {
  it('records a start before it is made: the location is starting and its wave cannot end', () => {
    const r = applyLocationEvents(running(), [intend], T0);
    expect(location(r)).toMatchObject({ status: 'starting', intents: [{ group: 'WebServers', attempts: 0 }] });
    expect(r.waves[0]?.status).toBe('running');
    expect(summarizeRun(r).locations.starting).toBe(1);
    // Recording the same intent again (a resumed pass) adds nothing.
    expect(location(applyLocationEvents(r, [intend], T0))?.intents).toHaveLength(1);
  });

  it('keeps the intent through a transient failure, counting the attempt and the error', () => {
    const r = applyLocationEvents(
      running(),
      [
        intend,
        {
          kind: 'start-failed',
          location: where,
          error: { code: 'ThrottlingException', message: 'Rate exceeded' },
          transient: { group: 'WebServers' },
        },
      ],
      T0,
    );
    expect(location(r)).toMatchObject({
      status: 'starting',
      intents: [{ group: 'WebServers', attempts: 1, lastError: { code: 'ThrottlingException' } }],
    });
    expect(location(r)?.error).toBeUndefined();
  });

  it('replaces the intent by the execution once StartAutomationExecution answers', () => {
    const r = applyLocationEvents(
      running(),
      [
        intend,
        {
          kind: 'started',
          location: where,
          execution: {
            executionId: 'exec-1',
            clientToken: '7d4c2b0a-0000-5000-8000-000000000001',
            group: 'WebServers',
            status: 'Pending',
            startedAt: T0.toISOString(),
            instances: [],
          },
        },
      ],
      T0,
    );
    expect(location(r)?.status).toBe('started');
    expect(location(r)).not.toHaveProperty('intents');
  });

  it('withdraws every intent and fails the location on a permanent failure', () => {
    const r = applyLocationEvents(
      running(),
      [
        intend,
        { kind: 'start-failed', location: where, error: { code: 'InvalidDocument', message: 'no such document' } },
      ],
      T0,
    );
    expect(location(r)).toMatchObject({ status: 'failed', error: { code: 'InvalidDocument' } });
    expect(location(r)).not.toHaveProperty('intents');
    expect(r.waves[0]?.status).toBe('failed');
  });

  it('refuses an intent in a location the plan does not start', () => {
    const r = running();
    const skipped = {
      ...r,
      locations: r.locations.map((l) => ({
        ...l,
        decision: { action: 'skip' as const, reason: 'no-instances' as const, detail: 'x' },
      })),
    };
    expect(() => applyLocationEvents(skipped, [intend], T0)).toThrow(/planned as skip, so nothing may be started/);
  });
});

describe('executions that cannot be read', () => {
  const started = (): RunRecord =>
    applyLocationEvents(
      running(),
      [
        intend,
        {
          kind: 'started',
          location: where,
          execution: {
            executionId: 'exec-1',
            clientToken: '7d4c2b0a-0000-5000-8000-000000000001',
            group: 'WebServers',
            status: 'InProgress',
            startedAt: T0.toISOString(),
            instances: [],
          },
        },
      ],
      T0,
    );
  const readFailed: LocationEvent = {
    kind: 'execution-read-failed',
    location: where,
    executionId: 'exec-1',
    error: { code: 'AccessDeniedException', message: 'denied' },
  };

  it('are Unknown with the error and how many reads failed, and the location stays in progress', () => {
    const once = applyLocationEvents(started(), [readFailed], T0);
    const twice = applyLocationEvents(once, [readFailed], new Date(T0.getTime() + 60_000));
    expect(location(twice)?.executions[0]).toMatchObject({
      status: 'Unknown',
      readError: { code: 'AccessDeniedException', count: 2, at: '2026-03-01T00:01:00.000Z' },
    });
    expect(location(twice)?.status).toBe('started');
    expect(twice.status).toBe('running');
  });

  it('forget the read error once AWS answers again', () => {
    const r = applyLocationEvents(
      applyLocationEvents(started(), [readFailed], T0),
      [
        {
          kind: 'execution-state',
          location: where,
          executionId: 'exec-1',
          state: { executionId: 'exec-1', status: 'Success', children: [] },
        },
      ],
      T0,
    );
    expect(location(r)?.executions[0]).not.toHaveProperty('readError');
    expect(location(r)?.status).toBe('succeeded');
  });

  it('refuse a read error for an execution the location does not hold', () => {
    expect(() => applyLocationEvents(started(), [{ ...readFailed, executionId: 'exec-9' }], T0)).toThrow(/exec-9/);
  });
});
