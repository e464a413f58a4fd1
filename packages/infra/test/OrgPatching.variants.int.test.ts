import { AUTOMATION_DOCUMENT_NAME, AUTOMATION_ROLE_NAME, EXECUTION_ROLE_NAME } from '@orgpatch/core';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { createOrgPatchApp, OrgPatchingConfigError } from '../src/index.js';
import { logicalIdOf, ORG_ID, OU_DEV, synth, tempOutdir } from './fixtures.js';

// Each synthesis here skips bundling (aws:cdk:bundling-stacks = []): only the template matters.

describe('deployed from a delegated administrator', () => {
  const { template } = synth({
    deployFrom: 'DELEGATED_ADMIN',
    homeRegion: 'eu-west-1',
    stackSetNamePrefix: 'Patching',
    stackSetOperationPreferences: {
      maxConcurrentCount: 3,
      failureToleranceCount: 2,
      regionConcurrencyType: 'SEQUENTIAL',
      concurrencyMode: 'STRICT_FAILURE_TOLERANCE',
    },
  });

  it('calls StackSets as DELEGATED_ADMIN, with the given names, home Region and preferences', () => {
    const sets = Object.values(template.findResources('AWS::CloudFormation::StackSet')).map((r) => r.Properties);
    expect(sets.map((p) => [p.StackSetName, p.CallAs])).toEqual([
      ['Patching-Global', 'DELEGATED_ADMIN'],
      ['Patching-Regional', 'DELEGATED_ADMIN'],
    ]);
    for (const p of sets) {
      expect(p.OperationPreferences).toEqual({
        MaxConcurrentCount: 3,
        FailureToleranceCount: 2,
        RegionConcurrencyType: 'SEQUENTIAL',
        ConcurrencyMode: 'STRICT_FAILURE_TOLERANCE',
      });
    }
    expect(sets[0]?.StackInstancesGroup).toEqual([
      { DeploymentTargets: { OrganizationalUnitIds: [OU_DEV, 'ou-ab12-prodprd1'] }, Regions: ['eu-west-1'] },
    ]);
  });

  it('may still patch the management account when its member stack is deployed separately', () => {
    const s = synth({
      deployFrom: 'DELEGATED_ADMIN',
      includeManagementAccount: true,
      managementAccountMember: 'DEPLOYED_SEPARATELY',
    });
    expect(s.orgPatching.payload.request.organization?.includeManagementAccount).toBe(true);
    expect(s.orgPatching.managementMember).toBeUndefined();
    s.template.resourceCountIs('AWS::SSM::Document', 0);
  });
});

describe('with the management account in this stack', () => {
  const s = synth({ includeManagementAccount: true });

  it('holds the execution role, trusted by the orchestrator role of this Organization only', () => {
    const roleId = logicalIdOf(s.stack, s.orgPatching.orchestrator.role);
    s.template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: EXECUTION_ROLE_NAME,
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::GetAtt': [roleId, 'Arn'] } },
            Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } },
          },
        ],
      },
    });
  });

  it('holds the automation role and the automation document of its Region', () => {
    s.template.hasResourceProperties('AWS::IAM::Role', { RoleName: AUTOMATION_ROLE_NAME });
    s.template.hasResourceProperties('AWS::SSM::Document', {
      Name: AUTOMATION_DOCUMENT_NAME,
      DocumentType: 'Automation',
    });
  });

  it('tells the orchestrator to patch the management account', () => {
    expect(s.orgPatching.payload.request.organization?.includeManagementAccount).toBe(true);
  });

  it('warns that the other target Regions of the management account need the document too', () => {
    Annotations.fromStack(s.stack).hasWarning(
      '/OrgPatch/OrgPatching',
      Match.stringLikeRegexp('gets the automation document in us-east-1 only; deploy .* in eu-west-1 too'),
    );
  });
});

