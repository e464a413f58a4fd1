import type {
  ComplianceScope,
  ComplianceSnapshot,
  NodeCompliance,
  NodeManagement,
  NodePatchState,
  NotSeen,
} from './complianceModel.js';
import type { InventoryErrorKind, Location } from './inventory.js';
import type { OrganizationSnapshot } from './organization.js';

/** A node as one location's read found it, before the snapshot judges its age. */
export interface ObservedNode {
  readonly instanceId: string;
  readonly management: NodeManagement;
  readonly pingStatus?: string;
  readonly patch?: NodePatchState;
}

/** What reading one location gave: its nodes, or why they could not be read. */
export type LocationReading =
  | { readonly kind: 'nodes'; readonly nodes: readonly ObservedNode[] }
  | { readonly kind: 'error'; readonly error: InventoryErrorKind; readonly code: string; readonly message: string };

/** Everything {@link buildComplianceSnapshot} needs. Time comes in: core has no clock. */
export interface ComplianceSnapshotInput {
  readonly snapshotId: string;
  readonly takenAt: Date;
  readonly maxAgeDays: number;
  readonly organization: OrganizationSnapshot;
  readonly scope: ComplianceScope;
  readonly runId?: string;
  readonly readings: readonly (Location & { readonly reading: LocationReading })[];
}

/** The default `--max-age`: a scan older than a week is stale. */
export const DEFAULT_MAX_AGE_DAYS = 7;

const DAY_MS = 86_400_000;

/** Errors that mean the whole account could not be entered (its role), not one Region of it. */
const ACCOUNT_WIDE: ReadonlySet<InventoryErrorKind> = new Set(['member-stack-missing']);

/**
 * The nodes and the places not seen of some locations, judged at `takenAt`: nodes sorted by
 * account, Region and id (a node listed twice in a location, in two groups, is kept once); a
 * location that could not be read is a {@link NotSeen} entry, and an account all of whose Regions
 * failed in the same account-wide way (its role missing) is named once, without a Region. Give it
 * every location of the accounts it covers: the streaming collector calls it once per batch of
 * whole accounts, so the snapshot is written a shard at a time.
 */
export function observeLocations(input: Pick<ComplianceSnapshotInput, 'takenAt' | 'maxAgeDays' | 'readings'>): {
  readonly nodes: NodeCompliance[];
  readonly notSeen: NotSeen[];
} {
  const oldest = input.takenAt.getTime() - input.maxAgeDays * DAY_MS;
  const nodes: NodeCompliance[] = [];
  const failures = new Map<string, NotSeen[]>();
  const regionsPerAccount = new Map<string, number>();
  for (const { accountId, region, reading } of input.readings) {
    regionsPerAccount.set(accountId, (regionsPerAccount.get(accountId) ?? 0) + 1);
    if (reading.kind === 'error') {
      const list = failures.get(accountId) ?? [];
      list.push({ accountId, region, reason: reading.error, code: reading.code, message: reading.message });
      failures.set(accountId, list);
      continue;
    }
    const seen = new Set<string>();
    for (const node of reading.nodes) {
      if (seen.has(node.instanceId)) continue;
      seen.add(node.instanceId);
      const ended = node.patch === undefined ? Number.NaN : Date.parse(node.patch.operationEndTime);
      nodes.push({
        accountId,
        region,
        instanceId: node.instanceId,
        management: node.management,
        ...(node.pingStatus === undefined ? {} : { pingStatus: node.pingStatus }),
        ...(node.patch === undefined ? {} : { patch: node.patch }),
        stale: !(ended >= oldest),
      });
    }
  }
  const notSeen: NotSeen[] = [];
  for (const [accountId, list] of failures) {
    const first = list[0];
    const wholeAccount =
      first !== undefined &&
      list.length === regionsPerAccount.get(accountId) &&
      ACCOUNT_WIDE.has(first.reason) &&
      list.every((f) => f.reason === first.reason);
    if (wholeAccount) {
      notSeen.push({ accountId, reason: first.reason, code: first.code, message: first.message });
    } else notSeen.push(...list);
  }
  nodes.sort((a, b) => byPlace(a, b) || a.instanceId.localeCompare(b.instanceId));
  notSeen.sort(byPlace);
  return { nodes, notSeen };
}

const byPlace = (a: { accountId: string; region?: string }, b: { accountId: string; region?: string }) =>
  a.accountId.localeCompare(b.accountId) || (a.region ?? '').localeCompare(b.region ?? '');

/** A snapshot's fields but its nodes and places not seen: who, when, what was asked, the accounts. */
export function complianceHeader(
  input: Omit<ComplianceSnapshotInput, 'readings'>,
): Omit<ComplianceSnapshot, 'nodes' | 'notSeen'> {
  const org = input.organization;
  return {
    schemaVersion: 1,
    snapshotId: input.snapshotId,
    takenAt: input.takenAt.toISOString(),
    maxAgeDays: input.maxAgeDays,
    organization: {
      ...(org.organizationId === undefined ? {} : { organizationId: org.organizationId }),
      managementAccountId: org.managementAccountId,
      partition: org.partition,
    },
    scope: input.scope,
    ...(input.runId === undefined ? {} : { runId: input.runId }),
    accounts: org.accounts
      .map((a) => ({ id: a.id, name: a.name, ouPath: a.ouPath }))
      .sort((a, b) => a.id.localeCompare(b.id)),
  };
}

/**
 * Builds a snapshot from what each location's read gave (see {@link observeLocations} for how
 * nodes and places not seen are judged).
 *
 * @example
 * const snapshot = buildComplianceSnapshot({ snapshotId: 'c-1', takenAt: new Date(), maxAgeDays: 7, organization, scope, readings });
 */
export function buildComplianceSnapshot(input: ComplianceSnapshotInput): ComplianceSnapshot {
  const { nodes, notSeen } = observeLocations(input);
  return { ...complianceHeader(input), nodes, notSeen };
}
