/**
 * The CloudFormation parameters and outputs of the member templates. Infra passes the parameters to
 * the StackSets; the orchestrator never reads the outputs (it derives ARNs from the fixed names), but
 * a person checking a stack instance does.
 */

/** One template parameter: its name, what it means and the pattern CloudFormation enforces. */
export interface MemberStackParameter {
  /** The parameter's logical name in the template. */
  readonly name: string;
  /** What the parameter means, as written into the template. */
  readonly description: string;
  /** The `AllowedPattern` CloudFormation checks before it creates anything. */
  readonly allowedPattern: string;
  /** What CloudFormation says when the pattern does not match. */
  readonly constraintDescription: string;
  /** The templates that declare the parameter. */
  readonly templates: readonly ('global' | 'management')[];
}

/**
 * The parameters of the global and management templates. The Regional template has none.
 *
 * @example
 * ```ts
 * const parameters = [
 *   { ParameterKey: memberStackParameters.OrchestratorRoleArn.name, ParameterValue: orchestratorRole.roleArn },
 *   { ParameterKey: memberStackParameters.OrganizationId.name, ParameterValue: 'o-abcdefghij' },
 * ];
 * ```
 */
export const memberStackParameters = {
  OrchestratorRoleArn: {
    name: 'OrchestratorRoleArn',
    description:
      'ARN of the orgpatch orchestrator role (in the management or delegated administrator account). It is the only principal the execution role trusts. The role must exist before this stack is created: IAM rejects a trust policy that names a role that does not exist.',
    allowedPattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$',
    constraintDescription:
      'must be an IAM role ARN such as arn:aws:iam::111122223333:role/OrgPatchOrchestratorRole (any partition).',
    templates: ['global', 'management'],
  },
  OrganizationId: {
    name: 'OrganizationId',
    description:
      'ID of the AWS Organization the orchestrator role belongs to. The execution role trusts the orchestrator only when aws:PrincipalOrgID equals it.',
    allowedPattern: '^o-[a-z0-9]{10,32}$',
    constraintDescription:
      'must be an Organization ID such as o-abcdefghij (o- and 10 to 32 lowercase letters or digits).',
    templates: ['global', 'management'],
  },
} as const satisfies Readonly<Record<string, MemberStackParameter>>;

/** The outputs of the member templates, by name, with the template that declares each. */
export const memberStackOutputs = {
  /** ARN of `OrgPatchExecutionRole` (global and management templates). */
  ExecutionRoleArn: 'ExecutionRoleArn',
  /** ARN of `OrgPatchAutomationRole` (global and management templates). */
  AutomationRoleArn: 'AutomationRoleArn',
  /** Name of the automation document (Regional and management templates). */
  AutomationDocumentName: 'AutomationDocumentName',
} as const;
