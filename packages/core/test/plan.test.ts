import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AccountInfo,
  buildPlan,
  createRunRecord,
  type InventoryObservation,
  locationKey,
  markWaveRunning,
  nextWaveDecision,
  type Plan,
  parseRunRecord,
  type RunRecord,
  requiredInventory,
} from '../src/index.js';
import { DEFAULT_WAVE_NAME, describeSkipReason, evaluateWave } from '../src/plan.js';
import type { PlanDecision, SkipReason } from '../src/planModel.js';
import { parseRateValue } from '../src/rates.js';
import { recordExecutionState, recordStarted } from '../src/runRecord.js';
import {
  account,
  groups,
  inventoryError,
  MANAGEMENT,
  makeOrg,
  makeRequest,
  makeScope,
  makeWave,
  observeAll,
} from './plan.fixtures.js';

const A = '222222222222';
const B = '333333333333';
const C = '444444444444';

function decisionAt(plan: Plan, accountId: string, region: string): PlanDecision | undefined {
  return plan.locations.find((l) => l.accountId === accountId && l.region === region)?.decision;
}

describe('locationKey', () => {
  it('joins account and Region with a slash', () => {
    expect(locationKey('123456789012', 'eu-west-1')).toBe('123456789012/eu-west-1');
  });
});

describe('buildPlan (blog payload, no Organization part)', () => {
  it("plans the caller's account in the listed Regions, in one default wave", () => {
    const request = makeRequest({ resourceGroups: ['WebServers'] });
    const plan = buildPlan({
      request,
      organization: makeOrg([], A),
      observations: new Map([
        [locationKey(A, 'us-east-2'), groups({ WebServers: ['i-1', 'i-2'] })],
        [locationKey(A, 'us-east-1'), groups({ WebServers: [] })],
      ]),
    });
    expect(plan.waves).toEqual([
      { name: 'default', errorThreshold: { kind: 'absolute', value: 0, raw: '0' }, accountIds: [A] },
    ]);
    expect(plan.locations.map((l) => [l.accountId, l.region, l.decision.action])).toEqual([
      [A, 'us-east-2', 'start'],
      [A, 'us-east-1', 'skip'],
    ]);
    expect(plan.locations[0]).toMatchObject({ accountName: A, instanceCount: 2, decision: { groups: ['WebServers'] } });
    expect(plan.locations[1]?.decision).toMatchObject({ reason: 'no-instances' });
    expect(plan.counts).toEqual({ locations: 2, start: 1, skip: 1, fail: 0, instances: 2 });
  });

  it('patches the caller even when it is the management account', () => {
    const plan = buildPlan({
      request: makeRequest(),
      organization: makeOrg([], MANAGEMENT),
      observations: observeAll([MANAGEMENT], ['us-east-2', 'us-east-1']),
    });
    expect(plan.locations.every((l) => l.decision.action === 'start')).toBe(true);
  });
});

