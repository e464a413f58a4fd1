import { AUTOMATION_STATUSES } from '@orgpatch/core';
import { AwsServiceError } from '../contract.js';
import type { AutomationEngine, Execution, LocationState } from './engine.js';
import { currentStep, executionDetail, executionMetadata, stepExecutions } from './executionViews.js';
import { decodeToken, encodeToken } from './paging.js';
import { RequestCheck } from './requestCheck.js';

const STATUSES: readonly string[] = AUTOMATION_STATUSES;
const EXECUTION_FILTER_KEYS = new Set([
  'DocumentNamePrefix',
  'ExecutionStatus',
  'ExecutionId',
  'ParentExecutionId',
  'CurrentAction',
  'StartTimeBefore',
  'StartTimeAfter',
  'AutomationType',
  'TagKey',
  'TargetResourceGroup',
  'AutomationSubtype',
  'OpsItemId',
]);
const STEP_FILTER_KEYS = new Set([
  'StartTimeBefore',
  'StartTimeAfter',
  'StepName',
  'Action',
  'StepExecutionId',
  'StepExecutionStatus',
  'ParentStepExecutionId',
  'ParentStepIteration',
  'ParentStepIteratorValue',
]);
const EXECUTION_ID = { minLength: 36, maxLength: 36 };

/** GetAutomationExecution. */
export function getAutomationExecution(
  engine: AutomationEngine,
  location: LocationState,
  input: Record<string, unknown>,
): unknown {
  const check = new RequestCheck(input);
  const id = check.string('AutomationExecutionId', { required: true, ...EXECUTION_ID });
  check.done();
  return { AutomationExecution: executionDetail(engine, requireExecution(engine, location, id ?? '')) };
}

/** StopAutomationExecution. */
export function stopAutomationExecution(
  engine: AutomationEngine,
  location: LocationState,
  input: Record<string, unknown>,
): unknown {
  const check = new RequestCheck(input);
  const id = check.string('AutomationExecutionId', { required: true, ...EXECUTION_ID });
  const type = check.string('Type', { enum: ['Complete', 'Cancel'] });
  check.done();
  engine.stop(requireExecution(engine, location, id ?? ''), type === 'Complete' ? 'Complete' : 'Cancel');
  return {};
}

/**
 * DescribeAutomationExecutions, newest first. Like SSM, each call examines at most MaxResults
 * executions and returns those that match the filters, so a page can be empty and still carry a
 * NextToken; a page that comes back exactly full carries a NextToken too, even when nothing follows.
 */
export function describeAutomationExecutions(
  engine: AutomationEngine,
  location: LocationState,
  input: Record<string, unknown>,
): unknown {
  const check = new RequestCheck(input);
  const filterItems = check.objectList('Filters', { minItems: 1, maxItems: 10 }) ?? [];
  const maxResults = check.integer('MaxResults', { min: 1, max: 50 }) ?? 50;
  const nextToken = check.string('NextToken');
  const filters = checkedFilters(check, filterItems, EXECUTION_FILTER_KEYS, 'DescribeAutomationExecutions');
  const predicates = filters.map((filter) => executionPredicate(filter.key, filter.values));
  const candidates = candidateExecutions(engine, location, filters);
  const query = filters;
  const cursor = nextToken === undefined ? Number.POSITIVE_INFINITY : decodeToken(nextToken, query);

  // Candidates are in ascending creation order; walk them newest first from the cursor.
  let index = lastIndexBelow(candidates, cursor);
  const page: Record<string, unknown>[] = [];
  let scanned = 0;
  let lastSeq = cursor;
  while (index >= 0 && scanned < maxResults) {
    const execution = candidates[index];
    index--;
    if (!execution) continue;
    scanned++;
    lastSeq = execution.seq;
    if (predicates.every((matches) => matches(execution))) page.push(executionMetadata(execution));
  }
  const more = index >= 0 || (page.length === maxResults && scanned === maxResults);
  return {
    AutomationExecutionMetadataList: page,
    NextToken: more ? encodeToken(lastSeq, query) : undefined,
  };
}

/**
 * Reads a Filters list (Key plus 1-10 Values of at most 150 characters, as the SSM model bounds
 * them), finishes the request check, then refuses a key the operation does not know with
 * InvalidFilterKey, as SSM does.
 */
function checkedFilters(
  check: RequestCheck,
  filterItems: readonly Record<string, unknown>[],
  allowed: ReadonlySet<string>,
  operation: string,
): { key: string; values: string[] }[] {
  const filters = filterItems.map((filter, index) => ({
    key: check.checkNested(filter.Key, `filters.${index + 1}.member.key`, { required: true }) ?? '',
    values: check.checkNestedList(filter.Values, `filters.${index + 1}.member.values`, {
      minItems: 1,
      maxItems: 10,
      maxLength: 150,
    }),
  }));
  check.done();
  for (const filter of filters) {
    if (!allowed.has(filter.key)) {
      throw new AwsServiceError('InvalidFilterKey', `The filter key ${filter.key} is not valid for ${operation}.`);
    }
  }
  return filters;
}

