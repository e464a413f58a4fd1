import { z } from 'zod';
import { PayloadValidationError, StoredDocumentError, type ValidationIssue } from './errors.js';
import { parsePayload } from './payload.js';
import { formatPath } from './payloadIssues.js';
import { toPayload } from './payloadSerialize.js';
import { AUTOMATION_STATUSES, type RunRecord } from './runModel.js';
import type { Mirrors } from './schemaMirrors.js';

/**
 * The run record as stored: a zod schema that mirrors runModel.ts (and the request, plan and
 * inventory types it holds) field for field. A record read back from a file or S3 is input, not
 * truth: it is checked against this schema, its request is re-validated through the payload schema,
 * and its run id must be the one it was read under.
 *
 * To extend the record: add the field to runModel.ts and here; the compile-time check at the end
 * fails until both agree.
 */

// Lists are readonly in the model; readonly arrays keep the schema's output assignable both ways.
const list = <T extends z.ZodType>(item: T) => z.array(item).readonly();
const count = z.number().int().min(0);

const rateValue = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('absolute'), value: z.number(), raw: z.string() }),
  z.strictObject({ kind: z.literal('percent'), value: z.number(), raw: z.string() }),
]);

const automationRole = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('member-default') }),
  z.strictObject({ kind: z.literal('template'), template: z.string() }),
  z.strictObject({ kind: z.literal('fixed'), arn: z.string() }),
]);

const waveSpec = z.strictObject({
  name: z.string(),
  targetOus: list(z.string()),
  accounts: list(z.string()),
  errorThreshold: rateValue,
  alarms: list(z.string()).optional(),
  bakeMinutes: z.number().int().min(0).optional(),
});

const organizationScope = z.strictObject({
  targetOus: list(z.string()),
  accounts: list(z.string()),
  excludeAccounts: list(z.string()),
  includeManagementAccount: z.boolean(),
  executionRoleName: z.string(),
  waves: list(waveSpec),
  errorBudget: rateValue.optional(),
  skipUnreachable: list(z.enum(['access-denied', 'member-stack-missing'])).optional(),
});

const patchRequest = z.strictObject({
  windowId: z.string().optional(),
  taskExecutionId: z.string().optional(),
  document: z.strictObject({ name: z.string(), version: z.string().optional() }),
  operation: z.enum(['Scan', 'Install']),
  rebootOption: z.enum(['RebootIfNeeded', 'NoReboot']),
  automationAssumeRole: automationRole,
  snapshotId: z.string().optional(),
  installOverrideList: z.string().optional(),
  targetParameterName: z.string(),
  targets: list(
    z.strictObject({
      key: z.union([z.literal('ResourceGroup'), z.templateLiteral(['tag:', z.string()])]),
      values: list(z.string()),
    }),
  ),
  resourceGroups: list(z.string()),
  maxConcurrency: rateValue,
  maxErrors: rateValue,
  regions: list(z.string()),
  organization: organizationScope.optional(),
  dryRun: z.boolean(),
  concurrency: z.strictObject({ global: count, perAccount: count }),
  patchTuesday: z.strictObject({ offsetDays: count, timeZone: z.string() }).optional(),
  snapshot: z.strictObject({ before: z.boolean(), retainDays: count }).optional(),
});

const skipReason = z.enum([
  'no-instances',
  'groups-missing',
  'account-excluded',
  'account-pending-activation',
  'account-suspended',
  'account-pending-closure',
  'account-closed',
  'management-account-not-included',
  'region-not-enabled',
  'access-denied',
  'member-stack-missing',
]);

const planDecision = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('start'), groups: list(z.string()), detail: z.string().optional() }),
  z.strictObject({ action: z.literal('skip'), reason: skipReason, detail: z.string() }),
  z.strictObject({ action: z.literal('fail'), code: z.string(), message: z.string() }),
]);

const plan = z.strictObject({
  waves: list(z.strictObject({ name: z.string(), errorThreshold: rateValue, accountIds: list(z.string()) })),
  locations: list(
    z.strictObject({
      accountId: z.string(),
      accountName: z.string(),
      region: z.string(),
      wave: z.string(),
      groups: list(
        z.strictObject({
          name: z.string(),
          exists: z.boolean(),
          instanceIds: list(z.string()),
          otherMembers: z.record(z.string(), count).readonly().optional(),
          hybridNodeIds: list(z.string()).optional(),
        }),
      ),
      instanceCount: count,
      decision: planDecision,
    }),
  ),
  counts: z.strictObject({ locations: count, start: count, skip: count, fail: count, instances: count }),
});

const automationStatus = z.enum(AUTOMATION_STATUSES);
const observedStatus = z.union([automationStatus, z.literal('Unknown')]);
const codeAndMessage = z.strictObject({ code: z.string(), message: z.string() });

const instanceResult = z.strictObject({
  instanceId: z.string(),
  executionId: z.string().optional(),
  status: observedStatus,
  failureMessage: z.string().optional(),
  patch: z
    .strictObject({
      operation: z.enum(['Scan', 'Install']),
      installedCount: count,
      missingCount: count,
      failedCount: count,
      installedPendingRebootCount: count,
      operationEndTime: z.string().optional(),
    })
    .optional(),
});

