import {
  isKnownRegion,
  type Operation,
  partitionOf,
  type RebootOption,
  suggestRegion,
  type TaskPayload,
  validateMaintenanceWindowSchedule,
} from '@orgpatch/core';
import { type MemberTemplates, memberTemplates } from '@orgpatch/member-stack';
import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { describeIssue, OrgPatchingConfigError } from './errors.js';
import { ManagementAccountMember } from './ManagementAccountMember.js';
import { type DeployFrom, MemberStackSets, type StackSetOperationPreferences } from './MemberStackSets.js';
import { OrchestratorFunctions } from './OrchestratorFunctions.js';
import { PatchMaintenanceWindow } from './PatchMaintenanceWindow.js';
import { RunNotifications } from './RunNotifications.js';
import { RunRecordBucket } from './RunRecordBucket.js';
import { type PatchWave, taskPayloadFor } from './taskPayload.js';

/** The blog's maintenance-window schedule: Sundays at 04:00. */
export const DEFAULT_SCHEDULE = 'cron(0 4 ? * SUN *)';
/** The blog's time zone, as it meant it (its "S/EasternU" is a typo of US/Eastern). */
export const DEFAULT_TIME_ZONE = 'US/Eastern';
/** The blog's window duration, in hours. */
export const DEFAULT_DURATION_HOURS = 5;
/** The blog template's cutoff, in hours: no new task starts in the window's last hour. */
export const DEFAULT_CUTOFF_HOURS = 1;
/** The blog's owner information. */
export const DEFAULT_OWNER_INFORMATION = 'Patch Management Team';
/** The resource group patched when none is named (the sandbox's default group too). */
export const DEFAULT_RESOURCE_GROUP = 'orgpatch-targets';

/** Where the management account's member resources come from when it is patched. */
export type ManagementMemberPlacement = 'IN_THIS_STACK' | 'DEPLOYED_SEPARATELY';

