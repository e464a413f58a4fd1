import type {
  AccountInfo,
  GroupObservation,
  InventoryErrorKind,
  InventoryObservation,
  OrganizationSnapshot,
  PatchRequest,
} from '../src/index.js';
import { parseRateValue } from '../src/rates.js';
import type { OrganizationScope, WaveSpec } from '../src/request.js';

/** Test fixtures for the plan, run record and report tests. */

export const MANAGEMENT = '111111111111';

export function makeScope(overrides: Partial<OrganizationScope> = {}): OrganizationScope {
  return {
    targetOus: ['r-root'],
    accounts: [],
    excludeAccounts: [],
    includeManagementAccount: false,
    executionRoleName: 'OrgPatchExecutionRole',
    waves: [],
    ...overrides,
  };
}

export function makeWave(
  name: string,
  overrides: Partial<Omit<WaveSpec, 'errorThreshold'>> & { threshold?: string } = {},
): WaveSpec {
  return {
    name,
    targetOus: overrides.targetOus ?? [],
    accounts: overrides.accounts ?? [],
    errorThreshold: parseRateValue(overrides.threshold ?? '0', 'MaxErrors'),
  };
}

export function makeRequest(overrides: Partial<PatchRequest> = {}): PatchRequest {
  const groups = overrides.resourceGroups ?? ['WebServers', 'DbServers'];
  return {
    document: { name: 'OrgPatch-RunPatchBaseline', version: '$DEFAULT' },
    operation: 'Install',
    rebootOption: 'RebootIfNeeded',
    automationAssumeRole: { kind: 'member-default' },
    targetParameterName: 'InstanceIds',
    targets: [{ key: 'ResourceGroup', values: groups }],
    resourceGroups: groups,
    maxConcurrency: parseRateValue('10', 'MaxConcurrency'),
    maxErrors: parseRateValue('1', 'MaxErrors'),
    regions: ['us-east-2', 'us-east-1'],
    dryRun: false,
    concurrency: { global: 20, perAccount: 4 },
    ...overrides,
  };
}

export function account(
  id: string,
  ouPath: readonly string[] = ['r-root'],
  overrides: Partial<AccountInfo> = {},
): AccountInfo {
  return { id, name: `acct-${id.slice(-4)}`, status: 'ACTIVE', ouPath, ...overrides };
}

export function makeOrg(accounts: readonly AccountInfo[], caller = MANAGEMENT): OrganizationSnapshot {
  return {
    organizationId: 'o-example',
    managementAccountId: MANAGEMENT,
    callerAccountId: caller,
    partition: 'aws',
    accounts,
  };
}

/** Groups as inventory reports them: `null` for a group that does not exist. */
export function groups(members: Record<string, readonly string[] | null>): InventoryObservation {
  const list: GroupObservation[] = Object.entries(members).map(([name, ids]) => ({
    name,
    exists: ids !== null,
    instanceIds: ids ?? [],
  }));
  return { kind: 'groups', groups: list };
}

export function inventoryError(
  error: InventoryErrorKind,
  code = 'SomeCode',
  message = 'it went wrong',
): InventoryObservation {
  return { kind: 'error', error, code, message };
}

/** Observations for every (account, Region), all with one instance in WebServers, unless overridden. */
export function observeAll(
  accountIds: readonly string[],
  regions: readonly string[],
  overrides: Record<string, InventoryObservation> = {},
): Map<string, InventoryObservation> {
  const map = new Map<string, InventoryObservation>();
  for (const id of accountIds) {
    for (const region of regions) {
      const key = `${id}/${region}`;
      map.set(key, overrides[key] ?? groups({ WebServers: [`i-${id.slice(-4)}${region.slice(-1)}`], DbServers: [] }));
    }
  }
  return map;
}
