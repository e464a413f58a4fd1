import type { AutomationRoleSpec, PatchRequest } from '@orgpatch/core';
import { AUTOMATION_DOCUMENT_NAME, AUTOMATION_ROLE_NAME, arnPrefix, type Partition } from '@orgpatch/core';

/**
 * The role SSM Automation assumes in an account: the member stack's automation role by default, a
 * template with `{{AccountId}}` / `{{Partition}}` filled in, or the one fixed ARN of a blog payload.
 */
export function automationRoleArn(spec: AutomationRoleSpec, accountId: string, partition: Partition): string {
  switch (spec.kind) {
    case 'member-default':
      return `${arnPrefix(partition)}:iam::${accountId}:role/${AUTOMATION_ROLE_NAME}`;
    case 'template':
      return spec.template.replaceAll('{{AccountId}}', accountId).replaceAll('{{Partition}}', partition);
    case 'fixed':
      return spec.arn;
  }
}

/**
 * The StartAutomationExecution Parameters for one account. orgpatch's own member document takes
 * AutomationAssumeRole, Operation, RebootOption, SnapshotId and InstallOverrideList, and, for a
 * request with pre-patch snapshots (`Snapshot.Before`), PrePatchSnapshot `true` and the RunId its
 * snapshots are tagged with (left out otherwise, so the document's defaults apply and a member
 * document of an older orgpatch still takes the parameters). Another
 * document (the blog's CustomAutomationDocument) gets AutomationAssumeRole and Operation, as the
 * blog sends them, and SnapshotId / InstallOverrideList only when the payload gave them: SSM
 * rejects parameters a document does not declare.
 */
export function automationParameters(
  request: PatchRequest,
  accountId: string,
  partition: Partition,
  snapshotId: string,
  runId?: string,
): Record<string, readonly string[]> {
  const parameters: Record<string, readonly string[]> = {
    AutomationAssumeRole: [automationRoleArn(request.automationAssumeRole, accountId, partition)],
    Operation: [request.operation],
  };
  const ownDocument = request.document.name === AUTOMATION_DOCUMENT_NAME;
  if (ownDocument) parameters.RebootOption = [request.rebootOption];
  if (ownDocument || request.snapshotId) parameters.SnapshotId = [snapshotId];
  if (request.installOverrideList) parameters.InstallOverrideList = [request.installOverrideList];
  if (ownDocument && request.snapshot?.before && runId !== undefined) {
    parameters.PrePatchSnapshot = ['true'];
    parameters.RunId = [runId];
  }
  return parameters;
}
