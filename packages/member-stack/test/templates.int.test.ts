import { AUTOMATION_DOCUMENT_NAME, AUTOMATION_ROLE_NAME, EXECUTION_ROLE_NAME } from '@orgpatch/core';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CfnTemplate, type MemberTemplates, memberTemplates, templateBodyBytes } from '../src/index.js';
import { memberStackParameters } from '../src/memberParameters.js';
import { INLINE_TEMPLATE_LIMIT_BYTES } from '../src/memberTemplates.js';
import {
  asArray,
  MEMBER_ACCOUNT,
  memberContext,
  ORCHESTRATOR_ROLE_ARN,
  ORG_ID,
  resolvedRole,
} from './support/world.js';

let templates: MemberTemplates;
beforeAll(() => {
  templates = memberTemplates();
}, 60_000);

const names = ['global', 'regional', 'management'] as const;

/** Every string in `value`, skipping human-readable descriptions. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k === 'Description' || k === 'description' ? [] : strings(v)));
  }
  return [];
}

function partitionArn(...middle: unknown[]): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ...middle]] };
}

describe('member templates', () => {
  it('deploy without CDK bootstrap: no BootstrapVersion parameter or rule, no assets, no CDK metadata', () => {
    for (const name of names) {
      const t: CfnTemplate = templates[name];
      const json = JSON.stringify(t);
      expect(Object.keys(t.Parameters ?? {}), name).not.toContain('BootstrapVersion');
      expect(t.Rules, name).toBeUndefined();
      expect(t.Conditions, name).toBeUndefined();
      expect(
        Object.values(t.Resources).map((r) => r.Type),
        name,
      ).not.toContain('AWS::CDK::Metadata');
      for (const r of Object.values(t.Resources)) expect(r.Metadata, name).toBeUndefined();
      for (const marker of [
        'cdk.out',
        'aws:cdk:path',
        'aws:asset:',
        'AssetParameters',
        'cdk-hnb659fds',
        'BootstrapVersion',
      ]) {
        expect(json, `${name} mentions ${marker}`).not.toContain(marker);
      }
    }
  });

  it('fit the 51,200-byte inline template limit', () => {
    for (const name of names) {
      const bytes = templateBodyBytes(templates[name]);
      console.log(`${name} template: ${bytes} bytes as inline TemplateBody (limit ${INLINE_TEMPLATE_LIMIT_BYTES})`);
      expect(bytes).toBe(Buffer.byteLength(JSON.stringify(templates[name])));
      expect(bytes, name).toBeLessThan(INLINE_TEMPLATE_LIMIT_BYTES);
    }
  });

  it('build every ARN from AWS::Partition: no literal arn:aws: outside descriptions', () => {
    for (const name of names) {
      const literal = strings(templates[name].Resources).filter((s) => /arn:aws(-[a-z]+)*:/.test(s));
      expect(literal, name).toEqual([]);
    }
    const govRole = resolvedRole(templates.global, EXECUTION_ROLE_NAME, memberContext('aws-us-gov'));
    const resources = govRole.inlinePolicies.flatMap((p) => p.policy.Statement.flatMap((s) => asArray(s.Resource)));
    expect(resources.filter((r) => r !== '*').every((r) => r.startsWith('arn:aws-us-gov:'))).toBe(true);
  });

  it('are memoized and frozen so callers cannot change what others read', () => {
    expect(memberTemplates()).toBe(templates);
    expect(Object.isFrozen(templates.global.Resources)).toBe(true);
    expect(() => {
      (templates.regional as { Description?: string }).Description = 'changed';
    }).toThrow(TypeError);
  });
});

describe('template parameters', () => {
  it('global and management declare OrchestratorRoleArn and OrganizationId with their patterns; Regional none', () => {
    for (const name of ['global', 'management'] as const) {
      const params = templates[name].Parameters ?? {};
      expect(Object.keys(params).sort(), name).toEqual(['OrchestratorRoleArn', 'OrganizationId']);
      expect(params.OrganizationId?.AllowedPattern).toBe('^o-[a-z0-9]{10,32}$');
      expect(params.OrchestratorRoleArn?.AllowedPattern).toBe(memberStackParameters.OrchestratorRoleArn.allowedPattern);
      expect(params.OrganizationId?.Default).toBeUndefined();
      expect(params.OrchestratorRoleArn?.Default).toBeUndefined();
    }
    expect(templates.regional.Parameters).toBeUndefined();
  });

  it('accept real Organization IDs and role ARNs in any partition, and nothing else', () => {
    const org = new RegExp(memberStackParameters.OrganizationId.allowedPattern);
    expect(['o-abcdefghij', 'o-a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6'].every((v) => org.test(v))).toBe(true);
    expect(['', 'o-short', 'o-ABCDEFGHIJ', 'r-abcdefghij', 'o-abcdefghij '].some((v) => org.test(v))).toBe(false);

    const role = new RegExp(memberStackParameters.OrchestratorRoleArn.allowedPattern);
    for (const ok of [
      ORCHESTRATOR_ROLE_ARN,
      'arn:aws-cn:iam::111111111111:role/path/OrgPatch',
      'arn:aws-us-gov:iam::111111111111:role/OrgPatch',
    ]) {
      expect(role.test(ok), ok).toBe(true);
    }
    for (const bad of [
      'arn:aws:iam::111111111111:user/alice',
      'arn:aws:iam::111111111111:root',
      'arn:aws:iam::1111:role/x',
      'arn:aws:sts::111111111111:assumed-role/OrgPatch/s',
      '*',
    ]) {
      expect(role.test(bad), bad).toBe(false);
    }
  });
});

describe('execution role', () => {
  it('trusts exactly the orchestrator role, and only from the same Organization', () => {
    Template.fromJSON(structuredClone(templates.global)).hasResourceProperties('AWS::IAM::Role', {
      RoleName: EXECUTION_ROLE_NAME,
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: Match.exact({
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { Ref: 'OrchestratorRoleArn' } },
            Condition: { StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } },
          },
        ],
      }),
    });
  });

  it('grants exactly what the orchestrator does in the account, resources resolved per account', () => {
    const role = resolvedRole(templates.global, EXECUTION_ROLE_NAME, memberContext());
    const a = MEMBER_ACCOUNT;
    expect(role.trustPolicy.Statement[0]?.Principal).toEqual({ AWS: ORCHESTRATOR_ROLE_ARN });
    expect(role.trustPolicy.Statement[0]?.Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': ORG_ID } });
    expect(grants(role)).toEqual({
      'cloudformation:DescribeStacks': [`arn:aws:cloudformation:*:${a}:stack/*/*`],
      'cloudformation:ListStackResources': [`arn:aws:cloudformation:*:${a}:stack/*/*`],
      'iam:GetRole': [`arn:aws:iam::${a}:role/${AUTOMATION_ROLE_NAME}`],
      'ec2:DeleteSnapshot': ['arn:aws:ec2:*::snapshot/* if Null aws:ResourceTag/orgpatch:run-id=false'],
      'ec2:DescribeSnapshots': ['*'],
      'iam:PassRole': [
        `arn:aws:iam::${a}:role/${AUTOMATION_ROLE_NAME} if StringEquals iam:PassedToService=ssm.amazonaws.com`,
      ],
      'resource-groups:ListGroupResources': [`arn:aws:resource-groups:*:${a}:group/*`],
      'ssm:DescribeAutomationExecutions': ['*'],
      'ssm:DescribeAutomationStepExecutions': [`arn:aws:ssm:*:${a}:automation-execution/*`],
      'ssm:DescribeInstanceInformation': ['*'],
      'ssm:DescribeInstancePatchStates': [`arn:aws:ec2:*:${a}:instance/*`, `arn:aws:ssm:*:${a}:managed-instance/*`],
      'ssm:GetAutomationExecution': [`arn:aws:ssm:*:${a}:automation-execution/*`],
      'ssm:GetDocument': [`arn:aws:ssm:*:${a}:document/${AUTOMATION_DOCUMENT_NAME}`],
      'ssm:StartAutomationExecution': [
        `arn:aws:ssm:*:${a}:automation-definition/${AUTOMATION_DOCUMENT_NAME}:*`,
        `arn:aws:ssm:*:${a}:automation-execution/*`,
        `arn:aws:ssm:*:${a}:document/${AUTOMATION_DOCUMENT_NAME}`,
      ],
      'ssm:StopAutomationExecution': [`arn:aws:ssm:*:${a}:automation-execution/*`],
      'tag:GetResources': ['*'],
    });
  });
});

describe('automation role', () => {
  it('trusts only Systems Manager, for automation executions of its own account', () => {
    Template.fromJSON(structuredClone(templates.global)).hasResourceProperties('AWS::IAM::Role', {
      RoleName: AUTOMATION_ROLE_NAME,
      AssumeRolePolicyDocument: Match.exact({
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'ssm.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': partitionArn(':ssm:*:', { Ref: 'AWS::AccountId' }, ':automation-execution/*'),
              },
            },
          },
        ],
      }),
    });
  });

  it('grants exactly running AWS-RunPatchBaseline on own nodes and what rate control needs', () => {
    const role = resolvedRole(templates.global, AUTOMATION_ROLE_NAME, memberContext());
    const a = MEMBER_ACCOUNT;
    expect(grants(role)).toEqual({
      'cloudformation:DescribeStacks': [`arn:aws:cloudformation:*:${a}:stack/*/*`],
      'cloudformation:ListStackResources': [`arn:aws:cloudformation:*:${a}:stack/*/*`],
      'ec2:CreateSnapshots': [
        `arn:aws:ec2:*:${a}:instance/*`,
        `arn:aws:ec2:*:${a}:volume/*`,
        'arn:aws:ec2:*::snapshot/* if Null aws:RequestTag/orgpatch:run-id=false',
      ],
      'ec2:CreateTags': ['arn:aws:ec2:*::snapshot/* if StringEquals ec2:CreateAction=CreateSnapshots'],
      'ec2:DescribeInstances': ['*'],
      'ec2:DescribeSnapshots': ['*'],
      'iam:PassRole': [
        `arn:aws:iam::${a}:role/${AUTOMATION_ROLE_NAME} if StringEquals iam:PassedToService=ssm.amazonaws.com`,
      ],
      'resource-groups:ListGroupResources': [`arn:aws:resource-groups:*:${a}:group/*`],
      'ssm:DescribeInstanceInformation': ['*'],
      'ssm:GetAutomationExecution': [`arn:aws:ssm:*:${a}:automation-execution/*`],
      'ssm:GetCommandInvocation': ['*'],
      'ssm:ListCommandInvocations': ['*'],
      'ssm:ListCommands': ['*'],
      'ssm:SendCommand': [
        `arn:aws:ec2:*:${a}:instance/*`,
        `arn:aws:ssm:*:${a}:managed-instance/*`,
        'arn:aws:ssm:*::document/AWS-RunPatchBaseline',
      ],
      'ssm:StartAutomationExecution': [
        `arn:aws:ssm:*:${a}:automation-definition/${AUTOMATION_DOCUMENT_NAME}:*`,
        `arn:aws:ssm:*:${a}:automation-execution/*`,
        `arn:aws:ssm:*:${a}:document/${AUTOMATION_DOCUMENT_NAME}`,
      ],
      'tag:GetResources': ['*'],
    });
  });
});

describe('every policy statement of both roles', () => {
  it('allows only, names each action explicitly (no * or service wildcard) and uses no NotAction/NotResource', () => {
    for (const roleName of [EXECUTION_ROLE_NAME, AUTOMATION_ROLE_NAME]) {
      const role = resolvedRole(templates.management, roleName, memberContext());
      const statements = role.inlinePolicies.flatMap((p) => p.policy.Statement);
      expect(statements.length).toBeGreaterThan(0);
      for (const s of statements) {
        expect(s.Effect).toBe('Allow');
        expect(Object.keys(s).filter((k) => k.startsWith('Not'))).toEqual([]);
        for (const action of asArray(s.Action))
          expect(action, `${roleName} ${s.Sid}`).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
      }
    }
  });

  it('scopes every resource to this account, to the AWS-owned AWS-RunPatchBaseline document, or (snapshots, whose ARNs have no account) by a condition', () => {
    for (const roleName of [EXECUTION_ROLE_NAME, AUTOMATION_ROLE_NAME]) {
      const role = resolvedRole(templates.global, roleName, memberContext());
      for (const s of role.inlinePolicies.flatMap((p) => p.policy.Statement)) {
        for (const r of asArray(s.Resource).filter((x) => x !== '*')) {
          const [, , , , account] = r.split(':');
          const ok =
            account === MEMBER_ACCOUNT ||
            r === 'arn:aws:ssm:*::document/AWS-RunPatchBaseline' ||
            (r === 'arn:aws:ec2:*::snapshot/*' && s.Condition !== undefined);
          expect(ok, `${roleName} ${s.Sid} ${r}`).toBe(true);
          expect(r, 'a document grant names one document').not.toMatch(/document\/\*|definition\/\*/);
        }
      }
    }
  });
});

