import type { GroupObservation, Location } from './inventory.js';
import type { PlanDecision } from './planModel.js';
import type { PatchRequest } from './request.js';
import { type TagTarget, tagTargetLabel, tagTargetOf } from './targets.js';

/**
 * The plan's decision for a location whose targets inventory could read: what the target resource
 * groups (or the tag target) hold there decides start, skip or fail. Pure.
 */

/** A location's decision with what its targets held and how many distinct instances that is. */
export interface TargetVerdict {
  readonly decision: PlanDecision;
  readonly groups: readonly GroupObservation[];
  readonly instanceCount: number;
}

/** The resource types whose members a ResourceGroup target can patch: EC2 instances and hybrid nodes. */
const INSTANCE_TYPES = ['AWS::EC2::Instance', 'AWS::SSM::ManagedInstance'];

/**
 * Decides a location from the target observations inventory reported there.
 *
 * Resource groups (in request order; one inventory did not report does not exist):
 * - none exists: skip `groups-missing`; none holds an instance: skip `no-instances`;
 * - a group that holds instances also holds other resources (volumes, security groups, ...): fail
 *   `group-has-non-instances`. SSM Automation starts a child for every member of a ResourceGroup
 *   target, and the children of the other members fail, counting against MaxErrors, so such a
 *   group is never started;
 * - otherwise start with the groups that hold instances.
 *
 * A tag target: skip `no-instances` when no managed EC2 instance carries the tag, else start.
 */
export function decideTargets(
  request: PatchRequest,
  location: Location,
  observed: readonly GroupObservation[],
): TargetVerdict {
  const reported = new Map(observed.map((g) => [g.name, g]));
  const tag = tagTargetOf(request);
  return tag === undefined ? decideGroups(request, location, reported) : decideTag(tag, reported);
}

function decideGroups(
  request: PatchRequest,
  location: Location,
  reported: ReadonlyMap<string, GroupObservation>,
): TargetVerdict {
  const groups: GroupObservation[] = request.resourceGroups.map(
    (name) => reported.get(name) ?? { name, exists: false, instanceIds: [] },
  );
  const existing = groups.filter((g) => g.exists);
  const missing = groups.filter((g) => !g.exists).map((g) => g.name);
  if (existing.length === 0) {
    return skip('groups-missing', `no target group exists here (${missing.join(', ')})`, groups);
  }
  const withInstances = existing.filter((g) => g.instanceIds.length > 0);
  const unsafe = withInstances.filter((g) => otherMemberCount(g) > 0);
  if (unsafe.length > 0) {
    return {
      decision: {
        action: 'fail',
        code: 'group-has-non-instances',
        message: nonInstanceMessage(request, location, unsafe),
      },
      groups,
      instanceCount: 0,
    };
  }
  const instanceCount = new Set(existing.flatMap((g) => g.instanceIds)).size;
  const empty = existing.filter((g) => g.instanceIds.length === 0).map(describeEmpty);
  const missingNote = missing.length > 0 ? `missing here: ${missing.join(', ')}` : undefined;
  if (instanceCount === 0) {
    return skip(
      'no-instances',
      [`${empty.join(', ')} hold no instances`, missingNote].filter(isText).join('; '),
      groups,
    );
  }
  const notes = [empty.length > 0 ? `empty here: ${empty.join(', ')}` : undefined, missingNote].filter(isText);
  return {
    decision: {
      action: 'start',
      groups: withInstances.map((g) => g.name),
      ...(notes.length > 0 ? { detail: notes.join('; ') } : {}),
    },
    groups,
    instanceCount,
  };
}

function decideTag(tag: TagTarget, reported: ReadonlyMap<string, GroupObservation>): TargetVerdict {
  const label = tagTargetLabel(tag);
  const observed = reported.get(label) ?? { name: label, exists: true, instanceIds: [] };
  const groups = [observed];
  const hybrid = observed.hybridNodeIds?.length ?? 0;
  const hybridNote =
    hybrid > 0
      ? `${count(hybrid, 'hybrid node')} with the tag ${hybrid === 1 ? 'is' : 'are'} not reached by a tag target (the document's TargetType is /AWS::EC2::Instance): put hybrid nodes in a resource group to patch them`
      : undefined;
  const instanceCount = new Set(observed.instanceIds).size;
  if (instanceCount === 0) {
    const detail = [`no managed EC2 instance carries tag ${tag.key}=${tag.value} here`, hybridNote].filter(isText);
    return skip('no-instances', detail.join('; '), groups);
  }
  return {
    decision: { action: 'start', groups: [label], ...(hybridNote === undefined ? {} : { detail: hybridNote }) },
    groups,
    instanceCount,
  };
}

/**
 * Why a location whose groups hold other resources is not started, naming each group and what it
 * holds, and the two ways out.
 */
function nonInstanceMessage(request: PatchRequest, location: Location, unsafe: readonly GroupObservation[]): string {
  const held = unsafe
    .map(
      (g) =>
        `"${g.name}" holds ${count(g.instanceIds.length, 'instance')} and ${count(otherMemberCount(g), 'other resource')} (${describeOthers(g)})`,
    )
    .join('; ');
  const them = unsafe.length === 1 ? 'the group' : 'each group';
  return (
    `Resource group ${held} in account ${location.accountId}, ${location.region}: SSM Automation starts a child automation for every member of a ResourceGroup target, ` +
    `and the child of each resource that is not an instance fails (${request.targetParameterName} gets that resource's id) and counts against MaxErrors "${request.maxErrors.raw}", so nothing is started here. ` +
    `Make ${them} a tag-based query with ResourceTypeFilters ["AWS::EC2::Instance"] (add "AWS::SSM::ManagedInstance" for hybrid nodes), ` +
    `or target a tag instead: {"Key": "tag:<key>", "Values": ["<value>"]}`
  );
}

function otherMemberCount(group: GroupObservation): number {
  return Object.entries(group.otherMembers ?? {})
    .filter(([type]) => !INSTANCE_TYPES.includes(type))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** `2 AWS::EC2::Volume, 1 AWS::EC2::SecurityGroup`, by type name. */
function describeOthers(group: GroupObservation): string {
  return Object.entries(group.otherMembers ?? {})
    .filter(([type, n]) => n > 0 && !INSTANCE_TYPES.includes(type))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
}

/** A group without instances, with what else it holds: `Storage (2 AWS::EC2::Volume)`. */
function describeEmpty(group: GroupObservation): string {
  return otherMemberCount(group) > 0 ? `${group.name} (${describeOthers(group)})` : group.name;
}

function skip(reason: 'groups-missing' | 'no-instances', detail: string, groups: readonly GroupObservation[]) {
  return { decision: { action: 'skip', reason, detail } as const, groups, instanceCount: 0 };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function isText(value: string | undefined): value is string {
  return value !== undefined;
}
