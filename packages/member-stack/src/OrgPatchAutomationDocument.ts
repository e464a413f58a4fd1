import { AUTOMATION_DOCUMENT_NAME } from '@orgpatch/core';
import { CfnDocument } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { AUTOMATION_DOCUMENT_TARGET_TYPE, orgPatchRunbookContent } from './runbookContent.js';

/**
 * The orgpatch automation document (`OrgPatch-RunPatchBaseline`, schemaVersion 0.3, JSON) in one
 * Region; its content is exactly {@link orgPatchRunbookContent}. `UpdateMethod: NewVersion` keeps the
 * document's name across stack updates and makes each update the new default version, which is what
 * the orchestrator starts (`$DEFAULT`). Its TargetType, `/AWS::EC2::Instance`, keeps a tag target to
 * EC2 instances ({@link AUTOMATION_DOCUMENT_TARGET_TYPE}).
 */
export class OrgPatchAutomationDocument extends Construct {
  /** The document resource. */
  public readonly document: CfnDocument;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.document = new CfnDocument(this, 'Document', {
      name: AUTOMATION_DOCUMENT_NAME,
      documentType: 'Automation',
      documentFormat: 'JSON',
      updateMethod: 'NewVersion',
      targetType: AUTOMATION_DOCUMENT_TARGET_TYPE,
      content: orgPatchRunbookContent,
    });
    this.document.overrideLogicalId('AutomationDocument');
  }
}
