import { describe, expect, it } from 'vitest';
import {
  createRunRecord,
  parsePayload,
  parseRunLease,
  parseRunRecord,
  type RunRecord,
  StoredDocumentError,
} from '../src/index.js';

const SOURCE = 's3://orgpatch-runs/runs/run-42/record.json';

function makeRecord(payload: Record<string, unknown> = {}): RunRecord {
  const request = parsePayload({
    Targets: [{ Key: 'ResourceGroup', Values: ['WebServers', 'DbServers'] }],
    Regions: ['us-east-1', 'eu-west-1'],
    MaxConcurrency: '10%',
    Organization: {
      TargetOus: ['r-ab12'],
      Waves: [{ Name: 'dev', TargetOus: ['ou-ab12-dev00001'], ErrorThreshold: '1' }],
      ErrorBudget: '5%',
    },
    ...payload,
  });
  return createRunRecord({
    runId: 'run-42',
    createdAt: new Date('2026-03-01T00:00:00Z'),
    snapshotId: '6a1e0b5d-2d35-4c8b-9a52-4a5c6b7d8e9f',
    idempotencyKey: 'mw-task-1',
    request,
    organization: {
      organizationId: 'o-ab12cd34ef',
      managementAccountId: '111111111111',
      callerAccountId: '111111111111',
      partition: 'aws',
      accounts: [],
    },
    plan: {
      waves: [{ name: 'dev', errorThreshold: { kind: 'absolute', value: 1, raw: '1' }, accountIds: ['222222222222'] }],
      locations: [
        {
          accountId: '222222222222',
          accountName: 'dev-1',
          region: 'us-east-1',
          wave: 'dev',
          groups: [{ name: 'WebServers', exists: true, instanceIds: ['i-0123456789abcdef0'] }],
          instanceCount: 1,
          decision: { action: 'start', groups: ['WebServers'] },
        },
        {
          accountId: '222222222222',
          accountName: 'dev-1',
          region: 'eu-west-1',
          wave: 'dev',
          groups: [],
          instanceCount: 0,
          decision: { action: 'skip', reason: 'no-instances', detail: 'WebServers is empty' },
        },
      ],
      counts: { locations: 2, start: 1, skip: 1, fail: 0, instances: 1 },
    },
  });
}

/** A record with every optional part filled: intents, a read error, instance results with patch states. */
function busyRecord(): RunRecord {
  const record = makeRecord();
  const [first, ...rest] = record.locations;
  return {
    ...record,
    status: 'running',
    waves: [{ name: 'dev', status: 'running', reason: 'started' }],
    locations: [
      {
        ...first!,
        status: 'started',
        reason: 'started',
        error: { code: 'ThrottlingException', message: 'Rate exceeded' },
        intents: [
          {
            group: 'DbServers',
            clientToken: 'token-2',
            recordedAt: '2026-03-01T00:01:00.000Z',
            attempts: 2,
            lastError: { code: 'ThrottlingException', message: 'Rate exceeded' },
          },
        ],
        executions: [
          {
            executionId: 'exec-1',
            clientToken: 'token-1',
            group: 'WebServers',
            status: 'Unknown',
            readError: { code: 'InternalServerError', message: 'oops', count: 2, at: '2026-03-01T00:02:00.000Z' },
            startedAt: '2026-03-01T00:01:00.000Z',
            endedAt: '2026-03-01T00:03:00.000Z',
            failureMessage: 'Step failed',
            instances: [
              {
                instanceId: 'i-0123456789abcdef0',
                executionId: 'exec-1-c0',
                status: 'Success',
                failureMessage: 'none',
                patch: {
                  operation: 'Install',
                  installedCount: 10,
                  missingCount: 0,
                  failedCount: 0,
                  installedPendingRebootCount: 1,
                  operationEndTime: '2026-03-01T00:03:00.000Z',
                },
              },
            ],
          },
        ],
      },
      ...rest,
    ],
  };
}

const problems = (fn: () => unknown): StoredDocumentError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof StoredDocumentError) return error;
    throw error;
  }
  throw new Error('expected a StoredDocumentError');
};

