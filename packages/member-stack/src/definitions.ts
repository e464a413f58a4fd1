// `@orgpatch/member-stack/definitions`: what the member stacks deploy, as plain values, for consumers
// that must not load aws-cdk-lib (the sandbox). The CDK constructs are built from these same values.
// `@public`: what README documents that no workspace imports (knip checks the rest are used).
// The snapshot tags are core's: the orchestrator deletes by them.
export { SNAPSHOT_TAG_KEYS } from '@orgpatch/core';
export { AUTOMATION_ROLE_SERVICE_PRINCIPAL, EXECUTION_ROLE_MAX_SESSION_SECONDS } from './memberRoleTrust.js';
export {
  AUTOMATION_DOCUMENT_OUTPUTS,
  AUTOMATION_DOCUMENT_PARAMETER_NAMES,
  AUTOMATION_DOCUMENT_TARGET_TYPE,
  AUTOMATION_STEP_NAME,
  /** @public */ AUTOMATION_STEP_TIMEOUT_SECONDS,
  /** @public */ COMMAND_DELIVERY_TIMEOUT_SECONDS,
  OPERATION_VALUES,
  orgPatchRunbookContent,
  REBOOT_OPTION_VALUES,
  RUN_PATCH_BASELINE_DOCUMENT_NAME,
  RUN_PATCH_BASELINE_EXECUTION_TIMEOUT_SECONDS,
  type RunbookParameter,
  SNAPSHOT_STEP_NAMES,
  SNAPSHOT_WAIT_TIMEOUT_SECONDS,
} from './runbookContent.js';
