import { AUTOMATION_DOCUMENT_NAME } from '@orgpatch/core';
import { OrgPatchAutomationDocument } from '@orgpatch/member-stack';
import { BootstraplessSynthesizer, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * The member-stack Regional part (the automation document) as a plain stack, for a Region of the
 * management account other than the one holding {@link OrgPatching}: service-managed StackSets
 * never reach the management account, and its home Region already gets the document with the
 * roles ({@link ManagementAccountMember}). No assets and no bootstrap resources, so the Region
 * needs no `cdk bootstrap`.
 */
export class ManagementRegionalStack extends Stack {
  /** The automation document of this stack's Region. */
  readonly automationDocument: OrgPatchAutomationDocument;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: `orgpatch management account: the ${AUTOMATION_DOCUMENT_NAME} automation document of one more Region`,
      synthesizer: new BootstraplessSynthesizer(),
      ...props,
    });
    this.automationDocument = new OrgPatchAutomationDocument(this, 'AutomationDocument');
  }
}
