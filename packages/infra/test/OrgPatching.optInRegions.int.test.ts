import { isOptInRegion, partitionOf, REGIONS } from '@orgpatch/core';
import { memberTemplates } from '@orgpatch/member-stack';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { OU_DEV, OU_PROD, synth } from './fixtures.js';

// Each synthesis here skips bundling (aws:cdk:bundling-stacks = []): only the template matters.

interface StackSetResource {
  readonly logicalId: string;
  readonly properties: Record<string, unknown>;
  readonly dependsOn: readonly string[];
}

/** The member StackSets of a template, by StackSetName. */
function stackSets(template: Template): Map<string, StackSetResource> {
  const found = Object.entries(template.findResources('AWS::CloudFormation::StackSet'));
  return new Map(
    found.map(([logicalId, r]) => [
      r.Properties.StackSetName as string,
      { logicalId, properties: r.Properties, dependsOn: (r.DependsOn as string[] | undefined) ?? [] },
    ]),
  );
}

const targets = { DeploymentTargets: { OrganizationalUnitIds: [OU_DEV, OU_PROD] } };

describe('opt-in target Regions', () => {
  const { template, orgPatching } = synth({
    regions: ['us-east-1', 'af-south-1', 'eu-west-1', 'ap-east-1'],
    stackSetOperationPreferences: { maxConcurrentCount: 4, failureToleranceCount: 1 },
  });
  const sets = stackSets(template);

  it('keep the default-enabled Regions in one Regional StackSet, with the given preferences', () => {
    expect([...sets.keys()]).toEqual([
      'OrgPatch-Member-Global',
      'OrgPatch-Member-Regional',
      'OrgPatch-Member-Regional-af-south-1',
      'OrgPatch-Member-Regional-ap-east-1',
    ]);
    expect(sets.get('OrgPatch-Member-Regional')?.properties).toMatchObject({
      StackInstancesGroup: [{ ...targets, Regions: ['us-east-1', 'eu-west-1'] }],
      OperationPreferences: {
        MaxConcurrentCount: 4,
        FailureToleranceCount: 1,
        RegionConcurrencyType: 'PARALLEL',
        ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
      },
    });
  });

  it('give each opt-in Region its own StackSet, where every account may fail without stopping the operation', () => {
    for (const region of ['af-south-1', 'ap-east-1']) {
      const set = sets.get(`OrgPatch-Member-Regional-${region}`);
      expect(set?.properties).toMatchObject({
        PermissionModel: 'SERVICE_MANAGED',
        AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
        CallAs: 'SELF',
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        ManagedExecution: { Active: true },
        StackInstancesGroup: [{ ...targets, Regions: [region] }],
      });
      expect(set?.properties.OperationPreferences).toEqual({
        MaxConcurrentCount: 4,
        FailureTolerancePercentage: 100,
        RegionConcurrencyType: 'PARALLEL',
        ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
      });
      expect(JSON.parse(set?.properties.TemplateBody as string)).toEqual(memberTemplates().regional);
    }
  });

  it('roll each opt-in StackSet out after the roles and the default Regions, independent of the other opt-in ones', () => {
    const global = sets.get('OrgPatch-Member-Global')?.logicalId;
    const regional = sets.get('OrgPatch-Member-Regional')?.logicalId;
    expect(sets.get('OrgPatch-Member-Regional')?.dependsOn).toEqual([global]);
    expect(sets.get('OrgPatch-Member-Regional-af-south-1')?.dependsOn.toSorted()).toEqual(
      [global, regional].toSorted(),
    );
    expect(sets.get('OrgPatch-Member-Regional-ap-east-1')?.dependsOn.toSorted()).toEqual([global, regional].toSorted());
  });

  it('are still patched in every Region: the orchestrator skips an account without the Region as region-not-enabled', () => {
    expect(orgPatching.payload.request.regions).toEqual(['us-east-1', 'af-south-1', 'eu-west-1', 'ap-east-1']);
    expect(orgPatching.memberStackSets.optInRegional.size).toBe(2);
  });
});

