import { AUTOMATION_ROLE_NAME } from '@orgpatch/core';
import { orgPatchRunbookContent } from '@orgpatch/member-stack/definitions';
import type { CallContext, SimAccount, SimInstance, SimRegion, SimWorld } from '../src/contract.js';
import { installMemberDocument } from '../src/ssm/index.js';

/** Builders of small hand-made worlds for the SSM unit tests. */

export const ACCOUNT = '111111111111';
export const OTHER_ACCOUNT = '222222222222';
export const REGION = 'us-east-1';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${AUTOMATION_ROLE_NAME}`;

/** The member automation document, the very content the Regional stack deploys. */
export function memberDocumentContent(): Record<string, unknown> {
  return orgPatchRunbookContent;
}

/** An instance with sensible defaults: managed Linux, 3 missing patches, 30 minutes to patch. */
export function instance(instanceId: string, overrides: Partial<Omit<SimInstance, 'instanceId'>> = {}): SimInstance {
  return {
    instanceId,
    platform: 'Linux',
    platformName: 'Amazon Linux',
    managed: true,
    patchMinutes: 30,
    failsPatching: false,
    patchState: {
      installedCount: 10,
      missingCount: 3,
      criticalCount: 0,
      securityCount: 0,
      failedCount: 0,
      installedPendingRebootCount: 0,
      operation: 'Scan',
      operationStartTime: Date.parse('2025-05-01T00:00:00Z'),
      operationEndTime: Date.parse('2025-05-01T00:02:00Z'),
      baselineId: 'pb-0123456789abcdef0',
    },
    ...overrides,
  };
}

/** A 17-hex-digit instance id from a number. */
export function instanceId(n: number): string {
  return `i-${n.toString(16).padStart(17, '0')}`;
}

/** A Region with instances and groups (group name -> member ids), the member document installed. */
export function region(
  name: string,
  instances: readonly SimInstance[],
  groups: Readonly<Record<string, readonly string[]>> = {},
  options: { enabled?: boolean; document?: boolean } = {},
): SimRegion {
  const simRegion: SimRegion = {
    region: name,
    enabled: options.enabled ?? true,
    instances: new Map(instances.map((i) => [i.instanceId, i])),
    groups: new Map(
      Object.entries(groups).map(([groupName, ids]) => [groupName, { name: groupName, instanceIds: ids }]),
    ),
    documents: new Map(),
  };
  if (options.document ?? true)
    installMemberDocument(simRegion, memberDocumentContent(), Date.parse('2025-01-01T00:00:00Z'));
  return simRegion;
}

/** An account with the automation role (trusted by ssm.amazonaws.com) and the given Regions. */
export function account(
  id: string,
  regions: readonly SimRegion[],
  options: { automationRole?: boolean } = {},
): SimAccount {
  return {
    id,
    name: `account-${id}`,
    email: `aws+${id}@example.com`,
    status: 'ACTIVE',
    parentId: 'r-abcd',
    joinedTimestamp: Date.parse('2024-01-01T00:00:00Z'),
    roles: new Map(
      options.automationRole === false
        ? []
        : [[AUTOMATION_ROLE_NAME, { trustedPrincipalArns: [], trustedService: 'ssm.amazonaws.com' }]],
    ),
    regions: new Map(regions.map((r) => [r.region, r])),
  };
}

/** A world of the given accounts. */
export function world(accounts: readonly SimAccount[]): SimWorld {
  return {
    organizationId: 'o-abcdefghij',
    managementAccountId: '999999999999',
    rootId: 'r-abcd',
    partition: 'aws',
    orchestratorPrincipalArn: 'arn:aws:iam::999999999999:role/OrgPatchOrchestrator',
    ous: new Map(),
    accounts: new Map(accounts.map((a) => [a.id, a])),
    regionNames: [REGION],
  };
}

/** The call context of the orchestrator acting in an account and Region. */
export function ctx(operation: string, accountId = ACCOUNT, regionName = REGION): CallContext {
  return {
    service: 'ssm',
    operation,
    accountId,
    region: regionName,
    principalArn: `arn:aws:sts::${accountId}:assumed-role/OrgPatchExecutionRole/orgpatch`,
    roleName: 'OrgPatchExecutionRole',
  };
}

/** The parameters orgpatch passes for a run of the member document. */
export function runParameters(
  operation: 'Scan' | 'Install',
  extra: Record<string, string[]> = {},
): Record<string, string[]> {
  return {
    AutomationAssumeRole: [ROLE_ARN],
    Operation: [operation],
    RebootOption: ['RebootIfNeeded'],
    SnapshotId: ['0b9e6bde-1f3c-4c1e-9a52-6d2f8c1e0a11'],
    ...extra,
  };
}
