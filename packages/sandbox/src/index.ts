// The public names: what other packages import, and, marked `@public`, what README documents that
// no workspace imports. knip fails `npm test` on any other export here that nothing uses.
export type { CallRecord } from './callLog.js';
export { type FaultConfig, /** @public */ faultConfigSchema, type ThrottleRule } from './faults.js';
export { runSandboxProcess } from './process.js';
export { type Sandbox, /** @public */ type SandboxOptions, startSandbox } from './sandbox.js';
export { SSM_AUTOMATION_API_QUOTAS } from './ssm/quotas.js';
export { /** @public */ type GenerateWorldOptions, /** @public */ generateWorld } from './world/generate.js';
export { loadWorldFile } from './world/load.js';
export { type WorldFile, /** @public */ worldFileSchema } from './world/schema.js';
