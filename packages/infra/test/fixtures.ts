import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll } from 'vitest';
import { OrgPatching, type OrgPatchingProps } from '../src/index.js';

/** The Organization of the tests. */
export const ORG_ID = 'o-exampleorg1';
export const OU_DEV = 'ou-ab12-devdev01';
export const OU_PROD = 'ou-ab12-prodprd1';
export const ACCOUNT = '111111111111';

/** Props every test starts from. */
const baseProps: OrgPatchingProps = {
  organizationId: ORG_ID,
  targetOus: [OU_DEV, OU_PROD],
  regions: ['us-east-1', 'eu-west-1'],
};

const outdirs: string[] = [];
// Registered on the importing test file: its assemblies (bundles included) go when it is done.
afterAll(() => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A cloud-assembly directory, removed when the test process exits. */
export function tempOutdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'orgpatch-infra-test-'));
  outdirs.push(dir);
  return dir;
}

/** Options of {@link synth}. */
export interface SynthOptions {
  /**
   * Run esbuild for the two functions (seconds); off, CDK skips bundling and the assets are stubs.
   * @default false
   */
  readonly bundle?: boolean;
  /** @default false */
  readonly validate?: boolean;
  /** @default { account: ACCOUNT, region: 'us-east-1' } */
  readonly env?: { readonly account?: string; readonly region?: string };
  readonly context?: Record<string, unknown>;
}

/** What {@link synth} built. */
export interface Synthesized {
  readonly app: App;
  readonly stack: Stack;
  readonly orgPatching: OrgPatching;
  readonly template: Template;
}

/** Builds one stack holding OrgPatching and returns its template. Throws what the construct throws. */
export function synth(props: Partial<OrgPatchingProps> = {}, options: SynthOptions = {}): Synthesized {
  const { app, stack, orgPatching } = build(props, options);
  return { app, stack, orgPatching, template: Template.fromStack(stack) };
}

/** Builds the app without synthesizing it (for tests that synthesize themselves). */
export function build(
  props: Partial<OrgPatchingProps> = {},
  options: SynthOptions = {},
): { app: App; stack: Stack; orgPatching: OrgPatching } {
  const app = new App({
    outdir: tempOutdir(),
    builtinCloudFormationValidation: options.validate ?? false,
    context: {
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
  const stack = new Stack(app, 'OrgPatch', { env: options.env ?? { account: ACCOUNT, region: 'us-east-1' } });
  const orgPatching = new OrgPatching(stack, 'OrgPatching', { ...baseProps, ...props });
  return { app, stack, orgPatching };
}

/** The one resource of `type` in the template, with its logical id. */
export function onlyResource(
  template: Template,
  type: string,
): { readonly logicalId: string; readonly properties: Record<string, unknown> } {
  const found = Object.entries(template.findResources(type));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  const [logicalId, resource] = found[0] as [string, { Properties: Record<string, unknown> }];
  return { logicalId, properties: resource.Properties };
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.resolve(stack.getLogicalId(construct.node.defaultChild as never)) as string;
}
