import {
  AUTOMATION_DOCUMENT_NAME,
  AUTOMATION_DOCUMENT_VERSION,
  checkTaskPayloadSize,
  type Operation,
  type PatchRequest,
  PayloadValidationError,
  parsePayload,
  type RebootOption,
  TARGET_PARAMETER_NAME,
  TASK_EXECUTION_ID_PSEUDO_PARAMETER,
  WINDOW_ID_PSEUDO_PARAMETER,
} from '@orgpatch/core';
import { describeIssue, OrgPatchingConfigError } from './errors.js';

/** A wave of the patch run: OUs and/or accounts patched together, before the waves after it. */
export interface PatchWave {
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
   * @default '0' — core's default: stop at the first failure
   */
  readonly errorThreshold?: string;
}

/** What the maintenance-window task payload is built from (the typed half of {@link OrgPatchingProps}). */
export interface TaskPayloadInput {
  readonly targetOus: readonly string[];
  readonly regions: readonly string[];
  readonly resourceGroups: readonly string[];
  readonly operation: Operation;
  readonly rebootOption: RebootOption;
  readonly maxConcurrency: string;
  readonly maxErrors: string;
  readonly waves: readonly PatchWave[];
  readonly errorBudget?: string;
  readonly excludeAccounts: readonly string[];
  readonly includeManagementAccount: boolean;
  readonly installOverrideList?: string;
}

/** The payload of the maintenance-window task: its JSON text and what core reads it as. */
export interface TaskPayload {
  /** Compact JSON, as the Lambda receives it (before SSM fills in the pseudo-parameters). */
  readonly text: string;
  /** core's reading of `text`: exactly what the orchestrator will do. */
  readonly request: PatchRequest;
}

/** SSM's limit on the values of one StartAutomationExecution target. */
const MAX_TARGET_VALUES = 50;

/**
 * Builds the task payload from typed props, in the blog's shape plus orgpatch's Organization part,
 * with `{{WINDOW_ID}}` and `{{TASK_EXECUTION_ID}}` left for the maintenance window to fill in.
 * The text is checked by core's {@link parsePayload} (the orchestrator's own validation) and
 * against the 4,096-character task payload limit, so a payload the orchestrator would refuse never
 * reaches a deployment.
 *
 * @throws OrgPatchingConfigError naming the prop at fault.
 */
export function buildTaskPayload(input: TaskPayloadInput): TaskPayload {
  const groups: string[][] = [];
  for (let i = 0; i < input.resourceGroups.length; i += MAX_TARGET_VALUES) {
    groups.push(input.resourceGroups.slice(i, i + MAX_TARGET_VALUES));
  }
  const payload = {
    WindowId: WINDOW_ID_PSEUDO_PARAMETER,
    TaskExecutionId: TASK_EXECUTION_ID_PSEUDO_PARAMETER,
    Document: {
      Name: AUTOMATION_DOCUMENT_NAME,
      Version: AUTOMATION_DOCUMENT_VERSION,
      Parameters: {
        Operation: [input.operation],
        RebootOption: [input.rebootOption],
        ...(input.installOverrideList === undefined ? {} : { InstallOverrideList: [input.installOverrideList] }),
      },
    },
    TargetParameterName: TARGET_PARAMETER_NAME,
    Targets: (groups.length === 0 ? [[]] : groups).map((values) => ({ Key: 'ResourceGroup', Values: values })),
    MaxConcurrency: input.maxConcurrency,
    MaxErrors: input.maxErrors,
    Regions: [...input.regions],
    Organization: {
      TargetOus: [...input.targetOus],
      ...(input.excludeAccounts.length === 0 ? {} : { ExcludeAccounts: [...input.excludeAccounts] }),
      IncludeManagementAccount: input.includeManagementAccount,
      ...(input.waves.length === 0
        ? {}
        : {
            Waves: input.waves.map((w) => ({
              Name: w.name,
              ...(w.targetOus === undefined ? {} : { TargetOus: [...w.targetOus] }),
              ...(w.accounts === undefined ? {} : { Accounts: [...w.accounts] }),
              ...(w.errorThreshold === undefined ? {} : { ErrorThreshold: w.errorThreshold }),
            })),
          }),
      ...(input.errorBudget === undefined ? {} : { ErrorBudget: input.errorBudget }),
    },
  };
  const text = JSON.stringify(payload);

  let request: PatchRequest;
  try {
    request = parsePayload(JSON.parse(text));
  } catch (error) {
    if (!(error instanceof PayloadValidationError)) throw error;
    const issue = error.issues[0];
    if (issue === undefined) throw error;
    throw new OrgPatchingConfigError(
      propPath(issue.path),
      [describeIssue(issue), ...error.issues.slice(1).map((i) => `Also ${propPath(i.path)}: ${describeIssue(i)}`)].join(
        ' ',
      ),
      { cause: error },
    );
  }
  const tooLong = checkTaskPayloadSize(text);
  if (tooLong !== undefined) {
    throw new OrgPatchingConfigError('taskPayload', describeIssue(tooLong));
  }
  return { text, request };
}

/** The OrgPatching prop a payload path comes from: `Organization.Waves[0].Name` -> `waves[0].name`. */
export function propPath(payloadPath: string): string {
  const rules: readonly [RegExp, string][] = [
    [/^Regions/, 'regions'],
    [/^Organization\.TargetOus/, 'targetOus'],
    [/^Organization\.ExcludeAccounts/, 'excludeAccounts'],
    [/^Organization\.ErrorBudget/, 'errorBudget'],
    [/^Organization\.Waves/, 'waves'],
    [/^Organization\.IncludeManagementAccount/, 'includeManagementAccount'],
    [/^Organization/, 'targetOus'],
    [/^Targets(\[\d+\])?\.Values/, 'resourceGroups'],
    [/^Targets/, 'resourceGroups'],
    [/^MaxConcurrency/, 'maxConcurrency'],
    [/^MaxErrors/, 'maxErrors'],
    [/^Document\.Parameters\.Operation(\[0\])?/, 'operation'],
    [/^Document\.Parameters\.RebootOption(\[0\])?/, 'rebootOption'],
    [/^Document\.Parameters\.InstallOverrideList(\[0\])?/, 'installOverrideList'],
  ];
  for (const [pattern, prop] of rules) {
    const match = pattern.exec(payloadPath);
    if (match) {
      const rest = payloadPath.slice(match[0].length).replace(/\.([A-Z])/g, (_, c: string) => `.${c.toLowerCase()}`);
      return prop === 'resourceGroups' ? prop : `${prop}${rest}`;
    }
  }
  return `taskPayload${payloadPath ? `.${payloadPath}` : ''}`;
}
