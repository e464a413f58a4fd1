import type { CfnTemplate } from '@orgpatch/member-stack';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import { Construct } from 'constructs';
import { OrgPatchingConfigError } from './errors.js';

/** The inline `TemplateBody` limit of CloudFormation StackSets, in bytes. */
const STACKSET_TEMPLATE_BODY_LIMIT = 51_200;

/** Who deploys orgpatch: the management account itself, or a delegated administrator of StackSets. */
export type DeployFrom = 'MANAGEMENT' | 'DELEGATED_ADMIN';

/**
 * StackSet operation preferences (how fast StackSets roll the member stacks out and how many
 * failures stop it). Count and percentage forms of one setting exclude each other.
 */
export interface StackSetOperationPreferences {
  /**
   * Accounts per Region deployed at once, as a percentage.
   * @default 25
   */
  readonly maxConcurrentPercentage?: number;
  /**
   * Accounts per Region deployed at once, as a count (instead of `maxConcurrentPercentage`).
   * @default - `maxConcurrentPercentage` applies
   */
  readonly maxConcurrentCount?: number;
  /**
   * Accounts per Region that may fail before the operation stops in that Region, as a percentage.
   * @default 10
   */
  readonly failureTolerancePercentage?: number;
  /**
   * Accounts per Region that may fail, as a count (instead of `failureTolerancePercentage`).
   * @default - `failureTolerancePercentage` applies
   */
  readonly failureToleranceCount?: number;
  /**
   * Regions one at a time or in parallel.
   * @default 'PARALLEL'
   */
  readonly regionConcurrencyType?: 'SEQUENTIAL' | 'PARALLEL';
  /**
   * STRICT_FAILURE_TOLERANCE lowers concurrency as failures add up (and caps it at the failure
   * tolerance + 1); SOFT_FAILURE_TOLERANCE keeps the configured concurrency.
   * @default 'SOFT_FAILURE_TOLERANCE'
   */
  readonly concurrencyMode?: 'STRICT_FAILURE_TOLERANCE' | 'SOFT_FAILURE_TOLERANCE';
}

/** Props of {@link MemberStackSets}. */
export interface MemberStackSetsProps {
  /** The global member template (IAM roles): one stack per account. */
  readonly globalTemplate: CfnTemplate;
  /** The Regional member template (automation document): one stack per account and Region. */
  readonly regionalTemplate: CfnTemplate;
  /** Target OU or root ids. */
  readonly targetOus: readonly string[];
  /** Regions of the Regional StackSet. */
  readonly regions: readonly string[];
  /** The one Region per account of the global StackSet. */
  readonly homeRegion: string;
  /** Values for the templates' parameters, by name; each StackSet passes those its template declares. */
  readonly parameters: Readonly<Record<string, string>>;
  /** `DELEGATED_ADMIN` makes the StackSets `CallAs: DELEGATED_ADMIN`. */
  readonly deployFrom: DeployFrom;
  /** Rollout speed and failure tolerance (defaults filled in here). */
  readonly operationPreferences: StackSetOperationPreferences;
  /** Prefix of the StackSet names (`<prefix>-Global`, `<prefix>-Regional`). */
  readonly namePrefix: string;
}

/**
 * The two service-managed StackSets that put the member stacks into every account of the target
 * OUs — and into accounts that join them later (auto-deployment; stacks are removed from accounts
 * that leave). Service-managed StackSets never reach the management account itself.
 */
export class MemberStackSets extends Construct {
  /** Roles, once per account in its home Region. */
  readonly global: CfnStackSet;
  /** The automation document, in every target Region of every account. */
  readonly regional: CfnStackSet;

  constructor(scope: Construct, id: string, props: MemberStackSetsProps) {
    super(scope, id);
    const common = {
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs: props.deployFrom === 'DELEGATED_ADMIN' ? 'DELEGATED_ADMIN' : 'SELF',
      capabilities: ['CAPABILITY_NAMED_IAM'],
      // CfnStackSet types ManagedExecution as a free-form object: its keys are written as CloudFormation spells them.
      managedExecution: { Active: true },
      operationPreferences: operationPreferences(props.operationPreferences),
    };
    this.global = new CfnStackSet(this, 'Global', {
      ...common,
      stackSetName: `${props.namePrefix}-Global`,
      description: 'orgpatch member roles (execution role, automation role), once per account',
      templateBody: templateBody('global', props.globalTemplate),
      ...optionalParameters(templateParameters('global', props.globalTemplate, props.parameters)),
      stackInstancesGroup: [
        { deploymentTargets: { organizationalUnitIds: [...props.targetOus] }, regions: [props.homeRegion] },
      ],
    });
    this.regional = new CfnStackSet(this, 'Regional', {
      ...common,
      stackSetName: `${props.namePrefix}-Regional`,
      description: 'orgpatch member automation document, in every target Region',
      templateBody: templateBody('regional', props.regionalTemplate),
      ...optionalParameters(templateParameters('regional', props.regionalTemplate, props.parameters)),
      stackInstancesGroup: [
        { deploymentTargets: { organizationalUnitIds: [...props.targetOus] }, regions: [...props.regions] },
      ],
    });
    // Roll the roles out before the document whose automations assume them.
    this.regional.addResourceDependency(this.global);
  }
}

function optionalParameters(parameters: CfnStackSet.ParameterProperty[]): {
  parameters?: CfnStackSet.ParameterProperty[];
} {
  return parameters.length === 0 ? {} : { parameters };
}

function operationPreferences(p: StackSetOperationPreferences): CfnStackSet.OperationPreferencesProperty {
  return {
    ...(p.maxConcurrentCount !== undefined
      ? { maxConcurrentCount: p.maxConcurrentCount }
      : { maxConcurrentPercentage: p.maxConcurrentPercentage ?? 25 }),
    ...(p.failureToleranceCount !== undefined
      ? { failureToleranceCount: p.failureToleranceCount }
      : { failureTolerancePercentage: p.failureTolerancePercentage ?? 10 }),
    regionConcurrencyType: p.regionConcurrencyType ?? 'PARALLEL',
    concurrencyMode: p.concurrencyMode ?? 'SOFT_FAILURE_TOLERANCE',
  };
}

function templateBody(which: string, template: CfnTemplate): string {
  const body = JSON.stringify(template);
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > STACKSET_TEMPLATE_BODY_LIMIT) {
    throw new OrgPatchingConfigError(
      'memberTemplates',
      `the ${which} member template is ${bytes} bytes, over the ${STACKSET_TEMPLATE_BODY_LIMIT}-byte inline TemplateBody limit of StackSets; shrink it or upload it and use TemplateURL.`,
    );
  }
  return body;
}

function templateParameters(
  which: string,
  template: CfnTemplate,
  values: Readonly<Record<string, string>>,
): CfnStackSet.ParameterProperty[] {
  const declared = template.Parameters ?? {};
  const out: CfnStackSet.ParameterProperty[] = [];
  for (const [name, spec] of Object.entries(declared)) {
    const value = values[name];
    if (value !== undefined) {
      out.push({ parameterKey: name, parameterValue: value });
    } else if (spec.Default === undefined) {
      throw new OrgPatchingConfigError(
        'memberTemplates',
        `the ${which} member template declares parameter ${name} without a default and OrgPatching has no value for it; known parameters: ${Object.keys(values).join(', ')}.`,
      );
    }
  }
  return out;
}
