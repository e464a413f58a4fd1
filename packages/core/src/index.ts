export { CLIENT_TOKEN_NAMESPACE, clientToken } from './clientToken.js';
export {
  OrgPatchError,
  PayloadValidationError,
  type RateField,
  RateValueError,
  StoredDocumentError,
  UnknownRegionError,
  type ValidationIssue,
} from './errors.js';
export type { GroupObservation, InventoryErrorKind, InventoryObservation, Location } from './inventory.js';
export {
  AUTOMATION_DOCUMENT_NAME,
  AUTOMATION_DOCUMENT_VERSION,
  AUTOMATION_ROLE_NAME,
  EXECUTION_ROLE_NAME,
  TARGET_PARAMETER_NAME,
} from './memberNames.js';
export type { AccountInfo, AccountStatus, OrganizationSnapshot } from './organization.js';
export {
  type PayloadParseResult,
  parsePayload,
  parsePayloadJson,
  safeParsePayload,
  safeParsePayloadJson,
} from './payload.js';
export { TASK_EXECUTION_ID_PSEUDO_PARAMETER, WINDOW_ID_PSEUDO_PARAMETER } from './payloadFields.js';
export { formatPath } from './payloadIssues.js';
export {
  CONCURRENCY_BOUNDS,
  DEFAULT_MAX_CONCURRENCY,
  DEFAULT_MAX_ERRORS,
  type Payload,
  payloadSchema,
} from './payloadSchema.js';
export { toPayload } from './payloadSerialize.js';
export {
  type BuildPlanInput,
  buildPlan,
  DEFAULT_WAVE_NAME,
  DEFAULT_WAVE_THRESHOLD,
  describeSkipReason,
  evaluateWave,
  locationKey,
  nextWaveDecision,
  requiredInventory,
  type WaveDecision,
  type WaveEvaluation,
} from './plan.js';
export { RunRecordError, UnknownExecutionError, UnknownLocationError } from './planErrors.js';
export type { Plan, PlanCounts, PlanDecision, PlannedLocation, PlannedWave, SkipReason } from './planModel.js';
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
  RunStore,
} from './ports.js';
export {
  checkRateValue,
  effectiveRateValue,
  formatRateValue,
  parseRateValue,
  RATE_MAX_LENGTH,
  RATE_PATTERNS,
  type RateCheck,
  rateExceeded,
} from './rates.js';
export {
  arnPrefix,
  assertRegion,
  globalRegionOf,
  isKnownRegion,
  isOptInRegion,
  PARTITIONS,
  type Partition,
  partitionOf,
  REGIONS,
  type RegionInfo,
  regionInfo,
  suggestRegion,
} from './regions.js';
export {
  CSV_COLUMNS,
  csvField,
  locationReason,
  locationsFailuresFirst,
  markdownCell,
  renderReportCsv,
  renderReportJson,
  renderReportMarkdown,
} from './report.js';
export { escapeHtml, renderReportHtml } from './reportHtml.js';
export type {
  AutomationRoleSpec,
  ConcurrencyLimits,
  Operation,
  OrganizationScope,
  PatchRequest,
  RateValue,
  RebootOption,
  TargetSpec,
  UnreachableReason,
  WaveSpec,
} from './request.js';
export { parseRunLease } from './runLeaseSchema.js';
export type {
  AutomationStatus,
  ExecutionRecord,
  InstancePatchSummary,
  InstanceResult,
  LocationOutcome,
  LocationStatus,
  ReadError,
  RunRecord,
  RunStatus,
  StartIntent,
  WaveOutcome,
  WaveStatus,
} from './runModel.js';
export {
  applyLocationEvents,
  type CreateRunRecordInput,
  createRunRecord,
  deriveRunStatus,
  haltWaves,
  type InstanceCounts,
  instanceResultsOf,
  isSuccessfulAutomationStatus,
  isTerminalAutomationStatus,
  isTerminalLocationStatus,
  type LocationCounts,
  type LocationEvent,
  markWaveRunning,
  type RunSummary,
  recordExecutionState,
  recordPatchStates,
  recordStarted,
  recordStartFailed,
  summarizeRun,
  type WaveSummary,
} from './runRecord.js';
export { type ParseRunRecordOptions, parseRunRecord } from './runRecordSchema.js';
export { leaseScopeFor, requestDifferences } from './sameRun.js';
export {
  type AtSchedule,
  type CronFieldName,
  type CronSchedule,
  type DayOfMonthSelector,
  type DayOfWeekSelector,
  MAX_SCHEDULE_LENGTH,
  type MaintenanceWindowScheduleInput,
  MIN_SCHEDULE_INTERVAL_MINUTES,
  type NextRunOptions,
  nextRunTimes,
  parseSchedule,
  type RateSchedule,
  type Schedule,
  validateMaintenanceWindowSchedule,
} from './schedule.js';
export { ScheduleError, type ScheduleField, TimeZoneError } from './scheduleErrors.js';
export {
  buildTaskPayload,
  checkTaskPayloadSize,
  MAINTENANCE_WINDOW_TASK_PAYLOAD_LIMIT,
  type TaskPayload,
  type TaskPayloadInput,
  type TaskPayloadResult,
  type TaskPayloadWave,
} from './taskPayload.js';
export {
  formatWallClock,
  instantOfWallClock,
  knownTimeZones,
  suggestTimeZone,
  type TimeZoneCheck,
  validateTimeZone,
  type WallClock,
  wallClockAt,
} from './timeZone.js';
export { truncateForMessage } from './truncateForMessage.js';
