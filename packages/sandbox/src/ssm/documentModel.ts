import { isRecord } from './requestCheck.js';

/** One declared parameter of an SSM document (schema 0.3 `parameters` entry). */
export interface ParameterDeclaration {
  readonly name: string;
  /** String, StringList, Integer, Boolean, MapList, StringMap, AWS::IAM::Role::Arn, List<...>, ... */
  readonly type: string;
  readonly description?: string;
  /** The default as given in the document; `undefined` when the parameter is required. */
  readonly default?: unknown;
  readonly allowedValues?: readonly string[];
  readonly allowedPattern?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
}

/** One step of `mainSteps`. */
export interface StepDeclaration {
  readonly name: string;
  readonly action: string;
  readonly inputs: Record<string, unknown>;
  readonly onFailure: string;
  readonly timeoutSeconds?: number;
  readonly maxAttempts: number;
  readonly isEnd: boolean;
  readonly isCritical: boolean;
  readonly nextStep?: string;
  /** aws:executeAwsApi outputs: name, JSONPath selector, String or StringList. */
  readonly outputs: readonly { readonly name: string; readonly selector: string; readonly type: string }[];
}

/** What the automation engine reads from a schema 0.3 document. */
export interface AutomationModel {
  readonly description?: string;
  readonly assumeRole?: string;
  readonly parameters: readonly ParameterDeclaration[];
  readonly steps: readonly StepDeclaration[];
  /** Document outputs, e.g. `PatchInstances.CommandId`. */
  readonly outputs: readonly string[];
}

const models = new WeakMap<Record<string, unknown>, AutomationModel>();

/** Reads (and caches per content object) the parts of a document the sandbox interprets. */
export function automationModel(content: Record<string, unknown>): AutomationModel {
  const cached = models.get(content);
  if (cached) return cached;
  const model: AutomationModel = {
    description: typeof content.description === 'string' ? content.description : undefined,
    assumeRole: typeof content.assumeRole === 'string' ? content.assumeRole : undefined,
    parameters: readParameters(content.parameters),
    steps: readSteps(content.mainSteps),
    outputs: Array.isArray(content.outputs) ? content.outputs.filter((o): o is string => typeof o === 'string') : [],
  };
  models.set(content, model);
  return model;
}

/** True for parameter types that take a list of values. */
export function isListType(type: string): boolean {
  return type === 'StringList' || type === 'MapList' || type.startsWith('List<');
}

/** The `{{ ... }}` references in a JSON value, trimmed (e.g. `InstanceIds`, `automation:EXECUTION_ID`). */
export function references(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') {
    for (const match of value.matchAll(/\{\{\s*([^{}]+?)\s*\}\}/g)) {
      if (match[1] !== undefined) into.add(match[1]);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) references(item, into);
  } else if (isRecord(value)) {
    for (const item of Object.values(value)) references(item, into);
  }
  return into;
}

function readParameters(raw: unknown): ParameterDeclaration[] {
  if (!isRecord(raw)) return [];
  return Object.entries(raw).map(([name, spec]) => {
    const s = isRecord(spec) ? spec : {};
    return {
      name,
      type: typeof s.type === 'string' ? s.type : 'String',
      description: typeof s.description === 'string' ? s.description : undefined,
      default: 'default' in s ? s.default : undefined,
      allowedValues: Array.isArray(s.allowedValues) ? s.allowedValues.map((v) => String(v)) : undefined,
      allowedPattern: typeof s.allowedPattern === 'string' ? s.allowedPattern : undefined,
      minItems: typeof s.minItems === 'number' ? s.minItems : undefined,
      maxItems: typeof s.maxItems === 'number' ? s.maxItems : undefined,
    };
  });
}

function readSteps(raw: unknown): StepDeclaration[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).map((s, index) => ({
    name: typeof s.name === 'string' ? s.name : `step${index + 1}`,
    action: typeof s.action === 'string' ? s.action : '',
    inputs: isRecord(s.inputs) ? s.inputs : {},
    onFailure: typeof s.onFailure === 'string' ? s.onFailure : 'Abort',
    timeoutSeconds: typeof s.timeoutSeconds === 'number' ? s.timeoutSeconds : undefined,
    maxAttempts: typeof s.maxAttempts === 'number' ? s.maxAttempts : 1,
    isEnd: s.isEnd === true,
    isCritical: s.isCritical !== false,
    nextStep: typeof s.nextStep === 'string' ? s.nextStep : undefined,
    outputs: (Array.isArray(s.outputs) ? s.outputs.filter(isRecord) : []).map((o) => ({
      name: String(o.Name ?? ''),
      selector: String(o.Selector ?? '$'),
      type: String(o.Type ?? 'String'),
    })),
  }));
}
