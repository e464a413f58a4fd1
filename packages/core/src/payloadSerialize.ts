import type { Payload } from './payloadSchema.js';
import type { PatchRequest } from './request.js';
import { payloadNameOf } from './unreachable.js';

/**
 * The payload that means `request`: the inverse of {@link parsePayload}, every default written out.
 * Use it to render a request into a maintenance-window task (check the size with {@link checkTaskPayloadSize}).
 * `parsePayload(toPayload(r))` equals `r` for every request `parsePayload` returns.
 */
export function toPayload(request: PatchRequest): Payload {
  const role = request.automationAssumeRole;
  const org = request.organization;
  return {
    ...(request.windowId === undefined ? {} : { WindowId: request.windowId }),
    ...(request.taskExecutionId === undefined ? {} : { TaskExecutionId: request.taskExecutionId }),
    Document: {
      Name: request.document.name,
      ...(request.document.version === undefined ? {} : { Version: request.document.version }),
      Parameters: {
        ...(role.kind === 'member-default'
          ? {}
          : { AutomationAssumeRole: [role.kind === 'fixed' ? role.arn : role.template] }),
        Operation: [request.operation],
        RebootOption: [request.rebootOption],
        ...(request.snapshotId === undefined ? {} : { SnapshotId: [request.snapshotId] }),
        ...(request.installOverrideList === undefined ? {} : { InstallOverrideList: [request.installOverrideList] }),
      },
    },
    TargetParameterName: request.targetParameterName,
    Targets: request.targets.map((t) => ({ Key: t.key, Values: [...t.values] })),
    MaxConcurrency: request.maxConcurrency.raw,
    MaxErrors: request.maxErrors.raw,
    Regions: [...request.regions],
    ...(org === undefined
      ? {}
      : {
          Organization: {
            TargetOus: [...org.targetOus],
            Accounts: [...org.accounts],
            ExcludeAccounts: [...org.excludeAccounts],
            IncludeManagementAccount: org.includeManagementAccount,
            ExecutionRoleName: org.executionRoleName,
            Waves: org.waves.map((w) => ({
              Name: w.name,
              TargetOus: [...w.targetOus],
              Accounts: [...w.accounts],
              ErrorThreshold: w.errorThreshold.raw,
              ...(w.alarms === undefined ? {} : { Alarms: [...w.alarms] }),
              ...(w.bakeMinutes === undefined ? {} : { BakeMinutes: w.bakeMinutes }),
            })),
            ...(org.errorBudget === undefined ? {} : { ErrorBudget: org.errorBudget.raw }),
            ...(org.skipUnreachable === undefined ? {} : { SkipUnreachable: org.skipUnreachable.map(payloadNameOf) }),
          },
        }),
    DryRun: request.dryRun,
    Concurrency: { Global: request.concurrency.global, PerAccount: request.concurrency.perAccount },
    ...(request.patchTuesday === undefined
      ? {}
      : { PatchTuesday: { OffsetDays: request.patchTuesday.offsetDays, TimeZone: request.patchTuesday.timeZone } }),
    ...(request.snapshot === undefined
      ? {}
      : { Snapshot: { Before: request.snapshot.before, RetainDays: request.snapshot.retainDays } }),
  };
}
