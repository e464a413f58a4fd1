// The public names: what other packages import, and, marked `@public`, documented API no workspace
// imports (the option and result types of README's "As a library", the errors a caller may catch).
// knip fails `npm test` on any other export here that nothing uses.
export { awsErrorCode, isExpiredCredentials, isMissingCredentials } from './aws/awsErrors.js';
export { AwsPreflightReader, /** @public */ type AwsPreflightReaderOptions } from './aws/awsPreflightReader.js';
export { type AwsClientFactory, type AwsClientOptions, createAwsClientFactory } from './aws/clients.js';
export { type AwsRunDeps, /** @public */ type AwsRunDepsOptions, createAwsRunDeps } from './awsRunDeps.js';
export {
  /** @public */ type CollectComplianceOptions,
  /** @public */ type CollectedSnapshot,
  /** @public */ type ComplianceDeps,
  collectCompliance,
  collectComplianceInto,
} from './compliance/collectCompliance.js';
export { assertSameOrganization, comparisonSnapshot, validatedSnapshot } from './compliance/comparisonSnapshot.js';
export {
  /** @public */ AssumeRoleError,
  /** @public */ AutomationApiError,
  AwsEnvironmentError,
  /** @public */ ComplianceOrganizationMismatchError,
  ComplianceSnapshotInvalidError,
  ComplianceSnapshotNotFoundError,
  /** @public */ DryRunViolationError,
  HealthGateError,
  /** @public */ IdempotentParameterMismatchError,
  /** @public */ InvalidRunIdError,
  /** @public */ OrganizationAccessError,
  /** @public */ OrganizationScopeError,
  RunNotFoundError,
  RunOverlapError,
  RunRecordInvalidError,
  RunRequestMismatchError,
  /** @public */ RunStoreConflictError,
  RunStoreError,
} from './errors.js';
export { runStepWithDeps, STEP_FUNCTIONS_BACKOFF, /** @public */ type StepDepsFor } from './lambda/awsStep.js';
export { /** @public */ type ComplianceSnapshotResult, takeScheduledSnapshot } from './lambda/complianceSnapshot.js';
export {
  /** @public */ type HandlerResult,
  handleMaintenanceWindowEvent,
  /** @public */ type SkippedHandlerResult,
  /** @public */ type StartedHandlerResult,
} from './lambda/maintenanceWindow.js';
export { createLambdaRuntime } from './lambda/runtime.js';
export { handleStepEvent, /** @public */ type StepRunner } from './lambda/stepEvent.js';
export { trackInProgressRuns } from './lambda/tracking.js';
export { automationParameters } from './run/automationParameters.js';
export type { ProgressEvent, RunDeps } from './run/deps.js';
export { runIdFor } from './run/ids.js';
export { /** @public */ type PlanResult, planRun } from './run/planRun.js';
export {
  /** @public */ type PreflightDeps,
  /** @public */ type PreflightResult,
  runPreflight,
} from './run/preflight.js';
export {
  REPORT_FORMATS,
  type ReportFormat,
  renderReport,
  storedReportChunks,
  writeStoredReports,
} from './run/reports.js';
export { /** @public */ type StartRunOptions, /** @public */ type StartRunResult, startRun } from './run/startRun.js';
export {
  DEFAULT_BACKOFF,
  type PollBackoff,
  /** @public */ type TrackRunOptions,
  /** @public */ type TrackRunResult,
  trackRun,
} from './run/trackRun.js';
export * from './steps/index.js';
export {
  DEFAULT_LOCAL_RUNS_DIR,
  LocalRunStore,
  /** @public */ type LocalRunStoreOptions,
} from './store/localRunStore.js';
export { S3RunStore, /** @public */ type S3RunStoreOptions } from './store/s3RunStore.js';
export { SHARD_BOUNDS } from './store/shardedRecords.js';
export { ORGPATCH_VERSION } from './version.js';
