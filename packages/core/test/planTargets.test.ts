import { describe, expect, it } from 'vitest';
import { PayloadValidationError } from '../src/errors.js';
import {
  automationTarget,
  buildPlan,
  createRunRecord,
  type InventoryObservation,
  locationKey,
  type PatchRequest,
  type Plan,
  parsePayload,
  parseRunRecord,
  renderReportMarkdown,
  requiredInventory,
  targetLabels,
} from '../src/index.js';
import { toPayload } from '../src/payloadSerialize.js';
import { account, makeOrg, makeRequest } from './plan.fixtures.js';

const A = '222222222222';
const REGION = 'us-east-1';

/** The blog-shaped Organization payload, with the targets given. */
function payload(targets: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Targets: targets,
    Regions: [REGION],
    Organization: { Accounts: [A] },
    ...extra,
  };
}

function issues(raw: Record<string, unknown>) {
  try {
    parsePayload(raw);
  } catch (error) {
    if (error instanceof PayloadValidationError) return error.issues;
    throw error;
  }
  throw new Error('the payload was accepted');
}

const TAG_REQUEST: PatchRequest = parsePayload(payload([{ Key: 'tag:Patch', Values: ['true'] }]));

function planOne(request: PatchRequest, observation: InventoryObservation) {
  const plan = buildPlan({
    request,
    organization: makeOrg([account(A)], A),
    observations: new Map([[locationKey(A, REGION), observation]]),
  });
  const location = plan.locations.find((l) => l.region === REGION);
  if (!location) throw new Error('no location planned');
  return { plan, location };
}

/** A new run record of the plan, as startRun writes it before any start. */
function recordOf(request: PatchRequest, plan: Plan, runId: string) {
  return createRunRecord({
    runId,
    request,
    organization: makeOrg([account(A)], A),
    plan,
    snapshotId: '6f1c3c2e-4a7b-4a55-9d0e-1c2b3a4d5e6f',
    idempotencyKey: 'key',
    createdAt: new Date('2026-01-01T00:00:00Z'),
  });
}

describe('tag targets in the payload', () => {
  it('reads {"Key": "tag:Patch", "Values": ["true"]} as a tag target, and writes it back', () => {
    expect(TAG_REQUEST.targets).toEqual([{ key: 'tag:Patch', values: ['true'] }]);
    expect(TAG_REQUEST.resourceGroups).toEqual([]);
    expect(targetLabels(TAG_REQUEST)).toEqual(['tag:Patch=true']);
    expect(automationTarget(TAG_REQUEST, 'tag:Patch=true')).toEqual({ key: 'tag:Patch', values: ['true'] });
    expect(parsePayload(toPayload(TAG_REQUEST))).toEqual(TAG_REQUEST);
  });

  it('refuses tag-key, several values, an empty value and a tag mixed with groups, saying what to write', () => {
    const tagKey = issues(payload([{ Key: 'tag-key', Values: ['Patch'] }]));
    expect(tagKey[0]).toMatchObject({
      path: 'Targets[0].Key',
      message: expect.stringMatching(/"tag-key" is not accepted/),
    });
    expect(tagKey[0]?.hint).toContain('{"Key": "tag:<key>", "Values": ["<value>"]}');
    expect(issues(payload([{ Key: 'tag:Patch', Values: ['true', 'yes'] }]))[0]).toMatchObject({
      path: 'Targets[0].Values',
      message: 'A tag target takes exactly one value, got 2',
    });
    expect(issues(payload([{ Key: 'tag:Patch', Values: [''] }]))[0]?.path).toBe('Targets[0].Values[0]');
    expect(issues(payload([{ Key: 'tag:', Values: ['x'] }]))[0]?.message).toBe('Target key "tag:" names no tag');
    const mixed = issues(
      payload([
        { Key: 'tag:Patch', Values: ['true'] },
        { Key: 'ResourceGroup', Values: ['WebServers'] },
      ]),
    );
    expect(mixed[0]).toMatchObject({ path: 'Targets', message: expect.stringMatching(/mixes a tag target/) });
  });

  it("refuses a tag target with another document than orgpatch's, whose TargetType it cannot vouch for", () => {
    const blog = issues(
      payload([{ Key: 'tag:Patch', Values: ['true'] }], {
        Document: { Name: 'CustomAutomationDocument', Parameters: { Operation: ['Scan'] } },
      }),
    );
    expect(blog[0]?.path).toBe('Document.Name');
    expect(blog[0]?.message).toMatch(/TargetType \/AWS::EC2::Instance/);
  });

  it('keeps the blog payload (ResourceGroup targets) as it was', () => {
    const request = parsePayload(payload([{ Key: 'ResourceGroup', Values: ['WebServers', 'DbServers'] }]));
    expect(request.resourceGroups).toEqual(['WebServers', 'DbServers']);
    expect(targetLabels(request)).toEqual(['WebServers', 'DbServers']);
    expect(automationTarget(request, 'DbServers')).toEqual({ key: 'ResourceGroup', values: ['DbServers'] });
  });
});

