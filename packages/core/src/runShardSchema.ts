import { z } from 'zod';
import { StoredDocumentError, type ValidationIssue } from './errors.js';
import { issueOf, requestIssues, runRecordSchema } from './runRecordSchema.js';
import type { RunPlanGroup, RunShard, StoredRunManifest } from './runShards.js';
import type { Mirrors } from './schemaMirrors.js';

/**
 * A stored manifest and shard (see runShards.ts) as zod schemas, built from the run record's own
 * schema so that the two never drift apart. Read back, they are input, not truth, like a record:
 * checked field for field, the manifest's request re-validated through the payload schema, each
 * document's run id (and a shard's number) the ones it was read under.
 */

const list = <T extends z.ZodType>(item: T) => z.array(item).readonly();
const count = z.number().int().min(0);
const record = runRecordSchema.shape;
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

const accountSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  status: z.enum(['PENDING_ACTIVATION', 'ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED']),
  ouPath: list(z.string()),
});

const shardEntry = z.strictObject({
  id: count,
  firstAccountId: z.string(),
  lastAccountId: z.string(),
  accounts: count.min(1),
  locations: count.min(1),
  revision: count.min(1),
  sha256,
});

const waveCounts = z.strictObject({
  wave: z.string(),
  planned: count,
  starting: count,
  skipped: count,
  started: count,
  succeeded: count,
  failed: count,
  halted: count,
});

/** A stored {@link RunPlanGroup}. */
const planGroupSchema = z.strictObject({
  schemaVersion: z.literal(2),
  runId: z.string(),
  group: count,
  accountIds: z.array(z.string()).min(1).readonly(),
  accounts: list(accountSchema),
});

const planningSchema = z.strictObject({
  callerAccountId: z.string(),
  groups: list(z.strictObject({ accounts: count.min(1), sha256 })),
  planned: list(count),
});

/** The plan groups inline, as a manifest still planning kept them before plan groups were stored on their own. */
const inlinePlanningSchema = z.strictObject({
  callerAccountId: z.string(),
  accounts: list(accountSchema),
  groups: list(list(z.string())),
  planned: list(count),
});

/** A stored {@link StoredRunManifest}. Unknown keys are errors, as in a record. */
const manifestSchema = runRecordSchema.omit({ schemaVersion: true, plan: true, locations: true }).extend({
  schemaVersion: z.literal(2),
  revision: count.min(1),
  plan: record.plan.omit({ locations: true }),
  counts: list(waveCounts),
  shards: list(shardEntry),
  planning: z.union([planningSchema, inlinePlanningSchema]).optional(),
  engine: z.literal('steps').optional(),
});

/** A stored {@link RunShard}. */
const shardSchema = z.strictObject({
  schemaVersion: z.literal(2),
  runId: z.string(),
  id: count,
  plannedLocations: record.plan.shape.locations,
  locations: record.locations,
});

// Fail to compile when the schemas and runShards.ts drift apart.
const planGroupMirrorsModel: Mirrors<z.output<typeof planGroupSchema>, RunPlanGroup> = true;
void planGroupMirrorsModel;
const manifestMirrorsModel: Mirrors<z.output<typeof manifestSchema>, StoredRunManifest> = true;
const shardMirrorsModel: Mirrors<z.output<typeof shardSchema>, RunShard> = true;
void manifestMirrorsModel;
void shardMirrorsModel;

/** `value` as `schema` reads it. @throws StoredDocumentError naming `source` and each problem's path. */
function shaped<T extends z.ZodType>(schema: T, value: unknown, source: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new StoredDocumentError('run record', source, parsed.error.issues.map(issueOf));
  return parsed.data;
}

/** The problem of a document that claims another run id or shard number than it was read under. */
function claimIssue(field: string, claimed: unknown, expected: unknown, what: string): ValidationIssue[] {
  const [as, under] =
    field === 'id' ? ['shard', 'shard number'] : field === 'group' ? ['group', 'group number'] : ['run', 'run id'];
  return claimed === expected
    ? []
    : [
        {
          path: field,
          message: `is ${JSON.stringify(claimed)}, but the ${what} was read as ${as} ${JSON.stringify(expected)}`,
          hint: `a ${what} must be stored under its own ${under}`,
        },
      ];
}

