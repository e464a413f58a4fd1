import { describe, expect, it } from 'vitest';
import {
  type AutomationStatus,
  applyLocationEvents,
  buildPlan,
  createRunRecord,
  type ExecutionState,
  haltWaves,
  isTerminalAutomationStatus,
  type LocationEvent,
  locationKey,
  markWaveRunning,
  type RunRecord,
  summarizeRun,
} from '../src/index.js';
import { RunRecordError, UnknownExecutionError, UnknownLocationError } from '../src/planErrors.js';
import type { ExecutionRecord } from '../src/runModel.js';
import {
  deriveRunStatus,
  recordExecutionState,
  recordPatchStates,
  recordStarted,
  recordStartFailed,
} from '../src/runRecord.js';
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
const regions = ['us-east-1', 'us-east-2'];
const T0 = new Date('2026-03-01T00:00:00Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Two waves: dev (account A) and prod (account B, C). In us-east-2 account C's groups are missing;
 * account B is denied in us-east-2; A has two instances in us-east-1.
 */
function makeRecord(): RunRecord {
  const request = makeRequest({
    regions,
    organization: makeScope({
      waves: [
        makeWave('dev', { targetOus: ['ou-dev'], threshold: '0' }),
        makeWave('prod', { targetOus: ['ou-prod'], threshold: '1' }),
      ],
      // Skips of every kind are the subject here: unreachable locations are skipped by opt-out.
      skipUnreachable: ['access-denied', 'member-stack-missing'],
    }),
  });
  const accounts = [
    account(A, ['r-root', 'ou-dev']),
    account(B, ['r-root', 'ou-prod']),
    account(C, ['r-root', 'ou-prod']),
  ];
  const organization = makeOrg(accounts);
  const plan = buildPlan({
    request,
    organization,
    observations: observeAll([A, B, C], regions, {
      [locationKey(A, 'us-east-1')]: groups({ WebServers: ['i-a1', 'i-a2'], DbServers: [] }),
      [locationKey(B, 'us-east-2')]: inventoryError('access-denied', 'AccessDeniedException', 'denied'),
      [locationKey(C, 'us-east-2')]: inventoryError('throttled', 'ThrottlingException', 'Rate exceeded'),
      [locationKey(C, 'us-east-1')]: groups({ WebServers: null, DbServers: null }),
    }),
  });
  return deepFreeze(
    createRunRecord({
      runId: 'run-42',
      createdAt: T0,
      snapshotId: '6a1e0b5d-2d35-4c8b-9a52-4a5c6b7d8e9f',
      idempotencyKey: 'mw-task-1',
      request,
      organization,
      plan,
    }),
  );
}

function execution(id: string, group = 'WebServers', startedMinute = 1): ExecutionRecord {
  return {
    executionId: id,
    clientToken: `token-${id}`,
    group,
    status: 'InProgress',
    startedAt: at(startedMinute).toISOString(),
    instances: [],
  };
}

function state(
  id: string,
  status: AutomationStatus,
  children: [string, AutomationStatus, string?][] = [],
): ExecutionState {
  return {
    executionId: id,
    status,
    children: children.map(([instanceId, childStatus, failureMessage], i) => ({
      executionId: `${id}-child-${i}`,
      instanceId,
      status: childStatus,
      ...(failureMessage ? { failureMessage } : {}),
    })),
  };
}

describe('createRunRecord', () => {
  it('turns the plan into planned, skipped and failed locations with reasons, all waves pending', () => {
    const record = makeRecord();
    expect(record).toMatchObject({
      schemaVersion: 1,
      runId: 'run-42',
      createdAt: '2026-03-01T00:00:00.000Z',
      updatedAt: '2026-03-01T00:00:00.000Z',
      status: 'planned',
      dryRun: false,
      idempotencyKey: 'mw-task-1',
      organization: { organizationId: 'o-example', managementAccountId: '111111111111', partition: 'aws' },
      waves: [
        { name: 'dev', status: 'pending' },
        { name: 'prod', status: 'pending' },
      ],
    });
    const byKey = new Map(record.locations.map((l) => [locationKey(l.accountId, l.region), l]));
    expect(byKey.get(locationKey(A, 'us-east-1'))).toMatchObject({
      status: 'planned',
      instanceCount: 2,
      executions: [],
    });
    expect(byKey.get(locationKey(B, 'us-east-2'))).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/^Access was denied .*\(AccessDeniedException: denied\)$/),
    });
    expect(byKey.get(locationKey(C, 'us-east-2'))).toMatchObject({
      status: 'failed',
      error: { code: 'throttled', message: expect.stringContaining('ThrottlingException: Rate exceeded') },
    });
    expect(byKey.get(locationKey(C, 'us-east-1'))?.reason).toContain('None of the target resource groups exists here');
    expect(record.locations).toHaveLength(6);
  });

  it('is plain JSON: it survives a round trip unchanged', () => {
    const record = makeRecord();
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });
});

