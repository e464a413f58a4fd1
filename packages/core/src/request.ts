/**
 * The normalized patch request: what a payload means once parsed and checked.
 * Produced by {@link parsePayload}; consumed by the plan builder and the orchestrator.
 */

/** AWS-RunPatchBaseline's Operation parameter. */
export type Operation = 'Scan' | 'Install';

/** AWS-RunPatchBaseline's RebootOption parameter. */
export type RebootOption = 'RebootIfNeeded' | 'NoReboot';

/**
 * A rate value as SSM accepts it for MaxConcurrency and MaxErrors: an absolute
 * count ("10") or a percentage ("10%"). `raw` is the string sent to SSM.
 */
export type RateValue =
  | { readonly kind: 'absolute'; readonly value: number; readonly raw: string }
  | { readonly kind: 'percent'; readonly value: number; readonly raw: string };

/**
 * Which role SSM Automation assumes in each account.
 * - `member-default`: each account's own orgpatch automation role (deployed by the member stack).
 * - `template`: an ARN template with `{{AccountId}}` (and optionally `{{Partition}}`) filled in per account.
 * - `fixed`: one ARN, as in the blog's single-account payload.
 */
export type AutomationRoleSpec =
  | { readonly kind: 'member-default' }
  | { readonly kind: 'template'; readonly template: string }
  | { readonly kind: 'fixed'; readonly arn: string };

/**
 * One SSM target: resource groups, as in the blog payload (`{ Key: 'ResourceGroup', Values:
 * ['WebServers'] }`), or one tag (`{ Key: 'tag:Patch', Values: ['true'] }`), which SSM Automation
 * resolves itself when the automation starts.
 */
export interface TargetSpec {
  readonly key: 'ResourceGroup' | `tag:${string}`;
  readonly values: readonly string[];
}

/** A wave: a named group of OUs and/or accounts started in order, with its own error threshold. */
export interface WaveSpec {
  readonly name: string;
  /** OU or root ids; accounts anywhere below them (recursively) belong to the wave. */
  readonly targetOus: readonly string[];
  readonly accounts: readonly string[];
  /**
   * Failed locations (absolute or percent of the wave's started locations) that the wave may
   * have; more than this and later waves are not started (SSM MaxErrors semantics).
   */
  readonly errorThreshold: RateValue;
  /**
   * CloudWatch alarms (in the orchestrator's account and Region) that gate this wave and every later
   * one: checked before the wave starts, while it runs and through its bake time; one in ALARM halts
   * what is left. Absent: no alarm.
   */
  readonly alarms?: readonly string[];
  /** Minutes to wait after the wave ends, its alarms out of ALARM, before the next wave starts. Absent: none. */
  readonly bakeMinutes?: number;
}

/** The Organization part of a request. Absent: the blog's meaning, the current account only. */
export interface OrganizationScope {
  readonly targetOus: readonly string[];
  readonly accounts: readonly string[];
  readonly excludeAccounts: readonly string[];
  readonly includeManagementAccount: boolean;
  /** Name of the member execution role the orchestrator assumes in each account. */
  readonly executionRoleName: string;
  /** Waves in order. Accounts in scope that no wave names go to a final wave called `default`. */
  readonly waves: readonly WaveSpec[];
  /** Failed locations across all waves beyond which remaining waves are not started. */
  readonly errorBudget?: RateValue;
  /**
   * Reasons a location that cannot be reached is skipped instead of failed. By default (empty) an
   * unreachable location fails and counts against its wave's threshold and the budget, so a wave
   * whose accounts could not be reached never lets the next wave go ahead.
   * @default []
   */
  readonly skipUnreachable?: readonly UnreachableReason[];
}

/** Why a location could not be reached: what `SkipUnreachable` can turn from a failure into a skip. */
export type UnreachableReason = 'access-denied' | 'member-stack-missing';

/** Fan-out limits for discovery, inventory and starts. */
export interface ConcurrencyLimits {
  /** Calls in flight across the whole run. */
  readonly global: number;
  /** Calls in flight against any one account. */
  readonly perAccount: number;
}

/** When a scheduled run goes ahead: only on the second Tuesday of the month plus `offsetDays` days. */
export interface PatchTuesdaySetting {
  /** Days after the second Tuesday of the month, 0-27. */
  readonly offsetDays: number;
  /** IANA time zone the calendar day is read in (the window's ScheduleTimezone). @default 'UTC' */
  readonly timeZone: string;
}

/** Pre-patch EBS snapshots, taken by orgpatch's member document. */
export interface SnapshotSetting {
  /** Snapshot every EBS volume of an instance (one CreateSnapshots) before patching it. @default true */
  readonly before: boolean;
  /** Days orgpatch keeps its snapshots before a later run deletes them (1-365). @default 7 */
  readonly retainDays: number;
}

/** A parsed, validated, normalized patch request. */
export interface PatchRequest {
  /** Maintenance window id, or undefined when the payload still holds the `{{WINDOW_ID}}` pseudo-parameter. */
  readonly windowId?: string;
  /** Task execution id, or undefined when the payload still holds `{{TASK_EXECUTION_ID}}`. */
  readonly taskExecutionId?: string;
  readonly document: { readonly name: string; readonly version?: string };
  readonly operation: Operation;
  readonly rebootOption: RebootOption;
  readonly automationAssumeRole: AutomationRoleSpec;
  /** AWS-RunPatchBaseline SnapshotId; the orchestrator generates one per run when absent. */
  readonly snapshotId?: string;
  /** AWS-RunPatchBaseline InstallOverrideList (an S3 URL). */
  readonly installOverrideList?: string;
  readonly targetParameterName: string;
  readonly targets: readonly TargetSpec[];
  /** Resource group names from `targets`, de-duplicated, in payload order (none for a tag target). */
  readonly resourceGroups: readonly string[];
  readonly maxConcurrency: RateValue;
  readonly maxErrors: RateValue;
  /** Target Regions, de-duplicated, in payload order. */
  readonly regions: readonly string[];
  readonly organization?: OrganizationScope;
  readonly dryRun: boolean;
  readonly concurrency: ConcurrencyLimits;
  /**
   * Patch Tuesday gate of a maintenance-window invocation: on any other day it starts nothing and
   * records why. Absent: every invocation goes ahead.
   */
  readonly patchTuesday?: PatchTuesdaySetting;
  /** Pre-patch snapshots. Absent: none are taken. */
  readonly snapshot?: SnapshotSetting;
}
