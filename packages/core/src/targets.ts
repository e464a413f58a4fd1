import type { PatchRequest, TargetSpec } from './request.js';

/**
 * What a request targets in each location, in the words the plan, the record and the start use: a
 * location's starts go by a label, the resource group's name or the tag target's `tag:Key=Value`
 * (which no group name can be: group names have no `:` or `=`).
 */

/** A tag target: the tag key (without `tag:`) and the one value SSM Automation matches. */
export interface TagTarget {
  readonly key: string;
  readonly value: string;
}

/** The key and values of one StartAutomationExecution target, as SSM takes them. */
export interface AutomationTarget {
  readonly key: string;
  readonly values: readonly string[];
}

/** The request's tag target, if it targets a tag rather than resource groups. */
export function tagTargetOf(request: { readonly targets: readonly TargetSpec[] }): TagTarget | undefined {
  const target = request.targets.find((t) => t.key.startsWith('tag:'));
  const value = target?.values[0];
  return target === undefined || value === undefined ? undefined : { key: target.key.slice(4), value };
}

/** The label of a tag target in plans, records and reports: `tag:Patch=true`. */
export function tagTargetLabel(tag: TagTarget): string {
  return `tag:${tag.key}=${tag.value}`;
}

/** The labels a request's starts go by in each location: its resource groups, or its tag target's label. */
export function targetLabels(request: Pick<PatchRequest, 'targets' | 'resourceGroups'>): readonly string[] {
  const tag = tagTargetOf(request);
  return tag === undefined ? request.resourceGroups : [tagTargetLabel(tag)];
}

/**
 * The StartAutomationExecution target of the start labelled `label`: its tag target, or the
 * resource group of that name.
 *
 * @example
 * automationTarget(request, 'WebServers'); // { key: 'ResourceGroup', values: ['WebServers'] }
 */
export function automationTarget(request: Pick<PatchRequest, 'targets'>, label: string): AutomationTarget {
  const tag = tagTargetOf(request);
  if (tag !== undefined && label === tagTargetLabel(tag)) return { key: `tag:${tag.key}`, values: [tag.value] };
  return { key: 'ResourceGroup', values: [label] };
}
