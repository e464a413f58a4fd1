import type { ValidationIssue } from './errors.js';
import { AUTOMATION_DOCUMENT_NAME, AUTOMATION_DOCUMENT_VERSION, TARGET_PARAMETER_NAME } from './memberNames.js';
import { safeParsePayloadJson } from './payload.js';
import { MAX_TARGET_VALUES, TASK_EXECUTION_ID_PSEUDO_PARAMETER, WINDOW_ID_PSEUDO_PARAMETER } from './payloadFields.js';
import type { Payload } from './payloadSchema.js';
import type { Operation, PatchRequest, RebootOption } from './request.js';

/**
 * The maintenance-window task payload: core writes it from a typed input, so the payload's wire
 * shape has one owner, and checks it as the orchestrator will read it, size included.
 */

/**
 * The longest Base64 text a maintenance-window Lambda task payload may be written as: CloudFormation's
 * AWS::SSM::MaintenanceWindowTask MaintenanceWindowLambdaParameters.Payload is "a Base64-encoded
 * binary data object" with "Length Constraint: 4096" (AWS CloudFormation Template Reference), on
 * the string the template holds.
 */
const MAINTENANCE_WINDOW_TASK_PAYLOAD_BASE64_LIMIT = 4096;

/**
 * Bytes (UTF-8) of JSON a maintenance-window Lambda task payload may hold: 3,072, the most whose
 * Base64 encoding (4 characters per 3 bytes, padded) fits CloudFormation's 4,096.
 *
 * Two sources disagree on what the 4,096 counts. SSM's own model makes `MaintenanceWindowLambdaPayload`
 * a blob of at most 4096 (aws-sdk-js-v3 `codegen/sdk-codegen/aws-models/ssm.json`; SSM API Reference,
 * "MaintenanceWindowLambdaParameters": "Type: Base64-encoded binary data object. Length Constraints:
 * Maximum length of 4096"): a blob's length is its bytes, Base64 is only how awsJson1_1 carries it,
 * so the API takes 4,096 decoded bytes. CloudFormation documents the same 4,096 on the property whose
 * value must already be Base64, and no source says whether it counts the encoded text or the bytes
 * it decodes to. Until one does, the stricter reading is enforced: a payload that fits it fits both,
 * whether the task is registered through CloudFormation or the API.
 */
export const MAINTENANCE_WINDOW_TASK_PAYLOAD_LIMIT = (MAINTENANCE_WINDOW_TASK_PAYLOAD_BASE64_LIMIT / 4) * 3;

/** A wave of a task payload: OUs and/or accounts patched together, before the waves after it. */
export interface TaskPayloadWave {
  /** Unique name (1-64 letters, digits, `-`, `.`, `_`; `default` is reserved). */
  readonly name: string;
  /**
   * OU or root ids; every account below them (recursively) belongs to the wave.
   * @default - none (then `accounts` must name some)
   */
  readonly targetOus?: readonly string[];
  /**
   * Account ids (12 digits).
   * @default - none
   */
  readonly accounts?: readonly string[];
  /**
   * Failed locations the wave may have (count or percentage) before later waves are not started.
   * @default '0' — stop at the first failure
   */
  readonly errorThreshold?: string;
}

/**
 * What a task payload for an Organization run is built from. A setting left out is left out of
 * the payload too, so the orchestrator applies the payload's default.
 */
