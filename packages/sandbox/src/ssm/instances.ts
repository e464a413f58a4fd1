import { createHash } from 'node:crypto';
import { AwsServiceError, type SimClock, type SimInstance } from '../contract.js';
import type { AutomationEngine, LocationState } from './engine.js';
import { decodeToken, encodeToken } from './paging.js';
import { RequestCheck } from './requestCheck.js';

const INSTANCE_ID = /(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)/;
const AGENT_VERSION = '3.3.1142.0';
const STRING_FILTER_KEYS = new Set([
  'ActivationIds',
  'AgentVersion',
  'AssociationStatus',
  'IamRole',
  'InstanceIds',
  'PingStatus',
  'PlatformTypes',
  'ResourceType',
  'SourceIds',
  'SourceTypes',
  'tag-key',
]);
const LEGACY_FILTER_KEYS = new Set([
  'InstanceIds',
  'AgentVersion',
  'PingStatus',
  'PlatformTypes',
  'ActivationIds',
  'IamRole',
  'ResourceType',
  'AssociationStatus',
]);

/**
 * DescribeInstanceInformation: the managed nodes of this account and Region (unmanaged instances
 * are not registered with SSM and do not appear), filtered by `Filters` or the legacy
 * `InstanceInformationFilterList` (not both), paged by MaxResults (5..50, default 10).
 */
export function describeInstanceInformation(
  location: LocationState,
  clock: SimClock,
  input: Record<string, unknown>,
): unknown {
  const check = new RequestCheck(input);
  const stringFilters = check.objectList('Filters', { minItems: 0 });
  const legacyFilters = check.objectList('InstanceInformationFilterList', { minItems: 0 });
  const maxResults = check.integer('MaxResults', { min: 5, max: 50 }) ?? 10;
  const nextToken = check.string('NextToken');
  const filters = [
    ...(stringFilters ?? []).map((f, i) => ({
      key: check.checkNested(f.Key, `filters.${i + 1}.member.key`, { required: true, minLength: 1 }) ?? '',
      values: check.checkNestedList(f.Values, `filters.${i + 1}.member.values`, { minItems: 1, maxItems: 100 }),
      legacy: false,
    })),
    ...(legacyFilters ?? []).map((f, i) => ({
      key: check.checkNested(f.key, `instanceInformationFilterList.${i + 1}.member.key`, { required: true }) ?? '',
      values: check.checkNestedList(f.valueSet, `instanceInformationFilterList.${i + 1}.member.valueSet`, {
        minItems: 1,
        maxItems: 100,
      }),
      legacy: true,
    })),
  ];
  check.done();
  if ((stringFilters?.length ?? 0) > 0 && (legacyFilters?.length ?? 0) > 0) {
    throw new AwsServiceError(
      'InvalidInstanceInformationFilterValue',
      'Filters and InstanceInformationFilterList cannot be used together; use Filters.',
    );
  }
  for (const filter of filters) {
    const known = filter.legacy
      ? LEGACY_FILTER_KEYS.has(filter.key)
      : STRING_FILTER_KEYS.has(filter.key) || /^tag:.+/.test(filter.key);
    if (!known)
      throw new AwsServiceError(
        'InvalidFilterKey',
        `The filter key ${filter.key} is not valid for DescribeInstanceInformation.`,
      );
  }
  const isTag = (key: string) => key === 'tag-key' || key.startsWith('tag:');
  if (filters.some((f) => isTag(f.key)) && filters.some((f) => !isTag(f.key))) {
    // "Tag filters can't be combined with other filter types" (DescribeInstanceInformation, Filters);
    // the error code SSM answers with is not documented.
    throw new AwsServiceError('InvalidFilterKey', "Tag filters can't be combined with other filter types.");
  }
  const region = location.region;
  const requestedIds = filters.find((f) => f.key === 'InstanceIds')?.values;
  if (requestedIds) {
    const invalid = requestedIds.filter((id) => region.instances.get(id)?.managed !== true);
    if (invalid.length > 0) {
      throw new AwsServiceError(
        'InvalidInstanceId',
        `Instances [${invalid.join(', ')}] are not managed nodes in account ${location.accountId} Region ${region.region}.`,
      );
    }
  }
  const matches = [...region.instances.values()].filter(
    (instance) => instance.managed && filters.every((f) => informationMatches(instance, f.key, f.values)),
  );
  const query = filters;
  const offset = nextToken === undefined ? 0 : decodeToken(nextToken, query);
  const page = matches.slice(offset, offset + maxResults);
  const now = clock.now() / 1000;
  return {
    InstanceInformationList: page.map((instance) => {
      const ip = privateIp(instance.instanceId);
      return {
        InstanceId: instance.instanceId,
        PingStatus: instance.pingStatus ?? 'Online',
        // A node that lost its connection last pinged an hour before (the sandbox does not track when).
        LastPingDateTime: (instance.pingStatus ?? 'Online') === 'Online' ? now : now - 3600,
        AgentVersion: AGENT_VERSION,
        IsLatestVersion: true,
        PlatformType: instance.platform,
        PlatformName: instance.platformName,
        ResourceType: hybrid(instance) ? 'ManagedInstance' : 'EC2Instance',
        IPAddress: ip,
        ComputerName: `ip-${ip.replaceAll('.', '-')}.${region.region}.compute.internal`,
        SourceId: instance.instanceId,
        SourceType: hybrid(instance) ? 'AWS::SSM::ManagedInstance' : 'AWS::EC2::Instance',
      };
    }),
    NextToken: offset + maxResults < matches.length ? encodeToken(offset + maxResults, query) : undefined,
  };
}

