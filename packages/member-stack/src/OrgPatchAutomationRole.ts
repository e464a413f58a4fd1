import { AUTOMATION_DOCUMENT_NAME, AUTOMATION_ROLE_NAME, SNAPSHOT_TAG_KEYS } from '@orgpatch/core';
import { Aws, Validations } from 'aws-cdk-lib';
import { type CfnRole, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { groupReadStatements } from './groupReadStatements.js';
import {
  awsOwnedDocumentArn,
  ownAutomationDefinitionArn,
  ownAutomationExecutionsArn,
  ownDocumentArn,
  ownEc2InstancesArn,
  ownManagedInstancesArn,
  ownVolumesArn,
  roleArn,
  snapshotsArn,
} from './memberArns.js';
import { AUTOMATION_ROLE_SERVICE_PRINCIPAL } from './memberRoleTrust.js';
import { RUN_PATCH_BASELINE_DOCUMENT_NAME } from './runbookContent.js';

/**
 * `OrgPatchAutomationRole`: the role Systems Manager Automation assumes to run the orgpatch document
 * in this account. Only ssm.amazonaws.com may assume it, and only for an automation execution of
 * this same account (`aws:SourceAccount`, `aws:SourceArn`), so no other account can make SSM use it.
 * It may send AWS-RunPatchBaseline (and no other command document) to this account's nodes, follow
 * those commands, read resource groups and instances, take orgpatch-tagged pre-patch snapshots of
 * this account's instances, and start child executions of the orgpatch document for a
 * rate-controlled run.
 */
export class OrgPatchAutomationRole extends Construct {
  /** The role. Its name is fixed: the orchestrator derives its ARN from the account ID. */
  public readonly role: Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    const policy = new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: 'RunPatchBaselineOnOwnNodes',
          actions: ['ssm:SendCommand'],
          // SendCommand is authorized on the document and on every target node: only
          // AWS-RunPatchBaseline, and only on this account's EC2 instances and hybrid nodes.
          resources: [
            awsOwnedDocumentArn(RUN_PATCH_BASELINE_DOCUMENT_NAME),
            ownEc2InstancesArn(),
            ownManagedInstancesArn(),
          ],
        }),
        new PolicyStatement({
          sid: 'FollowCommandsAndReadNodes',
          actions: [
            'ssm:ListCommands',
            'ssm:ListCommandInvocations',
            'ssm:GetCommandInvocation',
            'ssm:DescribeInstanceInformation',
            'ec2:DescribeInstances',
            'ec2:DescribeSnapshots',
          ],
          resources: ['*'],
        }),
        // Pre-patch snapshots (the document's PrePatchSnapshot steps): one CreateSnapshots of an
        // instance of this account and its volumes, ...
        new PolicyStatement({
          sid: 'SnapshotOwnInstanceVolumes',
          actions: ['ec2:CreateSnapshots'],
          resources: [ownEc2InstancesArn(), ownVolumesArn()],
        }),
        // ... creating only snapshots that carry orgpatch's run tag in the request ...
        new PolicyStatement({
          sid: 'CreateOnlyOrgPatchTaggedSnapshots',
          actions: ['ec2:CreateSnapshots'],
          resources: [snapshotsArn()],
          conditions: { Null: { [`aws:RequestTag/${SNAPSHOT_TAG_KEYS.RUN_ID}`]: 'false' } },
        }),
        // ... and tagging snapshots only as part of that CreateSnapshots (no retagging afterwards).
        new PolicyStatement({
          sid: 'TagSnapshotsWhenCreated',
          actions: ['ec2:CreateTags'],
          resources: [snapshotsArn()],
          conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshots' } },
        }),
        ...groupReadStatements(),
        // A rate-controlled run expands its targets and starts one child execution per node with
        // this same role (as in AWS's AWS-SystemsManager-AutomationExecutionRole template, which
        // lets the role pass itself). Limited to the orgpatch document, which can only do what
        // SendCommand above already allows.
        new PolicyStatement({
          sid: 'StartChildExecutions',
          actions: ['ssm:StartAutomationExecution'],
          resources: [
            ownDocumentArn(AUTOMATION_DOCUMENT_NAME),
            ownAutomationDefinitionArn(AUTOMATION_DOCUMENT_NAME),
            ownAutomationExecutionsArn(),
          ],
        }),
        new PolicyStatement({
          sid: 'FollowChildExecutions',
          actions: ['ssm:GetAutomationExecution'],
          resources: [ownAutomationExecutionsArn()],
        }),
        new PolicyStatement({
          sid: 'PassSelfToChildExecutions',
          actions: ['iam:PassRole'],
          resources: [roleArn(AUTOMATION_ROLE_NAME)],
          conditions: { StringEquals: { 'iam:PassedToService': AUTOMATION_ROLE_SERVICE_PRINCIPAL } },
        }),
      ],
    });

    this.role = new Role(this, 'Role', {
      roleName: AUTOMATION_ROLE_NAME,
      description: `orgpatch: assumed by Systems Manager Automation to run ${RUN_PATCH_BASELINE_DOCUMENT_NAME} on this account nodes.`,
      assumedBy: new ServicePrincipal(AUTOMATION_ROLE_SERVICE_PRINCIPAL).withConditions({
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': ownAutomationExecutionsArn() },
      }),
      inlinePolicies: { OrgPatchAutomation: policy },
    });
    (this.role.node.defaultChild as CfnRole).overrideLogicalId('AutomationRole');

    Validations.of(this.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only actions without resource types take Resource "*": the Service Authorization Reference defines no resource type for ssm:ListCommands, ssm:ListCommandInvocations, ssm:GetCommandInvocation, ssm:DescribeInstanceInformation, ec2:DescribeInstances, ec2:DescribeSnapshots and tag:GetResources, so IAM cannot scope them further. All are read-only.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*::document/${RUN_PATCH_BASELINE_DOCUMENT_NAME}]`,
        reason:
          'The wildcard is the Region only: IAM is global and one role serves every Region; the AWS-owned AWS-RunPatchBaseline document (no account in its ARN) is the only command document the role may send.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*:<AWS::AccountId>:document/${AUTOMATION_DOCUMENT_NAME}]`,
        reason:
          'The wildcard is the Region only: IAM is global, one role serves every Region, and the orgpatch document has the same fixed name in each. The document name and the account are fixed.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:instance/*]',
        reason:
          'The nodes to patch are the members of the target resource groups, found at run time; SendCommand is also limited to the AWS-RunPatchBaseline document, and to this account.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:volume/*]',
        reason:
          'CreateSnapshots is authorized on every volume of the instance it snapshots, found at run time; this account only, and the snapshots it creates must carry the orgpatch run tag.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*::snapshot/*]',
        reason:
          'Snapshot ARNs have no account and their ids are generated by EC2; the grant is conditioned on the orgpatch run tag in the request (CreateSnapshots) and on ec2:CreateAction CreateSnapshots (CreateTags), so the role can neither create untagged snapshots nor tag any existing one.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*:<AWS::AccountId>:managed-instance/*]',
        reason:
          'Hybrid nodes to patch are found at run time; SendCommand is also limited to the AWS-RunPatchBaseline document, and to this account.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:resource-groups:*:<AWS::AccountId>:group/*]',
        reason:
          'Target resource groups are named per run in the payload, not at deploy time; the grant is list-only and limited to this account.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:*:<AWS::AccountId>:stack/*/*]',
        reason:
          'Required by ListGroupResources for CloudFormation-stack-based groups (its documented minimum permissions); read-only, this account only.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*:<AWS::AccountId>:automation-execution/*]',
        reason:
          'Child execution IDs are generated by SSM at run time; starting is additionally limited to the orgpatch document, and this account only.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*:<AWS::AccountId>:automation-definition/${AUTOMATION_DOCUMENT_NAME}:*]`,
        reason: 'Every version of the orgpatch document only: UpdateMethod NewVersion adds a version per deployment.',
      },
    );
  }
}