export interface TaskPayloadInput {
  /** OU or root ids whose accounts are patched (`Organization.TargetOus`). */
  readonly targetOus: readonly string[];
  /** Regions to patch (`Regions`). */
  readonly regions: readonly string[];
  /** Resource groups whose instances are patched, split over Targets of at most 50 groups each. */
  readonly resourceGroups: readonly string[];
  /** @default 'Scan' */
  readonly operation?: Operation;
  /** @default 'RebootIfNeeded' */
  readonly rebootOption?: RebootOption;
  /** @default '10' */
  readonly maxConcurrency?: string;
  /** @default '0' */
  readonly maxErrors?: string;
  /** @default - none: one wave of every target account */
  readonly waves?: readonly TaskPayloadWave[];
  /** @default - none */
  readonly errorBudget?: string;
  /** @default - none */
  readonly excludeAccounts?: readonly string[];
  /** @default false */
  readonly includeManagementAccount?: boolean;
  /** @default - none */
  readonly installOverrideList?: string;
  /**
   * Run only on the second Tuesday of the month plus `offsetDays` (0-27) days, in `timeZone` (the
   * window's ScheduleTimezone); other invocations start nothing and record why.
   * @default - none: every invocation runs
   */
  readonly patchTuesday?: { readonly offsetDays: number; readonly timeZone?: string };
  /**
   * Snapshot each instance's EBS volumes before patching it, kept `retainDays` (1-365) days.
   * @default - none
   */
  readonly snapshot?: { readonly before?: boolean; readonly retainDays?: number };
}

/** A task payload: its JSON text and core's reading of it. */
export interface TaskPayload {
  /** Compact JSON, as the Lambda receives it (before SSM fills in the pseudo-parameters). */
  readonly text: string;
  /** core's reading of `text`: exactly what the orchestrator will do. */
  readonly request: PatchRequest;
}

/** The result of {@link buildTaskPayload}: the payload, or every problem, each at its payload path. */
export type TaskPayloadResult =
  | ({ readonly ok: true } & TaskPayload)
  | { readonly ok: false; readonly issues: ValidationIssue[] };

/**
 * Builds the payload of a maintenance-window Lambda task: the blog's shape plus orgpatch's
 * Organization part, run by orgpatch's member document, with `{{WINDOW_ID}}` and
 * `{{TASK_EXECUTION_ID}}` left for the maintenance window to fill in. The text is read back with
 * {@link safeParsePayloadJson} (the orchestrator's own reading) and checked against the task
 * payload limit ({@link MAINTENANCE_WINDOW_TASK_PAYLOAD_LIMIT}: 3,072 bytes, 4,096 Base64-encoded),
 * so a payload the orchestrator would refuse, or the task would not hold, is reported, not deployed.
 *
 * @returns the text and its request, or the issues with their payload paths (e.g. `Regions[1]`;
 * `''` for the size) for the caller to name in its own terms.
 * @example
 * const result = buildTaskPayload({ targetOus: ['r-ab12'], regions: ['us-east-1'], resourceGroups: ['WebServers'] });
 * if (result.ok) task.payload = result.text;
 */
export function buildTaskPayload(input: TaskPayloadInput): TaskPayloadResult {
  const text = JSON.stringify(taskPayloadOf(input));
  const read = safeParsePayloadJson(text);
  if (!read.ok) return read;
  const tooLong = checkTaskPayloadSize(text);
  if (tooLong !== undefined) return { ok: false, issues: [tooLong] };
  return { ok: true, text, request: read.request };
}

