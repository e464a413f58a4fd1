import { type PatchRequest, targetLabels } from '@orgpatch/core';

/**
 * The request's fields worth logging: what was asked, where and how. Not the payload as given, and
 * no role ARNs or S3 URLs (they name accounts and buckets, and no log reader needs them).
 */
export function loggableRequest(request: PatchRequest): Record<string, unknown> {
  const org = request.organization;
  return {
    windowId: request.windowId,
    taskExecutionId: request.taskExecutionId,
    document: request.document.name,
    documentVersion: request.document.version,
    operation: request.operation,
    rebootOption: request.rebootOption,
    automationRole: request.automationAssumeRole.kind,
    targets: targetLabels(request),
    regions: request.regions,
    maxConcurrency: request.maxConcurrency.raw,
    maxErrors: request.maxErrors.raw,
    dryRun: request.dryRun,
    concurrency: request.concurrency,
    organization: org
      ? {
          targetOus: org.targetOus.length,
          accounts: org.accounts.length,
          excludedAccounts: org.excludeAccounts.length,
          includeManagementAccount: org.includeManagementAccount,
          waves: org.waves.map((w) => ({ name: w.name, errorThreshold: w.errorThreshold.raw })),
          errorBudget: org.errorBudget?.raw,
        }
      : undefined,
  };
}
