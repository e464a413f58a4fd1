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
  const supplied =
    check.stringListMap('Parameters', { maxEntries: 200, maxKeyLength: 50, maxItems: 50, maxValueLength: 512 }) ?? {};
  const clientToken = check.string('ClientToken', { minLength: 36, maxLength: 36, pattern: CLIENT_TOKEN });
  const mode = check.string('Mode', { enum: ['Auto', 'Interactive'] });
  const targetParameterName = check.string('TargetParameterName', { minLength: 1, maxLength: 50 });
  const targetItems = check.objectList('Targets', { minItems: 0, maxItems: 1 });
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
  if ((targetParameterName === undefined) !== (targets.length === 0)) {
    throw new AwsServiceError(
      'InvalidAutomationExecutionParametersException',
      'TargetParameterName and Targets must be specified together for a rate-controlled automation.',
    );
  }
  const model = automationModel(document.content);
  const parameters = resolveParameters(model, supplied, targetParameterName);
  const target = targets[0];
  const resolved = target ? resolveTargets(location, target) : undefined;
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

/** Resolves Automation's target forms to target parameter values (instance ids) in this location. */
function resolveTargets(
  location: LocationState,
  target: { readonly Key: string; readonly Values: readonly string[] },
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
    const members = group.instanceIds.filter((id) => region.instances.has(id));
    return members.length === group.instanceIds.length && new Set(members).size === members.length
      ? group.instanceIds
      : [...new Set(members)];
  }
  if (target.Key === 'ParameterValues') return [...new Set(target.Values)];
  if (
    (target.Key === 'AWS::EC2::Instance' || target.Key === 'InstanceIds') &&
    target.Values.length === 1 &&
    target.Values[0] === '*'
  ) {
    return [...region.instances.keys()];
  }
  if (target.Key.startsWith('tag:') || target.Key === 'tag-key') {
    // The world's instances carry no tags, so a tag target resolves to nothing.
    return [];
  }
  throw new AwsServiceError(
    'InvalidTarget',
    `Target Key ${target.Key} is not supported for Automation; use ResourceGroup, ParameterValues, tag:<key>, or AWS::EC2::Instance / InstanceIds with *.`,
  );
}