/** The payload object, keys in the blog's order; written as given, checked by the caller. */
function taskPayloadOf(input: TaskPayloadInput): Payload {
  const groups: string[][] = [];
  for (let i = 0; i < input.resourceGroups.length; i += MAX_TARGET_VALUES) {
    groups.push(input.resourceGroups.slice(i, i + MAX_TARGET_VALUES));
  }
  const waves = input.waves ?? [];
  const excludeAccounts = input.excludeAccounts ?? [];
  return {
    WindowId: WINDOW_ID_PSEUDO_PARAMETER,
    TaskExecutionId: TASK_EXECUTION_ID_PSEUDO_PARAMETER,
    Document: {
      Name: AUTOMATION_DOCUMENT_NAME,
      Version: AUTOMATION_DOCUMENT_VERSION,
      Parameters: {
        ...(input.operation === undefined ? {} : { Operation: [input.operation] }),
        ...(input.rebootOption === undefined ? {} : { RebootOption: [input.rebootOption] }),
        ...(input.installOverrideList === undefined ? {} : { InstallOverrideList: [input.installOverrideList] }),
      },
    },
    TargetParameterName: TARGET_PARAMETER_NAME,
    // No groups gives one empty target, so the check reports Targets[0].Values as empty.
    Targets: (groups.length === 0 ? [[]] : groups).map((values) => ({ Key: 'ResourceGroup', Values: values })),
    ...(input.maxConcurrency === undefined ? {} : { MaxConcurrency: input.maxConcurrency }),
    ...(input.maxErrors === undefined ? {} : { MaxErrors: input.maxErrors }),
    Regions: [...input.regions],
    Organization: {
      TargetOus: [...input.targetOus],
      ...(excludeAccounts.length === 0 ? {} : { ExcludeAccounts: [...excludeAccounts] }),
      ...(input.includeManagementAccount === undefined
        ? {}
        : { IncludeManagementAccount: input.includeManagementAccount }),
      ...(waves.length === 0
        ? {}
        : {
            Waves: waves.map((w) => ({
              Name: w.name,
              ...(w.targetOus === undefined ? {} : { TargetOus: [...w.targetOus] }),
              ...(w.accounts === undefined ? {} : { Accounts: [...w.accounts] }),
              ...(w.errorThreshold === undefined ? {} : { ErrorThreshold: w.errorThreshold }),
            })),
          }),
      ...(input.errorBudget === undefined ? {} : { ErrorBudget: input.errorBudget }),
    },
    ...(input.patchTuesday === undefined
      ? {}
      : {
          PatchTuesday: {
            OffsetDays: input.patchTuesday.offsetDays,
            ...(input.patchTuesday.timeZone === undefined ? {} : { TimeZone: input.patchTuesday.timeZone }),
          },
        }),
    ...(input.snapshot === undefined
      ? {}
      : {
          Snapshot: {
            ...(input.snapshot.before === undefined ? {} : { Before: input.snapshot.before }),
            ...(input.snapshot.retainDays === undefined ? {} : { RetainDays: input.snapshot.retainDays }),
          },
        }),
  };
}

/** UTF-8 length of a string: what SSM counts for a blob such as MaintenanceWindowLambdaPayload. */
function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/** Characters of the padded Base64 encoding of `bytes` bytes. */
const base64Length = (bytes: number): number => Math.ceil(bytes / 3) * 4;

/**
 * Checks a payload string against the maintenance-window Lambda task limit,
 * {@link MAINTENANCE_WINDOW_TASK_PAYLOAD_LIMIT}: at most 3,072 UTF-8 bytes, so that its Base64
 * encoding stays within the 4,096 characters CloudFormation documents for the task's Payload (the
 * stricter of CloudFormation's limit and SSM's 4,096-byte blob; see the constant for the sources).
 * The bytes equal the characters for ASCII payloads.
 *
 * @returns an issue naming the limit and why, when the payload is too long; undefined when it fits.
 */
export function checkTaskPayloadSize(payloadText: string): ValidationIssue | undefined {
  const size = utf8Length(payloadText);
  if (size <= MAINTENANCE_WINDOW_TASK_PAYLOAD_LIMIT) return undefined;
  const chars = [...payloadText].length;
  return {
    path: '',
    message:
      `The payload is ${size} bytes${chars !== size ? ` (${chars} characters)` : ''}, ${base64Length(size)} characters Base64-encoded; ` +
      `a maintenance-window Lambda task payload holds at most ${MAINTENANCE_WINDOW_TASK_PAYLOAD_LIMIT} bytes: CloudFormation takes it Base64-encoded ` +
      `in at most ${MAINTENANCE_WINDOW_TASK_PAYLOAD_BASE64_LIMIT} characters (AWS::SSM::MaintenanceWindowTask Payload), ` +
      `stricter than the ${MAINTENANCE_WINDOW_TASK_PAYLOAD_BASE64_LIMIT} bytes SSM's API allows before encoding`,
    hint: 'shorten it: name OUs rather than long account lists, leave out keys that hold their defaults, drop whitespace',
  };
}
