import { AUTOMATION_DOCUMENT_NAME, AUTOMATION_ROLE_NAME, EXECUTION_ROLE_NAME, SNAPSHOT_TAG_KEYS } from '@orgpatch/core';
import { Duration, Validations } from 'aws-cdk-lib';
import { ArnPrincipal, type CfnRole, PolicyDocument, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { groupReadStatements } from './groupReadStatements.js';
import {
  ownAutomationDefinitionArn,
  ownAutomationExecutionsArn,
  ownDocumentArn,
  ownEc2InstancesArn,
  ownManagedInstancesArn,
  roleArn,
  snapshotsArn,
} from './memberArns.js';
import { AUTOMATION_ROLE_SERVICE_PRINCIPAL, EXECUTION_ROLE_MAX_SESSION_SECONDS } from './memberRoleTrust.js';

/** Props of {@link OrgPatchExecutionRole}. */
export interface OrgPatchExecutionRoleProps {
  /** ARN of the orchestrator role, the only principal the role trusts (usually a parameter's value). */
  readonly orchestratorRoleArn: string;
  /** The Organization the orchestrator role must belong to (`aws:PrincipalOrgID`). */
  readonly organizationId: string;
}

/**
 * `OrgPatchExecutionRole`: the role the orchestrator assumes in a member account. It trusts exactly
 * one role ARN, and only while that role's account is in the given Organization. It may read the
 * target resource groups, start, follow and stop executions of the orgpatch automation document,
 * read patch states and instance information, read the orgpatch document and the automation role
 * (for `orgpatch doctor`), pass `OrgPatchAutomationRole` to Systems Manager, and delete pre-patch
 * snapshots past their retention, only those carrying orgpatch's run tag.
 * Nothing else: it cannot run commands itself, start any other document, or change IAM.
 */
export class OrgPatchExecutionRole extends Construct {
  /** The role. Its name is fixed: the orchestrator derives its ARN from the account ID. */
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: OrgPatchExecutionRoleProps) {
    super(scope, id);

    const policy = new PolicyDocument({
      statements: [
        ...groupReadStatements(),
        new PolicyStatement({
          sid: 'StartOrgPatchAutomation',
          actions: ['ssm:StartAutomationExecution'],
          // The Service Authorization Reference lists document and automation-execution as required
          // resource types of StartAutomationExecution (automation-definition as optional): every
          // one must be allowed, so naming only the orgpatch document keeps every other one out.
          resources: [
            ownDocumentArn(AUTOMATION_DOCUMENT_NAME),
            ownAutomationDefinitionArn(AUTOMATION_DOCUMENT_NAME),
            ownAutomationExecutionsArn(),
          ],
        }),
        new PolicyStatement({
          sid: 'FollowAndStopAutomations',
          actions: [
            'ssm:GetAutomationExecution',
            'ssm:StopAutomationExecution',
            'ssm:DescribeAutomationStepExecutions',
          ],
          resources: [ownAutomationExecutionsArn()],
        }),
        new PolicyStatement({
          sid: 'ReadPatchStates',
          actions: ['ssm:DescribeInstancePatchStates'],
          resources: [ownEc2InstancesArn(), ownManagedInstancesArn()],
        }),
        new PolicyStatement({
          sid: 'ListAutomationsAndNodes',
          actions: ['ssm:DescribeAutomationExecutions', 'ssm:DescribeInstanceInformation', 'ec2:DescribeSnapshots'],
          resources: ['*'],
        }),
        // orgpatch doctor: is the orgpatch document there, and is it this orgpatch's runbook (its
        // content is compared, which DescribeDocument's Hash of CloudFormation's serialization cannot
        // tell); does the automation role exist. Each is one read of one named resource.
        new PolicyStatement({
          sid: 'PreflightReadOrgPatchDocument',
          actions: ['ssm:GetDocument'],
          resources: [ownDocumentArn(AUTOMATION_DOCUMENT_NAME)],
        }),
        new PolicyStatement({
          sid: 'PreflightReadAutomationRole',
          actions: ['iam:GetRole'],
          resources: [roleArn(AUTOMATION_ROLE_NAME)],
        }),
        // The retention of pre-patch snapshots: only snapshots that carry orgpatch's run tag.
        new PolicyStatement({
          sid: 'DeleteOnlyOrgPatchSnapshots',
          actions: ['ec2:DeleteSnapshot'],
          resources: [snapshotsArn()],
          conditions: { Null: { [`aws:ResourceTag/${SNAPSHOT_TAG_KEYS.RUN_ID}`]: 'false' } },
        }),
        new PolicyStatement({
          sid: 'PassAutomationRoleToSsm',
          actions: ['iam:PassRole'],
          resources: [roleArn(AUTOMATION_ROLE_NAME)],
          conditions: { StringEquals: { 'iam:PassedToService': AUTOMATION_ROLE_SERVICE_PRINCIPAL } },
        }),
      ],
    });

    this.role = new Role(this, 'Role', {
      roleName: EXECUTION_ROLE_NAME,
      description: 'orgpatch: assumed by the orgpatch orchestrator to read resource groups and run patching here.',
      assumedBy: new ArnPrincipal(props.orchestratorRoleArn).withConditions({
        StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
      }),
      maxSessionDuration: Duration.seconds(EXECUTION_ROLE_MAX_SESSION_SECONDS),
      inlinePolicies: { OrgPatchExecution: policy },
    });
    (this.role.node.defaultChild as CfnRole).overrideLogicalId('ExecutionRole');

    Validations.of(this.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only actions without resource types take Resource "*": the Service Authorization Reference defines no resource type for tag:GetResources, ssm:DescribeAutomationExecutions, ssm:DescribeInstanceInformation and ec2:DescribeSnapshots, so IAM cannot scope them further. All are read-only.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:resource-groups:*:<AWS::AccountId>:group/*]',
        reason:
          'Target resource groups are named per run in the payload, not at deploy time; the grant is list-only and limited to this account.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:*:<AWS::AccountId>:stack/*/*]',
        reason:
          'Required by ListGroupResources for CloudFormation-stack-based groups (its documented minimum permissions); read-only (DescribeStacks, ListStackResources), this account only, stacks named per group.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*:<AWS::AccountId>:document/${AUTOMATION_DOCUMENT_NAME}]`,
        reason:
          'The wildcard is the Region only: IAM is global, one role serves every Region of the account, and the orgpatch document has the same fixed name in each. The document name and the account are fixed.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*:<AWS::AccountId>:automation-execution/*]',
        reason:
          'Automation execution IDs are generated by SSM when a run starts, so they cannot be named in advance; StartAutomationExecution is additionally limited to the orgpatch document, and this account only.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*:<AWS::AccountId>:automation-definition/${AUTOMATION_DOCUMENT_NAME}:*]`,
        reason: 'Every version of the orgpatch document only: UpdateMethod NewVersion adds a version per deployment.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*::snapshot/*]',
        reason:
          'Snapshot ARNs have no account and their ids are generated by EC2 at run time; DeleteSnapshot is conditioned on the orgpatch run tag on the snapshot (aws:ResourceTag), so no snapshot orgpatch did not tag can be deleted.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:instance/*]',
        reason:
          'Patch states are read for the instances a run patched, which are found at run time; DescribeInstancePatchStates is read-only and limited to this account.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*:<AWS::AccountId>:managed-instance/*]',
        reason:
          'Patch states are read for the hybrid nodes a run patched, which are found at run time; DescribeInstancePatchStates is read-only and limited to this account.',
      },
    );
  }
}
