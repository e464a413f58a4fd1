import type { InventoryErrorKind } from './inventory.js';

/**
 * Organization-wide patch compliance: what one snapshot holds. A snapshot reads, at one moment, the
 * patch state of every managed node in the target groups (or every managed node) of every target
 * account and Region, and names what it could not see. It starts nothing.
 */

/**
 * Whether SSM manages the node and its agent answers: `online` (PingStatus Online), `offline`
 * (ConnectionLost or Inactive: a patch would not reach it) or `unmanaged` (a member of a target
 * group that DescribeInstanceInformation does not list: no patch ever reaches it).
 */
export type NodeManagement = 'online' | 'offline' | 'unmanaged';

/** One node's patch state as DescribeInstancePatchStates reports it. */
export interface NodePatchState {
  readonly operation: 'Scan' | 'Install';
  /** When that operation ended (ISO 8601). */
  readonly operationEndTime: string;
  /** The patch baseline in force. */
  readonly baselineId: string;
  readonly installed: number;
  readonly missing: number;
  readonly failed: number;
  readonly installedPendingReboot: number;
  /** Non-compliant patches classified Critical, Security and anything else (CriticalNonCompliantCount, ...). */
  readonly critical: number;
  readonly security: number;
  readonly other: number;
}

/** One node of a snapshot. */
export interface NodeCompliance {
  readonly accountId: string;
  readonly region: string;
  readonly instanceId: string;
  readonly management: NodeManagement;
  /** SSM's PingStatus, when the node is managed. */
  readonly pingStatus?: string;
  /** Absent when SSM has no patch data for the node (never scanned, or not managed). */
  readonly patch?: NodePatchState;
  /** true when there is no patch data, or its operation ended longer than the snapshot's max age ago. */
  readonly stale: boolean;
}

/**
 * A place the snapshot could not read: an account whose role could not be assumed, a Region not
 * enabled, an access refused or a read error. Listed, never counted as compliant. `region` is
 * absent when the whole account could not be entered.
 */
export interface NotSeen {
  readonly accountId: string;
  readonly region?: string;
  readonly reason: InventoryErrorKind;
  readonly code: string;
  readonly message: string;
}

/** An account of the snapshot, for roll-ups by OU. */
export interface ComplianceAccount {
  readonly id: string;
  readonly name: string;
  /** Parent chain from the root down to the account's direct parent. */
  readonly ouPath: readonly string[];
}

/** What a snapshot was asked to read. */
export interface ComplianceScope {
  /** true: every managed node; false: the members of the target groups (or tag). */
  readonly allNodes: boolean;
  /** The target labels (resource groups or `tag:Key=Value`). */
  readonly targets: readonly string[];
  readonly regions: readonly string[];
}

/** One compliance snapshot. JSON-serializable. */
export interface ComplianceSnapshot {
  readonly schemaVersion: 1;
  readonly snapshotId: string;
  readonly takenAt: string;
  /** A scan older than this many days is stale. */
  readonly maxAgeDays: number;
  readonly organization: {
    readonly organizationId?: string;
    readonly managementAccountId: string;
    readonly partition: string;
  };
  readonly scope: ComplianceScope;
  /** The run this snapshot was taken for (when a run ended), if any. */
  readonly runId?: string;
  readonly accounts: readonly ComplianceAccount[];
  readonly nodes: readonly NodeCompliance[];
  readonly notSeen: readonly NotSeen[];
}

/**
 * How bad a node is, worst first: `critical` (Critical patches missing), `security`, `other`
 * (any other non-compliant patch, failed or pending reboot), `unknown` (no patch data: never
 * scanned or not managed), `compliant`.
 */
export type NodeLevel = 'critical' | 'security' | 'other' | 'unknown' | 'compliant';

/** Levels, worst first: their index is the sort key. */
export const NODE_LEVELS: readonly NodeLevel[] = ['critical', 'security', 'other', 'unknown', 'compliant'];

/**
 * A node's level (see {@link NodeLevel}).
 * @example
 * nodeLevel({ ..., patch: { ..., critical: 2, security: 1, other: 0 } }); // 'critical'
 */
export function nodeLevel(node: Pick<NodeCompliance, 'patch'>): NodeLevel {
  const p = node.patch;
  if (p === undefined) return 'unknown';
  if (p.critical > 0) return 'critical';
  if (p.security > 0) return 'security';
  if (p.other > 0 || p.missing > 0 || p.failed > 0 || p.installedPendingReboot > 0) return 'other';
  return 'compliant';
}

/** true for a node no patch reaches (unmanaged, or its agent offline), or without patch data, or with a stale scan. */
export function needsAttention(node: NodeCompliance): boolean {
  return node.management !== 'online' || node.stale || nodeLevel(node) !== 'compliant';
}