/**
 * Validates a stored run manifest: its shape, its request (as {@link parseRunRecord} does), that it
 * claims the run id it was read under, and that its shards are numbered in ascending order, none
 * written by a later revision than its own.
 *
 * @param source where it was read (a file path or an s3:// URL), for the error.
 * @throws StoredDocumentError naming `source` and listing each problem with its JSON path.
 * @example
 * const manifest = parseRunManifest(JSON.parse(text), 's3://bucket/runs/r1/manifest.json', { runId: 'r1' });
 */
export function parseRunManifest(
  value: unknown,
  source: string,
  options: { readonly runId: string },
): StoredRunManifest {
  const manifest: StoredRunManifest = shaped(manifestSchema, value, source);
  const issues = [
    ...claimIssue('runId', manifest.runId, options.runId, 'manifest'),
    ...requestIssues(manifest.request),
  ];
  manifest.shards.forEach((entry, i) => {
    const before = manifest.shards[i - 1];
    if (before !== undefined && entry.id <= before.id) {
      issues.push({
        path: `shards[${i}].id`,
        message: `is ${entry.id}, but shards are numbered in ascending order (the one before is ${before.id})`,
      });
    }
    if (entry.revision > manifest.revision) {
      issues.push({
        path: `shards[${i}].revision`,
        message: `is ${entry.revision}, later than the manifest's own revision ${manifest.revision}`,
      });
    }
  });
  if (issues.length > 0) throw new StoredDocumentError('run record', source, issues);
  return manifest;
}

/**
 * Validates a stored shard: its shape, that it is shard `id` of run `runId`, and that each of its
 * location outcomes is the outcome of the plan location at the same place.
 *
 * @param source where it was read, for the error.
 * @throws StoredDocumentError naming `source` and listing each problem with its JSON path.
 */
export function parseRunShard(
  value: unknown,
  source: string,
  options: { readonly runId: string; readonly id: number },
): RunShard {
  const shard: RunShard = shaped(shardSchema, value, source);
  const issues = [
    ...claimIssue('runId', shard.runId, options.runId, 'shard'),
    ...claimIssue('id', shard.id, options.id, 'shard'),
  ];
  if (shard.locations.length !== shard.plannedLocations.length) {
    issues.push({
      path: 'locations',
      message: `holds ${shard.locations.length} outcomes for ${shard.plannedLocations.length} plan locations`,
    });
  } else {
    const at = shard.locations.findIndex(
      (l, i) => l.accountId !== shard.plannedLocations[i]?.accountId || l.region !== shard.plannedLocations[i]?.region,
    );
    if (at >= 0) {
      issues.push({
        path: `locations[${at}]`,
        message: `is account ${shard.locations[at]?.accountId}, Region ${shard.locations[at]?.region}, but plannedLocations[${at}] is account ${shard.plannedLocations[at]?.accountId}, Region ${shard.plannedLocations[at]?.region}`,
      });
    }
  }
  if (issues.length > 0) throw new StoredDocumentError('run record', source, issues);
  return shard;
}

/**
 * Validates a stored plan group: its shape, that it is group `group` of run `runId`, and that every
 * account it holds is one of its account ids, once.
 *
 * @param source where it was read, for the error.
 * @throws StoredDocumentError naming `source` and listing each problem with its JSON path.
 */
export function parseRunPlanGroup(
  value: unknown,
  source: string,
  options: { readonly runId: string; readonly group: number },
): RunPlanGroup {
  const planGroup: RunPlanGroup = shaped(planGroupSchema, value, source);
  const issues = [
    ...claimIssue('runId', planGroup.runId, options.runId, 'plan group'),
    ...claimIssue('group', planGroup.group, options.group, 'plan group'),
  ];
  const ids = new Set(planGroup.accountIds);
  const seen = new Set<string>();
  planGroup.accounts.forEach((account, i) => {
    if (!ids.has(account.id) || seen.has(account.id)) {
      issues.push({
        path: `accounts[${i}].id`,
        message: `is ${account.id}, ${seen.has(account.id) ? 'listed twice' : "not one of the group's accountIds"}`,
      });
    }
    seen.add(account.id);
  });
  if (issues.length > 0) throw new StoredDocumentError('run record', source, issues);
  return planGroup;
}
