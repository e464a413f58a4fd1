import { OrgPatchAutomationDocument, OrgPatchAutomationRole, OrgPatchExecutionRole } from '@orgpatch/member-stack';
import { Construct } from 'constructs';

/** Props of {@link ManagementAccountMember}. */
export interface ManagementAccountMemberProps {
  /** The orchestrator role: the one principal the execution role trusts. */
  readonly orchestratorRoleArn: string;
  /** The Organization the orchestrator role must belong to (`aws:PrincipalOrgID`). */
  readonly organizationId: string;
}

/**
 * What the member-stack `management` template holds — `OrgPatchExecutionRole`,
 * `OrgPatchAutomationRole` and the automation document — built from the same member-stack
 * constructs, for the management account, which service-managed StackSets never reach. Built from
 * the constructs rather than included from the template JSON so they keep their cdk-nag
 * acknowledgements and take the orchestrator role's ARN directly instead of as a parameter.
 */
export class ManagementAccountMember extends Construct {
  /** `OrgPatchExecutionRole`, trusted by the orchestrator role. */
  readonly executionRole: OrgPatchExecutionRole;
  /** `OrgPatchAutomationRole`, assumed by Systems Manager Automation. */
  readonly automationRole: OrgPatchAutomationRole;
  /** The automation document of this stack's Region. */
  readonly automationDocument: OrgPatchAutomationDocument;

  constructor(scope: Construct, id: string, props: ManagementAccountMemberProps) {
    super(scope, id);
    this.automationRole = new OrgPatchAutomationRole(this, 'AutomationRole');
    this.executionRole = new OrgPatchExecutionRole(this, 'ExecutionRole', {
      orchestratorRoleArn: props.orchestratorRoleArn,
      organizationId: props.organizationId,
    });
    this.automationDocument = new OrgPatchAutomationDocument(this, 'AutomationDocument');
  }
}
