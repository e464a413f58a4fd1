export {
  type AccountCredentials,
  AssumedRoleCredentials,
  type AssumedRoleCredentialsOptions,
  CallerCredentials,
  needsRefresh,
  roleSessionName,
} from './aws/assumedRoleCredentials.js';
export { awsErrorCode, inventoryErrorKind, isExpiredCredentials, isMissingCredentials } from './aws/awsErrors.js';
export {
  type AwsClientFactory,
  type AwsClientOptions,
  type AwsCredentials,
  type CredentialProvider,
  createAwsClientFactory,
  homeRegionFromEnv,
} from './aws/clients.js';
export {
  accountStatus,
  OrganizationsDirectory,
  type OrganizationsDirectoryOptions,
} from './aws/organizationsDirectory.js';
export {
  instanceIdFromArn,
  ResourceGroupsInventory,
  type ResourceGroupsInventoryOptions,
} from './aws/resourceGroupsInventory.js';
export { SsmAutomationRunner, type SsmAutomationRunnerOptions } from './aws/ssmAutomationRunner.js';
export { PATCH_STATE_CHUNK, SsmPatchStateReader, type SsmPatchStateReaderOptions } from './aws/ssmPatchStateReader.js';
export { type AwsRunDeps, type AwsRunDepsOptions, createAwsRunDeps } from './awsRunDeps.js';
export {
  AssumeRoleError,
  type AssumeRoleFailure,
  AutomationApiError,
  AwsEnvironmentError,
  DryRunViolationError,
  IdempotentParameterMismatchError,
  InvalidRunIdError,
  OrganizationAccessError,
  OrganizationScopeError,
  RunNotFoundError,
  RunOverlapError,
  RunRecordInvalidError,
  RunRequestMismatchError,
  RunStoreConflictError,
  RunStoreError,
} from './errors.js';
export { type HandlerResult, handleMaintenanceWindowEvent } from './lambda/maintenanceWindow.js';
export { addRunMetrics, createLambdaRuntime, type LambdaRuntime, type LambdaRuntimeOptions } from './lambda/runtime.js';
export { type TrackHandlerResult, trackInProgressRuns } from './lambda/tracking.js';
export { automationParameters, automationRoleArn } from './run/automationParameters.js';
export type { ProgressEvent, RunDeps, RunLogger } from './run/deps.js';
export { nameBasedUuid, runIdFor, snapshotIdFor } from './run/ids.js';
export { type AccountLimiter, createAccountLimiter } from './run/limiter.js';
export { discoveryScope, type PlanResult, planRun } from './run/planRun.js';
export { REPORT_FORMATS, type ReportFormat, renderReport, writeReports } from './run/reports.js';
export {
  /** @public */ type StartRunOptions,
  type StartRunResult,
  startRun,
} from './run/startRun.js';
export {
  DEFAULT_BACKOFF,
  type PollBackoff,
  type TrackRunOptions,
  type TrackRunResult,
  trackRun,
} from './run/trackRun.js';
export { advanceWaves, startWave } from './run/waves.js';
export { DEFAULT_LOCAL_RUNS_DIR, LocalRunStore, type LocalRunStoreOptions } from './store/localRunStore.js';
export { RUN_BUCKET_ENV, S3RunStore, type S3RunStoreOptions } from './store/s3RunStore.js';
export { ORGPATCH_VERSION } from './version.js';
