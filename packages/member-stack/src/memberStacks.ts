import { AUTOMATION_DOCUMENT_NAME, AUTOMATION_ROLE_NAME, EXECUTION_ROLE_NAME } from '@orgpatch/core';
import { BootstraplessSynthesizer, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { addGlobalResources, addRegionalResources, type GlobalResources } from './memberResources.js';
import type { OrgPatchAutomationDocument } from './OrgPatchAutomationDocument.js';

/**
 * Defaults shared by the member stacks: they are deployed by StackSets into accounts that were never
 * CDK-bootstrapped, so no bootstrap version parameter or rule, no assets, no CDK metadata resource.
 */
function memberStackProps(props: StackProps | undefined): StackProps {
  return {
    ...props,
    synthesizer: props?.synthesizer ?? new BootstraplessSynthesizer(),
    analyticsReporting: props?.analyticsReporting ?? false,
  };
}

/**
 * The global member stack: deployed once per account, in its home Region (IAM is global, so a
 * second copy in another Region would collide on the fixed role names). Holds `OrgPatchExecutionRole`
 * and `OrgPatchAutomationRole`.
 */
export class GlobalMemberStack extends Stack {
  /** The roles this stack holds. */
  public readonly resources: GlobalResources;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, {
      description: `orgpatch member (global): ${EXECUTION_ROLE_NAME} and ${AUTOMATION_ROLE_NAME}. Deploy once per account, in one home Region.`,
      ...memberStackProps(props),
    });
    this.resources = addGlobalResources(this);
  }
}

/**
 * The Regional member stack: deployed in every target Region of every account. Holds the
 * `OrgPatch-RunPatchBaseline` automation document.
 */
export class RegionalMemberStack extends Stack {
  /** The document this stack holds. */
  public readonly automationDocument: OrgPatchAutomationDocument;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, {
      description: `orgpatch member (Regional): the ${AUTOMATION_DOCUMENT_NAME} automation document. Deploy in every target Region.`,
      ...memberStackProps(props),
    });
    this.automationDocument = addRegionalResources(this);
  }
}

/**
 * The management account stack: service-managed StackSets never deploy to the management account,
 * so it gets the global and the Regional resources in one stack, in its home Region. Other Regions
 * of the management account need the Regional template deployed there as well (a plain stack or a
 * self-managed StackSet); deploying this template twice in one account collides on the role names.
 */
export class ManagementMemberStack extends Stack {
  /** The roles this stack holds. */
  public readonly resources: GlobalResources;
  /** The document this stack holds. */
  public readonly automationDocument: OrgPatchAutomationDocument;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, {
      description: `orgpatch management account: ${EXECUTION_ROLE_NAME}, ${AUTOMATION_ROLE_NAME} and the ${AUTOMATION_DOCUMENT_NAME} document of its home Region. Other Regions need the Regional template.`,
      ...memberStackProps(props),
    });
    this.resources = addGlobalResources(this);
    this.automationDocument = addRegionalResources(this);
  }
}
