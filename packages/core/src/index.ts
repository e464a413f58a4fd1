export { canonicalJson } from './canonicalJson.js';
export { clientToken } from './clientToken.js';
export {
  renderComplianceAsff,
  /** @public */ renderComplianceAsffBatches,
  renderComplianceAsffChunks,
} from './complianceAsff.js';
export {
  /** @public */ ComplianceCompareError,
  /** @public */ type ComplianceComparison,
  compareSnapshots,
} from './complianceCompare.js';
export { renderComplianceHtml } from './complianceHtml.js';
export type {
  ComplianceSnapshot,
  /** @public */ NodeCompliance,
  /** @public */ NodeManagement,
  NodePatchState,
  /** @public */ NotSeen,
} from './complianceModel.js';
export { nodeLevel } from './complianceModel.js';
export {
  addNodeToTotals,
  /** @public */ type ComplianceSummary,
  /** @public */ type ComplianceTotals,
  complianceGate,
  emptyTotals,
  FAIL_ON_VALUES,
  type FailOn,
  /** @public */ type GateDecision,
  rollUpCompliance,
  summarizeCompliance,
} from './complianceRollup.js';
export {
  assembleComplianceSnapshot,
  COMPLIANCE_ACCOUNTS_PER_SHARD,
  type ComplianceManifest,
  type ComplianceShard,
  parseComplianceManifest,
  parseComplianceShard,
  splitComplianceSnapshot,
} from './complianceSchema.js';
export {
  buildComplianceSnapshot,
  complianceHeader,
  DEFAULT_MAX_AGE_DAYS,
  type LocationReading,
  type ObservedNode,
  observeLocations,
} from './complianceSnapshot.js';
export {
  type ComplianceHead,
  /** @public */ type ComplianceInput,
  type ComplianceSource,
  joinChunks,
  storedComplianceSource,
} from './complianceSource.js';
export {
  type ComplianceReportExtras,
  comparisonLines,
  renderComplianceCsv,
  renderComplianceCsvChunks,
  renderComplianceJson,
  renderComplianceJsonChunks,
  renderComplianceMarkdown,
} from './complianceText.js';
export { OrgPatchError, PayloadValidationError, StoredDocumentError, type ValidationIssue } from './errors.js';
export type { GroupObservation, InventoryErrorKind, InventoryObservation, Location } from './inventory.js';
export { validateMaintenanceWindowSchedule } from './maintenanceWindowSchedule.js';
export {
  AUTOMATION_DOCUMENT_NAME,
  AUTOMATION_DOCUMENT_SHA256,
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
export { buildPlan, inventoryAccountIds, locationKey, nextWaveDecision, requiredInventory } from './plan.js';
export type { Plan, PlannedLocation } from './planModel.js';
export type {
  AlarmReader,
  AutomationRunner,
  AutomationStart,
  ComplianceSnapshotListing,
  ComplianceSnapshotWriter,
  ComplianceStore,
  DiscoveryScope,
  ExecutionState,
  InventoryReader,
  LeaseResult,
  LeaseScope,
  NodeComplianceReader,
  OrganizationDirectory,
  PatchStateReader,
  PreflightReader,
  RunLease,
  RunListing,
  RunSkipNote,
  RunStore,
  ShardCommit,
  ShardedRun,
  ShardedRunStore,
  SnapshotCleaner,
  SnapshotCleanup,
  StoredComplianceSnapshot,
  TagInventoryReader,
} from './ports.js';
export {
  evaluatePreflight,
  PREFLIGHT_COLUMNS,
  type PreflightInput,
  preflightReached,
  preflightRows,
} from './preflight.js';
export type {
  DocumentObservation,
  NodesObservation,
  /** @public */ PreflightCheck,
  /** @public */ PreflightProblem,
  PreflightReport,
  /** @public */ PreflightSeverity,
  RoleObservation,
} from './preflightModel.js';
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
export { renderReportMarkdown, renderReportMarkdownChunks } from './report.js';
export { renderReportCsv, renderReportCsvChunks } from './reportCsv.js';
export { renderReportHtml, renderReportHtmlChunks } from './reportHtml.js';
export { renderReportJson, renderReportJsonChunks, type ShardLocations } from './reportJson.js';
export type { AutomationRoleSpec, Operation, PatchRequest, RebootOption } from './request.js';
export {
  complianceCountsLine,
  type RunCompliance,
  /** @public */ type RunComplianceCounts,
  runComplianceCounts,
  runComplianceLines,
} from './runCompliance.js';
export { parseRunLease } from './runLeaseSchema.js';
export type { AutomationStatus, InstancePatchSummary, LocationOutcome, RunRecord, RunStatus } from './runModel.js';
export { AUTOMATION_STATUSES } from './runModel.js';
export { runNotification } from './runNotification.js';
export {
  type AlarmState,
  addCounts,
  bakeRemainingMs,
  beginShardedRun,
  type ClosedGate,
  closedGate,
  countsDelta,
  gatingAlarms,
  groupOrganization,
  groupShards,
  haltManifestWaves,
  holdManifestWave,
  inlinePlanGroup,
  isInlinePlanning,
  markManifestWaveRunning,
  nextManifestDecision,
  requestAlarms,
  settleShardLocations,
  shardView,
  withCounts,
  withPlannedGroup,
} from './runProgress.js';
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
export { parseRunManifest, parseRunPlanGroup, parseRunShard } from './runShardSchema.js';
export {
  assembleRunRecord,
  type RunManifest,
  type RunPlanGroup,
  type RunPlanGroupEntry,
  type RunShard,
  type SplitRunRecordOptions,
  type StoredRunManifest,
  type StoredRunShardEntry,
  splitRunRecord,
  type WaveLocationCounts,
} from './runShards.js';
export { parseRunSkipNote } from './runSkipNote.js';
export { type RunSummary, summarizeRun, summaryBuilder, waveNote } from './runSummary.js';
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
