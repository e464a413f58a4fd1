import { App, CloudFormationValidatePlugin, Validations } from 'aws-cdk-lib';
import { GlobalMemberStack, ManagementMemberStack, RegionalMemberStack } from './memberStacks.js';

/** Options of {@link createMemberApp}. */
export interface MemberAppOptions {
  /**
   * Run aws-cdk-lib's built-in CloudFormation validation at synth and fail on its errors (they are
   * only warnings by default). About two seconds per synth; independent of `CDK_VALIDATION`.
   *
   * @default false
   */
  readonly validate?: boolean;
  /**
   * Where `app.synth()` writes the cloud assembly.
   *
   * @default - a fresh temporary directory chosen by aws-cdk-lib
   */
  readonly outdir?: string;
}

/** A CDK app holding the three member stacks, not yet synthesized. */
export interface MemberApp {
  readonly app: App;
  readonly global: GlobalMemberStack;
  readonly regional: RegionalMemberStack;
  readonly management: ManagementMemberStack;
}

/** Stack names in the cloud assembly (not the names StackSets give the stack instances). */
const MEMBER_STACK_IDS = {
  global: 'OrgPatchMemberGlobal',
  regional: 'OrgPatchMemberRegional',
  management: 'OrgPatchMemberManagement',
} as const;

/**
 * Builds the CDK app with the three member stacks, environment-agnostic. Add validation plugins
 * (cdk-nag) to `app` before calling `app.synth()`.
 *
 * @example
 * ```ts
 * const { app, regional } = createMemberApp();
 * const template = app.synth().getStackByName(regional.stackName).template;
 * ```
 */
export function createMemberApp(options: MemberAppOptions = {}): MemberApp {
  const validate = options.validate ?? false;
  const app = new App({
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
    builtinCloudFormationValidation: validate,
    treeMetadata: false,
    context: {
      // No `aws:cdk:path` metadata in the templates: they describe accounts, not a CDK source tree.
      'aws:cdk:enable-path-metadata': false,
      'aws:cdk:version-reporting': false,
      // Built-in validation findings fail synth instead of printing warnings.
      ...(validate ? { '@aws-cdk/core:validateAgainstDefaultRules': true } : {}),
    },
  });
  if (validate) {
    // Registered explicitly so `CDK_VALIDATION=false` in the environment cannot switch it off.
    Validations.of(app).addPlugins(cloudFormationValidatePlugin());
  }
  return {
    app,
    global: new GlobalMemberStack(app, MEMBER_STACK_IDS.global),
    regional: new RegionalMemberStack(app, MEMBER_STACK_IDS.regional),
    management: new ManagementMemberStack(app, MEMBER_STACK_IDS.management),
  };
}

let sharedValidatePlugin: CloudFormationValidatePlugin | undefined;

/** One plugin for every validated app of the process: starting its validation engine is the slow part. */
function cloudFormationValidatePlugin(): CloudFormationValidatePlugin {
  sharedValidatePlugin ??= new CloudFormationValidatePlugin();
  return sharedValidatePlugin;
}
