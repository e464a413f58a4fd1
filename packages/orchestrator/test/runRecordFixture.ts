import { createRunRecord, parsePayload, type RunRecord } from '@orgpatch/core';

const request = parsePayload({
  Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
  Regions: ['us-east-1'],
  Organization: { TargetOus: ['r-ab12'] },
});

/** A valid run record (a parsed request, an empty plan) with `status`, or a dry run when `dryRun`. */
export function runRecord(runId: string, status: RunRecord['status'] = 'running', dryRun = false): RunRecord {
  const record = createRunRecord({
    runId,
    createdAt: new Date('2026-11-28T12:00:00.000Z'),
    snapshotId: '6a1e0b5d-2d35-4c8b-9a52-4a5c6b7d8e9f',
    idempotencyKey: runId,
    request: dryRun ? { ...request, dryRun: true } : request,
    organization: {
      organizationId: 'o-ab12cd34ef',
      managementAccountId: '111111111111',
      callerAccountId: '111111111111',
      partition: 'aws',
      accounts: [],
    },
    plan: { waves: [], locations: [], counts: { locations: 0, start: 0, skip: 0, fail: 0, instances: 0 } },
  });
  return { ...record, status };
}
