/**
 * Who may assume the member roles, as plain values: the role constructs are built from them and the
 * sandbox's STS enforces the same. Pure: no aws-cdk-lib here.
 */

/**
 * The longest session `OrgPatchExecutionRole` grants (its `MaxSessionDuration`). The orchestrator
 * reaches the role by role chaining, which AWS caps at one hour anyway: the role says so rather
 * than promise more.
 */
export const EXECUTION_ROLE_MAX_SESSION_SECONDS = 3600;

/** The only principal `OrgPatchAutomationRole` trusts: Systems Manager, which runs the automation. */
export const AUTOMATION_ROLE_SERVICE_PRINCIPAL = 'ssm.amazonaws.com';
