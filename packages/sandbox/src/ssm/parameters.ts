import { AwsServiceError } from '../contract.js';
import { type AutomationModel, isListType } from './documentModel.js';
import { isRecord } from './requestCheck.js';

/**
 * Checks the parameters of StartAutomationExecution against the document's declarations, as SSM
 * does before it creates an execution, and returns them with the document defaults filled in.
 * `targetParameterName` is exempt from the required check: rate control fills it per target.
 * Failures are `InvalidAutomationExecutionParametersException`s in SSM's wording.
 */
export function resolveParameters(
  model: AutomationModel,
  supplied: Record<string, string[]>,
  targetParameterName: string | undefined,
): Record<string, string[]> {
  const declared = new Map(model.parameters.map((p) => [p.name, p]));
  const undefinedInputs = Object.keys(supplied).filter((name) => !declared.has(name));
  if (undefinedInputs.length > 0) {
    throw invalid(`Undefined execution inputs: [${undefinedInputs.join(', ')}].`);
  }
  if (targetParameterName !== undefined && !declared.has(targetParameterName)) {
    throw invalid(
      `TargetParameterName "${targetParameterName}" is not a parameter of the document; declared parameters: [${[...declared.keys()].join(', ')}].`,
    );
  }
  const resolved: Record<string, string[]> = {};
  for (const parameter of model.parameters) {
    const given = supplied[parameter.name];
    if (given === undefined) {
      if (parameter.default === undefined) {
        if (parameter.name === targetParameterName) continue;
        throw invalid(`Missing required parameter: ${parameter.name} in user inputs.`);
      }
      resolved[parameter.name] = defaultValues(parameter.default);
      continue;
    }
    checkValues(parameter.name, parameter.type, given, parameter);
    resolved[parameter.name] = given;
  }
  return resolved;
}

/** Checks one parameter's values against its declaration (also used for each rate-control target). */
export function checkValues(
  name: string,
  type: string,
  values: readonly string[],
  rules: { allowedValues?: readonly string[]; allowedPattern?: string; minItems?: number; maxItems?: number },
): void {
  if (!isListType(type) && values.length !== 1) {
    throw invalid(
      `Parameter "${name}" is of type ${type} and takes one value, but has ${values.length}: [${values.join(', ')}].`,
    );
  }
  if (isListType(type)) {
    if (rules.minItems !== undefined && values.length < rules.minItems) {
      throw invalid(`Parameter "${name}" has ${values.length} values, fewer than minItems ${rules.minItems}.`);
    }
    if (rules.maxItems !== undefined && values.length > rules.maxItems) {
      throw invalid(`Parameter "${name}" has ${values.length} values, more than maxItems ${rules.maxItems}.`);
    }
  }
  for (const value of values) {
    if (type === 'Integer' && !/^-?\d+$/.test(value)) {
      throw invalid(`Parameter "${name}" has value "${value}" which is not a valid Integer.`);
    }
    if (type === 'Boolean' && value !== 'true' && value !== 'false') {
      throw invalid(`Parameter "${name}" has value "${value}" which is not a valid Boolean.`);
    }
    if (type === 'AWS::IAM::Role::Arn' && !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(value)) {
      throw invalid(`Parameter "${name}" has value "${value}" which is not an IAM role ARN.`);
    }
    if (rules.allowedValues && !rules.allowedValues.includes(value)) {
      throw invalid(`Parameter "${name}" has value "${value}" not found in [${rules.allowedValues.join(', ')}].`);
    }
    if (rules.allowedPattern !== undefined && !new RegExp(rules.allowedPattern).test(value)) {
      throw invalid(`Parameter "${name}" has value "${value}" not matching "${rules.allowedPattern}".`);
    }
  }
}

/** What `{{ ... }}` can refer to while a step runs. */
export interface InterpolationScope {
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  /** Declared type per parameter name (list types substitute as lists). */
  readonly types: ReadonlyMap<string, string>;
  /** `automation:EXECUTION_ID`, `global:ACCOUNT_ID`, ... */
  readonly variables: Readonly<Record<string, string>>;
  /** Outputs of steps already run, keyed `StepName.OutputName`. */
  readonly stepOutputs: Readonly<Record<string, readonly string[]>>;
}

/**
 * Substitutes `{{ Name }}` references in a step's inputs. A string that is exactly one reference to
 * a list-typed parameter becomes the list; references inside longer strings are replaced by their
 * text (lists joined with commas), as Automation does.
 */
export function interpolate(value: unknown, scope: InterpolationScope): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([^{}]+?)\s*\}\}$/.exec(value);
    if (whole?.[1] !== undefined) {
      const name = whole[1];
      const values = lookup(name, scope);
      if (values === undefined) return value;
      const type = scope.types.get(name);
      if (type !== undefined && isListType(type)) return [...values];
      return values.length === 1 ? values[0] : [...values];
    }
    return value.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (match, name: string) => lookup(name, scope)?.join(',') ?? match);
  }
  if (Array.isArray(value))
    return value.flatMap((item) => {
      const resolved = interpolate(item, scope);
      // A list parameter placed as one element of a list expands into that list.
      return Array.isArray(resolved) && typeof item === 'string' ? resolved : [resolved];
    });
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, scope)]));
  }
  return value;
}

function lookup(name: string, scope: InterpolationScope): readonly string[] | undefined {
  const parameter = scope.parameters[name];
  if (parameter !== undefined) return parameter;
  const variable = scope.variables[name];
  if (variable !== undefined) return [variable];
  return scope.stepOutputs[name];
}

function defaultValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  if (typeof value === 'string') return [value];
  return [JSON.stringify(value)];
}

function invalid(message: string): AwsServiceError {
  return new AwsServiceError('InvalidAutomationExecutionParametersException', message);
}
