import { Aws } from 'aws-cdk-lib';

/**
 * Partition-aware ARNs for the member stacks' policies. Every ARN is built from `Aws.PARTITION` and
 * `Aws.ACCOUNT_ID`, so the templates deploy unchanged in aws, aws-cn and aws-us-gov. IAM is global
 * and one role serves every Region of the account, hence `*` in the Region field.
 *
 * Formats follow the Service Authorization Reference resource types (ssm: document,
 * automation-definition, automation-execution, managed-instance; ec2: instance; resource-groups:
 * group; cloudformation: stack; iam: role).
 */

const ANY_REGION = '*';

function arn(service: string, region: string, account: string, resource: string): string {
  return `arn:${Aws.PARTITION}:${service}:${region}:${account}:${resource}`;
}

/** `arn:${Partition}:iam::${AccountId}:role/${name}` */
export function roleArn(roleName: string): string {
  return arn('iam', '', Aws.ACCOUNT_ID, `role/${roleName}`);
}

/** An SSM document this account owns, in any Region. */
export function ownDocumentArn(documentName: string): string {
  return arn('ssm', ANY_REGION, Aws.ACCOUNT_ID, `document/${documentName}`);
}

/** Every version of an automation definition this account owns, in any Region. */
export function ownAutomationDefinitionArn(documentName: string): string {
  return arn('ssm', ANY_REGION, Aws.ACCOUNT_ID, `automation-definition/${documentName}:*`);
}

/**
 * An AWS-owned SSM document in any Region. AWS-owned documents carry no account ID in their ARN
 * (Systems Manager identity-based policy examples).
 */
export function awsOwnedDocumentArn(documentName: string): string {
  return arn('ssm', ANY_REGION, '', `document/${documentName}`);
}

/** Every automation execution of this account, in any Region. */
export function ownAutomationExecutionsArn(): string {
  return arn('ssm', ANY_REGION, Aws.ACCOUNT_ID, 'automation-execution/*');
}

/** Every EC2 instance of this account, in any Region. */
export function ownEc2InstancesArn(): string {
  return arn('ec2', ANY_REGION, Aws.ACCOUNT_ID, 'instance/*');
}

/** Every hybrid managed node (mi-...) of this account, in any Region. */
export function ownManagedInstancesArn(): string {
  return arn('ssm', ANY_REGION, Aws.ACCOUNT_ID, 'managed-instance/*');
}

/** Every resource group of this account, in any Region. */
export function ownResourceGroupsArn(): string {
  return arn('resource-groups', ANY_REGION, Aws.ACCOUNT_ID, 'group/*');
}

/** Every CloudFormation stack of this account, in any Region (`stack/${StackName}/${Id}`). */
export function ownStacksArn(): string {
  return arn('cloudformation', ANY_REGION, Aws.ACCOUNT_ID, 'stack/*/*');
}

/** Every EBS volume of this account, in any Region. */
export function ownVolumesArn(): string {
  return arn('ec2', ANY_REGION, Aws.ACCOUNT_ID, 'volume/*');
}

/**
 * Every EBS snapshot, in any Region. Snapshot ARNs carry no account (Service Authorization
 * Reference, ec2 `snapshot`: `arn:${Partition}:ec2:${Region}::snapshot/${SnapshotId}`), so grants on
 * them are scoped by tag conditions instead.
 */
export function snapshotsArn(): string {
  return arn('ec2', ANY_REGION, '', 'snapshot/*');
}
