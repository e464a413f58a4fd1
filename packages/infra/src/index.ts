export { OrchestratorEntryNotFoundError, OrgPatchingConfigError } from './errors.js';
export { ManagementAccountMember, type ManagementAccountMemberProps } from './ManagementAccountMember.js';
export { ManagementRegionalStack } from './ManagementRegionalStack.js';
export {
  type DeployFrom,
  MemberStackSets,
  type MemberStackSetsProps,
  STACKSET_TEMPLATE_BODY_LIMIT,
  type StackSetOperationPreferences,
} from './MemberStackSets.js';
export {
  ORGANIZATIONS_READ_ACTIONS,
  OrchestratorFunctions,
  type OrchestratorFunctionsProps,
  orchestratorBundling,
  RUN_RECORD_PREFIX,
} from './OrchestratorFunctions.js';
export {
  DEFAULT_CUTOFF_HOURS,
  DEFAULT_DURATION_HOURS,
  DEFAULT_OWNER_INFORMATION,
  DEFAULT_RESOURCE_GROUP,
  DEFAULT_SCHEDULE,
  DEFAULT_TIME_ZONE,
  type ManagementMemberPlacement,
  OrgPatching,
  type OrgPatchingProps,
} from './OrgPatching.js';
export { type OrchestratorEntries, resolveOrchestratorEntries } from './orchestratorEntries.js';
export { CONTEXT_PREFIX, createOrgPatchApp, type OrgPatchApp, type OrgPatchAppOptions } from './orgPatchApp.js';
export { PatchMaintenanceWindow, type PatchMaintenanceWindowProps } from './PatchMaintenanceWindow.js';
export { RunNotifications, type RunNotificationsProps } from './RunNotifications.js';
export { RunRecordBucket, type RunRecordBucketProps } from './RunRecordBucket.js';
export type { PatchWave } from './taskPayload.js';
