// The public names: what other packages import, and, marked `@public`, what README documents that
// no workspace imports. knip fails `npm test` on any other export here that nothing uses.
export type { CfnTemplate, MemberTemplates } from './cfnTemplate.js';
export { /** @public */ createMemberApp } from './memberApp.js';
export {
  /** @public */ GlobalMemberStack,
  /** @public */ ManagementMemberStack,
  /** @public */ RegionalMemberStack,
} from './memberStacks.js';
export {
  /** @public */ type MemberTemplateOptions,
  memberTemplates,
  /** @public */ templateBodyBytes,
} from './memberTemplates.js';
export { OrgPatchAutomationDocument } from './OrgPatchAutomationDocument.js';
export { OrgPatchAutomationRole } from './OrgPatchAutomationRole.js';
export { OrgPatchExecutionRole, /** @public */ type OrgPatchExecutionRoleProps } from './OrgPatchExecutionRole.js';