describe('the orgpatch app', () => {
  const outdir = tempOutdir;
  const context = {
    'aws:cdk:bundling-stacks': [],
    'orgpatch:organizationId': ORG_ID,
    'orgpatch:targetOus': `["${OU_DEV}"]`,
    'orgpatch:region': 'us-east-1',
  };

  it('reads its props from context, including -c strings of lists, numbers and booleans', () => {
    const { stack, orgPatching, managementRegionalStacks } = createOrgPatchApp({
      outdir: outdir(),
      builtinCloudFormationValidation: false,
      context: {
        ...context,
        'orgpatch:regions': 'us-east-1,us-west-2',
        'orgpatch:duration': '4',
        'orgpatch:includeManagementAccount': 'true',
        'orgpatch:operation': 'Install',
      },
    });
    expect(stack.region).toBe('us-east-1');
    expect(orgPatching.regions).toEqual(['us-east-1', 'us-west-2']);
    expect(orgPatching.payload.request.operation).toBe('Install');
    Template.fromStack(stack).hasResourceProperties('AWS::SSM::MaintenanceWindow', { Duration: 4 });
    expect(managementRegionalStacks.map((m) => m.region)).toEqual(['us-west-2']);
    const regional = Template.fromStack(managementRegionalStacks[0]!);
    regional.hasResourceProperties('AWS::SSM::Document', { Name: AUTOMATION_DOCUMENT_NAME });
    expect(Object.keys(regional.toJSON().Parameters ?? {})).toEqual([]);
  });

  it('says which context key is missing or of the wrong type', () => {
    const { 'orgpatch:organizationId': _, ...withoutOrg } = context;
    expect(() => createOrgPatchApp({ outdir: outdir(), context: withoutOrg })).toThrow(
      new OrgPatchingConfigError(
        'organizationId',
        'is required: set context "orgpatch:organizationId" in cdk.json or with cdk synth -c orgpatch:organizationId=...',
      ),
    );
    expect(() => createOrgPatchApp({ outdir: outdir(), context: { ...context, 'orgpatch:duration': 'five' } })).toThrow(
      'OrgPatching.duration: context "orgpatch:duration" must be a number, got "five".',
    );
  });
});

describe('a scheduled compliance snapshot', () => {
  it('is off by default: no compliance function and no schedule', () => {
    const { template } = synth();
    expect(JSON.stringify(template.findResources('AWS::Lambda::Function'))).not.toContain('compliance snapshot');
    template.resourceCountIs('AWS::Events::Rule', 0);
  });

  it('with complianceSchedule: a function on the orchestrator role, invoked on the schedule with the window payload', () => {
    const s = synth({ complianceSchedule: 'cron(0 6 * * ? *)' });
    const functions = Object.entries(s.template.findResources('AWS::Lambda::Function')).filter(([, f]) =>
      String(f.Properties.Description).includes('compliance snapshot'),
    );
    expect(functions).toHaveLength(1);
    const [id, fn] = functions[0] ?? [];
    expect(fn?.Properties.Role).toEqual({
      'Fn::GetAtt': [logicalIdOf(s.stack, s.orgPatching.orchestrator.role), 'Arn'],
    });
    const rules = Object.values(s.template.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(1);
    const rule = rules[0]?.Properties as { ScheduleExpression: string; Targets: { Arn: unknown; Input: string }[] };
    expect(rule.ScheduleExpression).toBe('cron(0 6 * * ? *)');
    expect(rule.Targets[0]?.Arn).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
    // The input is the window's payload: the same targets and Regions a run patches.
    const input = JSON.parse(rule.Targets[0]?.Input ?? '{}') as { Targets: unknown; Regions: string[] };
    expect(input.Targets).toEqual([{ Key: 'ResourceGroup', Values: expect.any(Array) }]);
    expect(input.Regions.length).toBeGreaterThan(0);
  });

  it('refuses a schedule that is not an EventBridge expression, naming the prop', () => {
    expect(() => synth({ complianceSchedule: '0 6 * * *' })).toThrow(OrgPatchingConfigError);
    expect(() => synth({ complianceSchedule: '0 6 * * *' })).toThrow(
      /OrgPatching\.complianceSchedule: must be an EventBridge schedule expression/,
    );
  });
});
