import { DEFAULT_MAX_CONCURRENCY, RATE_MAX_LENGTH, RATE_PATTERNS } from '@orgpatch/core';
import { AwsServiceError, type CallContext, type SimRegion } from '../contract.js';
import { automationModel } from './documentModel.js';
import { findDocument, versionMatches } from './documents.js';
import type { AutomationEngine, LocationState } from './engine.js';
import { fingerprint } from './paging.js';
import { resolveParameters } from './parameters.js';
import { concurrencyLimit, DEFAULT_MAX_ERRORS, errorLimit } from './rateControl.js';
import { RequestCheck } from './requestCheck.js';

const CLIENT_TOKEN = /^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$/;
const EC2_TYPE = 'AWS::EC2::Instance';
const MANAGED_TYPE = 'AWS::SSM::ManagedInstance';
const TARGET_KEY = /^[\p{L}\p{Z}\p{N}_.:/=\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name/u;

/**
 * StartAutomationExecution: checks what SSM checks (request constraints, ClientToken idempotency,
 * the document and version in this account and Region, the parameters against the document, the
 * targets and rate controls), then creates the execution (Pending) in the engine.
 */
export function startAutomationExecution(
  engine: AutomationEngine,
  location: LocationState,
  input: Record<string, unknown>,
  ctx: CallContext,
): { AutomationExecutionId: string } {
  const check = new RequestCheck(input);
  const documentName = check.string('DocumentName', { required: true, pattern: /^[a-zA-Z0-9_\-.:/]{3,128}$/ });
  const documentVersion = check.string('DocumentVersion', { pattern: /^([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)$/ });
  // AutomationParameterMap in the SSM model: 1 to 200 entries; keys 1 to 50 characters; up to 50 values of 1 to 512.
  const supplied =
    check.stringListMap('Parameters', {
      minEntries: 1,
      maxEntries: 200,
      maxKeyLength: 50,
      maxItems: 50,
      maxValueLength: 512,
    }) ?? {};
  const clientToken = check.string('ClientToken', { minLength: 36, maxLength: 36, pattern: CLIENT_TOKEN });
  const mode = check.string('Mode', { enum: ['Auto', 'Interactive'] });
  const targetParameterName = check.string('TargetParameterName', { minLength: 1, maxLength: 50 });
  const targetItems = check.objectList('Targets', { minItems: 0, maxItems: 5 });
  const maxConcurrency = check.string('MaxConcurrency', {
    minLength: 1,
    maxLength: RATE_MAX_LENGTH,
    pattern: RATE_PATTERNS.MaxConcurrency,
  });
  const maxErrors = check.string('MaxErrors', {
    minLength: 1,
    maxLength: RATE_MAX_LENGTH,
    pattern: RATE_PATTERNS.MaxErrors,
  });
  const tagItems = check.objectList('Tags', { maxItems: 1000 });
  const targets = (targetItems ?? []).map((target, index) => ({
    Key: check.checkNested(target.Key, `targets.${index + 1}.member.key`, { minLength: 1, maxLength: 163 }) ?? '',
    Values:
      target.Values === undefined
        ? []
        : check.checkNestedList(target.Values, `targets.${index + 1}.member.values`, { maxItems: 50 }),
  }));
  targets.forEach((target, index) => {
    if (target.Key !== '' && !TARGET_KEY.test(target.Key)) {
      check.problem(
        `Value '${target.Key}' at 'targets.${index + 1}.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ${TARGET_KEY.source}`,
      );
    }
  });
  const tags = (tagItems ?? []).map((tag, index) => ({
    Key:
      check.checkNested(tag.Key, `tags.${index + 1}.member.key`, { required: true, minLength: 1, maxLength: 128 }) ??
      '',
    Value: check.checkNested(tag.Value, `tags.${index + 1}.member.value`, { required: true, maxLength: 256 }) ?? '',
  }));
  check.done();
  if (documentName === undefined) throw new AwsServiceError('ValidationException', 'DocumentName is required.');

  const requestFingerprint = fingerprint({ ...input, ClientToken: undefined });
  if (clientToken !== undefined) {
    const known = location.clientTokens.get(clientToken.toLowerCase());
    if (known) {
      if (known.fingerprint === requestFingerprint) return { AutomationExecutionId: known.executionId };
      throw new AwsServiceError(
        'IdempotentParameterMismatch',
        `ClientToken ${clientToken} was already used in account ${location.accountId} Region ${location.region.region} with different parameters; use a new token for a different request.`,
      );
    }
  }

  for (const unsupported of ['TargetMaps', 'TargetLocations', 'TargetLocationsURL', 'AlarmConfiguration'] as const) {
    if (input[unsupported] !== undefined) {
      throw new AwsServiceError(
        'ValidationException',
        `The orgpatch sandbox does not simulate ${unsupported} on StartAutomationExecution.`,
      );
    }
  }
  if (mode === 'Interactive') {
    throw new AwsServiceError('ValidationException', 'The orgpatch sandbox runs automations in Auto mode only.');
  }
  if (tags.length > 5) {
    throw new AwsServiceError(
      'ValidationException',
      `StartAutomationExecution accepts at most 5 tags; ${tags.length} were given.`,
    );
  }

  const document = findDocument(location.region, documentName);
  if (document?.documentType !== 'Automation') {
    throw new AwsServiceError(
      'AutomationDefinitionNotFoundException',
      `Automation definition ${documentName} not found in account ${location.accountId} Region ${location.region.region}.`,
    );
  }
  if (!versionMatches(document, documentVersion)) {
    throw new AwsServiceError(
      'AutomationDefinitionVersionNotFoundException',
      `Automation definition ${documentName}:${documentVersion} not found; the document's version is ${document.documentVersion}.`,
    );
  }
  if (targets.length > 1) {
    // What SSM answers for two tag targets (aws/aws-cli#9028); the model allows five Targets.
    throw new AwsServiceError(
      'InvalidAutomationExecutionParametersException',
      'Only one resource group or tag can be specified at a time',
    );
  }
  if ((targetParameterName === undefined) !== (targets.length === 0)) {
    throw new AwsServiceError(
      'InvalidAutomationExecutionParametersException',
      'TargetParameterName and Targets must be specified together for a rate-controlled automation.',
    );
  }
  const model = automationModel(document.content);
  const parameters = resolveParameters(model, supplied, targetParameterName);
  const target = targets[0];
  const resolved = target ? resolveTargets(location, target, document.targetType) : undefined;
  const effectiveConcurrency = maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
  const effectiveErrors = maxErrors ?? DEFAULT_MAX_ERRORS;

  const execution = engine.start(
    location,
    {
      document,
      model,
      parameters,
      executedBy: ctx.principalArn,
      targetParameterName,
      targets: target ? [target] : undefined,
      maxConcurrency: resolved ? effectiveConcurrency : undefined,
      maxErrors: resolved ? effectiveErrors : undefined,
      tags: tags.length > 0 ? tags : undefined,
    },
    resolved
      ? {
          targets: resolved,
          concurrency: concurrencyLimit(effectiveConcurrency, resolved.length),
          errorLimit: errorLimit(effectiveErrors, resolved.length),
        }
      : undefined,
  );
  if (clientToken !== undefined) {
    location.clientTokens.set(clientToken.toLowerCase(), {
      fingerprint: requestFingerprint,
      executionId: execution.id,
    });
  }
  return { AutomationExecutionId: execution.id };
}

/**
 * Resolves Automation's target forms to target parameter values in this location: SSM creates one
 * child automation per value ("Mapping targets for an automation").
 * - `ResourceGroup`: every member of the group, instances first, then its other resources by id
 *   ("Systems Manager creates a child automation for every object in the target Resource Group").
 * - `tag:<key>` / `tag-key`: every resource of the location with the tag (instances, managed or not,
 *   and volumes, security groups, network interfaces), kept to the document's TargetType when it
 *   has one ("Otherwise, all resources with the same tag will be targeted").
 * - `ParameterValues`: the values; `AWS::EC2::Instance` / `InstanceIds` with `*`: every instance.
 */
function resolveTargets(
  location: LocationState,
  target: { readonly Key: string; readonly Values: readonly string[] },
  targetType: string | undefined,
): readonly string[] {
  const region: SimRegion = location.region;
  const where = `account ${location.accountId} Region ${region.region}`;
  if (target.Key === 'ResourceGroup') {
    if (target.Values.length !== 1) {
      throw new AwsServiceError(
        'InvalidTarget',
        `Target Key ResourceGroup takes exactly one resource group name; got ${target.Values.length}.`,
      );
    }
    const name = target.Values[0] ?? '';
    const group = region.groups.get(name);
    if (!group) throw new AwsServiceError('InvalidTarget', `Resource group ${name} does not exist in ${where}.`);
    const instances = group.instanceIds.filter((id) => region.instances.has(id));
    const others = (group.resourceIds ?? []).filter((id) => region.resources?.has(id));
    return [...new Set([...instances, ...others])];
  }
  if (target.Key === 'ParameterValues') return [...new Set(target.Values)];
  if (
    (target.Key === 'AWS::EC2::Instance' || target.Key === 'InstanceIds') &&
    target.Values.length === 1 &&
    target.Values[0] === '*'
  ) {
    return [...region.instances.keys()];
  }
  const tagKey = target.Key.startsWith('tag:') ? target.Key.slice(4) : undefined;
  if ((tagKey !== undefined && tagKey !== '') || target.Key === 'tag-key') {
    const tagged = (tags: Readonly<Record<string, string>> | undefined): boolean => {
      if (tags === undefined) return false;
      if (tagKey === undefined) return target.Values.some((key) => Object.hasOwn(tags, key));
      const value = tags[tagKey];
      return value !== undefined && target.Values.includes(value);
    };
    const ofType = (type: string): boolean =>
      targetType === undefined || targetType === '/' || targetType === `/${type}`;
    const instances = [...region.instances.values()]
      .filter((i) => tagged(i.tags) && ofType(i.instanceId.startsWith('mi-') ? MANAGED_TYPE : EC2_TYPE))
      .map((i) => i.instanceId);
    const others = [...(region.resources?.values() ?? [])]
      .filter((r) => tagged(r.tags) && ofType(r.type))
      .map((r) => r.id);
    return [...instances, ...others];
  }
  throw new AwsServiceError(
    'InvalidTarget',
    `Target Key ${target.Key} is not supported for Automation; use ResourceGroup, ParameterValues, tag:<key>, tag-key, or AWS::EC2::Instance / InstanceIds with *.`,
  );
}
