import { isOptInRegion } from '@orgpatch/core';
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
  /**
   * Accounts that may fail, as a percentage, in each opt-in Region's own Regional StackSet (the
   * other preferences apply there as given). An account that has not enabled the Region fails its
   * stack instance there by design, so the default lets every account fail without stopping the
   * operation: the accounts that have the Region still get the document, and the orchestrator skips
   * the others as `region-not-enabled`.
   * @default 100
   */
  readonly optInRegionFailureTolerancePercentage?: number;
}

/** Props of {@link MemberStackSets}. */
export interface MemberStackSetsProps {
  /** The global member template (IAM roles): one stack per account. */
  readonly globalTemplate: CfnTemplate;
  /** The Regional member template (automation document): one stack per account and Region. */
  readonly regionalTemplate: CfnTemplate;
  /** Target OU or root ids. */
  readonly targetOus: readonly string[];
  /** Regions of the Regional member stack: default-enabled ones share a StackSet, each opt-in one has its own. */
  readonly regions: readonly string[];
  /** The one Region per account of the global StackSet. */
  readonly homeRegion: string;
  /** Values for the templates' parameters, by name; each StackSet passes those its template declares. */
  readonly parameters: Readonly<Record<string, string>>;
  /** `DELEGATED_ADMIN` makes the StackSets `CallAs: DELEGATED_ADMIN`. */
  readonly deployFrom: DeployFrom;
  /** Rollout speed and failure tolerance (defaults filled in here). */
  readonly operationPreferences: StackSetOperationPreferences;
  /** Prefix of the StackSet names (`<prefix>-Global`, `<prefix>-Regional`, `<prefix>-Regional-<opt-in Region>`). */
  readonly namePrefix: string;
}

/**
 * The service-managed StackSets that put the member stacks into every account of the target OUs —
 * and into accounts that join them later (auto-deployment; stacks are removed from accounts that
 * leave). Service-managed StackSets never reach the management account itself.
 *
 * The Regional member stack goes out as one StackSet for the Regions every account has enabled
 * (`<prefix>-Regional`) and one StackSet per opt-in Region (`<prefix>-Regional-<region>`, core's
 * Region table decides which is which). A stack instance in an opt-in Region fails in every account
 * that has not enabled that Region ("Prepare to perform StackSet operations in AWS Regions that are
 * disabled by default", AWS CloudFormation User Guide), and once a Region's failures exceed the
 * failure tolerance the whole operation is FAILED and cancelled in the remaining Regions
 * ("StackSetOperation", AWS CloudFormation API Reference), so in one StackSet a partly enabled
 * opt-in Region would stop the rollout for everyone and fail this stack's deployment. Apart, each
 * opt-in Region's operation tolerates its own failures (`optInRegionFailureTolerancePercentage`,
 * 100 by default) and cannot stop the default Regions' rollout; an auto-deployment to a new account,
 * which runs without operation preferences ("StackSetOperationPreferences"), fails only in the
 * Region that account lacks.
 */
export class MemberStackSets extends Construct {
  /** Roles, once per account in its home Region. */
  readonly global: CfnStackSet;
  /** The automation document, in every default-enabled target Region; absent when every target Region is opt-in. */
  readonly regional?: CfnStackSet;
  /** The automation document in each opt-in target Region, by Region, each in its own StackSet. */
  readonly optInRegional: ReadonlyMap<string, CfnStackSet>;

  constructor(scope: Construct, id: string, props: MemberStackSetsProps) {
    super(scope, id);
    const common = {
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs: props.deployFrom === 'DELEGATED_ADMIN' ? 'DELEGATED_ADMIN' : 'SELF',
      capabilities: ['CAPABILITY_NAMED_IAM'],
      // CfnStackSet types ManagedExecution as a free-form object: its keys are written as CloudFormation spells them.
      managedExecution: { Active: true },
    };
    const deploymentTargets = { organizationalUnitIds: [...props.targetOus] };
    this.global = new CfnStackSet(this, 'Global', {
      ...common,
      operationPreferences: operationPreferences(props.operationPreferences),
      stackSetName: `${props.namePrefix}-Global`,
      description: 'orgpatch member roles (execution role, automation role), once per account',
      templateBody: templateBody('global', props.globalTemplate),
      ...optionalParameters(templateParameters('global', props.globalTemplate, props.parameters)),
      stackInstancesGroup: [{ deploymentTargets, regions: [props.homeRegion] }],
    });

    const regionalBody = templateBody('regional', props.regionalTemplate);
    const regionalParameters = optionalParameters(
      templateParameters('regional', props.regionalTemplate, props.parameters),
    );
    const enabledByDefault = props.regions.filter((r) => !isOptInRegion(r));
    const optIn = props.regions.filter((r) => isOptInRegion(r));
    if (enabledByDefault.length > 0) {
      this.regional = new CfnStackSet(this, 'Regional', {
        ...common,
        operationPreferences: operationPreferences(props.operationPreferences),
        stackSetName: `${props.namePrefix}-Regional`,
        description: 'orgpatch member automation document, in every default-enabled target Region',
        templateBody: regionalBody,
        ...regionalParameters,
        stackInstancesGroup: [{ deploymentTargets, regions: enabledByDefault }],
      });
      // Roll the roles out before the document whose automations assume them.
      this.regional.addResourceDependency(this.global);
    }
    const optInRegional = new Map<string, CfnStackSet>();
    for (const region of optIn) {
      const stackSet = new CfnStackSet(this, `Regional-${region}`, {
        ...common,
        operationPreferences: optInOperationPreferences(props.operationPreferences),
        stackSetName: `${props.namePrefix}-Regional-${region}`,
        description: `orgpatch member automation document, in opt-in Region ${region} where an account has enabled it`,
        templateBody: regionalBody,
        ...regionalParameters,
        stackInstancesGroup: [{ deploymentTargets, regions: [region] }],
      });
      stackSet.addResourceDependency(this.global);
      // After the default Regions' StackSet: when an older deployment had this Region there, its
      // update removes those instances (and their fixed-name document) before this one creates them.
      if (this.regional !== undefined) stackSet.addResourceDependency(this.regional);
      optInRegional.set(region, stackSet);
    }
    this.optInRegional = optInRegional;
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

/**
 * An opt-in Region's preferences: the given ones, with the failure tolerance replaced by
 * `optInRegionFailureTolerancePercentage` (100 by default). Region concurrency is moot with one Region.
 */
function optInOperationPreferences(p: StackSetOperationPreferences): CfnStackSet.OperationPreferencesProperty {
  const { failureToleranceCount: _count, failureTolerancePercentage: _percentage, ...rest } = operationPreferences(p);
  return { ...rest, failureTolerancePercentage: p.optInRegionFailureTolerancePercentage ?? 100 };
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
