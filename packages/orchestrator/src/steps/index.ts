export type * from './contract.js';
export { /** @public */ type EngineOptions, /** @public */ type EngineResult, runEngine } from './engine.js';
export { runStep, type StepOutput } from './runStep.js';
export { type StepDeps, summarizeStoredRun } from './steps.js';
export type { StepThreadSetup, ThreadStoreSpec } from './threadProtocol.js';
export { MAX_STEP_THREADS, /** @public */ type StepThreadsOptions } from './threads.js';
