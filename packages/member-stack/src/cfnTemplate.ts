/** One resource of a synthesized template. */
export interface CfnTemplateResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly DependsOn?: string | readonly string[];
  readonly Condition?: string;
  readonly Metadata?: Readonly<Record<string, unknown>>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** One parameter of a synthesized template. */
export interface CfnTemplateParameter {
  readonly Type: string;
  readonly Description?: string;
  readonly Default?: string;
  readonly AllowedPattern?: string;
  readonly AllowedValues?: readonly string[];
  readonly ConstraintDescription?: string;
}

/** One output of a synthesized template. */
export interface CfnTemplateOutput {
  readonly Description?: string;
  readonly Value: unknown;
  readonly Export?: { readonly Name: unknown };
}

/**
 * A synthesized CloudFormation template as a JSON object, ready for `JSON.stringify` (StackSet
 * `TemplateBody`) or for `aws-cdk-lib/assertions` `Template.fromJSON`.
 */
export interface CfnTemplate {
  readonly AWSTemplateFormatVersion?: string;
  readonly Description?: string;
  readonly Parameters?: Readonly<Record<string, CfnTemplateParameter>>;
  readonly Conditions?: Readonly<Record<string, unknown>>;
  readonly Rules?: Readonly<Record<string, unknown>>;
  readonly Resources: Readonly<Record<string, CfnTemplateResource>>;
  readonly Outputs?: Readonly<Record<string, CfnTemplateOutput>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
}

/** The three member templates. */
export interface MemberTemplates {
  /** Once per account, home Region: the execution role and the automation role. */
  readonly global: CfnTemplate;
  /** Every target Region: the automation document. */
  readonly regional: CfnTemplate;
  /** The management account's home Region: global and Regional resources in one stack. */
  readonly management: CfnTemplate;
}