/** DescribeAutomationStepExecutions. */
export function describeAutomationStepExecutions(
  engine: AutomationEngine,
  location: LocationState,
  input: Record<string, unknown>,
): unknown {
  const check = new RequestCheck(input);
  const id = check.string('AutomationExecutionId', { required: true, ...EXECUTION_ID });
  const filterItems = check.objectList('Filters', { minItems: 1, maxItems: 6 }) ?? [];
  const maxResults = check.integer('MaxResults', { min: 1, max: 50 }) ?? 50;
  const nextToken = check.string('NextToken');
  const reverse = check.boolean('ReverseOrder') ?? false;
  const filters = checkedFilters(check, filterItems, STEP_FILTER_KEYS, 'DescribeAutomationStepExecutions');
  const execution = requireExecution(engine, location, id ?? '');
  let steps = stepExecutions(engine, execution).filter((step) =>
    filters.every((f) => stepMatches(step, f.key, f.values)),
  );
  if (reverse) steps = steps.reverse();
  const query = { id, filters, reverse };
  const offset = nextToken === undefined ? 0 : decodeToken(nextToken, query);
  const page = steps.slice(offset, offset + maxResults);
  const next = offset + maxResults;
  return { StepExecutions: page, NextToken: next < steps.length ? encodeToken(next, query) : undefined };
}

function requireExecution(engine: AutomationEngine, location: LocationState, id: string): Execution {
  const execution = engine.find(location, id);
  if (!execution) {
    throw new AwsServiceError(
      'AutomationExecutionNotFoundException',
      `There is no AutomationExecution with id ${id} in account ${location.accountId} Region ${location.region.region}.`,
    );
  }
  return execution;
}

/** The executions a query can match, ascending by creation: narrowed by ExecutionId or ParentExecutionId when given. */
function candidateExecutions(
  engine: AutomationEngine,
  location: LocationState,
  filters: readonly { readonly key: string; readonly values: readonly string[] }[],
): readonly Execution[] {
  const ids = filters.find((f) => f.key === 'ExecutionId');
  if (ids) return sortBySeq(ids.values.map((id) => engine.find(location, id)));
  const parents = filters.find((f) => f.key === 'ParentExecutionId');
  if (parents) {
    const children = parents.values.flatMap((id) => engine.find(location, id)?.rc?.children ?? []);
    return parents.values.length === 1 ? children : sortBySeq(children);
  }
  return location.executions;
}

function sortBySeq(executions: readonly (Execution | undefined)[]): Execution[] {
  return [...new Set(executions.filter((e): e is Execution => e !== undefined))].sort((a, b) => a.seq - b.seq);
}

/** Index of the last execution whose seq is below `cursor` (binary search; seqs ascend). */
function lastIndexBelow(executions: readonly Execution[], cursor: number): number {
  let low = 0;
  let high = executions.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const seq = executions[mid]?.seq ?? Number.POSITIVE_INFINITY;
    if (seq < cursor) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found;
}

function executionPredicate(key: string, values: readonly string[]): (execution: Execution) => boolean {
  switch (key) {
    case 'ExecutionId':
      return (e) => values.includes(e.id);
    case 'ParentExecutionId':
      return (e) => e.parent !== undefined && values.includes(e.parent.id);
    case 'DocumentNamePrefix':
      return (e) => values.some((prefix) => e.plan.document.name.startsWith(prefix));
    case 'ExecutionStatus': {
      const invalid = values.filter((v) => !STATUSES.includes(v));
      if (invalid.length > 0) {
        throw new AwsServiceError(
          'InvalidFilterValue',
          `ExecutionStatus values [${invalid.join(', ')}] are not valid statuses.`,
        );
      }
      return (e) => values.includes(e.status);
    }
    case 'CurrentAction':
      return (e) => {
        const action = currentStep(e)?.action;
        return action !== undefined && values.includes(action);
      };
    case 'StartTimeBefore': {
      const limit = timeValue(key, values);
      return (e) => e.startTime <= limit;
    }
    case 'StartTimeAfter': {
      const limit = timeValue(key, values);
      return (e) => e.startTime >= limit;
    }
    case 'AutomationType': {
      const invalid = values.filter((v) => v !== 'Local' && v !== 'CrossAccount');
      if (invalid.length > 0) {
        throw new AwsServiceError(
          'InvalidFilterValue',
          `AutomationType values [${invalid.join(', ')}] are not valid; use Local or CrossAccount.`,
        );
      }
      return () => values.includes('Local');
    }
    case 'TagKey':
      return (e) => (e.parent ?? e).plan.tags?.some((tag) => values.includes(tag.Key)) === true;
    case 'TargetResourceGroup':
      return (e) =>
        e.rc !== undefined &&
        e.plan.targets?.some((t) => t.Key === 'ResourceGroup' && t.Values.some((v) => values.includes(v))) === true;
    default:
      // AutomationSubtype and OpsItemId: the sandbox runs no change requests or OpsItem automations.
      return () => false;
  }
}

function stepMatches(step: Record<string, unknown>, key: string, values: readonly string[]): boolean {
  switch (key) {
    case 'StepName':
      return values.includes(String(step.StepName));
    case 'Action':
      return values.includes(String(step.Action));
    case 'StepExecutionId':
      return values.includes(String(step.StepExecutionId));
    case 'StepExecutionStatus':
      return values.some((v) => v.toLowerCase() === String(step.StepStatus).toLowerCase());
    case 'StartTimeBefore':
      return typeof step.ExecutionStartTime === 'number' && step.ExecutionStartTime * 1000 <= timeValue(key, values);
    case 'StartTimeAfter':
      return typeof step.ExecutionStartTime === 'number' && step.ExecutionStartTime * 1000 >= timeValue(key, values);
    default:
      // Parent step filters apply to loop iterations, which the sandbox does not run.
      return false;
  }
}

/** A filter time value: ISO 8601 (e.g. 2024-01-01T00:00:00Z) or epoch seconds. */
function timeValue(key: string, values: readonly string[]): number {
  const value = values[0] ?? '';
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (values.length !== 1 || Number.isNaN(ms)) {
    throw new AwsServiceError(
      'InvalidFilterValue',
      `${key} takes one time value in ISO 8601 form, e.g. 2024-01-01T00:00:00Z; got [${values.join(', ')}].`,
    );
  }
  return ms;
}
