import { type IntrinsicContext, resolveIntrinsics } from '@orgpatch/test-support/cfn';
import type { CfnTemplate } from '../../src/index.js';

/** The Organization the tests deploy into. */
export const ORG_ID = 'o-abcdefghij';
export const OTHER_ORG_ID = 'o-zyxwvutsrq';
export const MANAGEMENT_ACCOUNT = '111111111111';
export const MEMBER_ACCOUNT = '222222222222';
export const OTHER_ACCOUNT = '333333333333';
export const REGION = 'eu-west-1';
export const ORCHESTRATOR_ROLE_ARN = `arn:aws:iam::${MANAGEMENT_ACCOUNT}:role/OrgPatchOrchestratorRole`;

/** The member account's deployment context: what CloudFormation substitutes there. */
export function memberContext(partition = 'aws', account = MEMBER_ACCOUNT): IntrinsicContext {
  return {
    pseudo: {
      'AWS::Partition': partition,
      'AWS::AccountId': account,
      'AWS::Region': REGION,
      'AWS::URLSuffix': 'amazonaws.com',
    },
    parameters: { OrchestratorRoleArn: ORCHESTRATOR_ROLE_ARN, OrganizationId: ORG_ID },
  };
}

/** An IAM policy document after resolution. */
export interface PolicyDocumentJson {
  readonly Version: string;
  readonly Statement: readonly PolicyStatementJson[];
}

/** One statement after resolution. */
export interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Principal?: unknown;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** A role of a template, its policies resolved for one deployment context. */
export interface ResolvedRole {
  readonly roleName: string;
  readonly trustPolicy: PolicyDocumentJson;
  readonly inlinePolicies: readonly { readonly name: string; readonly policy: PolicyDocumentJson }[];
  readonly maxSessionDuration?: number;
}

/** Finds the role with `roleName` in `template` and resolves its policies in `ctx`. */
export function resolvedRole(template: CfnTemplate, roleName: string, ctx: IntrinsicContext): ResolvedRole {
  const resource = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::IAM::Role' && r.Properties?.RoleName === roleName,
  );
  if (!resource?.Properties) throw new Error(`No AWS::IAM::Role named ${roleName} in the template`);
  const props = resolveIntrinsics(resource.Properties, ctx) as {
    AssumeRolePolicyDocument: PolicyDocumentJson;
    Policies?: { PolicyName: string; PolicyDocument: PolicyDocumentJson }[];
    MaxSessionDuration?: number;
  };
  return {
    roleName,
    trustPolicy: props.AssumeRolePolicyDocument,
    inlinePolicies: (props.Policies ?? []).map((p) => ({ name: p.PolicyName, policy: p.PolicyDocument })),
    ...(props.MaxSessionDuration === undefined ? {} : { maxSessionDuration: props.MaxSessionDuration }),
  };
}

/** `x` as an array. */
export function asArray<T>(x: T | readonly T[] | undefined): readonly T[] {
  if (x === undefined) return [];
  return Array.isArray(x) ? (x as readonly T[]) : [x as T];
}
