import { CfnOutput, CfnParameter, type Stack } from 'aws-cdk-lib';
import { memberStackOutputs, memberStackParameters } from './memberParameters.js';
import { OrgPatchAutomationDocument } from './OrgPatchAutomationDocument.js';
import { OrgPatchAutomationRole } from './OrgPatchAutomationRole.js';
import { OrgPatchExecutionRole } from './OrgPatchExecutionRole.js';

/** What {@link addGlobalResources} created. */
export interface GlobalResources {
  readonly executionRole: OrgPatchExecutionRole;
  readonly automationRole: OrgPatchAutomationRole;
}

/**
 * Adds the account-wide (IAM) part to a stack: the two template parameters, both roles and their
 * ARNs as outputs. Used by the global and the management stacks so their resources are identical.
 */
export function addGlobalResources(stack: Stack): GlobalResources {
  const orchestratorRoleArn = parameter(stack, memberStackParameters.OrchestratorRoleArn);
  const organizationId = parameter(stack, memberStackParameters.OrganizationId);

  const automationRole = new OrgPatchAutomationRole(stack, 'AutomationRole');
  const executionRole = new OrgPatchExecutionRole(stack, 'ExecutionRole', {
    orchestratorRoleArn: orchestratorRoleArn.valueAsString,
    organizationId: organizationId.valueAsString,
  });

  new CfnOutput(stack, memberStackOutputs.ExecutionRoleArn, {
    description: 'The role the orgpatch orchestrator assumes in this account.',
    value: executionRole.role.roleArn,
  });
  new CfnOutput(stack, memberStackOutputs.AutomationRoleArn, {
    description: 'The role Systems Manager Automation assumes to patch this account nodes.',
    value: automationRole.role.roleArn,
  });
  return { executionRole, automationRole };
}

/** Adds the per-Region part to a stack: the automation document and its name as an output. */
export function addRegionalResources(stack: Stack): OrgPatchAutomationDocument {
  const document = new OrgPatchAutomationDocument(stack, 'AutomationDocument');
  new CfnOutput(stack, memberStackOutputs.AutomationDocumentName, {
    description: 'The orgpatch automation document in this Region.',
    value: document.document.ref,
  });
  return document;
}

function parameter(
  stack: Stack,
  spec: {
    readonly name: string;
    readonly description: string;
    readonly allowedPattern: string;
    readonly constraintDescription: string;
  },
): CfnParameter {
  return new CfnParameter(stack, spec.name, {
    type: 'String',
    description: spec.description,
    allowedPattern: spec.allowedPattern,
    constraintDescription: spec.constraintDescription,
  });
}