/** Props of {@link OrgPatching}. */
export interface OrgPatchingProps {
  /** The Organization's id (`o-...`): the orchestrator may assume member roles only in its accounts. */
  readonly organizationId: string;
  /** OU or root ids whose accounts (recursively) are patched and receive the member stacks. Not empty. */
  readonly targetOus: readonly string[];
  /**
   * Regions to patch (and to deploy the Regional member stack in). All in one partition.
   * @default - the stack's Region (an error if the stack is environment-agnostic)
   */
  readonly regions?: readonly string[];
  /**
   * The Region where each account's global member stack (the IAM roles) is deployed.
   * @default - the first of `regions`
   */
  readonly homeRegion?: string;
  /**
   * Resource groups (by name, in every account and Region) whose instances are patched.
   * @default ['orgpatch-targets']
   */
  readonly resourceGroups?: readonly string[];
  /**
   * AWS-RunPatchBaseline operation.
   * @default 'Scan' — reports missing patches, changes nothing
   */
  readonly operation?: Operation;
  /**
   * AWS-RunPatchBaseline reboot option.
   * @default 'RebootIfNeeded'
   */
  readonly rebootOption?: RebootOption;
  /**
   * Instances patched at once per automation (count or percentage).
   * @default '10' (the blog's value)
   */
  readonly maxConcurrency?: string;
  /**
   * Failed instances after which an automation stops (count or percentage).
   * @default '1' (the blog's value)
   */
  readonly maxErrors?: string;
  /**
   * Waves started in order (e.g. dev OUs before prod OUs); accounts no wave names go last.
   * @default - one wave: every target account
   */
  readonly waves?: readonly PatchWave[];
  /**
   * Failed locations across all waves after which the remaining waves are not started.
   * @default - no budget beyond each wave's threshold
   */
  readonly errorBudget?: string;
  /**
   * Accounts never patched, even when below a target OU.
   * @default - none
   */
  readonly excludeAccounts?: readonly string[];
  /**
   * AWS-RunPatchBaseline InstallOverrideList (https:// or s3:// URL).
   * @default - none
   */
  readonly installOverrideList?: string;
  /**
   * Maintenance-window schedule: cron(...), rate(...) or at(...).
   * @default 'cron(0 4 ? * SUN *)'
   */
  readonly schedule?: string;
  /**
   * IANA time zone of the schedule.
   * @default 'US/Eastern'
   */
  readonly timeZone?: string;
  /**
   * Window length, in hours (1-24).
   * @default 5
   */
  readonly duration?: number;
  /**
   * Hours before the window's end when no new task starts (0-23, less than `duration`).
   * @default 1
   */
  readonly cutoff?: number;
  /**
   * Days after a cron match the window runs (1-6, cron schedules only).
   * @default - none
   */
  readonly scheduleOffset?: number;
  /**
   * Owner information of the window (its `Owner` tag).
   * @default 'Patch Management Team'
   */
  readonly ownerInformation?: string;
  /**
   * Name of the maintenance window.
   * @default 'orgpatch'
   */
  readonly maintenanceWindowName?: string;
  /**
   * The account this stack is deployed in: the management account, or a delegated administrator
   * for StackSets (`CallAs: DELEGATED_ADMIN`).
   * @default 'MANAGEMENT'
   */
  readonly deployFrom?: DeployFrom;
  /**
   * How the member StackSets roll out.
   * @default - 25% of accounts at once, 10% failure tolerance, Regions in parallel, soft failure tolerance
   */
  readonly stackSetOperationPreferences?: StackSetOperationPreferences;
  /**
   * Prefix of the StackSet names.
   * @default 'OrgPatch-Member'
   */
  readonly stackSetNamePrefix?: string;
  /**
   * Patch the management account too (service-managed StackSets never deploy to it).
   * @default false
   */
  readonly includeManagementAccount?: boolean;
  /**
   * With `includeManagementAccount`: `IN_THIS_STACK` puts the member-stack `management` resources
   * (roles and document) in this stack (only possible when this stack is in the management account);
   * `DEPLOYED_SEPARATELY` means you deploy that template in the management account yourself.
   * @default 'IN_THIS_STACK'
   */
  readonly managementAccountMember?: ManagementMemberPlacement;
  /**
   * Days a run record is kept.
   * @default 400
   */
  readonly runRecordRetentionDays?: number;
  /**
   * Days a superseded run-record version is kept.
   * @default 30
   */
  readonly noncurrentVersionRetentionDays?: number;
  /**
   * Email addresses subscribed to run summaries and alarms.
   * @default - none
   */
  readonly notificationEmails?: readonly string[];
  /**
   * How often the tracker follows runs in progress (whole minutes, at least 1).
   * @default Duration.minutes(5)
   */
  readonly trackingInterval?: Duration;
  /**
   * Retention of the orchestrator's log groups.
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: RetentionDays;
  /**
   * The member templates embedded in the StackSets.
   * @default memberTemplates() of @orgpatch/member-stack
   */
  readonly memberTemplates?: MemberTemplates;
}

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const OU_OR_ROOT_ID = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SCHEDULE_PROP: Readonly<Record<string, string>> = {
  Schedule: 'schedule',
  ScheduleTimezone: 'timeZone',
  ScheduleOffset: 'scheduleOffset',
  Duration: 'duration',
  Cutoff: 'cutoff',
};

/**
 * orgpatch in one construct: everything the management (or delegated administrator) account needs
 * to patch every account of the target OUs in every target Region — the orchestrator Lambda and
 * its tracker, the maintenance window that invokes it with a payload built from these props, the
 * member StackSets, the run-record bucket, the summary topic and the alarms.
 *
 * Everything is checked at synth time: schedule, time zone, Regions, rate values, OU ids and the
 * payload (with the orchestrator's own parser, and against the 4,096-character task limit).
 *
 * @example
 * new OrgPatching(stack, 'OrgPatching', {
 *   organizationId: 'o-abcdefghij',
 *   targetOus: ['ou-ab12-34cd56ef'],
 *   regions: ['us-east-1', 'eu-west-1'],
 *   operation: 'Install',
 *   waves: [{ name: 'dev', targetOus: ['ou-ab12-devdevde'] }],
 * });
 */