describe('which Regions count as opt-in', () => {
  it("is core's Region table: every aws Region it marks opt-in gets its own StackSet, no other does", () => {
    const aws = REGIONS.filter((r) => partitionOf(r.code) === 'aws').map((r) => r.code);
    const { template } = synth({ regions: aws });
    const sets = stackSets(template);
    const optIn = aws.filter((r) => isOptInRegion(r));
    expect(optIn.length).toBeGreaterThan(0);
    expect([...sets.keys()].filter((n) => n.startsWith('OrgPatch-Member-Regional-')).toSorted()).toEqual(
      optIn.map((r) => `OrgPatch-Member-Regional-${r}`).toSorted(),
    );
    expect(sets.get('OrgPatch-Member-Regional')?.properties.StackInstancesGroup).toEqual([
      { ...targets, Regions: aws.filter((r) => !isOptInRegion(r)) },
    ]);
  });
});

describe('only opt-in target Regions', () => {
  const { template, orgPatching, stack } = synth({ regions: ['ap-east-1'] });
  const sets = stackSets(template);

  it('need no default-Regions StackSet, and keep the roles in the partition global Region', () => {
    expect([...sets.keys()]).toEqual(['OrgPatch-Member-Global', 'OrgPatch-Member-Regional-ap-east-1']);
    expect(orgPatching.memberStackSets.regional).toBeUndefined();
    expect(orgPatching.homeRegion).toBe('us-east-1');
    expect(sets.get('OrgPatch-Member-Global')?.properties.StackInstancesGroup).toEqual([
      { ...targets, Regions: ['us-east-1'] },
    ]);
    expect(sets.get('OrgPatch-Member-Regional-ap-east-1')?.dependsOn).toEqual([
      sets.get('OrgPatch-Member-Global')?.logicalId,
    ]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('the home Region of the roles', () => {
  it('is the first target Region every account has enabled, when the first one is opt-in', () => {
    const { orgPatching, template } = synth({ regions: ['af-south-1', 'eu-west-1'] });
    expect(orgPatching.homeRegion).toBe('eu-west-1');
    expect(stackSets(template).get('OrgPatch-Member-Global')?.properties.StackInstancesGroup).toEqual([
      { ...targets, Regions: ['eu-west-1'] },
    ]);
  });

  it('may be an opt-in Region if given, with a warning that accounts without it get no roles', () => {
    const { orgPatching, stack } = synth({ regions: ['us-east-1', 'af-south-1'], homeRegion: 'af-south-1' });
    expect(orgPatching.homeRegion).toBe('af-south-1');
    Annotations.fromStack(stack).hasWarning(
      '/OrgPatch/OrgPatching',
      Match.stringLikeRegexp('goes to af-south-1, an opt-in Region: accounts that have not enabled it get no roles'),
    );
  });
});

describe('the opt-in failure tolerance', () => {
  it('can be lowered for those who want an opt-in Region to stop at the first failures', () => {
    const { template } = synth({
      regions: ['us-east-1', 'me-south-1'],
      stackSetOperationPreferences: {
        optInRegionFailureTolerancePercentage: 20,
        concurrencyMode: 'STRICT_FAILURE_TOLERANCE',
      },
    });
    const sets = stackSets(template);
    expect(sets.get('OrgPatch-Member-Regional-me-south-1')?.properties.OperationPreferences).toEqual({
      MaxConcurrentPercentage: 25,
      FailureTolerancePercentage: 20,
      RegionConcurrencyType: 'PARALLEL',
      ConcurrencyMode: 'STRICT_FAILURE_TOLERANCE',
    });
    expect(sets.get('OrgPatch-Member-Regional')?.properties.OperationPreferences).toMatchObject({
      FailureTolerancePercentage: 10,
    });
  });
});
