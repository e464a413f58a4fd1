import {
  buildComplianceSnapshot,
  type ComplianceSnapshot,
  type LocationReading,
  type NodePatchState,
  type ObservedNode,
  type OrganizationSnapshot,
} from '@orgpatch/core';

const TAKEN_AT = new Date('2026-06-01T12:00:00Z');

/** A patch state `days` old with the given classification counts. */
export function patch(days: number, counts: Partial<NodePatchState> = {}): NodePatchState {
  const critical = counts.critical ?? 0;
  const security = counts.security ?? 0;
  const other = counts.other ?? 0;
  return {
    operation: 'Scan',
    operationEndTime: new Date(TAKEN_AT.getTime() - days * 86_400_000).toISOString(),
    baselineId: 'pb-0e392de35e7c563b7',
    installed: 100,
    missing: critical + security + other,
    failed: 0,
    installedPendingReboot: 0,
    critical,
    security,
    other,
    ...counts,
  };
}

function organization(accounts: number, partition = 'aws'): OrganizationSnapshot {
  return {
    organizationId: 'o-abc123',
    managementAccountId: '100000000000',
    callerAccountId: '100000000000',
    partition,
    accounts: Array.from({ length: accounts }, (_, i) => ({
      id: String(200000000000 + i),
      name: `account-${i}`,
      status: 'ACTIVE' as const,
      ouPath: ['r-ab12', i % 2 === 0 ? 'ou-ab12-dev' : 'ou-ab12-prod'],
    })),
  };
}

export function snapshotOf(
  readings: readonly { accountId: string; region: string; reading: LocationReading }[],
  options: { id?: string; accounts?: number; partition?: string } = {},
): ComplianceSnapshot {
  return buildComplianceSnapshot({
    snapshotId: options.id ?? 'c-test',
    takenAt: TAKEN_AT,
    maxAgeDays: 7,
    organization: organization(options.accounts ?? 2, options.partition),
    scope: { allNodes: false, targets: ['patch-group'], regions: ['us-east-1', 'eu-west-1'] },
    readings,
  });
}

export const nodes = (...list: ObservedNode[]): LocationReading => ({ kind: 'nodes', nodes: list });

/** A small Organization: every kind of node and a place not seen. */
export function mixedSnapshot(id = 'c-mixed'): ComplianceSnapshot {
  return snapshotOf(
    [
      {
        accountId: '200000000000',
        region: 'us-east-1',
        reading: nodes(
          {
            instanceId: 'i-0000000000000000a',
            management: 'online',
            pingStatus: 'Online',
            patch: patch(1, { critical: 2, other: 1 }),
          },
          {
            instanceId: 'i-0000000000000000b',
            management: 'online',
            pingStatus: 'Online',
            patch: patch(2, { security: 3 }),
          },
          { instanceId: 'i-0000000000000000c', management: 'online', pingStatus: 'Online', patch: patch(1) },
          { instanceId: 'i-0000000000000000d', management: 'unmanaged' },
          { instanceId: 'mi-0000000000000000e', management: 'offline', pingStatus: 'ConnectionLost', patch: patch(30) },
        ),
      },
      {
        accountId: '200000000000',
        region: 'eu-west-1',
        reading: {
          kind: 'error',
          error: 'region-not-enabled',
          code: 'UnrecognizedClientException',
          message: 'not enabled',
        },
      },
      {
        accountId: '200000000001',
        region: 'us-east-1',
        reading: nodes({
          instanceId: 'i-0000000000000000f',
          management: 'online',
          pingStatus: 'Online',
          patch: patch(10),
        }),
      },
      {
        accountId: '200000000001',
        region: 'eu-west-1',
        reading: nodes({
          instanceId: 'i-00000000000000010',
          management: 'online',
          pingStatus: 'Online',
          patch: patch(0, { other: 4 }),
        }),
      },
    ],
    { id },
  );
}