describe('run record updates', () => {
  const locA1 = { accountId: A, region: 'us-east-1' };

  it('records a start without changing the record it was given', () => {
    const record = markWaveRunning(makeRecord(), 'dev', at(0));
    expect(record.status).toBe('running');
    const started = recordStarted(record, locA1, execution('exec-1'));
    expect(started.locations.find((l) => l.accountId === A && l.region === 'us-east-1')).toMatchObject({
      status: 'started',
      executions: [{ executionId: 'exec-1', clientToken: 'token-exec-1' }],
    });
    expect(started.updatedAt).toBe(at(1).toISOString());
    expect(record.locations.find((l) => l.accountId === A && l.region === 'us-east-1')?.status).toBe('planned');
  });

  it('refuses to start a location the plan skipped, or one it does not hold', () => {
    const record = makeRecord();
    expect(() => recordStarted(record, { accountId: B, region: 'us-east-2' }, execution('x'))).toThrow(RunRecordError);
    expect(() => recordStarted(record, { accountId: B, region: 'us-east-2' }, execution('x'))).toThrow(
      /planned as skip/,
    );
    expect(() => recordStarted(record, { accountId: '999999999999', region: 'us-east-1' }, execution('x'))).toThrow(
      UnknownLocationError,
    );
  });

  it('records a failed start as a failed location with the error and why', () => {
    const record = recordStartFailed(
      markWaveRunning(makeRecord(), 'dev'),
      locA1,
      { code: 'InvalidDocument', message: 'Document OrgPatch-RunPatchBaseline does not exist' },
      at(2),
    );
    expect(record.locations.find((l) => l.accountId === A && l.region === 'us-east-1')).toMatchObject({
      status: 'failed',
      error: { code: 'InvalidDocument' },
      reason: 'StartAutomationExecution failed (InvalidDocument): Document OrgPatch-RunPatchBaseline does not exist',
    });
  });

  it('maps execution states and children to instance results and ends the location when all are terminal', () => {
    let record = markWaveRunning(makeRecord(), 'dev');
    record = recordStarted(record, locA1, execution('exec-1'));
    record = recordExecutionState(
      record,
      locA1,
      'exec-1',
      state('exec-1', 'InProgress', [['i-a1', 'InProgress']]),
      at(3),
    );
    let outcome = record.locations.find((l) => l.accountId === A && l.region === 'us-east-1');
    expect(outcome?.status).toBe('started');
    expect(outcome?.executions[0]).toMatchObject({
      status: 'InProgress',
      instances: [{ instanceId: 'i-a1', status: 'InProgress' }],
    });
    expect(outcome?.executions[0]?.endedAt).toBeUndefined();

    record = recordExecutionState(
      record,
      locA1,
      'exec-1',
      state('exec-1', 'Failed', [
        ['i-a2', 'Failed', 'Step failed: RunPatchBaseline exit code 1'],
        ['i-a1', 'Success'],
      ]),
      at(9),
    );
    outcome = record.locations.find((l) => l.accountId === A && l.region === 'us-east-1');
    expect(outcome).toMatchObject({
      status: 'failed',
      reason: 'Automation execution exec-1 (group WebServers) ended Failed',
    });
    expect(outcome?.executions[0]).toMatchObject({
      status: 'Failed',
      endedAt: at(9).toISOString(),
      instances: [
        { instanceId: 'i-a1', executionId: 'exec-1-child-1', status: 'Success' },
        {
          instanceId: 'i-a2',
          executionId: 'exec-1-child-0',
          status: 'Failed',
          failureMessage: 'Step failed: RunPatchBaseline exit code 1',
        },
      ],
    });
    expect(record.updatedAt).toBe(at(9).toISOString());
  });

  it('keeps a location started while one of its executions still runs', () => {
    let record = markWaveRunning(makeRecord(), 'dev');
    record = recordStarted(record, locA1, execution('exec-web', 'WebServers'));
    record = recordStarted(record, locA1, execution('exec-db', 'DbServers'));
    record = recordExecutionState(record, locA1, 'exec-web', state('exec-web', 'Success'), at(5));
    expect(record.locations.find((l) => l.region === 'us-east-1' && l.accountId === A)?.status).toBe('started');
    record = recordExecutionState(record, locA1, 'exec-db', state('exec-db', 'CompletedWithSuccess'), at(6));
    expect(record.locations.find((l) => l.region === 'us-east-1' && l.accountId === A)?.status).toBe('succeeded');
  });

  it('rejects a state for an execution that was never recorded', () => {
    const record = recordStarted(markWaveRunning(makeRecord(), 'dev'), locA1, execution('exec-1'));
    expect(() => recordExecutionState(record, locA1, 'exec-2', state('exec-2', 'Success'), at(4))).toThrow(
      UnknownExecutionError,
    );
  });

  it('attaches patch states, and keeps states of instances no child reported', () => {
    let record = markWaveRunning(makeRecord(), 'dev');
    record = recordStarted(record, locA1, execution('exec-1'));
    record = recordExecutionState(record, locA1, 'exec-1', state('exec-1', 'Success', [['i-a1', 'Success']]), at(5));
    const patch = {
      operation: 'Install' as const,
      installedCount: 12,
      missingCount: 0,
      failedCount: 0,
      installedPendingRebootCount: 1,
    };
    record = recordPatchStates(
      record,
      locA1,
      new Map([
        ['i-a1', patch],
        ['i-a2', { ...patch, missingCount: 3 }],
      ]),
      at(6),
    );
    const instances = record.locations.find((l) => l.region === 'us-east-1' && l.accountId === A)?.executions[0]
      ?.instances;
    expect(instances).toEqual([
      { instanceId: 'i-a1', executionId: 'exec-1-child-0', status: 'Success', patch },
      { instanceId: 'i-a2', status: 'Unknown', patch: { ...patch, missingCount: 3 } },
    ]);
    // A later state keeps the patch state it already holds.
    record = recordExecutionState(record, locA1, 'exec-1', state('exec-1', 'Success', [['i-a1', 'Success']]), at(7));
    expect(
      record.locations.find((l) => l.region === 'us-east-1' && l.accountId === A)?.executions[0]?.instances[0]?.patch,
    ).toEqual(patch);
  });

  it('halts the pending waves and their planned locations with the reason', () => {
    const record = haltWaves(markWaveRunning(makeRecord(), 'dev'), 'prod', 'Wave "dev" failed', at(8));
    expect(record.waves).toEqual([
      { name: 'dev', status: 'running' },
      { name: 'prod', status: 'halted', reason: 'Wave "dev" failed' },
    ]);
    const prod = record.locations.filter((l) => l.wave === 'prod');
    expect(prod.map((l) => l.status).sort()).toEqual(['failed', 'halted', 'skipped', 'skipped']);
    expect(prod.find((l) => l.status === 'halted')?.reason).toBe('Wave "dev" failed');
    expect(record.status).toBe('running');
  });

  it('ends a wave with nothing to start as soon as it runs, and will not start it twice', () => {
    const record = makeRecord();
    // Wave prod: B us-east-1 is to start; make a record where prod has only skipped/failed locations.
    const onlySkipped: RunRecord = {
      ...record,
      locations: record.locations.filter((l) => !(l.wave === 'prod' && l.status === 'planned')),
    };
    const running = markWaveRunning(onlySkipped, 'prod');
    expect(running.waves[1]).toEqual({ name: 'prod', status: 'failed' });
    expect(() => markWaveRunning(running, 'prod')).toThrow(/is failed and cannot start again/);
    expect(() => markWaveRunning(running, 'nope')).toThrow(/there is no wave "nope"/);
  });
});

