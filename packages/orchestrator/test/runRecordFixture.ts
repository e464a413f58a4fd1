import {
  buildPlan,
  createRunRecord,
  type InventoryObservation,
  locationKey,
  type OrganizationSnapshot,
  parsePayload,
  type RunRecord,
} from '@orgpatch/core';

const request = parsePayload({
  Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
  Regions: ['us-east-1'],
  Organization: { TargetOus: ['r-ab12'] },
});

const organization = (accounts: OrganizationSnapshot['accounts']): OrganizationSnapshot => ({
  organizationId: 'o-ab12cd34ef',
  managementAccountId: '111111111111',
  callerAccountId: '111111111111',
  partition: 'aws',
  accounts,
});

/** A valid run record (a parsed request, an empty plan) with `status`, or a dry run when `dryRun`. */
export function runRecord(runId: string, status: RunRecord['status'] = 'running', dryRun = false): RunRecord {
  const record = createRunRecord({
    runId,
    createdAt: new Date('2026-11-28T12:00:00.000Z'),
    snapshotId: '6a1e0b5d-2d35-4c8b-9a52-4a5c6b7d8e9f',
    idempotencyKey: runId,
    request: dryRun ? { ...request, dryRun: true } : request,
    organization: organization([]),
    plan: { waves: [], locations: [], counts: { locations: 0, start: 0, skip: 0, fail: 0, instances: 0 } },
  });
  return { ...record, status };
}

/** The account id of the `n`th account (from 0) of {@link plannedRunRecord}. */
export const accountIdOf = (n: number): string => String(200_000_000_000 + n);

/**
 * A planned run over `accounts` accounts in `regions`, each location with `instances` instances in
 * WebServers: the record createRunRecord makes from buildPlan, as a run starts.
 */
export function plannedRunRecord(
  runId: string,
  accounts: number,
  regions: readonly string[] = ['us-east-1', 'eu-west-1'],
  instances = 2,
): RunRecord {
  const ids = Array.from({ length: accounts }, (_, n) => accountIdOf(n));
  const req = parsePayload({
    Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
    Regions: regions,
    Organization: { TargetOus: ['r-ab12'] },
  });
  const org = organization(ids.map((id) => ({ id, name: `acct-${id}`, status: 'ACTIVE', ouPath: ['r-ab12'] })));
  const observations = new Map<string, InventoryObservation>();
  for (const id of ids) {
    for (const region of regions) {
      const instanceIds = Array.from(
        { length: instances },
        (_, i) => `i-${id.slice(-6)}${String(i).padStart(11, '0')}`,
      );
      observations.set(locationKey(id, region), {
        kind: 'groups',
        groups: [{ name: 'WebServers', exists: true, instanceIds }],
      });
    }
  }
  return createRunRecord({
    runId,
    createdAt: new Date('2026-11-28T12:00:00.000Z'),
    snapshotId: '6a1e0b5d-2d35-4c8b-9a52-4a5c6b7d8e9f',
    idempotencyKey: runId,
    request: req,
    organization: org,
    plan: buildPlan({ request: req, organization: org, observations }),
  });
}
