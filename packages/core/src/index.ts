export { clientToken } from './clientToken.js';
export { OrgPatchError, PayloadValidationError, StoredDocumentError, type ValidationIssue } from './errors.js';
export type { GroupObservation, InventoryErrorKind, InventoryObservation, Location } from './inventory.js';
export { validateMaintenanceWindowSchedule } from './maintenanceWindowSchedule.js';
export {
  AUTOMATION_DOCUMENT_NAME,
  AUTOMATION_ROLE_NAME,
  EXECUTION_ROLE_NAME,
  SNAPSHOT_TAG_KEYS,
  TARGET_PARAMETER_NAME,
} from './memberNames.js';
export { nextRunTimes } from './nextRunTimes.js';
export type { AccountInfo, AccountStatus, OrganizationSnapshot } from './organization.js';
export {
  nextPatchTuesdayRunTimes,
  PATCH_TUESDAY_OFFSET_BOUNDS,
  patchTuesdayDecision,
} from './patchTuesday.js';
export { parsePayload, parsePayloadJson, safeParsePayloadJson } from './payload.js';
export { CONCURRENCY_BOUNDS, DEFAULT_MAX_CONCURRENCY } from './payloadSchema.js';
export { buildPlan, locationKey, nextWaveDecision, requiredInventory } from './plan.js';
export type { Plan, PlannedLocation } from './planModel.js';
export type {
  AutomationRunner,
  AutomationStart,
  DiscoveryScope,
  ExecutionState,
  InventoryReader,
  LeaseResult,
  LeaseScope,
  OrganizationDirectory,
  PatchStateReader,
  RunLease,
  RunListing,
  RunSkipNote,
  RunStore,
  ShardedRun,
  SnapshotCleaner,
  SnapshotCleanup,
  TagInventoryReader,
} from './ports.js';
export { RATE_MAX_LENGTH, RATE_PATTERNS } from './rates.js';
export {
  arnPrefix,
  globalRegionOf,
  isKnownRegion,
  isOptInRegion,
  type Partition,
  partitionOf,
  REGIONS,
  suggestRegion,
} from './regions.js';
export { renderReportMarkdown } from './report.js';
export { renderReportCsv, renderReportCsvChunks } from './reportCsv.js';
export { renderReportHtml } from './reportHtml.js';
export { renderReportJson, renderReportJsonChunks, type ShardLocations } from './reportJson.js';
export type { AutomationRoleSpec, Operation, PatchRequest, RebootOption } from './request.js';
export { parseRunLease } from './runLeaseSchema.js';
export type { AutomationStatus, InstancePatchSummary, LocationOutcome, RunRecord, RunStatus } from './runModel.js';
export { AUTOMATION_STATUSES } from './runModel.js';
export {
  applyLocationEvents,
  createRunRecord,
  haltWaves,
  isTerminalAutomationStatus,
  isTerminalLocationStatus,
  type LocationEvent,
  markWaveRunning,
} from './runRecord.js';
export { parseRunRecord } from './runRecordSchema.js';
export { parseRunManifest, parseRunShard } from './runShardSchema.js';
export {
  assembleRunRecord,
  type RunShard,
  type SplitRunRecordOptions,
  type StoredRunManifest,
  type StoredRunShardEntry,
  splitRunRecord,
} from './runShards.js';
export { parseRunSkipNote } from './runSkipNote.js';
export { type RunSummary, summarizeRun } from './runSummary.js';
export { leaseScopeFor, requestDifferences } from './sameRun.js';
export { TimeZoneError } from './scheduleErrors.js';
export {
  automationTarget,
  type TagTarget,
  tagTargetLabel,
  tagTargetOf,
  targetLabels,
} from './targets.js';
export {
  buildTaskPayload,
  checkTaskPayloadSize,
  type TaskPayload,
  type TaskPayloadInput,
  type TaskPayloadWave,
} from './taskPayload.js';
export { validateTimeZone } from './timeZone.js';
export { truncateForMessage } from './truncateForMessage.js';
