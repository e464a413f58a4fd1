import type { RateField } from './errors.js';
import {
  AUTOMATION_DOCUMENT_NAME,
  AUTOMATION_DOCUMENT_VERSION,
  EXECUTION_ROLE_NAME,
  TARGET_PARAMETER_NAME,
} from './memberNames.js';
import { uniqueInOrder } from './payloadFields.js';
import { roleSpec } from './payloadRole.js';
import {
  CONCURRENCY_BOUNDS,
  DEFAULT_MAX_CONCURRENCY,
  DEFAULT_MAX_ERRORS,
  type Payload,
  SNAPSHOT_RETAIN_DAYS_BOUNDS,
} from './payloadSchema.js';
import { checkRateValue } from './rates.js';
import type {
  Operation,
  OrganizationScope,
  PatchRequest,
  RateValue,
  RebootOption,
  TargetSpec,
  WaveSpec,
} from './request.js';
import { unreachableReasonOf } from './unreachable.js';

/**
 * Normalization: what a valid payload means, as a {@link PatchRequest}. Defaults are filled in,
 * pseudo-parameters SSM has not replaced read as absent, and lists de-duplicated in payload order.
 */

const first = (list: readonly string[] | undefined): string | undefined => list?.[0];
const resolved = (value: string | undefined): string | undefined =>
  value === undefined || /^\{\{.*\}\}$/.test(value) ? undefined : value;
const rateOf = (raw: string, field: RateField): RateValue => {
  const r = checkRateValue(raw, field);
  if (!r.ok) throw new Error(`unreachable: ${raw} passed validation`);
  return r.rate;
};

function normalizeOrganization(org: NonNullable<Payload['Organization']>): OrganizationScope {
  const waves: WaveSpec[] = (org.Waves ?? []).map((w) => ({
    name: w.Name,
    targetOus: uniqueInOrder(w.TargetOus ?? []),
    accounts: uniqueInOrder(w.Accounts ?? []),
    errorThreshold: rateOf(w.ErrorThreshold ?? DEFAULT_MAX_ERRORS, 'MaxErrors'),
    ...(w.Alarms !== undefined && w.Alarms.length > 0 ? { alarms: uniqueInOrder(w.Alarms) } : {}),
    ...(w.BakeMinutes !== undefined && w.BakeMinutes > 0 ? { bakeMinutes: w.BakeMinutes } : {}),
  }));
  return {
    targetOus: uniqueInOrder([...(org.TargetOus ?? []), ...waves.flatMap((w) => w.targetOus)]),
    accounts: uniqueInOrder([...(org.Accounts ?? []), ...waves.flatMap((w) => w.accounts)]),
    excludeAccounts: uniqueInOrder(org.ExcludeAccounts ?? []),
    includeManagementAccount: org.IncludeManagementAccount ?? false,
    executionRoleName: org.ExecutionRoleName ?? EXECUTION_ROLE_NAME,
    waves,
    ...(org.ErrorBudget === undefined ? {} : { errorBudget: rateOf(org.ErrorBudget, 'MaxErrors') }),
    ...(org.SkipUnreachable === undefined || org.SkipUnreachable.length === 0
      ? {}
      : { skipUnreachable: [...new Set(org.SkipUnreachable.map(unreachableReasonOf))] }),
  };
}

/** The request a payload (already validated by {@link payloadSchema}) means. */
export function normalize(p: Payload): PatchRequest {
  const params = p.Document?.Parameters;
  const nameDefaulted = p.Document?.Name === undefined;
  const version = p.Document?.Version ?? (nameDefaulted ? AUTOMATION_DOCUMENT_VERSION : undefined);
  const windowId = resolved(p.WindowId);
  const taskExecutionId = resolved(p.TaskExecutionId);
  const snapshotId = resolved(first(params?.SnapshotId));
  const installOverrideList = first(params?.InstallOverrideList);
  const targets: TargetSpec[] = p.Targets.map((t) =>
    t.Key.startsWith('tag:')
      ? { key: t.Key as `tag:${string}`, values: [...t.Values] }
      : { key: 'ResourceGroup', values: [...t.Values] },
  );
  return {
    ...(windowId === undefined ? {} : { windowId }),
    ...(taskExecutionId === undefined ? {} : { taskExecutionId }),
    document: { name: p.Document?.Name ?? AUTOMATION_DOCUMENT_NAME, ...(version === undefined ? {} : { version }) },
    operation: (first(params?.Operation) ?? 'Scan') as Operation,
    rebootOption: (first(params?.RebootOption) ?? 'RebootIfNeeded') as RebootOption,
    automationAssumeRole: roleSpec(first(params?.AutomationAssumeRole)),
    ...(snapshotId === undefined ? {} : { snapshotId }),
    ...(installOverrideList === undefined ? {} : { installOverrideList }),
    targetParameterName: p.TargetParameterName ?? TARGET_PARAMETER_NAME,
    targets,
    resourceGroups: uniqueInOrder(targets.filter((t) => t.key === 'ResourceGroup').flatMap((t) => t.values)),
    maxConcurrency: rateOf(p.MaxConcurrency ?? DEFAULT_MAX_CONCURRENCY, 'MaxConcurrency'),
    maxErrors: rateOf(p.MaxErrors ?? DEFAULT_MAX_ERRORS, 'MaxErrors'),
    regions: uniqueInOrder(p.Regions),
    ...(p.Organization === undefined ? {} : { organization: normalizeOrganization(p.Organization) }),
    dryRun: p.DryRun ?? false,
    concurrency: {
      global: p.Concurrency?.Global ?? CONCURRENCY_BOUNDS.global.default,
      perAccount: p.Concurrency?.PerAccount ?? CONCURRENCY_BOUNDS.perAccount.default,
    },
    ...(p.PatchTuesday === undefined
      ? {}
      : { patchTuesday: { offsetDays: p.PatchTuesday.OffsetDays, timeZone: p.PatchTuesday.TimeZone ?? 'UTC' } }),
    ...(p.Snapshot === undefined
      ? {}
      : {
          snapshot: {
            before: p.Snapshot.Before ?? true,
            retainDays: p.Snapshot.RetainDays ?? SNAPSHOT_RETAIN_DAYS_BOUNDS.default,
          },
        }),
  };
}
