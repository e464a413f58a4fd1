export { type CallFilter, CallLog, type CallRecord, type ServiceName } from './callLog.js';
export { ScaledClock, type ScaledClockOptions } from './clock.js';
export {
  AwsServiceError,
  type CallContext,
  type OperationHandler,
  type ServiceHandlers,
  type SimAccount,
  type SimClock,
  type SimDocument,
  type SimGroup,
  type SimInstance,
  type SimRegion,
  type SimWorld,
} from './contract.js';
export {
  DetailedServiceError,
  SandboxError,
  SandboxOptionsError,
  SandboxStartError,
  type WorldIssue,
  WorldValidationError,
} from './errors.js';
export {
  DEFAULT_EMPTY_PAGE_RATE,
  type FaultConfig,
  FaultController,
  faultConfigSchema,
  type LatencySpec,
  type ThrottleRule,
} from './faults.js';
export { DEFAULT_PROCESS_PORT, type ProcessIo, runSandboxProcess } from './process.js';
export {
  type Sandbox,
  type SandboxClientConfig,
  type SandboxCredentials,
  type SandboxOptions,
  startSandbox,
  type WorldInput,
} from './sandbox.js';
export { DEFAULT_ORCHESTRATOR_ROLE_NAME } from './world/assemble.js';
export { type GenerateWorldOptions, generateWorld, MAX_GENERATED_ACCOUNTS } from './world/generate.js';
export { type BuildWorldOptions, buildWorld, loadWorldFile } from './world/load.js';
export type { SandboxRole } from './world/memberStacks.js';
export {
  type DocumentInstaller,
  instanceArn,
  LazyRegionMap,
  type OrchestratorPrincipal,
  type SandboxAccount,
  type SandboxGroup,
  type SandboxOu,
  type SandboxWorld,
} from './world/model.js';
export { type WorldFile, worldFileSchema, worldJsonSchema } from './world/schema.js';
