import { AUTOMATION_DOCUMENT_NAME } from '@orgpatch/core';
import { type CfnTemplate, type MemberTemplates, memberTemplates } from '@orgpatch/member-stack';
import { type IntrinsicContext, resolveIntrinsics } from '@orgpatch/test-support/cfn';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../src/index.js';
import type { SandboxRole } from '../src/world/memberStacks.js';
import type { SandboxAccount, SandboxWorld } from '../src/world/model.js';

/**
 * The sandbox deploys the member stacks from @orgpatch/member-stack's plain definitions, without
 * synthesizing anything. These tests synthesize the real templates and pin the sandbox to them: a
 * role or a document that drifts from what CloudFormation would deploy fails here.
 */

let templates: MemberTemplates;
let world: SandboxWorld;
beforeAll(() => {
  templates = memberTemplates();
  world = generateWorld({ accounts: 4, regions: ['eu-west-1'], withoutMemberStacksRate: 0, suspendedRate: 0 });
}, 60_000);

/** What STS checks of a role, as the sandbox holds it (its id and provenance aside). */
type Trust = Omit<SandboxRole, 'roleId' | 'source'>;

function trustOf(role: SandboxRole): Trust {
  const { roleId: _id, source: _source, ...trust } = role;
  return trust;
}

function memberAccount(): SandboxAccount {
  const account = [...world.accounts.values()].find((a) => a.id !== world.managementAccountId && a.memberStacks.global);
  if (!account) throw new Error('the generated world has no member account with the member stacks');
  return account;
}

/** The roles of `template` with the trust policy resolved as CloudFormation would resolve it in `account`. */
function templateRoles(template: CfnTemplate, account: SandboxAccount): Map<string, Trust> {
  const deployed: IntrinsicContext = {
    pseudo: {
      'AWS::AccountId': account.id,
      'AWS::Partition': world.partition,
      'AWS::Region': 'eu-west-1',
      'AWS::URLSuffix': 'amazonaws.com',
    },
    parameters: { OrchestratorRoleArn: world.orchestratorPrincipalArn, OrganizationId: world.organizationId },
  };
  const roles = new Map<string, Trust>();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const properties = resolveIntrinsics(resource.Properties ?? {}, deployed) as Readonly<Record<string, unknown>>;
    roles.set(String(properties.RoleName), trustFromPolicy(properties));
  }
  return roles;
}

function trustFromPolicy(properties: Readonly<Record<string, unknown>>): Trust {
  const trustedPrincipalArns: string[] = [];
  let trustedService: string | undefined;
  let principalOrgId: string | undefined;
  const policy = properties.AssumeRolePolicyDocument as { Statement: Record<string, unknown>[] };
  for (const statement of policy.Statement) {
    if (statement.Effect !== 'Allow' || !toList(statement.Action).includes('sts:AssumeRole')) continue;
    const principal = (statement.Principal ?? {}) as Record<string, unknown>;
    for (const arn of toList(principal.AWS)) trustedPrincipalArns.push(String(arn));
    for (const service of toList(principal.Service)) trustedService = String(service);
    const condition = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
    const orgId = condition.StringEquals?.['aws:PrincipalOrgID'];
    if (orgId !== undefined) principalOrgId = String(orgId);
  }
  return {
    trustedPrincipalArns,
    ...(trustedService === undefined ? {} : { trustedService }),
    ...(principalOrgId === undefined ? {} : { principalOrgId }),
    // IAM's default when the template sets none.
    maxSessionDuration: typeof properties.MaxSessionDuration === 'number' ? properties.MaxSessionDuration : 3600,
  };
}

function toList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

describe('the member stacks in the sandbox', () => {
  it('give a member account exactly the roles of the synthesized global template, trusting as it says', () => {
    const account = memberAccount();
    const installed = new Map([...account.roles].map(([name, role]) => [name, trustOf(role)]));
    expect(installed).toEqual(templateRoles(templates.global, account));
  });

  it('give the management account exactly the roles of the synthesized management template', () => {
    const account = world.accounts.get(world.managementAccountId)!;
    const installed = new Map(
      [...account.roles]
        .filter(([name]) => name !== world.orchestrator.roleName)
        .map(([name, role]) => [name, trustOf(role)]),
    );
    expect(installed).toEqual(templateRoles(templates.management, account));
  });

  it('install in each Region the document content the synthesized Regional template deploys', () => {
    const document = Object.values(templates.regional.Resources).find((r) => r.Type === 'AWS::SSM::Document');
    const installed = memberAccount().regions.get('eu-west-1')?.documents.get(AUTOMATION_DOCUMENT_NAME);
    expect(installed?.content).toEqual(document?.Properties?.Content);
    expect(installed?.targetType).toBe(document?.Properties?.TargetType);
  });
});
