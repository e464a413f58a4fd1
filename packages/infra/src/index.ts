// The public names: what other packages import, and, marked `@public`, what README documents that
// no workspace imports. knip fails `npm test` on any other export here that nothing uses.
export { /** @public */ OrgPatchingConfigError } from './errors.js';
export type { /** @public */ DeployFrom, /** @public */ StackSetOperationPreferences } from './MemberStackSets.js';
export {
  /** @public */ type ManagementMemberPlacement,
  /** @public */ OrgPatching,
  /** @public */ type OrgPatchingProps,
} from './OrgPatching.js';
export { createOrgPatchApp } from './orgPatchApp.js';
export type { /** @public */ PatchWave } from './taskPayload.js';