describe('buildPlan (Organization)', () => {
  const regions = ['us-east-2', 'us-east-1'];

  it('skips suspended and closing accounts without inventory', () => {
    const plan = buildPlan({
      request: makeRequest({ organization: makeScope() }),
      organization: makeOrg([
        account(A, ['r-root'], { status: 'SUSPENDED' }),
        account(B, ['r-root'], { status: 'PENDING_CLOSURE' }),
      ]),
      observations: new Map(),
    });
    expect(decisionAt(plan, A, 'us-east-1')).toMatchObject({ action: 'skip', reason: 'account-suspended' });
    expect(decisionAt(plan, B, 'us-east-2')).toMatchObject({ action: 'skip', reason: 'account-pending-closure' });
    expect(plan.counts).toMatchObject({ locations: 4, skip: 4 });
  });

  it('skips a CLOSED and a PENDING_ACTIVATION account each with its own reason, not as suspended', () => {
    const request = makeRequest({ organization: makeScope() });
    const organization = makeOrg([
      account(A, ['r-root'], { status: 'CLOSED' }),
      account(B, ['r-root'], { status: 'PENDING_ACTIVATION' }),
    ]);
    expect(requiredInventory({ request, organization })).toEqual([]);
    const plan = buildPlan({ request, organization, observations: new Map() });
    for (const region of regions) {
      expect(decisionAt(plan, A, region)).toEqual({
        action: 'skip',
        reason: 'account-closed',
        detail: `account ${A} is CLOSED`,
      });
      expect(decisionAt(plan, B, region)).toEqual({
        action: 'skip',
        reason: 'account-pending-activation',
        detail: `account ${B} is PENDING_ACTIVATION`,
      });
    }
    const record = createRunRecord({
      runId: 'run-closed',
      createdAt: new Date('2026-03-01T00:00:00Z'),
      snapshotId: '00000000-0000-4000-8000-000000000000',
      idempotencyKey: 'run-closed',
      request,
      organization,
      plan,
    });
    expect(parseRunRecord(JSON.parse(JSON.stringify(record)), 'record.json')).toEqual(record);
    expect(describeSkipReason('account-closed')).toMatch(/^The account is CLOSED in Organizations: .*90 days/);
    expect(describeSkipReason('account-pending-activation')).toMatch(
      /^The account is PENDING_ACTIVATION in Organizations: its sign-up was never completed/,
    );
  });

  it('skips excluded accounts and the management account unless it is included', () => {
    const accounts = [account(MANAGEMENT), account(A), account(B)];
    const observations = observeAll([MANAGEMENT, A, B], regions);
    const plan = buildPlan({
      request: makeRequest({ organization: makeScope({ excludeAccounts: [B] }) }),
      organization: makeOrg(accounts),
      observations,
    });
    expect(decisionAt(plan, MANAGEMENT, 'us-east-1')).toMatchObject({ reason: 'management-account-not-included' });
    expect(decisionAt(plan, B, 'us-east-1')).toMatchObject({ reason: 'account-excluded' });
    expect(decisionAt(plan, A, 'us-east-1')).toMatchObject({ action: 'start' });

    const included = buildPlan({
      request: makeRequest({ organization: makeScope({ includeManagementAccount: true }) }),
      organization: makeOrg(accounts),
      observations,
    });
    expect(decisionAt(included, MANAGEMENT, 'us-east-1')).toMatchObject({ action: 'start' });
  });

  it('skips a location whose inventory says region-not-enabled', () => {
    const plan = buildPlan({
      request: makeRequest({ organization: makeScope() }),
      organization: makeOrg([account(A)]),
      observations: observeAll([A], regions, {
        [locationKey(A, 'us-east-1')]: inventoryError('region-not-enabled', 'UnrecognizedClientException', 'no'),
      }),
    });
    expect(decisionAt(plan, A, 'us-east-1')).toEqual({
      action: 'skip',
      reason: 'region-not-enabled',
      detail: 'UnrecognizedClientException: no',
    });
    expect(decisionAt(plan, A, 'us-east-2')).toMatchObject({ action: 'start' });
  });

  it.each(['access-denied', 'member-stack-missing'] as const)(
    'fails an unreachable location (%s): it counts against the wave, it is not empty',
    (kind) => {
      const plan = buildPlan({
        request: makeRequest({ organization: makeScope() }),
        organization: makeOrg([account(A)]),
        observations: observeAll([A], regions, {
          [locationKey(A, 'us-east-1')]: inventoryError(kind, 'AccessDeniedException', 'no'),
        }),
      });
      const decision = decisionAt(plan, A, 'us-east-1');
      expect(decision).toMatchObject({ action: 'fail', code: kind });
      expect(decision?.action === 'fail' ? decision.message : '').toContain(
        `account ${A}, us-east-1: AccessDeniedException: no`,
      );
      expect(plan.counts.fail).toBe(1);
    },
  );

  it.each<['access-denied' | 'member-stack-missing', SkipReason]>([
    ['access-denied', 'access-denied'],
    ['member-stack-missing', 'member-stack-missing'],
  ])('skips an unreachable location (%s) only when the payload opts out for that reason', (kind, reason) => {
    const optedOut = buildPlan({
      request: makeRequest({ organization: makeScope({ skipUnreachable: [kind] }) }),
      organization: makeOrg([account(A)]),
      observations: observeAll([A], regions, {
        [locationKey(A, 'us-east-1')]: inventoryError(kind, 'AccessDeniedException', 'no'),
      }),
    });
    expect(decisionAt(optedOut, A, 'us-east-1')).toEqual({
      action: 'skip',
      reason,
      detail: 'AccessDeniedException: no',
    });
    const other = kind === 'access-denied' ? 'member-stack-missing' : 'access-denied';
    const otherReason = buildPlan({
      request: makeRequest({ organization: makeScope({ skipUnreachable: [other] }) }),
      organization: makeOrg([account(A)]),
      observations: observeAll([A], regions, {
        [locationKey(A, 'us-east-1')]: inventoryError(kind, 'AccessDeniedException', 'no'),
      }),
    });
    expect(decisionAt(otherReason, A, 'us-east-1')).toMatchObject({ action: 'fail' });
  });

  it.each(['throttled', 'credentials-expired', 'service-error'] as const)(
    'fails (does not skip) a location that could not be checked: %s',
    (kind) => {
      const plan = buildPlan({
        request: makeRequest({ organization: makeScope() }),
        organization: makeOrg([account(A)]),
        observations: observeAll([A], regions, {
          [locationKey(A, 'us-east-1')]: inventoryError(kind, 'ThrottlingException', 'Rate exceeded'),
        }),
      });
      const decision = decisionAt(plan, A, 'us-east-1');
      expect(decision).toMatchObject({ action: 'fail', code: kind });
      expect(decision?.action === 'fail' && decision.message).toContain('ThrottlingException: Rate exceeded');
      expect(plan.counts.fail).toBe(1);
    },
  );

  it('fails a location that has no observation instead of dropping it', () => {
    const observations = observeAll([A], regions);
    observations.delete(locationKey(A, 'us-east-2'));
    const plan = buildPlan({
      request: makeRequest({ organization: makeScope() }),
      organization: makeOrg([account(A)]),
      observations,
    });
    expect(decisionAt(plan, A, 'us-east-2')).toMatchObject({ action: 'fail', code: 'not-inspected' });
    expect(plan.locations).toHaveLength(2);
  });

  it('skips a Region that the account has not enabled, without needing inventory', () => {
    const plan = buildPlan({
      request: makeRequest({ organization: makeScope(), regions: ['us-east-1', 'af-south-1'] }),
      organization: makeOrg([account(A)]),
      observations: observeAll([A], ['us-east-1']),
      regionsEnabled: new Map([[A, new Set(['us-east-1'])]]),
    });
    expect(decisionAt(plan, A, 'af-south-1')).toMatchObject({ action: 'skip', reason: 'region-not-enabled' });
    expect(decisionAt(plan, A, 'us-east-1')).toMatchObject({ action: 'start' });
  });

  it('skips when every target group is missing, and when the groups hold no instances', () => {
    const plan = buildPlan({
      request: makeRequest({ organization: makeScope() }),
      organization: makeOrg([account(A)]),
      observations: observeAll([A], regions, {
        [locationKey(A, 'us-east-2')]: groups({ WebServers: null, DbServers: null }),
        [locationKey(A, 'us-east-1')]: groups({ WebServers: [], DbServers: null }),
      }),
    });
    expect(decisionAt(plan, A, 'us-east-2')).toEqual({
      action: 'skip',
      reason: 'groups-missing',
      detail: 'no target group exists here (WebServers, DbServers)',
    });
    expect(decisionAt(plan, A, 'us-east-1')).toEqual({
      action: 'skip',
      reason: 'no-instances',
      detail: 'WebServers hold no instances; missing here: DbServers',
    });
  });

  it('treats a target group inventory did not report as missing', () => {
    const plan = buildPlan({
      request: makeRequest({ organization: makeScope() }),
      organization: makeOrg([account(A)]),
      observations: observeAll([A], regions, { [locationKey(A, 'us-east-1')]: { kind: 'groups', groups: [] } }),
    });
    expect(decisionAt(plan, A, 'us-east-1')).toMatchObject({ reason: 'groups-missing' });
  });

  it('starts with the groups that have instances and lists empty and missing groups in the detail', () => {
    const plan = buildPlan({
      request: makeRequest({ organization: makeScope(), resourceGroups: ['WebServers', 'DbServers', 'Batch'] }),
      organization: makeOrg([account(A)]),
      observations: observeAll([A], regions, {
        [locationKey(A, 'us-east-1')]: groups({ WebServers: ['i-1', 'i-2'], DbServers: [], Batch: null }),
        [locationKey(A, 'us-east-2')]: groups({
          WebServers: ['i-1', 'i-2'],
          DbServers: ['i-2', 'i-3'],
          Batch: ['i-4'],
        }),
      }),
    });
    expect(decisionAt(plan, A, 'us-east-1')).toEqual({
      action: 'start',
      groups: ['WebServers'],
      detail: 'empty here: DbServers; missing here: Batch',
    });
    expect(decisionAt(plan, A, 'us-east-2')).toEqual({ action: 'start', groups: ['WebServers', 'DbServers', 'Batch'] });
    // Distinct instances: i-2 is in two groups.
    expect(plan.locations.find((l) => l.region === 'us-east-2')?.instanceCount).toBe(4);
    expect(plan.counts.instances).toBe(6);
  });

  it('fails an account the payload names but discovery did not find', () => {
    const plan = buildPlan({
      request: makeRequest({ organization: makeScope({ targetOus: [], accounts: [A, C] }) }),
      organization: makeOrg([account(A)]),
      observations: observeAll([A], regions),
    });
    expect(decisionAt(plan, C, 'us-east-1')).toMatchObject({ action: 'fail', code: 'account-not-found' });
    expect(plan.locations).toHaveLength(4);
  });

  it('sorts by wave order, then account id, then the request Region order', () => {
    const plan = buildPlan({
      request: makeRequest({
        organization: makeScope({ waves: [makeWave('canary', { accounts: [C] })] }),
        regions: ['us-west-2', 'eu-west-1', 'us-east-1'],
      }),
      organization: makeOrg([account(B), account(C), account(A)]),
      observations: new Map(),
    });
    expect(plan.locations.map((l) => `${l.wave}:${l.accountId}:${l.region}`)).toEqual([
      `canary:${C}:us-west-2`,
      `canary:${C}:eu-west-1`,
      `canary:${C}:us-east-1`,
      `default:${A}:us-west-2`,
      `default:${A}:eu-west-1`,
      `default:${A}:us-east-1`,
      `default:${B}:us-west-2`,
      `default:${B}:eu-west-1`,
      `default:${B}:us-east-1`,
    ]);
  });
});

