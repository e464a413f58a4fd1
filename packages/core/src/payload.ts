import { PayloadValidationError, type ValidationIssue } from './errors.js';
import { toIssues } from './payloadIssues.js';
import { readPayloadJson } from './payloadJson.js';
import { normalize } from './payloadNormalize.js';
import { PAYLOAD_KEYS, payloadSchema } from './payloadSchema.js';
import type { PatchRequest } from './request.js';

/**
 * The payload: what a maintenance-window Lambda task (or `orgpatch run`) hands to orgpatch.
 *
 * It accepts the AWS Security Blog payload exactly as written and extends it, in the same PascalCase
 * style, for an Organization. {@link parsePayload} turns it into a {@link PatchRequest}.
 *
 * Decisions (where AWS or the issue left room):
 * - Parameter values are lists of one string, as SSM takes them (`"Operation": ["Scan"]`).
 * - Operation defaults to `Scan` (a scan never changes an instance); RebootOption defaults to
 *   `RebootIfNeeded` (AWS-RunPatchBaseline's own default).
 * - MaxConcurrency defaults to `"10"` (SSM's documented default for StartAutomationExecution) and
 *   MaxErrors to `"0"` (stop a location at its first failed instance, the cautious choice).
 * - Without an Organization part the payload means what the blog meant: the current account, so
 *   Document.Name is required (the blog names its own document). With one, Document may be omitted:
 *   orgpatch's member document `AUTOMATION_DOCUMENT_NAME` at `AUTOMATION_DOCUMENT_VERSION`.
 * - Targets: Automation targets one resource group per execution ("You can specify a single AWS
 *   resource group as the target of an automation", Systems Manager User Guide, Mapping targets
 *   for an automation; the key is `ResourceGroup`, while `resource-groups:Name` is the Run Command
 *   and maintenance-window form, per the SSM Target reference). orgpatch therefore starts one
 *   execution per group and location,
 *   and takes several groups; it keeps SSM's shape limits for StartAutomationExecution: at most 5
 *   Targets, at most 50 Values each (Target.Values' global maximum).
 * - A tag target (`{"Key": "tag:Patch", "Values": ["true"]}`, Automation's form in the SSM Target
 *   reference) stands alone, with one value: Automation takes "a single tag" as the target, and
 *   answers "Only one resource group or tag can be specified at a time" otherwise. It runs
 *   orgpatch's document only, whose TargetType `/AWS::EC2::Instance` keeps SSM to EC2 instances
 *   (without one, "all resources with the same tag will be targeted"). `tag-key` is refused: the
 *   Automation guide documents a key and value only.
 * - Regions, account ids and OU ids are de-duplicated silently, keeping the first occurrence.
 * - The Organization scope is the union of its own TargetOus/Accounts and every wave's, so
 *   `organization.targetOus`/`accounts` are what discovery walks; accounts no wave names form the
 *   final `default` wave, hence `default` is reserved as a wave name.
 * - Unknown keys are errors, everywhere, with a did-you-mean hint: a typo such as `"Region"` must
 *   not silently widen or narrow a patch run.
 *
 * The parts: payloadSchema.ts says what is accepted (single fields in payloadFields.ts, the
 * automation role in payloadRole.ts), payloadIssues.ts how a problem is worded, payloadJson.ts
 * where JSON text breaks, payloadNormalize.ts what a payload means, payloadSerialize.ts the way
 * back, and taskPayload.ts writes a maintenance-window task's payload.
 */

/** The result of {@link safeParsePayload}: the request, or every problem found. */
export type PayloadParseResult =
  | { readonly ok: true; readonly request: PatchRequest }
  | { readonly ok: false; readonly issues: ValidationIssue[] };

/**
 * Validates a payload (already parsed from JSON) and normalizes it, without throwing.
 * @example
 * const result = safeParsePayload(event);
 * if (!result.ok) for (const i of result.issues) log(`${i.path}: ${i.message} (${i.hint})`);
 */
export function safeParsePayload(input: unknown): PayloadParseResult {
  const result = payloadSchema.safeParse(input, { reportInput: true });
  if (!result.success) return { ok: false, issues: result.error.issues.flatMap((i) => toIssues(i, PAYLOAD_KEYS)) };
  return { ok: true, request: normalize(result.data) };
}

/**
 * Validates a payload and normalizes it into a {@link PatchRequest}.
 * @throws PayloadValidationError holding every problem, each with its path and a hint.
 */
export function parsePayload(input: unknown): PatchRequest {
  const result = safeParsePayload(input);
  if (!result.ok) throw new PayloadValidationError(result.issues);
  return result.request;
}

/** {@link safeParsePayload} for JSON text: a syntax error becomes one issue that says where (line and column). */
export function safeParsePayloadJson(text: string): PayloadParseResult {
  const read = readPayloadJson(text);
  return read.ok ? safeParsePayload(read.value) : { ok: false, issues: [read.issue] };
}

/**
 * {@link parsePayload} for JSON text (a payload file, a task's Payload string).
 * @throws PayloadValidationError; for a JSON syntax error, one issue whose hint names the line and column, with the SyntaxError as `cause`.
 */
export function parsePayloadJson(text: string): PatchRequest {
  const read = readPayloadJson(text);
  if (!read.ok) throw new PayloadValidationError([read.issue], { cause: read.error });
  return parsePayload(read.value);
}