/**
 * DescribeInstancePatchStates: the patch state of the given nodes (0..50 ids, MaxResults 10..100).
 * Like SSM, nodes without patch data (never scanned or patched, unknown, or not managed) are left
 * out rather than reported as errors. A node scanned before the sandbox started (the world's
 * `lastScanDaysAgo`) reports that Scan until a run records its own operation. The non-compliant
 * patches are split by classification: CriticalNonCompliantCount and SecurityNonCompliantCount as
 * the world classifies them, OtherNonCompliantCount the rest of the missing, failed and
 * installed-pending-reboot patches.
 *
 * @param startedAt simulated epoch ms at which the sandbox started (the world's history ends there).
 */
export function describeInstancePatchStates(
  engine: AutomationEngine,
  location: LocationState,
  input: Record<string, unknown>,
  startedAt: number,
): unknown {
  const check = new RequestCheck(input);
  const ids =
    check.stringList('InstanceIds', { required: true, minItems: 0, maxItems: 50, itemPattern: INSTANCE_ID }) ?? [];
  const maxResults = check.integer('MaxResults', { min: 10, max: 100 }) ?? 50;
  const nextToken = check.string('NextToken');
  check.done();
  const region = location.region;
  const states = ids
    .map((id) => region.instances.get(id))
    .filter(
      (i): i is SimInstance =>
        i?.managed === true && (i.patchState.operation !== undefined || i.patchState.priorScanAgeMs !== undefined),
    );
  const query = ids;
  const offset = nextToken === undefined ? 0 : decodeToken(nextToken, query);
  const page = states.slice(offset, offset + maxResults);
  return {
    InstancePatchStates: page.map((instance) => {
      const state = instance.patchState;
      const extras = engine.extras(instance);
      const prior = state.operation === undefined ? startedAt - (state.priorScanAgeMs ?? 0) : undefined;
      const nonCompliant = state.missingCount + state.failedCount + state.installedPendingRebootCount;
      return {
        InstanceId: instance.instanceId,
        PatchGroup: '',
        BaselineId: state.baselineId,
        SnapshotId: state.snapshotId,
        InstallOverrideList: extras?.installOverrideList,
        InstalledCount: state.installedCount,
        InstalledOtherCount: 0,
        InstalledPendingRebootCount: state.installedPendingRebootCount,
        InstalledRejectedCount: 0,
        MissingCount: state.missingCount,
        FailedCount: state.failedCount,
        UnreportedNotApplicableCount: 0,
        NotApplicableCount: 0,
        OperationStartTime: (state.operationStartTime ?? (prior ?? 0) - 120_000) / 1000,
        OperationEndTime: (state.operationEndTime ?? prior ?? 0) / 1000,
        Operation: state.operation ?? 'Scan',
        LastNoRebootInstallOperationTime:
          extras?.lastNoRebootInstallOperationTime === undefined
            ? undefined
            : extras.lastNoRebootInstallOperationTime / 1000,
        RebootOption: extras?.rebootOption ?? 'RebootIfNeeded',
        CriticalNonCompliantCount: state.criticalCount,
        SecurityNonCompliantCount: state.securityCount,
        OtherNonCompliantCount: Math.max(0, nonCompliant - state.criticalCount - state.securityCount),
      };
    }),
    NextToken: offset + maxResults < states.length ? encodeToken(offset + maxResults, query) : undefined,
  };
}

function informationMatches(instance: SimInstance, key: string, values: readonly string[]): boolean {
  switch (key) {
    case 'InstanceIds':
    case 'SourceIds':
      return values.includes(instance.instanceId);
    case 'PingStatus':
      return values.includes(instance.pingStatus ?? 'Online');
    case 'PlatformTypes':
      return values.includes(instance.platform);
    case 'ResourceType':
      return values.includes(hybrid(instance) ? 'ManagedInstance' : 'EC2Instance');
    case 'SourceTypes':
      return values.includes(hybrid(instance) ? 'AWS::SSM::ManagedInstance' : 'AWS::EC2::Instance');
    case 'AgentVersion':
      return values.includes(AGENT_VERSION);
    case 'tag-key':
      return values.some((tagKey) => instance.tags !== undefined && Object.hasOwn(instance.tags, tagKey));
    default: {
      // tag:<key> matches the nodes whose tag <key> has one of the values. Associations,
      // activations and IAM roles are not part of the world: nothing matches them.
      const value = key.startsWith('tag:') ? instance.tags?.[key.slice(4)] : undefined;
      return value !== undefined && values.includes(value);
    }
  }
}

/** A hybrid node (`mi-`), registered through an activation rather than an EC2 instance. */
function hybrid(instance: SimInstance): boolean {
  return instance.instanceId.startsWith('mi-');
}

/** A stable private IP derived from the instance id. */
function privateIp(instanceId: string): string {
  const digest = createHash('sha256').update(instanceId).digest();
  return `10.${digest[0] ?? 0}.${digest[1] ?? 0}.${((digest[2] ?? 0) % 254) + 1}`;
}
