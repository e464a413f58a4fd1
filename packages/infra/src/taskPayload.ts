import {
  buildTaskPayload,
  PayloadValidationError,
  type TaskPayload,
  type TaskPayloadInput,
  type TaskPayloadWave,
} from '@orgpatch/core';
import { describeIssue, OrgPatchingConfigError } from './errors.js';

/** A wave of the patch run: OUs and/or accounts patched together, before the waves after it. */
export type PatchWave = TaskPayloadWave;

/**
 * Where each prop lands in the task payload that core writes. An issue at or below `payload` is
 * the prop's. A prop the payload holds as the same list (or, for waves, the same objects with
 * PascalCase keys) keeps the rest of the path, `Regions[1]` -> `regions[1]`; one held in another
 * form (a list of one, groups split over targets) is named alone. A longer prefix comes first.
 */
const PROPS_IN_PAYLOAD: readonly { readonly payload: string; readonly prop: string; readonly keepsRest?: true }[] = [
  { payload: 'Regions', prop: 'regions', keepsRest: true },
  { payload: 'Targets', prop: 'resourceGroups' },
  { payload: 'MaxConcurrency', prop: 'maxConcurrency' },
  { payload: 'MaxErrors', prop: 'maxErrors' },
  { payload: 'Document.Parameters.Operation', prop: 'operation' },
  { payload: 'Document.Parameters.RebootOption', prop: 'rebootOption' },
  { payload: 'Document.Parameters.InstallOverrideList', prop: 'installOverrideList' },
  { payload: 'Organization.TargetOus', prop: 'targetOus', keepsRest: true },
  { payload: 'Organization.ExcludeAccounts', prop: 'excludeAccounts', keepsRest: true },
  { payload: 'Organization.Waves', prop: 'waves', keepsRest: true },
  { payload: 'Organization.ErrorBudget', prop: 'errorBudget' },
  { payload: 'Organization.IncludeManagementAccount', prop: 'includeManagementAccount' },
  { payload: 'Organization', prop: 'targetOus' },
  { payload: 'PatchTuesday', prop: 'patchTuesdayOffsetDays' },
  { payload: 'Snapshot', prop: 'snapshot', keepsRest: true },
];

/**
 * The OrgPatching prop a payload path comes from: `Organization.Waves[0].Name` -> `waves[0].name`,
 * `Targets[1].Values[3]` -> `resourceGroups`; a path no prop explains is the task payload's.
 */
export function propForPayloadPath(payloadPath: string): string {
  for (const { payload, prop, keepsRest } of PROPS_IN_PAYLOAD) {
    const rest = payloadPath.slice(payload.length);
    if (!payloadPath.startsWith(payload) || !(rest === '' || rest.startsWith('.') || rest.startsWith('['))) continue;
    if (!keepsRest) return prop;
    const camelRest = rest
      .split('.')
      .map((segment, i) => (i === 0 ? segment : segment.charAt(0).toLowerCase() + segment.slice(1)))
      .join('.');
    return `${prop}${camelRest}`;
  }
  return payloadPath === '' ? 'taskPayload' : `taskPayload.${payloadPath}`;
}

/**
 * The task payload for OrgPatching's props: core writes and checks it (the orchestrator's own
 * reading, and the task limit: 3,072 bytes, 4,096 Base64-encoded), so a payload the orchestrator
 * would refuse, or the task would not hold, never reaches a deployment.
 *
 * @throws OrgPatchingConfigError naming the prop of the first problem, then every other problem.
 */
export function taskPayloadFor(input: TaskPayloadInput): TaskPayload {
  const result = buildTaskPayload(input);
  if (result.ok) return { text: result.text, request: result.request };
  const described = result.issues.map((issue, i) =>
    i === 0 ? describeIssue(issue) : `Also ${propForPayloadPath(issue.path)}: ${describeIssue(issue)}`,
  );
  throw new OrgPatchingConfigError(propForPayloadPath(result.issues[0]?.path ?? ''), described.join(' '), {
    cause: new PayloadValidationError(result.issues),
  });
}