describe('applyLocationEvents', () => {
  const loc = { accountId: A, region: 'us-east-1' };
  const patch = {
    operation: 'Install',
    installedCount: 3,
    missingCount: 0,
    failedCount: 0,
    installedPendingRebootCount: 0,
  } as const;
  const events: LocationEvent[] = [
    { kind: 'started', location: loc, execution: execution('exec-1') },
    {
      kind: 'execution-state',
      location: loc,
      executionId: 'exec-1',
      state: state('exec-1', 'Success', [
        ['i-a1', 'Success'],
        ['i-a2', 'Success'],
      ]),
    },
    { kind: 'patch-states', location: loc, states: new Map([['i-a1', patch]]) },
  ];

  it('gives the same locations, waves and status as applying each event on its own', () => {
    const base = markWaveRunning(makeRecord(), 'dev', at(0));
    let sequential = recordStarted(base, loc, execution('exec-1'));
    sequential = recordExecutionState(
      sequential,
      loc,
      'exec-1',
      events[1]!.kind === 'execution-state' ? events[1]!.state : state('x', 'Failed'),
      at(5),
    );
    sequential = recordPatchStates(sequential, loc, new Map([['i-a1', patch]]), at(5));
    const batched = applyLocationEvents(base, events, at(5));
    expect(batched.locations).toEqual(sequential.locations);
    expect(batched.waves).toEqual(sequential.waves);
    expect(batched.status).toBe(sequential.status);
    expect(batched.locations.find((l) => l.accountId === A && l.region === 'us-east-1')?.status).toBe('succeeded');
    expect(batched.updatedAt).toBe(at(5).toISOString());
  });

  it('records a failed start among successful ones in the same batch', () => {
    const base = markWaveRunning(makeRecord(), 'dev', at(0));
    const other = { accountId: A, region: 'us-east-2' };
    expect(base.locations.find((l) => l.accountId === A && l.region === 'us-east-2')?.decision.action).toBe('start');
    const batch: LocationEvent[] = [
      { kind: 'started', location: loc, execution: execution('exec-1') },
      { kind: 'start-failed', location: other, error: { code: 'ThrottlingException', message: 'Rate exceeded' } },
    ];
    const after = applyLocationEvents(base, batch, at(1));
    expect(after.locations.find((l) => l.accountId === A && l.region === 'us-east-1')?.status).toBe('started');
    const failed = after.locations.find((l) => l.accountId === A && l.region === 'us-east-2');
    expect(failed?.status).toBe('failed');
    expect(failed?.error?.code).toBe('ThrottlingException');
  });

  it('refuses a batch that names a location outside the record and changes nothing', () => {
    const base = makeRecord();
    const stray: LocationEvent = {
      kind: 'started',
      location: { accountId: '999999999999', region: 'us-east-1' },
      execution: execution('x'),
    };
    expect(() => applyLocationEvents(base, [events[0]!, stray], at(1))).toThrow(UnknownLocationError);
    expect(base.locations.find((l) => l.accountId === A && l.region === 'us-east-1')?.executions).toEqual([]);
  });

  it('returns the record unchanged for an empty batch', () => {
    const base = makeRecord();
    expect(applyLocationEvents(base, [], at(1))).toBe(base);
  });
});

