import type { LeaseScope } from './ports.js';
import type { PatchRequest } from './request.js';
import type { RunRecord } from './runModel.js';

/**
 * What makes a resumed run the same run: a run id found in the store may only be resumed by the
 * request that created it. A different request under the same id (a dry run, another operation,
 * other parameters or targets) would otherwise be answered with the stored run's starts.
 */

/** The payload names of the request's fields, for messages a person acts on. */
const FIELD_NAMES: Readonly<Record<keyof PatchRequest, string>> = {
  windowId: 'WindowId',
  taskExecutionId: 'TaskExecutionId',
  document: 'Document (Name, Version)',
  operation: 'Operation',
  rebootOption: 'Document.Parameters.RebootOption',
  automationAssumeRole: 'AutomationAssumeRole',
  snapshotId: 'Document.Parameters.SnapshotId',
  installOverrideList: 'Document.Parameters.InstallOverrideList',
  targetParameterName: 'TargetParameterName',
  targets: 'Targets',
  resourceGroups: 'Targets',
  maxConcurrency: 'MaxConcurrency',
  maxErrors: 'MaxErrors',
  regions: 'Regions',
  organization: 'Organization',
  dryRun: 'DryRun',
  concurrency: 'Concurrency',
  patchTuesday: 'PatchTuesday',
  snapshot: 'Snapshot',
};

/** JSON with object keys sorted, so two equal values always give the same text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/**
 * The payload fields in which `incoming` differs from `stored`, in payload names (empty when the
 * two requests are the same run's).
 *
 * @example
 * requestDifferences(record.request, { ...record.request, dryRun: true }); // ['DryRun']
 */
export function requestDifferences(stored: PatchRequest, incoming: PatchRequest): string[] {
  const keys = new Set([...Object.keys(stored), ...Object.keys(incoming)] as (keyof PatchRequest)[]);
  const fields = new Set<string>();
  for (const key of keys) {
    if (canonical(stored[key]) !== canonical(incoming[key])) fields.add(FIELD_NAMES[key] ?? key);
  }
  return [...fields].sort();
}

/**
 * The scope a run leases while it may start automations: its Organization. Two runs on one
 * Organization can reach the same nodes through different targets (tag-based groups overlap, OUs
 * nest, the blog's single-account payload patches an account an Organization run also covers), which
 * orgpatch cannot rule out before both have discovered and planned, so runs on one Organization take
 * turns.
 */
export function leaseScopeFor(organization: RunRecord['organization']): LeaseScope {
  const { organizationId, managementAccountId } = organization;
  return organizationId !== undefined
    ? { key: `org-${organizationId}`, description: `the Organization ${organizationId}` }
    : {
        key: `account-${managementAccountId}`,
        description: `the Organization of management account ${managementAccountId}`,
      };
}
