import { OrgPatchError } from '@orgpatch/core';

/**
 * The props given to {@link OrgPatching} (or the CDK app's context) are invalid or contradict each
 * other. Raised at synth time, before anything is deployed. `field` names the prop at fault.
 */
export class OrgPatchingConfigError extends OrgPatchError {
  /** The prop at fault, e.g. `targetOus` or `stackSetOperationPreferences.maxConcurrentCount`. */
  readonly field: string;
  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`OrgPatching.${field}: ${message}`, options);
    this.name = 'OrgPatchingConfigError';
    this.field = field;
  }
}

/** The orchestrator's Lambda entry points could not be found in the installed `@orgpatch/orchestrator`. */
export class OrchestratorEntryNotFoundError extends OrgPatchError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OrchestratorEntryNotFoundError';
  }
}

/**
 * One problem reported by core (payload or schedule), as the tail of a config error message:
 * the message, then its hint in parentheses unless the message already says it.
 */
export function describeIssue(issue: { readonly message: string; readonly hint?: string }): string {
  const withHint =
    issue.hint !== undefined && !issue.message.includes(issue.hint)
      ? `${issue.message} (${issue.hint})`
      : issue.message;
  return ['.', '?', '!'].some((end) => withHint.endsWith(end)) ? withHint : `${withHint}.`;
}