export class OrgPatching extends Construct {
  /** The task payload (JSON text before SSM fills the pseudo-parameters) and core's reading of it. */
  readonly payload: TaskPayload;
  /** The run-record bucket and its access-log bucket. */
  readonly runRecords: RunRecordBucket;
  /** The run-summary topic, its key, the report announcement rule and the alarms. */
  readonly notifications: RunNotifications;
  /** The run and track functions, their log groups, their shared role and the tracking schedule. */
  readonly orchestrator: OrchestratorFunctions;
  /** The maintenance window, its Lambda task and the task's service role. */
  readonly maintenanceWindow: PatchMaintenanceWindow;
  /** The global and Regional member StackSets. */
  readonly memberStackSets: MemberStackSets;
  /** The management account's member resources, when this stack holds them. */
  readonly managementMember?: ManagementAccountMember;
  /** The Regions patched. */
  readonly regions: readonly string[];
  /** The home Region of the global member stacks. */
  readonly homeRegion: string;

  constructor(scope: Construct, id: string, props: OrgPatchingProps) {
    super(scope, id);
    const stack = Stack.of(this);

    if (!ORGANIZATION_ID.test(props.organizationId)) {
      throw new OrgPatchingConfigError(
        'organizationId',
        `"${props.organizationId}" is not an Organization id; it looks like "o-abcdefghij" (aws organizations describe-organization).`,
      );
    }
    if (props.targetOus.length === 0) {
      throw new OrgPatchingConfigError(
        'targetOus',
        'name at least one OU or root id whose accounts orgpatch patches, e.g. ["ou-ab12-34cd56ef"], or the root id ("r-ab12") for the whole Organization.',
      );
    }
    props.targetOus.forEach((ou, i) => {
      if (!OU_OR_ROOT_ID.test(ou)) {
        throw new OrgPatchingConfigError(
          `targetOus[${i}]`,
          `"${ou}" is not an OU or root id; an OU id looks like "ou-ab12-34cd56ef" and a root id like "r-ab12".`,
        );
      }
    });

    let regions = props.regions;
    if (regions === undefined) {
      if (Token.isUnresolved(stack.region)) {
        throw new OrgPatchingConfigError(
          'regions',
          'the stack is environment-agnostic, so its Region is not known at synth time; list the Regions to patch, e.g. ["us-east-1"], or give the stack an env.region.',
        );
      }
      regions = [stack.region];
    }
    this.regions = regions;
    const homeRegion = props.homeRegion;
    if (homeRegion !== undefined) {
      if (!isKnownRegion(homeRegion)) {
        const hint = suggestRegion(homeRegion);
        throw new OrgPatchingConfigError(
          'homeRegion',
          `"${homeRegion}" is not a known AWS Region${hint ? `; did you mean "${hint}"?` : '.'}`,
        );
      }
      const other = regions.find((r) => isKnownRegion(r) && partitionOf(r) !== partitionOf(homeRegion));
      if (other !== undefined) {
        throw new OrgPatchingConfigError(
          'homeRegion',
          `"${homeRegion}" is in partition ${partitionOf(homeRegion)} but Region ${other} is in ${partitionOf(other)}; a deployment patches one partition.`,
        );
      }
    }

    const deployFrom = props.deployFrom ?? 'MANAGEMENT';
    const includeManagementAccount = props.includeManagementAccount ?? false;
    const managementAccountMember = props.managementAccountMember ?? 'IN_THIS_STACK';
    if (includeManagementAccount && deployFrom === 'DELEGATED_ADMIN' && managementAccountMember === 'IN_THIS_STACK') {
      throw new OrgPatchingConfigError(
        'includeManagementAccount',
        "this stack is deployed from a delegated administrator, so it cannot hold the management account's member resources; deploy the member-stack management template in the management account and set managementAccountMember: 'DEPLOYED_SEPARATELY'.",
      );
    }

    const preferences = props.stackSetOperationPreferences ?? {};
    validateOperationPreferences(preferences);

    const runRecordRetentionDays = props.runRecordRetentionDays ?? 400;
    const noncurrentVersionRetentionDays = props.noncurrentVersionRetentionDays ?? 30;
    for (const [field, days] of [
      ['runRecordRetentionDays', runRecordRetentionDays],
      ['noncurrentVersionRetentionDays', noncurrentVersionRetentionDays],
    ] as const) {
      if (!Number.isInteger(days) || days < 1) {
        throw new OrgPatchingConfigError(field, `must be a whole number of days, at least 1; got ${days}.`);
      }
    }
    (props.notificationEmails ?? []).forEach((email, i) => {
      if (!EMAIL.test(email)) {
        throw new OrgPatchingConfigError(`notificationEmails[${i}]`, `"${email}" is not an email address.`);
      }
    });
    const trackingInterval = props.trackingInterval ?? Duration.minutes(5);
    const trackingMinutes = trackingInterval.toMinutes({ integral: false });
    if (!Number.isInteger(trackingMinutes) || trackingMinutes < 1) {
      throw new OrgPatchingConfigError(
        'trackingInterval',
        `must be a whole number of minutes, at least 1; got ${trackingInterval.toHumanString()}.`,
      );
    }

    const schedule = props.schedule ?? DEFAULT_SCHEDULE;
    const timeZone = props.timeZone ?? DEFAULT_TIME_ZONE;
    const duration = props.duration ?? DEFAULT_DURATION_HOURS;
    const cutoff = props.cutoff ?? DEFAULT_CUTOFF_HOURS;
    const scheduleIssues = validateMaintenanceWindowSchedule({
      schedule,
      timeZone,
      duration,
      cutoff,
      ...(props.scheduleOffset === undefined ? {} : { scheduleOffset: props.scheduleOffset }),
    });
    const scheduleIssue = scheduleIssues[0];
    if (scheduleIssue !== undefined) {
      throw new OrgPatchingConfigError(SCHEDULE_PROP[scheduleIssue.path] ?? 'schedule', describeIssue(scheduleIssue));
    }

    this.payload = taskPayloadFor({
      targetOus: props.targetOus,
      regions,
      resourceGroups: props.resourceGroups ?? [DEFAULT_RESOURCE_GROUP],
      operation: props.operation ?? 'Scan',
      rebootOption: props.rebootOption ?? 'RebootIfNeeded',
      maxConcurrency: props.maxConcurrency ?? '10',
      maxErrors: props.maxErrors ?? '1',
      waves: props.waves ?? [],
      ...(props.errorBudget === undefined ? {} : { errorBudget: props.errorBudget }),
      excludeAccounts: props.excludeAccounts ?? [],
      includeManagementAccount,
      ...(props.installOverrideList === undefined ? {} : { installOverrideList: props.installOverrideList }),
    });
    // The payload parser has checked the Regions (known, one partition, at least one).
    this.homeRegion = homeRegion ?? this.payload.request.regions[0] ?? '';

    this.runRecords = new RunRecordBucket(this, 'RunRecords', {
      retentionDays: runRecordRetentionDays,
      noncurrentVersionRetentionDays,
    });
    this.notifications = new RunNotifications(this, 'Notifications', {
      emails: props.notificationEmails ?? [],
    });
    this.orchestrator = new OrchestratorFunctions(this, 'Orchestrator', {
      organizationId: props.organizationId,
      runBucket: this.runRecords.bucket,
      trackingInterval,
      logRetention: props.logRetention ?? RetentionDays.ONE_YEAR,
    });
    this.notifications.announceReports(this.runRecords.bucket);
    this.notifications.alarmOnFunction('Run', this.orchestrator.runFunction);
    this.notifications.alarmOnFunction('Track', this.orchestrator.trackFunction);

    this.maintenanceWindow = new PatchMaintenanceWindow(this, 'MaintenanceWindow', {
      name: props.maintenanceWindowName ?? 'orgpatch',
      schedule,
      timeZone,
      duration,
      cutoff,
      ...(props.scheduleOffset === undefined ? {} : { scheduleOffset: props.scheduleOffset }),
      ownerInformation: props.ownerInformation ?? DEFAULT_OWNER_INFORMATION,
      orchestrator: this.orchestrator.runFunction,
      payload: this.payload.text,
    });

    const templates = props.memberTemplates ?? memberTemplates();
    const parameters = {
      OrchestratorRoleArn: this.orchestrator.role.roleArn,
      OrganizationId: props.organizationId,
    };
    this.memberStackSets = new MemberStackSets(this, 'MemberStackSets', {
      globalTemplate: templates.global,
      regionalTemplate: templates.regional,
      targetOus: props.targetOus,
      regions,
      homeRegion: this.homeRegion,
      parameters,
      deployFrom,
      operationPreferences: preferences,
      namePrefix: props.stackSetNamePrefix ?? 'OrgPatch-Member',
    });

    if (includeManagementAccount && managementAccountMember === 'IN_THIS_STACK') {
      this.managementMember = new ManagementAccountMember(this, 'ManagementAccountMember', {
        orchestratorRoleArn: this.orchestrator.role.roleArn,
        organizationId: props.organizationId,
      });
      const uncovered = Token.isUnresolved(stack.region) ? [] : regions.filter((r) => r !== stack.region);
      if (uncovered.length > 0) {
        Annotations.of(this).addWarningV2(
          '@orgpatch/infra:managementAccountRegions',
          `The management account gets the automation document in ${stack.region} only; deploy the member-stack Regional template there in ${uncovered.join(', ')} too (the orgpatch app adds a ManagementRegionalStack for each), or those Regions of the management account are skipped as document-missing.`,
        );
      }
    }
  }
}