describe('buildPlan: groups that hold resources other than instances', () => {
  const request = makeRequest({ resourceGroups: ['WebServers'], regions: [REGION] });

  it('fails the location with group-has-non-instances, naming the group, the members by type and the fix', () => {
    const { plan, location } = planOne(request, {
      kind: 'groups',
      groups: [
        {
          name: 'WebServers',
          exists: true,
          instanceIds: ['i-1', 'i-2', 'mi-3'],
          otherMembers: { 'AWS::EC2::Volume': 2, 'AWS::EC2::SecurityGroup': 1 },
        },
      ],
    });
    expect(location.decision).toEqual({
      action: 'fail',
      code: 'group-has-non-instances',
      message:
        'Resource group "WebServers" holds 3 instances and 3 other resources (1 AWS::EC2::SecurityGroup, 2 AWS::EC2::Volume) in account 222222222222, us-east-1: ' +
        'SSM Automation starts a child automation for every member of a ResourceGroup target, and the child of each resource that is not an instance fails ' +
        '(InstanceIds gets that resource\'s id) and counts against MaxErrors "1", so nothing is started here. ' +
        'Make the group a tag-based query with ResourceTypeFilters ["AWS::EC2::Instance"] (add "AWS::SSM::ManagedInstance" for hybrid nodes), ' +
        'or target a tag instead: {"Key": "tag:<key>", "Values": ["<value>"]}',
    });
    expect(plan.counts).toMatchObject({ start: 0, fail: 1, instances: 0 });
  });

  it('does not start a clean group beside one that holds other resources', () => {
    const twoGroups = makeRequest({ resourceGroups: ['WebServers', 'DbServers'], regions: [REGION] });
    const { location } = planOne(twoGroups, {
      kind: 'groups',
      groups: [
        { name: 'WebServers', exists: true, instanceIds: ['i-1'] },
        { name: 'DbServers', exists: true, instanceIds: ['i-2'], otherMembers: { 'AWS::EC2::NetworkInterface': 1 } },
      ],
    });
    expect(location.decision.action).toBe('fail');
    if (location.decision.action === 'fail') {
      expect(location.decision.message).toMatch(
        /^Resource group "DbServers" holds 1 instance and 1 other resource \(1 AWS::EC2::NetworkInterface\)/,
      );
    }
  });

  it('skips a group that holds other resources but no instance, and says what it holds', () => {
    const { location } = planOne(request, {
      kind: 'groups',
      groups: [{ name: 'WebServers', exists: true, instanceIds: [], otherMembers: { 'AWS::EC2::Volume': 2 } }],
    });
    expect(location.decision).toEqual({
      action: 'skip',
      reason: 'no-instances',
      detail: 'WebServers (2 AWS::EC2::Volume) hold no instances',
    });
  });

  it('tells the report why: the failure message is the location reason', () => {
    const { plan } = planOne(request, {
      kind: 'groups',
      groups: [{ name: 'WebServers', exists: true, instanceIds: ['i-1'], otherMembers: { 'AWS::EC2::Volume': 1 } }],
    });
    const record = recordOf(request, plan, 'run-targets-1');
    const markdown = renderReportMarkdown(record);
    expect(markdown).toContain('holds 1 instance and 1 other resource (1 AWS::EC2::Volume)');
    expect(markdown).toContain('a tag-based query with ResourceTypeFilters');
  });
});

describe('buildPlan: a tag target', () => {
  it('starts where managed EC2 instances carry the tag, under the tag label', () => {
    const { location } = planOne(TAG_REQUEST, {
      kind: 'groups',
      groups: [{ name: 'tag:Patch=true', exists: true, instanceIds: ['i-1', 'i-2'] }],
    });
    expect(location.decision).toEqual({ action: 'start', groups: ['tag:Patch=true'] });
    expect(location.instanceCount).toBe(2);
  });

  it('skips an empty Region with no-instances and says which tag it looked for', () => {
    const { location } = planOne(TAG_REQUEST, {
      kind: 'groups',
      groups: [{ name: 'tag:Patch=true', exists: true, instanceIds: [] }],
    });
    expect(location.decision).toEqual({
      action: 'skip',
      reason: 'no-instances',
      detail: 'no managed EC2 instance carries tag Patch=true here',
    });
  });

  it('says when hybrid nodes carry the tag, which a tag target does not reach', () => {
    const { location } = planOne(TAG_REQUEST, {
      kind: 'groups',
      groups: [{ name: 'tag:Patch=true', exists: true, instanceIds: ['i-1'], hybridNodeIds: ['mi-1', 'mi-2'] }],
    });
    expect(location.decision).toMatchObject({ action: 'start', groups: ['tag:Patch=true'] });
    if (location.decision.action === 'start') {
      expect(location.decision.detail).toMatch(/^2 hybrid nodes with the tag are not reached by a tag target/);
    }
  });

  it('inspects the same locations as for groups, and records a tag request that reads back', () => {
    const org = makeOrg([account(A)], A);
    expect(requiredInventory({ request: TAG_REQUEST, organization: org })).toEqual([{ accountId: A, region: REGION }]);
    const { plan } = planOne(TAG_REQUEST, {
      kind: 'groups',
      groups: [{ name: 'tag:Patch=true', exists: true, instanceIds: ['i-1'], hybridNodeIds: ['mi-1'] }],
    });
    const record = recordOf(TAG_REQUEST, plan, 'run-targets-2');
    expect(parseRunRecord(JSON.parse(JSON.stringify(record)), 'test', { runId: 'run-targets-2' })).toEqual(record);
  });
});
