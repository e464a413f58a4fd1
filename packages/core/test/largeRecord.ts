import { DEFAULT_WAVE_NAME } from '../src/plan.js';
import type { PlannedLocation } from '../src/planModel.js';
import type { LocationOutcome, RunRecord } from '../src/runModel.js';
import { makeRequest } from './plan.fixtures.js';

const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'sa-east-1',
];

/** How {@link largeRunRecord} shapes a run. */
export interface LargeRunShape {
  readonly accounts: number;
  /** How many Regions (at most 16). */
  readonly regions: number;
  /** Every n-th location failed (one instance failed); the one after it halted. */
  readonly failEvery: number;
}

/**
 * A finished run of any size, made directly (no plan is built, no sandbox): accounts in 20 OUs under
 * the root, 3 instances a location patched, every 5th location skipped for having no instances, every
 * `failEvery`-th failed with one failed instance and the next one halted.
 */
export function largeRunRecord(shape: LargeRunShape): RunRecord {
  const regions = REGIONS.slice(0, shape.regions);
  const request = makeRequest({ regions });
  const planned: PlannedLocation[] = [];
  const locations: LocationOutcome[] = [];
  const accountIds: string[] = [];
  for (let a = 0; a < shape.accounts; a += 1) {
    const accountId = String(100_000_000_000 + a * 7);
    accountIds.push(accountId);
    const ouPath = ['r-ab12', `ou-ab12-team${String(a % 20).padStart(4, '0')}`];
    const accountName = `workload-${a}`;
    for (const region of regions) {
      const i = planned.length;
      const base = { accountId, accountName, region, wave: DEFAULT_WAVE_NAME };
      if (i % 5 === 4) {
        const decision = { action: 'skip' as const, reason: 'no-instances' as const, detail: 'WebServers is empty' };
        planned.push({
          ...base,
          groups: [{ name: 'WebServers', exists: true, instanceIds: [] }],
          instanceCount: 0,
          decision,
        });
        locations.push({
          ...base,
          ouPath,
          instanceCount: 0,
          decision,
          status: 'skipped',
          reason: 'No instances.',
          executions: [],
        });
        continue;
      }
      const instanceIds = [0, 1, 2].map((k) => `i-${accountId.slice(-6)}${String(i).padStart(6, '0')}${k}`);
      const decision = { action: 'start' as const, groups: ['WebServers'] };
      planned.push({
        ...base,
        groups: [{ name: 'WebServers', exists: true, instanceIds }],
        instanceCount: 3,
        decision,
      });
      const failed = i % shape.failEvery === 0;
      const halted = i % shape.failEvery === 1;
      if (halted) {
        locations.push({
          ...base,
          ouPath,
          instanceCount: 3,
          decision,
          status: 'halted',
          reason: 'Wave "default" exceeded its error threshold.',
          executions: [],
        });
        continue;
      }
      const executionId = `exec-${String(i).padStart(10, '0')}`;
      locations.push({
        ...base,
        ouPath,
        instanceCount: 3,
        decision,
        status: failed ? 'failed' : 'succeeded',
        ...(failed ? { reason: 'The automation execution failed: step PatchLinux failed on 1 instance.' } : {}),
        executions: [
          {
            executionId,
            clientToken: `tok-${i}`,
            group: 'WebServers',
            status: failed ? 'Failed' : 'Success',
            startedAt: '2026-03-01T00:01:00.000Z',
            endedAt: '2026-03-01T00:09:00.000Z',
            instances: instanceIds.map((instanceId, k) => ({
              instanceId,
              executionId: `${executionId}-${k}`,
              status: failed && k === 0 ? 'Failed' : 'Success',
              ...(failed && k === 0 ? { failureMessage: 'exit code 1: yum could not reach its repository' } : {}),
              patch: {
                operation: 'Install',
                installedCount: 40,
                missingCount: 0,
                failedCount: failed && k === 0 ? 2 : 0,
                installedPendingRebootCount: 0,
              },
            })),
          },
        ],
      });
    }
  }
  const start = planned.filter((l) => l.decision.action === 'start');
  return {
    schemaVersion: 1,
    runId: `run-large-${shape.accounts}`,
    createdAt: '2026-03-01T00:00:00.000Z',
    updatedAt: '2026-03-01T00:10:00.000Z',
    status: locations.some((l) => l.status === 'failed') ? 'halted' : 'succeeded',
    dryRun: false,
    snapshotId: '6a1e0b5d-2d35-4c8b-9a52-4a5c6b7d8e9f',
    idempotencyKey: `run-large-${shape.accounts}`,
    request,
    organization: { organizationId: 'o-example', managementAccountId: '111111111111', partition: 'aws' },
    plan: {
      waves: [{ name: DEFAULT_WAVE_NAME, errorThreshold: request.maxErrors, accountIds }],
      locations: planned,
      counts: {
        locations: planned.length,
        start: start.length,
        skip: planned.length - start.length,
        fail: 0,
        instances: 3 * start.length,
      },
    },
    waves: [
      {
        name: DEFAULT_WAVE_NAME,
        status: locations.some((l) => l.status === 'failed') ? 'halted' : 'succeeded',
      },
    ],
    locations,
  };
}
