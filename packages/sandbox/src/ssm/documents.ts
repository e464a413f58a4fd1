import { createHash } from 'node:crypto';
import { AUTOMATION_DOCUMENT_NAME } from '@orgpatch/core';
import { AUTOMATION_DOCUMENT_TARGET_TYPE } from '@orgpatch/member-stack/definitions';
import { AwsServiceError, type CallContext, type SimDocument, type SimRegion } from '../contract.js';
import { automationModel, references } from './documentModel.js';
import { MemberDocumentInvalidError } from './errors.js';
import { isRecord, RequestCheck } from './requestCheck.js';
import { toYaml } from './yamlText.js';

const DOCUMENT_NAME = /^[a-zA-Z0-9_\-.]{3,128}$/;
const DOCUMENT_REFERENCE = /^[a-zA-Z0-9_\-.:/]{3,200}$/;
const DOCUMENT_VERSION = /^([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)$/;
const STEP_NAME = /^[a-zA-Z0-9_]+$/;
// Long enough for every documented action (aws:waitForAwsResourceProperty has 26 letters).
const ACTION = /^aws:[a-zA-Z]{3,40}$/;
const PARAMETER_TYPES = new Set([
  'String',
  'StringList',
  'Integer',
  'Boolean',
  'MapList',
  'StringMap',
  'AWS::EC2::Instance::Id',
  'AWS::IAM::Role::Arn',
  'AWS::S3::Bucket::Name',
  'List<AWS::EC2::Instance::Id>',
  'List<AWS::IAM::Role::Arn>',
  'List<AWS::S3::Bucket::Name>',
]);
const AUTOMATION_VARIABLES = new Set([
  'automation:EXECUTION_ID',
  'automation:DOCUMENT_EXECUTION_ID',
  'automation:DOCUMENT_NAME',
  'global:ACCOUNT_ID',
  'global:REGION',
  'global:DATE',
  'global:DATE_TIME',
  'global:AWS_PARTITION',
  'global:AWS_URL_SUFFIX',
]);

const hashes = new WeakMap<SimDocument, string>();
/** Contents already validated (the world installs one shared content object in every Region). */
const validated = new WeakSet<Record<string, unknown>>();

/**
 * "Deploys" the member automation document into one account and Region, as the Regional member
 * stack does: the document is named {@link AUTOMATION_DOCUMENT_NAME}, type Automation, JSON, with
 * the member stack's TargetType ({@link AUTOMATION_DOCUMENT_TARGET_TYPE}). A
 * redeploy with different content makes a new version that becomes the default (the sandbox keeps
 * only the latest version); with the same content it changes nothing.
 *
 * @throws MemberDocumentInvalidError when the content is not a valid schema 0.3 document (SSM
 * would refuse it, so the stack would fail to deploy).
 */
export function installMemberDocument(region: SimRegion, content: Record<string, unknown>, createdDate: number): void {
  const existing = region.documents.get(AUTOMATION_DOCUMENT_NAME);
  if (existing?.content === content) return;
  try {
    if (!validated.has(content)) validateContent(content, 'Automation');
    validated.add(content);
  } catch (error) {
    throw new MemberDocumentInvalidError(
      `The member automation document cannot be installed in Region ${region.region}: ${error instanceof Error ? error.message : String(error)}. Fix the document in packages/member-stack.`,
      { cause: error },
    );
  }
  if (existing && JSON.stringify(existing.content) === JSON.stringify(content)) return;
  region.documents.set(AUTOMATION_DOCUMENT_NAME, {
    name: AUTOMATION_DOCUMENT_NAME,
    documentType: 'Automation',
    documentFormat: 'JSON',
    content,
    createdDate,
    documentVersion: existing ? String(Number(existing.documentVersion) + 1) : '1',
    targetType: AUTOMATION_DOCUMENT_TARGET_TYPE,
  });
}

/** The document operations (CreateDocument, GetDocument, DescribeDocument) of one location. */
export function createDocument(
  region: SimRegion,
  input: Record<string, unknown>,
  ctx: CallContext,
  now: number,
): unknown {
  const check = new RequestCheck(input);
  const name = check.string('Name', { required: true, pattern: DOCUMENT_NAME });
  const content = check.string('Content', { required: true, minLength: 1 });
  const documentType = check.string('DocumentType') ?? 'Command';
  const documentFormat = check.string('DocumentFormat', { enum: ['YAML', 'JSON', 'TEXT'] }) ?? 'JSON';
  check.string('DisplayName', { maxLength: 1024 });
  check.string('VersionName', { pattern: /^[a-zA-Z0-9_\-.]{1,128}$/ });
  const targetType = check.string('TargetType', { maxLength: 200, pattern: /^\/[\w.\-:/]*$/ });
  check.done();
  if (name === undefined || content === undefined) return undefined;
  if (/^(aws|amazon|amzn)/i.test(name)) {
    throw new AwsServiceError(
      'ValidationException',
      `Document name ${name} is not valid: names may not start with aws, amazon or amzn (reserved for AWS documents).`,
    );
  }
  if (documentType !== 'Automation' && documentType !== 'Command') {
    throw new AwsServiceError(
      'InvalidDocumentContent',
      `The orgpatch sandbox supports DocumentType Automation and Command only, not ${documentType}.`,
    );
  }
  if (documentFormat !== 'JSON') {
    throw new AwsServiceError(
      'InvalidDocumentContent',
      `The orgpatch sandbox accepts JSON document content only (DocumentFormat JSON); ${documentFormat} is a known difference from SSM.`,
    );
  }
  if (Buffer.byteLength(content, 'utf8') > 64 * 1024) {
    throw new AwsServiceError('MaxDocumentSizeExceeded', 'The size limit of a document is 64 KB.');
  }
  if (region.documents.has(name)) {
    throw new AwsServiceError('DocumentAlreadyExists', 'Document with same name already exists.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    throw new AwsServiceError(
      'InvalidDocumentContent',
      `JSON not well-formed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!isRecord(parsed))
    throw new AwsServiceError('InvalidDocumentContent', 'JSON not well-formed: the content must be an object.');
  validateContent(parsed, documentType);
  const document: SimDocument = {
    name,
    documentType,
    documentFormat: 'JSON',
    content: parsed,
    createdDate: now,
    documentVersion: '1',
    ...(targetType === undefined ? {} : { targetType }),
  };
  region.documents.set(name, document);
  return { DocumentDescription: describe(document, ctx.accountId) };
}

/** GetDocument. */
export function getDocument(region: SimRegion, input: Record<string, unknown>): unknown {
  const check = new RequestCheck(input);
  const name = check.string('Name', { required: true, pattern: DOCUMENT_REFERENCE });
  const version = check.string('DocumentVersion', { pattern: DOCUMENT_VERSION });
  const format = check.string('DocumentFormat', { enum: ['YAML', 'JSON', 'TEXT'] });
  check.done();
  const document = requireDocument(region, name ?? '', version);
  return {
    Name: document.name,
    CreatedDate: document.createdDate / 1000,
    DocumentVersion: document.documentVersion,
    Status: 'Active',
    Content: format === 'YAML' ? toYaml(document.content) : JSON.stringify(document.content, null, 2),
    DocumentType: document.documentType,
    DocumentFormat: format === 'YAML' ? 'YAML' : 'JSON',
    Requires: [],
    AttachmentsContent: [],
  };
}

/** DescribeDocument. */
export function describeDocument(region: SimRegion, input: Record<string, unknown>, ctx: CallContext): unknown {
  const check = new RequestCheck(input);
  const name = check.string('Name', { required: true, pattern: DOCUMENT_REFERENCE });
  const version = check.string('DocumentVersion', { pattern: DOCUMENT_VERSION });
  check.done();
  return { Document: describe(requireDocument(region, name ?? '', version), ctx.accountId) };
}

/** Finds a document by name (or ARN in the caller's account) and version, or `undefined`. */
export function findDocument(region: SimRegion, nameOrArn: string): SimDocument | undefined {
  const arn = /^arn:[^:]+:ssm:[^:]*:\d{12}:document\/(.+)$/.exec(nameOrArn);
  return region.documents.get(arn?.[1] ?? nameOrArn);
}

/** True when the requested version (`$DEFAULT`, `$LATEST`, a number, or none) is the stored one. */
export function versionMatches(document: SimDocument, version: string | undefined): boolean {
  return (
    version === undefined || version === '$DEFAULT' || version === '$LATEST' || version === document.documentVersion
  );
}

function requireDocument(region: SimRegion, name: string, version: string | undefined): SimDocument {
  const document = findDocument(region, name);
  if (!document) throw new AwsServiceError('InvalidDocument', `Document with name ${name} does not exist.`);
  if (!versionMatches(document, version)) {
    throw new AwsServiceError(
      'InvalidDocumentVersion',
      `Document ${name} has no version ${version}; its default and latest version is ${document.documentVersion}.`,
    );
  }
  return document;
}

function describe(document: SimDocument, owner: string): Record<string, unknown> {
  const model = automationModel(document.content);
  return {
    Hash: hashOf(document),
    HashType: 'Sha256',
    Name: document.name,
    Owner: owner,
    CreatedDate: document.createdDate / 1000,
    Status: 'Active',
    DocumentVersion: document.documentVersion,
    Description: typeof document.content.description === 'string' ? document.content.description : undefined,
    Parameters: model.parameters.map((p) => ({
      Name: p.name,
      Type: p.type,
      Description: p.description,
      DefaultValue:
        p.default === undefined ? undefined : typeof p.default === 'string' ? p.default : JSON.stringify(p.default),
    })),
    PlatformTypes: ['Windows', 'Linux', 'MacOS'],
    DocumentType: document.documentType,
    SchemaVersion: typeof document.content.schemaVersion === 'string' ? document.content.schemaVersion : undefined,
    LatestVersion: document.documentVersion,
    DefaultVersion: document.documentVersion,
    DocumentFormat: document.documentFormat,
    TargetType: document.targetType,
    Tags: [],
    AttachmentsInformation: [],
    Requires: [],
    Category: [],
    CategoryEnum: [],
  };
}

function hashOf(document: SimDocument): string {
  let hash = hashes.get(document);
  if (!hash) {
    hash = createHash('sha256').update(JSON.stringify(document.content)).digest('hex');
    hashes.set(document, hash);
  }
  return hash;
}

/** Validates document content as SSM does on CreateDocument; throws `InvalidDocumentContent` and friends. */
function validateContent(content: Record<string, unknown>, documentType: string): void {
  const schemaVersion = content.schemaVersion;
  if (documentType === 'Command') {
    if (!['1.2', '2.0', '2.2'].includes(String(schemaVersion))) {
      throw new AwsServiceError(
        'InvalidDocumentSchemaVersion',
        `Schema version ${String(schemaVersion)} is not supported for Command documents.`,
      );
    }
    return;
  }
  if (schemaVersion !== '0.3') {
    throw new AwsServiceError(
      'InvalidDocumentSchemaVersion',
      `Automation documents must use schemaVersion 0.3, not ${String(schemaVersion)}.`,
    );
  }
  if (content.parameters !== undefined && !isRecord(content.parameters)) {
    throw new AwsServiceError('InvalidDocumentContent', 'parameters must be an object.');
  }
  if (!Array.isArray(content.mainSteps) || content.mainSteps.length === 0) {
    throw new AwsServiceError('InvalidDocumentContent', 'mainSteps must be a non-empty list of steps.');
  }
  const model = automationModel(content);
  for (const parameter of model.parameters) {
    if (!PARAMETER_TYPES.has(parameter.type)) {
      throw new AwsServiceError(
        'InvalidDocumentContent',
        `Parameter "${parameter.name}" has unsupported type ${parameter.type}.`,
      );
    }
  }
  const stepNames = new Set<string>();
  for (const [index, raw] of content.mainSteps.entries()) {
    if (!isRecord(raw) || typeof raw.name !== 'string' || typeof raw.action !== 'string') {
      throw new AwsServiceError('InvalidDocumentContent', `Step ${index + 1} in mainSteps needs a name and an action.`);
    }
    if (!STEP_NAME.test(raw.name)) {
      throw new AwsServiceError('InvalidDocumentContent', `Step name "${raw.name}" must match ${STEP_NAME.source}.`);
    }
    if (!ACTION.test(raw.action)) {
      throw new AwsServiceError('InvalidDocumentContent', `Step "${raw.name}" has invalid action "${raw.action}".`);
    }
    if (stepNames.has(raw.name))
      throw new AwsServiceError('InvalidDocumentContent', `Step name "${raw.name}" is duplicated.`);
    stepNames.add(raw.name);
  }
  for (const step of model.steps) {
    if (step.nextStep !== undefined && !stepNames.has(step.nextStep)) {
      throw new AwsServiceError(
        'InvalidDocumentContent',
        `Step "${step.name}" has nextStep "${step.nextStep}" which is not a step.`,
      );
    }
  }
  const declared = new Set(model.parameters.map((p) => p.name));
  const referenced = references({ assumeRole: content.assumeRole, mainSteps: content.mainSteps });
  for (const reference of referenced) {
    if (AUTOMATION_VARIABLES.has(reference)) continue;
    const dot = reference.indexOf('.');
    if (dot > 0) {
      if (!stepNames.has(reference.slice(0, dot))) {
        throw new AwsServiceError('InvalidDocumentContent', `Output reference "${reference}" names no step.`);
      }
      continue;
    }
    if (!declared.has(reference))
      throw new AwsServiceError('InvalidDocumentContent', `Parameter "${reference}" is not declared.`);
  }
  for (const output of model.outputs) {
    const step = output.split('.')[0] ?? '';
    if (!stepNames.has(step)) throw new AwsServiceError('InvalidDocumentContent', `Output "${output}" names no step.`);
  }
}
