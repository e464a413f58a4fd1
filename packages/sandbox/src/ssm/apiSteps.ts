import { AwsServiceError } from '../contract.js';
import type { StepDeclaration } from './documentModel.js';
import { isRecord } from './requestCheck.js';

/**
 * The automation actions that call AWS APIs or choose the next step, as the member runbook uses
 * them (Systems Manager User Guide, "Systems Manager Automation actions reference"): aws:branch on
 * a parameter (`Choices` with `Variable` and `StringEquals`, `Default`), aws:executeAwsApi (the
 * API's inputs beside `Service` and `Api`, `outputs` selected by JSONPath) and
 * aws:waitForAwsResourceProperty (polls until every value `PropertySelector` selects is one of
 * `DesiredValues`, or the step times out). Only the JSONPath forms `$.A.B`, `$.A[0].B`, `$.A[*].B`
 * and `$.A..B` are read.
 */

/** Calls a sandbox API as the execution's role would: the service namespace, the operation, its input. */
export type AwsApiCall = (
  service: string,
  api: string,
  input: Record<string, unknown>,
  at: { readonly accountId: string; readonly region: string },
) => unknown;

/** Simulated time one API call of a step takes. */
export const API_STEP_MS = 1_000;
/** Simulated time between two polls of aws:waitForAwsResourceProperty. */
export const WAIT_POLL_MS = 15_000;

const CONTROL_INPUTS = new Set(['Service', 'Api', 'PropertySelector', 'DesiredValues']);

/** The step aws:branch goes to: the first choice whose variable equals its value, else Default. */
export function branchTarget(inputs: Record<string, unknown>): string | undefined {
  const choices = Array.isArray(inputs.Choices) ? inputs.Choices.filter(isRecord) : [];
  const chosen = choices.find((c) => 'StringEquals' in c && String(c.Variable) === String(c.StringEquals));
  const next = chosen?.NextStep ?? inputs.Default;
  return typeof next === 'string' ? next : undefined;
}

/** Values a JSONPath of the supported forms selects in `value`. */
export function select(value: unknown, selector: string): unknown[] {
  const tokens = selector.replace(/^\$/, '').match(/\.\.[A-Za-z0-9_]+|\.[A-Za-z0-9_]+|\[\d+\]|\[\*\]/g) ?? [];
  let current: unknown[] = [value];
  for (const token of tokens) {
    if (token.startsWith('..')) {
      const key = token.slice(2);
      current = current.flatMap((v) => descendants(v, key));
    } else if (token === '[*]') {
      current = current.flatMap((v) => (Array.isArray(v) ? v : []));
    } else if (token.startsWith('[')) {
      const index = Number(token.slice(1, -1));
      current = current.flatMap((v) => (Array.isArray(v) && index < v.length ? [v[index]] : []));
    } else {
      const key = token.slice(1);
      current = current.flatMap((v) => (isRecord(v) && key in v ? [v[key]] : []));
    }
  }
  return current;
}

function descendants(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => descendants(v, key));
  if (!isRecord(value)) return [];
  return [...(key in value ? [value[key]] : []), ...Object.values(value).flatMap((v) => descendants(v, key))];
}

/** What an API step ended with. */
export interface ApiStepResult {
  readonly status: 'Success' | 'Failed';
  readonly failureMessage?: string;
  readonly outputs?: Record<string, string[]>;
}

/** The message SSM gives a step whose API call failed, in boto3's words. */
function apiFailure(api: string, error: unknown): ApiStepResult {
  if (!(error instanceof AwsServiceError)) throw error;
  return {
    status: 'Failed',
    failureMessage: `An error occurred (${error.code}) when calling the ${api} operation: ${error.message}`,
  };
}

function callOf(call: AwsApiCall | undefined, inputs: Record<string, unknown>, at: Parameters<AwsApiCall>[3]) {
  const service = String(inputs.Service ?? '');
  const api = String(inputs.Api ?? '');
  const input = Object.fromEntries(Object.entries(inputs).filter(([k]) => !CONTROL_INPUTS.has(k)));
  return {
    api,
    run: (): unknown => {
      if (!call) throw new AwsServiceError('UnknownOperationException', `${service}:${api} is not simulated.`);
      return call(service, api, input, at);
    },
  };
}

/** Runs an aws:executeAwsApi step: the call, then its declared outputs selected from the response. */
export function executeAwsApi(
  call: AwsApiCall | undefined,
  declaration: StepDeclaration,
  inputs: Record<string, unknown>,
  at: Parameters<AwsApiCall>[3],
): ApiStepResult {
  const { api, run } = callOf(call, inputs, at);
  let response: unknown;
  try {
    response = run();
  } catch (error) {
    return apiFailure(api, error);
  }
  const outputs: Record<string, string[]> = {};
  for (const output of declaration.outputs) {
    const values = select(response, output.selector).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    outputs[output.name] = output.type === 'StringList' ? values : values.slice(0, 1);
  }
  return { status: 'Success', outputs };
}

/**
 * One poll of an aws:waitForAwsResourceProperty step: Success when the selector finds values and all
 * are desired, undefined to poll again, Failed when the call fails. **Not settled by AWS's pages:**
 * that every selected value (not just one) must be desired; the sandbox requires every one.
 */
export function pollAwsResourceProperty(
  call: AwsApiCall | undefined,
  inputs: Record<string, unknown>,
  at: Parameters<AwsApiCall>[3],
): ApiStepResult | undefined {
  const { api, run } = callOf(call, inputs, at);
  let response: unknown;
  try {
    response = run();
  } catch (error) {
    return apiFailure(api, error);
  }
  const desired = Array.isArray(inputs.DesiredValues) ? inputs.DesiredValues.map(String) : [];
  const values = select(response, String(inputs.PropertySelector ?? '$')).map(String);
  return values.length > 0 && values.every((v) => desired.includes(v)) ? { status: 'Success' } : undefined;
}
