import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ownResourceGroupsArn, ownStacksArn } from './memberArns.js';

/**
 * What reading a resource group's members takes. The Resource Groups API reference lists the
 * minimum permissions of ListGroupResources as resource-groups:ListGroupResources,
 * cloudformation:DescribeStacks, cloudformation:ListStackResources and tag:GetResources: a
 * tag-based group is resolved through the Resource Groups Tagging API, a CloudFormation-stack-based
 * group through the stack's resources. Both roles need it: the orchestrator lists groups to skip
 * empty locations, and Automation expands the `ResourceGroup` target of a rate-controlled run.
 *
 * `tag:GetResources` has no resource type in the Service Authorization Reference, so it can only
 * be granted on `*`; the caller acknowledges that in cdk-nag.
 */
export function groupReadStatements(): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'ListTargetGroupMembers',
      actions: ['resource-groups:ListGroupResources'],
      resources: [ownResourceGroupsArn()],
    }),
    new PolicyStatement({
      sid: 'ResolveStackBasedGroups',
      actions: ['cloudformation:DescribeStacks', 'cloudformation:ListStackResources'],
      resources: [ownStacksArn()],
    }),
    new PolicyStatement({
      sid: 'ResolveTagBasedGroups',
      actions: ['tag:GetResources'],
      resources: ['*'],
    }),
  ];
}
