/**
 * Names fixed by the member stack. The orchestrator derives ARNs from them, so
 * they are part of orgpatch's contract with every member account.
 */

/** The role the orchestrator assumes in each member account. */
export const EXECUTION_ROLE_NAME = 'OrgPatchExecutionRole';

/** The role SSM Automation assumes in each member account to run AWS-RunPatchBaseline. */
export const AUTOMATION_ROLE_NAME = 'OrgPatchAutomationRole';

/** The automation document (schemaVersion 0.3) deployed in every member Region. */
export const AUTOMATION_DOCUMENT_NAME = 'OrgPatch-RunPatchBaseline';

/** The automation document version the orchestrator starts (SSM keyword for the default version). */
export const AUTOMATION_DOCUMENT_VERSION = '$DEFAULT';

/** The automation document parameter that rate control fills with each instance id. */
export const TARGET_PARAMETER_NAME = 'InstanceIds';

/**
 * SHA-256 (hex) of the canonical JSON ({@link canonicalJson}) of the automation document content
 * the member stacks deploy (`orgPatchRunbookContent` in `@orgpatch/member-stack/definitions`).
 * `orgpatch doctor` compares each member document's content with it. A member-stack test computes
 * it from the content and fails with the new value whenever the runbook changes: update it here then.
 */
export const AUTOMATION_DOCUMENT_SHA256 = '6e69f02e29cc5df8fcbdbbb1bb45f6725a677f0424ac469e9123570cf32c6130';

/**
 * The tags of orgpatch's pre-patch snapshots: the run and the instance. The automation role may
 * create snapshots only with `RUN_ID` in the request, and the execution role may delete only
 * snapshots that carry it, so nothing orgpatch did not tag is ever deleted.
 */
export const SNAPSHOT_TAG_KEYS = Object.freeze({ RUN_ID: 'orgpatch:run-id', INSTANCE_ID: 'orgpatch:instance-id' });
