import { z } from 'zod';
import type { ComplianceSnapshot, NodeCompliance } from './complianceModel.js';
import { StoredDocumentError, type ValidationIssue } from './errors.js';
import { issueOf } from './runRecordSchema.js';
import type { Mirrors } from './schemaMirrors.js';

/**
 * A compliance snapshot as stored: a manifest (everything but the nodes, and the list of shards
 * with their SHA-256) and shards of nodes, each holding the nodes of a run of accounts, so that no
 * stored document grows with the whole Organization. Read back, both are input, not truth: checked
 * field for field (zod schemas that mirror complianceModel.ts), each claiming the snapshot id (and
 * shard number) it was read under.
 */

const list = <T extends z.ZodType>(item: T) => z.array(item).readonly();
const count = z.number().int().min(0);
const isoTime = z.iso.datetime({ offset: true });

const patchState = z.strictObject({
  operation: z.enum(['Scan', 'Install']),
  operationEndTime: isoTime,
  baselineId: z.string(),
  installed: count,
  missing: count,
  failed: count,
  installedPendingReboot: count,
  critical: count,
  security: count,
  other: count,
});

const node = z.strictObject({
  accountId: z.string(),
  region: z.string(),
  instanceId: z.string(),
  management: z.enum(['online', 'offline', 'unmanaged']),
  pingStatus: z.string().optional(),
  patch: patchState.optional(),
  stale: z.boolean(),
});

const inventoryErrorKind = z.enum([
  'access-denied',
  'region-not-enabled',
  'member-stack-missing',
  'throttled',
  'credentials-expired',
  'service-error',
]);

const snapshotSchema = z.strictObject({
  schemaVersion: z.literal(1),
  snapshotId: z.string(),
  takenAt: isoTime,
  maxAgeDays: z.number().positive(),
  organization: z.strictObject({
    organizationId: z.string().optional(),
    managementAccountId: z.string(),
    partition: z.string(),
  }),
  scope: z.strictObject({ allNodes: z.boolean(), targets: list(z.string()), regions: list(z.string()) }),
  runId: z.string().optional(),
  accounts: list(z.strictObject({ id: z.string(), name: z.string(), ouPath: list(z.string()) })),
  nodes: list(node),
  notSeen: list(
    z.strictObject({
      accountId: z.string(),
      region: z.string().optional(),
      reason: inventoryErrorKind,
      code: z.string(),
      message: z.string(),
    }),
  ),
});

const shardEntry = z.strictObject({
  id: count,
  firstAccountId: z.string(),
  lastAccountId: z.string(),
  nodes: count,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
});

/** A stored snapshot manifest: the snapshot without its nodes, and its shards. */
const manifestSchema = snapshotSchema.omit({ nodes: true }).extend({ shards: list(shardEntry) });

/** A stored shard: some of the snapshot's nodes. */
const shardSchema = z.strictObject({
  schemaVersion: z.literal(1),
  snapshotId: z.string(),
  id: count,
  nodes: list(node),
});

/** The manifest of a stored snapshot. */
export type ComplianceManifest = z.output<typeof manifestSchema>;
/** One stored shard of a snapshot's nodes. */
export type ComplianceShard = z.output<typeof shardSchema>;

// Fail to compile when the schema and complianceModel.ts drift apart.
const snapshotMirrorsModel: Mirrors<z.output<typeof snapshotSchema>, ComplianceSnapshot> = true;
void snapshotMirrorsModel;

function shaped<T extends z.ZodType>(schema: T, value: unknown, source: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new StoredDocumentError('compliance snapshot', source, parsed.error.issues.map(issueOf));
  return parsed.data;
}

function claim(field: string, claimed: unknown, expected: unknown): ValidationIssue[] {
  return claimed === expected
    ? []
    : [
        {
          path: field,
          message: `is ${JSON.stringify(claimed)}, but it was read as ${JSON.stringify(expected)}`,
          hint: 'a snapshot is stored under its own id, a shard under its own number',
        },
      ];
}

/**
 * Validates a stored snapshot manifest: its shape, the snapshot id it claims, shards numbered
 * 0, 1, 2, ... in order.
 * @param source where it was read (a file path or an s3:// URL), for the error.
 * @throws StoredDocumentError naming `source` and each problem's JSON path.
 */
export function parseComplianceManifest(
  value: unknown,
  source: string,
  options: { readonly snapshotId: string },
): ComplianceManifest {
  const manifest = shaped(manifestSchema, value, source);
  const issues = claim('snapshotId', manifest.snapshotId, options.snapshotId);
  manifest.shards.forEach((entry, i) => {
    if (entry.id !== i)
      issues.push({ path: `shards[${i}].id`, message: `is ${entry.id}, but shards are numbered from 0 in order` });
  });
  if (issues.length > 0) throw new StoredDocumentError('compliance snapshot', source, issues);
  return manifest;
}

/**
 * Validates a stored shard: its shape, that it is shard `id` of snapshot `snapshotId`, and that it
 * holds as many nodes as the manifest says.
 * @throws StoredDocumentError naming `source` and each problem's JSON path.
 */
export function parseComplianceShard(
  value: unknown,
  source: string,
  options: { readonly snapshotId: string; readonly id: number; readonly nodes: number },
): ComplianceShard {
  const shard = shaped(shardSchema, value, source);
  const issues = [...claim('snapshotId', shard.snapshotId, options.snapshotId), ...claim('id', shard.id, options.id)];
  if (shard.nodes.length !== options.nodes) {
    issues.push({
      path: 'nodes',
      message: `holds ${shard.nodes.length} nodes, but the manifest lists ${options.nodes}`,
    });
  }
  if (issues.length > 0) throw new StoredDocumentError('compliance snapshot', source, issues);
  return shard;
}

/** How many accounts' nodes one shard holds by default. */
export const COMPLIANCE_ACCOUNTS_PER_SHARD = 250;

/**
 * Splits a snapshot into its manifest (without the shards' hashes, which the store computes from the
 * text it writes) and shards, each holding the nodes of up to `accountsPerShard` accounts.
 */
export function splitComplianceSnapshot(
  snapshot: ComplianceSnapshot,
  accountsPerShard: number = COMPLIANCE_ACCOUNTS_PER_SHARD,
): {
  readonly manifest: Omit<ComplianceManifest, 'shards'>;
  readonly shards: readonly (ComplianceShard & { readonly firstAccountId: string; readonly lastAccountId: string })[];
} {
  const { nodes, ...manifest } = snapshot;
  const shards: (ComplianceShard & { firstAccountId: string; lastAccountId: string })[] = [];
  let current: NodeCompliance[] = [];
  let accounts = 0;
  let last: string | undefined;
  const flush = () => {
    const first = current[0];
    const end = current[current.length - 1];
    if (first === undefined || end === undefined) return;
    shards.push({
      schemaVersion: 1,
      snapshotId: snapshot.snapshotId,
      id: shards.length,
      nodes: current,
      firstAccountId: first.accountId,
      lastAccountId: end.accountId,
    });
    current = [];
    accounts = 0;
  };
  for (const n of nodes) {
    if (n.accountId !== last) {
      if (accounts === Math.max(1, accountsPerShard)) flush();
      accounts += 1;
      last = n.accountId;
    }
    current.push(n);
  }
  flush();
  return { manifest, shards };
}

/** The snapshot a manifest and its shards (in order) make. */
export function assembleComplianceSnapshot(
  manifest: ComplianceManifest,
  shards: readonly ComplianceShard[],
): ComplianceSnapshot {
  const { shards: _entries, ...rest } = manifest;
  return { ...rest, nodes: shards.flatMap((s) => s.nodes) };
}
