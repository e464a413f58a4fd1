export {
  AUTOMATION_DOCUMENT_NAME,
  AUTOMATION_DOCUMENT_VERSION,
  AUTOMATION_ROLE_NAME,
  EXECUTION_ROLE_NAME,
  TARGET_PARAMETER_NAME,
} from '@orgpatch/core';
export type {
  CfnTemplate,
  CfnTemplateOutput,
  CfnTemplateParameter,
  CfnTemplateResource,
  MemberTemplates,
} from './cfnTemplate.js';
export { MemberStackSynthesisError } from './errors.js';
export { createMemberApp, MEMBER_STACK_IDS, type MemberApp, type MemberAppOptions } from './memberApp.js';
export {
  type MemberStackOutputName,
  type MemberStackParameter,
  type MemberStackParameterName,
  memberStackOutputs,
  memberStackParameters,
} from './memberParameters.js';
export { GlobalMemberStack, ManagementMemberStack, RegionalMemberStack } from './memberStacks.js';
export {
  INLINE_TEMPLATE_LIMIT_BYTES,
  type MemberTemplateOptions,
  memberTemplates,
  templateBodyBytes,
} from './memberTemplates.js';
export { OrgPatchAutomationDocument } from './OrgPatchAutomationDocument.js';
export { OrgPatchAutomationRole } from './OrgPatchAutomationRole.js';
export { OrgPatchExecutionRole, type OrgPatchExecutionRoleProps } from './OrgPatchExecutionRole.js';
