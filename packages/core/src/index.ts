export type { AccountInfo, AccountStatus, OrganizationSnapshot } from './organization.js';
export type { GroupObservation, InventoryErrorKind, InventoryObservation, Location } from './inventory.js';
export type {
  AutomationRoleSpec,
  ConcurrencyLimits,
  Operation,
  OrganizationScope,
  PatchRequest,
  RateValue,
  RebootOption,
  TargetSpec,
  WaveSpec,
} from './request.js';
export type { Plan, PlanCounts, PlanDecision, PlannedLocation, PlannedWave, SkipReason } from './planModel.js';
export type {
  AutomationStatus,
  ExecutionRecord,
  InstancePatchSummary,
  InstanceResult,
  LocationOutcome,
  LocationStatus,
  RunRecord,
  RunStatus,
  WaveOutcome,
  WaveStatus,
} from './runModel.js';
export type {
  AutomationRunner,
  AutomationStart,
  DiscoveryScope,
  ExecutionState,
  InventoryReader,
  OrganizationDirectory,
  PatchStateReader,
  RunListing,
  RunStore,
} from './ports.js';
export { OrgPatchError, PayloadValidationError, type ValidationIssue } from './errors.js';
export {
  AUTOMATION_DOCUMENT_NAME,
  AUTOMATION_DOCUMENT_VERSION,
  AUTOMATION_ROLE_NAME,
  EXECUTION_ROLE_NAME,
  TARGET_PARAMETER_NAME,
} from './memberNames.js';