describe('deriveRunStatus', () => {
  const locations: RunRecord['locations'] = [];
  it.each([
    [['pending', 'pending'], 'planned'],
    [['running', 'pending'], 'running'],
    [['succeeded', 'pending'], 'running'],
    [['failed', 'halted'], 'halted'],
    [['succeeded', 'succeeded'], 'succeeded'],
    [['succeeded', 'failed'], 'failed'],
  ] as const)('gives %j -> %s', (statuses, expected) => {
    expect(deriveRunStatus({ waves: statuses.map((status, i) => ({ name: `w${i}`, status })), locations })).toBe(
      expected,
    );
  });
});

describe('isTerminalAutomationStatus', () => {
  it.each([
    ['Success', true],
    ['Failed', true],
    ['TimedOut', true],
    ['Cancelled', true],
    ['CompletedWithSuccess', true],
    ['CompletedWithFailure', true],
    ['Rejected', true],
    ['Exited', true],
    ['Pending', false],
    ['InProgress', false],
    ['Waiting', false],
    ['Cancelling', false],
    ['Approved', false],
    ['Unknown', false],
  ] as const)('%s -> %s', (status, terminal) => {
    expect(isTerminalAutomationStatus(status)).toBe(terminal);
  });
});

describe('summarizeRun', () => {
  it('counts locations and instances overall, per account, per Region and per wave', () => {
    let record = markWaveRunning(makeRecord(), 'dev');
    const locA1 = { accountId: A, region: 'us-east-1' };
    const locA2 = { accountId: A, region: 'us-east-2' };
    record = recordStarted(record, locA1, execution('e1'));
    record = recordExecutionState(
      record,
      locA1,
      'e1',
      state('e1', 'Failed', [
        ['i-a1', 'Success'],
        ['i-a2', 'Failed', 'boom'],
      ]),
      at(5),
    );
    record = recordStarted(record, locA2, execution('e2'));
    record = recordExecutionState(record, locA2, 'e2', state('e2', 'Success', [['i-a2u', 'Success']]), at(6));
    record = haltWaves(record, 'prod', 'dev exceeded its threshold', at(7));

    const summary = summarizeRun(record);
    expect(summary).toMatchObject({ runId: 'run-42', status: 'halted', dryRun: false, updatedAt: at(7).toISOString() });
    // A/us-east-1 failed, A/us-east-2 succeeded, B/us-east-1 halted, B/us-east-2 skipped,
    // C/us-east-1 skipped (groups missing), C/us-east-2 failed (throttled).
    expect(summary.locations).toEqual({
      total: 6,
      planned: 0,
      starting: 0,
      skipped: 2,
      started: 0,
      succeeded: 1,
      failed: 2,
      halted: 1,
    });
    // A/us-east-1: i-a1 ok, i-a2 failed; A/us-east-2: one ok; B/us-east-1: 1 instance never started.
    expect(summary.instances).toEqual({ total: 4, succeeded: 2, failed: 1, inProgress: 0, notStarted: 1 });
    expect(
      summary.accounts.map((a) => [a.accountId, a.locations.total, a.instances.total, a.instances.failed]),
    ).toEqual([
      [A, 2, 3, 1],
      [B, 2, 1, 0],
      [C, 2, 0, 0],
    ]);
    expect(
      summary.regions.map((r) => [r.region, r.locations.failed, r.instances.succeeded, r.instances.notStarted]),
    ).toEqual([
      ['us-east-1', 1, 1, 1],
      ['us-east-2', 1, 1, 0],
    ]);
    expect(summary.waves).toEqual([
      expect.objectContaining({
        name: 'dev',
        status: 'failed',
        errorThreshold: '0',
        failed: 1,
        total: 2,
        exceeded: true,
      }),
      expect.objectContaining({
        name: 'prod',
        status: 'halted',
        reason: 'dev exceeded its threshold',
        errorThreshold: '1',
        failed: 1,
        total: 2,
        exceeded: false,
      }),
    ]);
  });

  it('counts an instance reported in two groups once, by its worse result, and running ones as in progress', () => {
    let record = markWaveRunning(makeRecord(), 'dev');
    const locA1 = { accountId: A, region: 'us-east-1' };
    record = recordStarted(record, locA1, execution('web', 'WebServers'));
    record = recordStarted(record, locA1, execution('db', 'DbServers'));
    record = recordExecutionState(record, locA1, 'web', state('web', 'InProgress', [['i-a1', 'Success']]), at(3));
    record = recordExecutionState(record, locA1, 'db', state('db', 'InProgress', [['i-a1', 'InProgress']]), at(3));
    // us-east-1: i-a1 (Success in one group, still running in the other) + i-a2 not reported yet;
    // us-east-2: its one instance, not started.
    const summary = summarizeRun(record);
    expect(summary.accounts[0]?.instances).toEqual({ total: 3, succeeded: 0, failed: 0, inProgress: 1, notStarted: 2 });
  });
});