describe('waves', () => {
  const dev = account(A, ['r-root', 'ou-dev']);
  const prodNested = account(B, ['r-root', 'ou-prod', 'ou-prod-eu']);
  const other = account(C, ['r-root', 'ou-sandbox']);
  const org = makeOrg([dev, prodNested, other]);

  it('puts an account in the first wave naming it or an OU on its path, the rest in a last default wave', () => {
    const plan = buildPlan({
      request: makeRequest({
        organization: makeScope({
          waves: [
            makeWave('dev', { targetOus: ['ou-dev'], threshold: '1' }),
            makeWave('prod', { targetOus: ['ou-prod'], threshold: '10%' }),
          ],
        }),
      }),
      organization: org,
      observations: observeAll([A, B, C], ['us-east-2', 'us-east-1']),
    });
    expect(plan.waves.map((w) => [w.name, w.errorThreshold.raw, w.accountIds])).toEqual([
      ['dev', '1', [A]],
      ['prod', '10%', [B]],
      [DEFAULT_WAVE_NAME, '0', [C]],
    ]);
    expect(plan.locations.filter((l) => l.accountId === B).every((l) => l.wave === 'prod')).toBe(true);
  });

  it('lets an explicit account place an account before its OU does, and the first wave win', () => {
    const plan = buildPlan({
      request: makeRequest({
        organization: makeScope({
          waves: [
            makeWave('canary', { accounts: [B] }),
            makeWave('prod', { targetOus: ['ou-prod', 'ou-dev'] }),
            makeWave('all', { targetOus: ['r-root'] }),
          ],
        }),
      }),
      organization: org,
      observations: new Map(),
    });
    expect(plan.waves.map((w) => [w.name, w.accountIds])).toEqual([
      ['canary', [B]],
      ['prod', [A]],
      ['all', [C]],
    ]);
  });

  it('keeps a wave that matches no account, and adds no default wave when every account is placed', () => {
    const plan = buildPlan({
      request: makeRequest({
        organization: makeScope({
          waves: [makeWave('empty', { accounts: ['999999999999'] }), makeWave('all', { targetOus: ['r-root'] })],
        }),
      }),
      organization: org,
      observations: new Map(),
    });
    expect(plan.waves.map((w) => [w.name, w.accountIds.length])).toEqual([
      ['empty', 0],
      ['all', 3],
    ]);
  });

  it('adds unplaced accounts to a requested wave called default instead of creating a second one', () => {
    const plan = buildPlan({
      request: makeRequest({
        organization: makeScope({
          waves: [makeWave('default', { accounts: [A] }), makeWave('dev', { targetOus: ['ou-dev'] })],
        }),
      }),
      organization: org,
      observations: new Map(),
    });
    expect(plan.waves.map((w) => [w.name, w.accountIds])).toEqual([
      ['default', [A, B, C]],
      ['dev', []],
    ]);
  });
});