describe('Regional and management templates', () => {
  it('Regional holds only the automation document, named, JSON, updated as new versions', () => {
    const t = Template.fromJSON(structuredClone(templates.regional));
    t.resourceCountIs('AWS::SSM::Document', 1);
    expect(Object.keys(templates.regional.Resources)).toEqual(['AutomationDocument']);
    t.hasResourceProperties('AWS::SSM::Document', {
      Name: AUTOMATION_DOCUMENT_NAME,
      DocumentType: 'Automation',
      DocumentFormat: 'JSON',
      UpdateMethod: 'NewVersion',
    });
    t.hasOutput('AutomationDocumentName', { Value: { Ref: 'AutomationDocument' } });
  });

  it('management holds the global and the Regional resources, identical, with all their outputs', () => {
    const { global, regional, management } = templates;
    expect(management.Resources).toEqual({ ...global.Resources, ...regional.Resources });
    expect(management.Parameters).toEqual(global.Parameters);
    expect(Object.keys(management.Outputs ?? {}).sort()).toEqual(
      ['AutomationDocumentName', 'AutomationRoleArn', 'ExecutionRoleArn'].sort(),
    );
  });
});

/** action -> sorted resources (with the condition, if any) across a role's inline policies. */
function grants(role: ReturnType<typeof resolvedRole>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of role.inlinePolicies.flatMap((p) => p.policy.Statement)) {
    const condition = s.Condition
      ? ` if ${Object.entries(s.Condition)
          .map(
            ([op, kv]) =>
              `${op} ${Object.entries(kv)
                .map(([k, v]) => `${k}=${String(v)}`)
                .join(',')}`,
          )
          .join(' ')}`
      : '';
    for (const action of asArray(s.Action)) {
      out[action] = [...(out[action] ?? []), ...asArray(s.Resource).map((r) => r + condition)].sort();
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([x], [y]) => x.localeCompare(y)));
}
