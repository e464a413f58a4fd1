import type { WorldFile } from '@orgpatch/sandbox';
import { DEV_OU, DEV1, MGMT, NOSTACK, PROD_OU, PROD1 } from './harness.js';

/** Instance ids of the compliance world, by what each is. */
export const NODE = {
  critical: 'i-000000000000000c1',
  security: 'i-000000000000000c2',
  unmanaged: 'i-000000000000000c3',
  offline: 'i-000000000000000c4',
  hybrid: 'mi-000000000000000c5',
  neverScanned: 'i-000000000000000c6',
  other: 'i-000000000000000c7',
} as const;

/**
 * An Organization with every kind of node the compliance report must tell apart, all members of
 * the target group WebServers: a node missing Critical patches, one missing Security patches, an
 * instance SSM does not manage, a node whose agent lost its connection, a hybrid node scanned long
 * ago, a node never scanned, and plain missing patches in prod; an account without member stacks
 * and a Region not enabled, which the report must name as not seen.
 */
export function complianceWorld(): WorldFile {
  const account = (id: string, name: string, parentId: string, rest: Record<string, unknown> = {}) => ({
    id,
    name,
    email: `${name}@example.com`,
    parentId,
    ...rest,
  });
  const web = { groups: ['WebServers'], patchMinutes: 10 };
  return {
    organization: { id: 'o-compliance01', rootId: 'r-e2e1', managementAccountId: MGMT },
    startTime: '2026-11-01T03:00:00Z',
    regions: ['us-east-1', 'ap-east-1'],
    ous: [
      { id: DEV_OU, name: 'Dev', parentId: 'r-e2e1' },
      { id: PROD_OU, name: 'Prod', parentId: 'r-e2e1' },
    ],
    accounts: [
      account(MGMT, 'management', 'r-e2e1', { memberStacks: false }),
      account(DEV1, 'dev-one', DEV_OU, {
        regionsNotEnabled: ['ap-east-1'],
        locations: {
          'us-east-1': {
            instances: [
              { ...web, instanceId: NODE.critical, missingPatches: 4, criticalPatches: 2, lastScanDaysAgo: 1 },
              { ...web, instanceId: NODE.security, missingPatches: 2, securityPatches: 1, lastScanDaysAgo: 1 },
              { ...web, instanceId: NODE.unmanaged, managed: false },
              { ...web, instanceId: NODE.offline, missingPatches: 1, pingStatus: 'ConnectionLost', lastScanDaysAgo: 3 },
              { ...web, instanceId: NODE.hybrid, lastScanDaysAgo: 20 },
              { ...web, instanceId: NODE.neverScanned },
            ],
          },
        },
      }),
      account(PROD1, 'prod-one', PROD_OU, {
        locations: {
          'us-east-1': { instances: [{ ...web, instanceId: NODE.other, missingPatches: 3, lastScanDaysAgo: 2 }] },
        },
      }),
      account(NOSTACK, 'prod-nostack', PROD_OU, {
        memberStacks: false,
        locations: { 'us-east-1': { instances: [{ ...web, count: 1 }] } },
      }),
    ],
  } as WorldFile;
}

/** The payload: every OU, both Regions, Install with MaxErrors 100% so one bad node stops nothing. */
export function compliancePayload(): Record<string, unknown> {
  return {
    Document: { Parameters: { Operation: ['Install'], RebootOption: ['RebootIfNeeded'] } },
    Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
    MaxConcurrency: '100%',
    MaxErrors: '100%',
    Regions: ['us-east-1', 'ap-east-1'],
    Organization: { TargetOus: [DEV_OU, PROD_OU], SkipUnreachable: ['AccessDenied', 'MemberStackMissing'] },
    Concurrency: { Global: 8, PerAccount: 2 },
  };
}