describe('parseRunRecord', () => {
  it('returns a stored record, with every optional part, as it was written', () => {
    for (const record of [
      makeRecord(),
      busyRecord(),
      makeRecord({ DryRun: true, TaskExecutionId: '0c4f3a5e-8a2b-4d3c-9e1f-2a3b4c5d6e7f' }),
    ]) {
      const stored: unknown = JSON.parse(JSON.stringify(record));
      expect(parseRunRecord(stored, SOURCE, { runId: 'run-42' })).toEqual(record);
    }
  });

  it.each([
    ['an empty object', {}, 'schemaVersion'],
    ['a list', [], '(root)'],
    ['null', null, '(root)'],
  ])('refuses %s, naming the source and where', (_what, value, path) => {
    const error = problems(() => parseRunRecord(value, SOURCE));
    expect(error.source).toBe(SOURCE);
    expect(error.kind).toBe('run record');
    expect(error.message).toContain(`The run record ${SOURCE} is not valid`);
    expect(error.message).toContain(`- ${path}: `);
  });

  it('says each thing wrong with its JSON path', () => {
    const record = JSON.parse(JSON.stringify(busyRecord()));
    record.locations[0].executions[0].status = 'Exploded';
    record.waves = null;
    record.extra = true;
    const error = problems(() => parseRunRecord(record, SOURCE));
    expect(error.issues.map((i) => i.path).sort()).toEqual(['', 'locations[0].executions[0].status', 'waves']);
    expect(error.issues.find((i) => i.path === '')?.message).toMatch(/extra/);
    expect(error.message).toMatch(/- waves: .*null/);
  });

  it('refuses a record that claims another run id than the one it was read under', () => {
    const stored = JSON.parse(JSON.stringify({ ...makeRecord(), runId: '../../etc' }));
    expect(parseRunRecord(stored, SOURCE).runId).toBe('../../etc');
    const error = problems(() => parseRunRecord(stored, SOURCE, { runId: 'run-42' }));
    expect(error.issues).toEqual([
      expect.objectContaining({ path: 'runId', message: expect.stringMatching(/"\.\.\/\.\.\/etc".*"run-42"/) }),
    ]);
  });

  it('refuses a request that is not what its own payload means', () => {
    const record = makeRecord();
    const tampered = {
      ...record,
      request: { ...record.request, maxConcurrency: { kind: 'percent', value: 90, raw: '10%' } },
    };
    const error = problems(() => parseRunRecord(JSON.parse(JSON.stringify(tampered)), SOURCE));
    expect(error.issues).toEqual([expect.objectContaining({ path: 'request.maxConcurrency.value' })]);
  });

  it('refuses a request whose payload form is invalid', () => {
    const record = makeRecord();
    const tampered = { ...record, request: { ...record.request, regions: ['mars-north-1'] } };
    const error = problems(() => parseRunRecord(JSON.parse(JSON.stringify(tampered)), SOURCE));
    expect(error.issues[0]).toMatchObject({ path: 'request', message: expect.stringMatching(/Regions\[0\]/) });
  });
});

describe('parseRunLease', () => {
  const lease = {
    scope: { key: 'org-o-1', description: 'the Organization o-1' },
    runId: 'run-a',
    acquiredAt: '2026-03-01T00:00:00.000Z',
    expiresAt: '2026-03-01T00:15:00.000Z',
  };

  it('returns a stored lease of the scope it was read under, and refuses one of another scope', () => {
    expect(parseRunLease(lease, 'leases/org-o-1.json', { key: 'org-o-1' })).toEqual(lease);
    expect(problems(() => parseRunLease(lease, 'leases/org-o-2.json', { key: 'org-o-2' })).issues[0]?.path).toBe(
      'scope.key',
    );
  });

  it('refuses a lease whose times are not timestamps', () => {
    const error = problems(() => parseRunLease({ ...lease, expiresAt: 'soon' }, 'leases/org-o-1.json'));
    expect(error.kind).toBe('run lease');
    expect(error.issues[0]?.path).toBe('expiresAt');
  });
});
