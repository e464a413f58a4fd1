import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUTOMATION_DOCUMENT_NAME } from '@orgpatch/core';
import type { CfnTemplate, MemberTemplates } from './cfnTemplate.js';
import { MemberStackSynthesisError, MemberTemplateShapeError } from './errors.js';
import { createMemberApp } from './memberApp.js';

/** The most a template may weigh when passed inline (`TemplateBody`) to CloudFormation or StackSets. */
export const INLINE_TEMPLATE_LIMIT_BYTES = 51_200;

/** Options of {@link memberTemplates}. */
export interface MemberTemplateOptions {
  /**
   * Run aws-cdk-lib's built-in CloudFormation validation and fail on its findings.
   *
   * @default false
   */
  readonly validate?: boolean;
}

const memo = new Map<string, MemberTemplates>();

/**
 * The synthesized member templates as JSON objects. Synthesized once per distinct options and
 * memoized; the objects are deeply frozen (copy with `structuredClone` to change one).
 *
 * @throws MemberStackSynthesisError when synthesis or validation fails.
 * @example
 * ```ts
 * const { global, regional } = memberTemplates();
 * new CfnStackSet(this, 'Regional', { templateBody: JSON.stringify(regional), ... });
 * ```
 */
export function memberTemplates(options: MemberTemplateOptions = {}): MemberTemplates {
  const validate = options.validate ?? false;
  const key = JSON.stringify({ validate });
  const cached = memo.get(key);
  if (cached) return cached;
  const templates = synthesize(validate);
  memo.set(key, templates);
  return templates;
}

/**
 * The automation document's content (schemaVersion 0.3) exactly as the Regional template embeds it,
 * read back from the synthesized template. A fresh copy on every call.
 *
 * @throws MemberTemplateShapeError when the Regional template holds no orgpatch document (a bug here).
 */
export function automationDocumentContent(): Record<string, unknown> {
  const { regional } = memberTemplates();
  const document = Object.values(regional.Resources).find(
    (r) => r.Type === 'AWS::SSM::Document' && r.Properties?.Name === AUTOMATION_DOCUMENT_NAME,
  );
  const content: unknown = document?.Properties?.Content;
  const parsed: unknown = typeof content === 'string' ? JSON.parse(content) : content;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MemberTemplateShapeError(
      `The Regional member template holds no AWS::SSM::Document named ${AUTOMATION_DOCUMENT_NAME} with object Content; this is a bug in @orgpatch/member-stack, report it.`,
    );
  }
  return structuredClone(parsed as Record<string, unknown>);
}

/** A template's size as inline `TemplateBody`: the bytes of its compact JSON. */
export function templateBodyBytes(template: CfnTemplate): number {
  return Buffer.byteLength(JSON.stringify(template), 'utf8');
}

function synthesize(validate: boolean): MemberTemplates {
  const outdir = mkdtempSync(join(tmpdir(), 'orgpatch-member-stack-'));
  try {
    const { app, global, regional, management } = createMemberApp({ validate, outdir });
    const assembly = app.synth();
    const read = (stackName: string): CfnTemplate => deepFreeze(assembly.getStackByName(stackName).template);
    return deepFreeze({
      global: read(global.stackName),
      regional: read(regional.stackName),
      management: read(management.stackName),
    });
  } catch (error) {
    throw new MemberStackSynthesisError(
      `Synthesizing the member templates failed${validate ? ' (with CloudFormation validation on)' : ''}: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
