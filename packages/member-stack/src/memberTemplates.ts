import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnTemplate, MemberTemplates } from './cfnTemplate.js';
import { deepFreeze } from './deepFreeze.js';
import { MemberStackSynthesisError } from './errors.js';
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