describe('plan determinism and completeness', () => {
  const regions = ['eu-central-1', 'us-east-1', 'ap-southeast-2'];

  it('gives the same plan for shuffled accounts and observations', () => {
    const accounts = [
      account(A, ['r-root', 'ou-dev']),
      account(B),
      account(C, ['r-root'], { status: 'SUSPENDED' }),
      account(MANAGEMENT),
    ];
    const observations = observeAll([A, B, MANAGEMENT], regions, {
      [locationKey(B, 'us-east-1')]: inventoryError('access-denied'),
      [locationKey(A, 'ap-southeast-2')]: groups({ WebServers: ['i-2', 'i-1'], DbServers: null }),
    });
    const request = makeRequest({
      regions,
      organization: makeScope({ waves: [makeWave('dev', { targetOus: ['ou-dev'] })] }),
    });
    const reference = buildPlan({ request, organization: makeOrg(accounts), observations });
    fc.assert(
      fc.property(
        fc.shuffledSubarray(accounts, { minLength: 4, maxLength: 4 }),
        fc.shuffledSubarray([...observations.entries()], {
          minLength: observations.size,
          maxLength: observations.size,
        }),
        (shuffled, entries) => {
          const plan = buildPlan({ request, organization: makeOrg(shuffled), observations: new Map(entries) });
          expect(JSON.stringify(plan)).toBe(JSON.stringify(reference));
        },
      ),
      { numRuns: 50 },
    );
  });

  const statusArb = fc.constantFrom<AccountInfo['status']>(
    'ACTIVE',
    'ACTIVE',
    'ACTIVE',
    'SUSPENDED',
    'PENDING_CLOSURE',
  );
  const observationArb: fc.Arbitrary<InventoryObservation | undefined> = fc.oneof(
    fc.constant(undefined),
    fc
      .constantFrom(
        'access-denied',
        'region-not-enabled',
        'member-stack-missing',
        'throttled',
        'credentials-expired',
        'service-error',
      )
      .map((k) => inventoryError(k)),
    fc
      .record({
        WebServers: fc.option(fc.array(fc.constantFrom('i-1', 'i-2', 'i-3'), { maxLength: 3 }), { nil: null }),
        DbServers: fc.option(fc.array(fc.constantFrom('i-3', 'i-4'), { maxLength: 2 }), { nil: null }),
      })
      .map((g) => groups(g)),
  );

  it('never drops a location: locations = accounts x Regions, each once, and the counts add up', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 100000000000, max: 999999999999 }).map(String), {
          minLength: 0,
          maxLength: 8,
        }),
        fc.uniqueArray(fc.constantFrom('us-east-1', 'us-east-2', 'eu-west-1', 'ap-south-1', 'af-south-1'), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.array(statusArb, { minLength: 8, maxLength: 8 }),
        fc.array(observationArb, { minLength: 40, maxLength: 40 }),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        fc.boolean(),
        (ids, regionList, statuses, observed, excluded, includeManagement) => {
          const accounts = ids.map((id, i) =>
            account(id, ['r-root', i % 2 === 0 ? 'ou-even' : 'ou-odd'], { status: statuses[i] ?? 'ACTIVE' }),
          );
          const observations = new Map<string, InventoryObservation>();
          ids.forEach((id, i) => {
            regionList.forEach((region, j) => {
              const o = observed[(i * 5 + j) % observed.length];
              if (o !== undefined) observations.set(locationKey(id, region), o);
            });
          });
          const request = makeRequest({
            regions: regionList,
            organization: makeScope({
              excludeAccounts: ids.filter((_, i) => excluded[i]),
              includeManagementAccount: includeManagement,
              waves: [makeWave('even', { targetOus: ['ou-even'] })],
            }),
          });
          const plan = buildPlan({ request, organization: makeOrg(accounts), observations });
          expect(plan.locations).toHaveLength(ids.length * regionList.length);
          const keys = new Set(plan.locations.map((l) => locationKey(l.accountId, l.region)));
          expect(keys.size).toBe(plan.locations.length);
          expect(plan.counts.start + plan.counts.skip + plan.counts.fail).toBe(plan.counts.locations);
          for (const l of plan.locations) {
            expect(plan.waves.map((w) => w.name)).toContain(l.wave);
            if (l.decision.action === 'start') expect(l.instanceCount).toBeGreaterThan(0);
          }
          const inspect = requiredInventory({ request, organization: makeOrg(accounts) });
          for (const location of inspect) {
            if (!observations.has(locationKey(location.accountId, location.region))) {
              expect(decisionAt(plan, location.accountId, location.region)).toMatchObject({
                action: 'fail',
                code: 'not-inspected',
              });
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('requiredInventory', () => {
  it('lists the ACTIVE, not excluded, in-scope accounts in every Region they have enabled', () => {
    const org = makeOrg([account(MANAGEMENT), account(A), account(B, ['r-root'], { status: 'SUSPENDED' }), account(C)]);
    const request = makeRequest({
      organization: makeScope({ excludeAccounts: [C] }),
      regions: ['us-east-1', 'af-south-1'],
    });
    expect(
      requiredInventory({ request, organization: org, regionsEnabled: new Map([[A, new Set(['us-east-1'])]]) }),
    ).toEqual([{ accountId: A, region: 'us-east-1' }]);
    expect(requiredInventory({ request, organization: org })).toEqual([
      { accountId: A, region: 'us-east-1' },
      { accountId: A, region: 'af-south-1' },
    ]);
  });

  it('lists the caller alone for the blog payload', () => {
    expect(requiredInventory({ request: makeRequest(), organization: makeOrg([account(A), account(B)], B) })).toEqual([
      { accountId: B, region: 'us-east-2' },
      { accountId: B, region: 'us-east-1' },
    ]);
  });
});

describe('describeSkipReason', () => {
  const reasons: SkipReason[] = [
    'no-instances',
    'groups-missing',
    'account-excluded',
    'account-pending-activation',
    'account-suspended',
    'account-pending-closure',
    'account-closed',
    'management-account-not-included',
    'region-not-enabled',
    'access-denied',
    'member-stack-missing',
  ];

  it.each(reasons)('says why and what to do for %s', (reason) => {
    const sentence = describeSkipReason(reason);
    expect(sentence).toMatch(/^[A-Z].+: .+/);
  });

  it('tells a person to deploy the member StackSets when the execution role is missing', () => {
    expect(describeSkipReason('member-stack-missing')).toBe(
      'The orgpatch execution role could not be assumed: deploy the member StackSets to this account',
    );
  });
});

describe('wave gating', () => {
  const dev = account(A, ['r-root', 'ou-dev']);
  const prod = account(B, ['r-root', 'ou-prod']);
  const regions = ['us-east-1', 'us-east-2'];

  function runWith(options: { devThreshold?: string; budget?: string; thirdWave?: boolean } = {}): RunRecord {
    const waves = [
      makeWave('dev', { targetOus: ['ou-dev'], threshold: options.devThreshold ?? '0' }),
      makeWave('prod', { targetOus: ['ou-prod'], threshold: '0' }),
    ];
    const accounts = [dev, prod, ...(options.thirdWave ? [account(C)] : [])];
    const request = makeRequest({
      regions,
      organization: makeScope({
        waves,
        ...(options.budget ? { errorBudget: parseRateValue(options.budget, 'MaxErrors') } : {}),
      }),
    });
    const organization = makeOrg(accounts);
    const plan = buildPlan({
      request,
      organization,
      observations: observeAll(
        accounts.map((a) => a.id),
        regions,
      ),
    });
    return createRunRecord({
      runId: 'run-1',
      createdAt: new Date('2026-03-01T00:00:00Z'),
      snapshotId: '00000000-0000-4000-8000-000000000000',
      idempotencyKey: 'run-1',
      request,
      organization,
      plan,
    });
  }

  function finish(
    record: RunRecord,
    accountId: string,
    region: string,
    status: 'Success' | 'Failed',
    id: string,
  ): RunRecord {
    const started = recordStarted(
      record,
      { accountId, region },
      {
        executionId: id,
        clientToken: `token-${id}`,
        group: 'WebServers',
        status: 'InProgress',
        startedAt: '2026-03-01T00:01:00.000Z',
        instances: [],
      },
    );
    return recordExecutionState(
      started,
      { accountId, region },
      id,
      { executionId: id, status, children: [] },
      new Date('2026-03-01T00:10:00Z'),
    );
  }

  it('starts the first wave, waits while it runs, then starts the next', () => {
    let record = runWith();
    expect(nextWaveDecision(record)).toEqual({ action: 'start', wave: 'dev' });
    record = markWaveRunning(record, 'dev');
    expect(nextWaveDecision(record)).toEqual({ action: 'wait' });
    record = finish(record, A, 'us-east-1', 'Success', 'e1');
    expect(nextWaveDecision(record)).toEqual({ action: 'wait' });
    record = finish(record, A, 'us-east-2', 'Success', 'e2');
    expect(record.waves[0]?.status).toBe('succeeded');
    expect(nextWaveDecision(record)).toEqual({ action: 'start', wave: 'prod' });
    record = markWaveRunning(record, 'prod');
    record = finish(record, B, 'us-east-1', 'Success', 'e3');
    record = finish(record, B, 'us-east-2', 'Success', 'e4');
    expect(nextWaveDecision(record)).toEqual({ action: 'done' });
    expect(record.status).toBe('succeeded');
  });

  it('halts when a wave has more failures than its threshold, naming the wave, counts and threshold', () => {
    let record = markWaveRunning(runWith({ devThreshold: '0' }), 'dev');
    record = finish(record, A, 'us-east-1', 'Failed', 'e1');
    record = finish(record, A, 'us-east-2', 'Success', 'e2');
    expect(evaluateWave({ wave: record.plan.waves[0]!, outcomes: record.locations })).toEqual({
      failed: 1,
      total: 2,
      exceeded: true,
    });
    expect(nextWaveDecision(record)).toEqual({
      action: 'halt',
      reason:
        'Wave "dev" had 1 failed location of 2, more than its error threshold "0" allows: wave "prod" not started',
    });
  });

  it('goes on when the failures stay within the threshold', () => {
    let record = markWaveRunning(runWith({ devThreshold: '50%' }), 'dev');
    record = finish(record, A, 'us-east-1', 'Failed', 'e1');
    record = finish(record, A, 'us-east-2', 'Success', 'e2');
    expect(record.waves[0]?.status).toBe('failed');
    expect(evaluateWave({ wave: record.plan.waves[0]!, outcomes: record.locations })).toEqual({
      failed: 1,
      total: 2,
      exceeded: false,
    });
    expect(nextWaveDecision(record)).toEqual({ action: 'start', wave: 'prod' });
  });

  it('halts when the Organization error budget is used up even if each wave is within its threshold', () => {
    let record = markWaveRunning(runWith({ devThreshold: '1', budget: '0', thirdWave: true }), 'dev');
    record = finish(record, A, 'us-east-1', 'Failed', 'e1');
    record = finish(record, A, 'us-east-2', 'Success', 'e2');
    expect(nextWaveDecision(record)).toEqual({
      action: 'halt',
      reason:
        '1 failed location of 6 in the run exceed the Organization error budget "0": waves "prod", "default" not started',
    });
  });

  it('counts only non-skipped locations of the wave', () => {
    const record = runWith();
    const wave = record.plan.waves[0]!;
    const outcomes = record.locations.map((l) =>
      l.accountId === A && l.region === 'us-east-1'
        ? {
            ...l,
            decision: { action: 'skip' as const, reason: 'no-instances' as const, detail: '' },
            status: 'skipped' as const,
          }
        : l,
    );
    expect(evaluateWave({ wave, outcomes })).toEqual({ failed: 0, total: 1, exceeded: false });
  });

  it('is done once later waves were halted', () => {
    const record = {
      ...runWith(),
      waves: [
        { name: 'dev', status: 'failed' as const },
        { name: 'prod', status: 'halted' as const, reason: 'x' },
      ],
    };
    expect(nextWaveDecision(record)).toEqual({ action: 'done' });
  });
});