function validateOperationPreferences(p: StackSetOperationPreferences): void {
  const field = 'stackSetOperationPreferences';
  if (p.maxConcurrentCount !== undefined && p.maxConcurrentPercentage !== undefined) {
    throw new OrgPatchingConfigError(field, 'give maxConcurrentCount or maxConcurrentPercentage, not both.');
  }
  if (p.failureToleranceCount !== undefined && p.failureTolerancePercentage !== undefined) {
    throw new OrgPatchingConfigError(field, 'give failureToleranceCount or failureTolerancePercentage, not both.');
  }
  const checks: readonly [string, number | undefined, number, number][] = [
    ['maxConcurrentPercentage', p.maxConcurrentPercentage, 1, 100],
    ['failureTolerancePercentage', p.failureTolerancePercentage, 0, 100],
    ['maxConcurrentCount', p.maxConcurrentCount, 1, Number.MAX_SAFE_INTEGER],
    ['failureToleranceCount', p.failureToleranceCount, 0, Number.MAX_SAFE_INTEGER],
  ];
  for (const [name, value, min, max] of checks) {
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      throw new OrgPatchingConfigError(
        `${field}.${name}`,
        `must be a whole number${max === Number.MAX_SAFE_INTEGER ? ` of at least ${min}` : ` from ${min} to ${max}`}; got ${value}.`,
      );
    }
  }
  const strict = (p.concurrencyMode ?? 'SOFT_FAILURE_TOLERANCE') === 'STRICT_FAILURE_TOLERANCE';
  if (strict && p.maxConcurrentCount !== undefined && p.failureToleranceCount !== undefined) {
    if (p.maxConcurrentCount > p.failureToleranceCount + 1) {
      throw new OrgPatchingConfigError(
        `${field}.maxConcurrentCount`,
        `${p.maxConcurrentCount} is more than failureToleranceCount + 1 (${p.failureToleranceCount + 1}), which STRICT_FAILURE_TOLERANCE allows at most; lower it or use concurrencyMode SOFT_FAILURE_TOLERANCE.`,
      );
    }
  }
}