const executionRecord = z.strictObject({
  executionId: z.string(),
  clientToken: z.string(),
  group: z.string(),
  status: observedStatus,
  readError: z.strictObject({ code: z.string(), message: z.string(), count: count, at: z.string() }).optional(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  failureMessage: z.string().optional(),
  instances: list(instanceResult),
});

const startIntent = z.strictObject({
  group: z.string(),
  clientToken: z.string(),
  recordedAt: z.string(),
  attempts: count,
  lastError: codeAndMessage.optional(),
});

const locationOutcome = z.strictObject({
  accountId: z.string(),
  accountName: z.string(),
  ouPath: list(z.string()).optional(),
  region: z.string(),
  wave: z.string(),
  instanceCount: count,
  decision: planDecision,
  status: z.enum(['planned', 'starting', 'skipped', 'started', 'succeeded', 'failed', 'halted']),
  reason: z.string().optional(),
  error: codeAndMessage.optional(),
  intents: list(startIntent).optional(),
  executions: list(executionRecord),
});

/** The zod schema of a stored {@link RunRecord}. Unknown keys are errors: a record is never silently trimmed. */
const complianceCounts = z.strictObject({
  snapshotId: z.string(),
  takenAt: z.string(),
  nodes: z.number().int().min(0),
  critical: z.number().int().min(0),
  security: z.number().int().min(0),
  unmanaged: z.number().int().min(0),
  notSeen: z.number().int().min(0),
});

const runCompliance = z.union([
  z.strictObject({ taken: z.literal(true), after: complianceCounts, before: complianceCounts.optional() }),
  z.strictObject({ taken: z.literal(false), reason: z.string() }),
]);

export const runRecordSchema = z.strictObject({
  schemaVersion: z.literal(1),
  runId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  status: z.enum(['planned', 'running', 'succeeded', 'failed', 'halted']),
  dryRun: z.boolean(),
  snapshotId: z.string(),
  idempotencyKey: z.string(),
  request: patchRequest,
  organization: z.strictObject({
    organizationId: z.string().optional(),
    managementAccountId: z.string(),
    partition: z.string(),
  }),
  plan,
  waves: list(
    z.strictObject({
      name: z.string(),
      status: z.enum(['pending', 'running', 'succeeded', 'failed', 'halted']),
      reason: z.string().optional(),
      endedAt: z.string().optional(),
      held: z.strictObject({ reason: z.string(), since: z.string(), until: z.string().optional() }).optional(),
    }),
  ),
  compliance: runCompliance.optional(),
  locations: list(locationOutcome),
});

// Fails to compile when the schema and runModel.ts drift apart (a field added to one only).
const schemaMirrorsModel: Mirrors<z.output<typeof runRecordSchema>, RunRecord> = true;
void schemaMirrorsModel;

/** What {@link parseRunRecord} also checks. */
export interface ParseRunRecordOptions {
  /** The run id the record was read under (its folder or key): the record must claim the same. */
  readonly runId?: string;
}

/**
 * Validates a stored run record: its shape (every field of runModel.ts, nothing else), its request
 * (re-serialized with `toPayload` and parsed with `parsePayload`, which must give the stored request
 * back), and, when given, that it claims the run id it was read under.
 *
 * @param source where the record was read (a file path or an s3:// URL), for the error.
 * @throws StoredDocumentError naming `source` and listing each problem with its JSON path.
 * @example
 * const record = parseRunRecord(JSON.parse(text), '/runs/r1/record.json', { runId: 'r1' });
 */
export function parseRunRecord(value: unknown, source: string, options: ParseRunRecordOptions = {}): RunRecord {
  const parsed = runRecordSchema.safeParse(value);
  if (!parsed.success) {
    throw new StoredDocumentError('run record', source, parsed.error.issues.map(issueOf));
  }
  const record: RunRecord = parsed.data;
  const issues: ValidationIssue[] = [];
  if (options.runId !== undefined && record.runId !== options.runId) {
    issues.push({
      path: 'runId',
      message: `is ${JSON.stringify(record.runId)}, but the record was read as run ${JSON.stringify(options.runId)}`,
      hint: 'a record must be stored under its own run id',
    });
  }
  issues.push(...requestIssues(record.request));
  if (issues.length > 0) throw new StoredDocumentError('run record', source, issues);
  return record;
}

/** A zod issue as a {@link ValidationIssue}, its path in JSON-path form. */
export function issueOf(issue: z.core.$ZodIssue): ValidationIssue {
  return { path: formatPath(issue.path), message: issue.message };
}

/** The request must be what its own payload means: anything else was not written by orgpatch. */
export function requestIssues(request: RunRecord['request']): ValidationIssue[] {
  let again: RunRecord['request'];
  try {
    again = parsePayload(toPayload(request));
  } catch (error) {
    if (!(error instanceof PayloadValidationError)) throw error;
    return error.issues.map((i) => ({
      path: 'request',
      message: `its payload form is not valid: ${i.path || '(root)'}: ${i.message}`,
    }));
  }
  const at = firstDifference(request, again, ['request']);
  return at === undefined
    ? []
    : [
        {
          path: at,
          message: 'differs from what the request means once its payload is parsed again',
          hint: 'the record was changed outside orgpatch',
        },
      ];
}

/** The JSON path of the first place where two JSON values differ (a key holding undefined counts as absent). */
function firstDifference(a: unknown, b: unknown, path: PropertyKey[]): string | undefined {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return formatPath(path);
    for (let i = 0; i < a.length; i += 1) {
      const at = firstDifference(a[i], b[i], [...path, i]);
      if (at !== undefined) return at;
    }
    return undefined;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
    for (const key of [...keys].sort()) {
      const at = firstDifference(left[key], right[key], [...path, key]);
      if (at !== undefined) return at;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : formatPath(path);
}
