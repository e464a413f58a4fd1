import {
  globalRegionOf,
  isOptInRegion,
  type Operation,
  partitionOf,
  type RebootOption,
  type TaskPayload,
} from '@orgpatch/core';
import { type MemberTemplates, memberTemplates } from '@orgpatch/member-stack';
import { Annotations, Stack, Token } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ManagementAccountMember } from './ManagementAccountMember.js';
import { type DeployFrom, MemberStackSets, type StackSetOperationPreferences } from './MemberStackSets.js';
import { OrchestratorFunctions } from './OrchestratorFunctions.js';
import { OrchestratorStateMachine } from './OrchestratorStateMachine.js';
import { PatchMaintenanceWindow } from './PatchMaintenanceWindow.js';
import { checkProps } from './propRules.js';
import { RunNotifications } from './RunNotifications.js';
import { RunRecordBucket } from './RunRecordBucket.js';
import { type PatchWave, taskPayloadFor } from './taskPayload.js';

/** The blog's maintenance-window schedule: Sundays at 04:00. */
const DEFAULT_SCHEDULE = 'cron(0 4 ? * SUN *)';
/** The blog's time zone, as it meant it (its "S/EasternU" is a typo of US/Eastern). */
const DEFAULT_TIME_ZONE = 'US/Eastern';
/** The blog's window duration, in hours. */
const DEFAULT_DURATION_HOURS = 5;
/** The blog template's cutoff, in hours: no new task starts in the window's last hour. */
const DEFAULT_CUTOFF_HOURS = 1;
/** The blog's owner information. */
const DEFAULT_OWNER_INFORMATION = 'Patch Management Team';
/** The resource group patched when none is named (the sandbox's default group too). */
const DEFAULT_RESOURCE_GROUP = 'orgpatch-targets';

/** Where the management account's member resources come from when it is patched. */
export type ManagementMemberPlacement = 'IN_THIS_STACK' | 'DEPLOYED_SEPARATELY';

/** Props of {@link OrgPatching}. */
export interface OrgPatchingProps {
  /** The Organization's id (`o-...`): the orchestrator may assume member roles only in its accounts. */
  readonly organizationId: string;
  /** OU or root ids whose accounts (recursively) are patched and receive the member stacks. Not empty. */
  readonly targetOus: readonly string[];
  /**
   * Regions to patch (and to deploy the Regional member stack in). All in one partition. Opt-in
   * Regions (core's Region table) each get their own Regional StackSet, and must be enabled in the
   * management account (and in a delegated administrator deploying this stack): see the README.
   * @default - the stack's Region (an error if the stack is environment-agnostic)
   */
  readonly regions?: readonly string[];
  /**
   * The Region where each account's global member stack (the IAM roles) is deployed. An opt-in
   * Region here leaves every account that has not enabled it without roles (a synth warning says so).
   * @default - the first of `regions` that every account has enabled, else the partition's global
   * Region (us-east-1 in aws): never an opt-in Region
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
   * Patch Tuesday offset: the window's invocations go ahead only on the second Tuesday of the
   * month plus this many days (0-27), in `timeZone`; on any other day an invocation starts nothing
   * and leaves a skip note (`orgpatch status` lists it). With a daily `schedule` this reaches any
   * day of the Patch Tuesday cycle, not only `scheduleOffset`'s 1 to 6. Not with `scheduleOffset`.
   * @default - none: every invocation runs
   */
  readonly patchTuesdayOffsetDays?: number;
  /**
   * Pre-patch EBS snapshots: before an instance is patched, its volumes are snapshotted (one
   * CreateSnapshots, tagged with the run and the instance) and the automation waits for them; a
   * snapshot that fails fails the instance. Snapshots older than `retainDays` (1-365, default 7)
   * are deleted when a later run ends, only those orgpatch tagged.
   * @default - none: no snapshots
   */
  readonly snapshot?: { readonly before?: boolean; readonly retainDays?: number };
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
   * @default - 25% of accounts at once, 10% failure tolerance (100% in an opt-in Region's own StackSet), Regions in parallel, soft failure tolerance
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
   * Retention of the orchestrator's log groups.
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: RetentionDays;
  /**
   * An EventBridge schedule (`cron(...)` or `rate(...)`, UTC) for an Organization-wide patch
   * compliance snapshot of the window's payload: it starts nothing, stores the snapshot beside the
   * runs and publishes its totals as CloudWatch metrics (namespace OrgPatch: CriticalNonCompliantNodes,
   * SecurityNonCompliantNodes, UnmanagedNodes, OfflineNodes, StaleScans, PlacesNotSeen).
   * @default - no scheduled snapshot (a finished run still takes one)
   */
  readonly complianceSchedule?: string;
  /**
   * The member templates embedded in the StackSets.
   * @default memberTemplates() of @orgpatch/member-stack
   */
  readonly memberTemplates?: MemberTemplates;
}

/**
 * orgpatch in one construct: everything the management (or delegated administrator) account needs
 * to patch every account of the target OUs in every target Region — the orchestrator Lambda and
 * its tracker, the maintenance window that invokes it with a payload built from these props, the
 * member StackSets, the run-record bucket, the summary topic and the alarms.
 *
 * Everything is checked at synth time: schedule, time zone, Regions, rate values, OU ids and the
 * payload (with the orchestrator's own parser, and against the task limit: 3,072 bytes of JSON, whose
 * Base64 form fills the 4,096 characters CloudFormation allows).
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
  /** The step and starter functions, their log groups and roles. */
  readonly orchestrator: OrchestratorFunctions;
  /** The Step Functions state machine that runs a patch run, step by step. */
  readonly engine: OrchestratorStateMachine;
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
    const window = {
      schedule: props.schedule ?? DEFAULT_SCHEDULE,
      timeZone: props.timeZone ?? DEFAULT_TIME_ZONE,
      duration: props.duration ?? DEFAULT_DURATION_HOURS,
      cutoff: props.cutoff ?? DEFAULT_CUTOFF_HOURS,
      ...(props.scheduleOffset === undefined ? {} : { scheduleOffset: props.scheduleOffset }),
    };
    const context = {
      regions: props.regions ?? (Token.isUnresolved(stack.region) ? undefined : [stack.region]),
      window,
    };
    checkProps(props, context);
    const { regions } = context;
    this.regions = regions;
    const includeManagementAccount = props.includeManagementAccount ?? false;

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
      ...(props.snapshot === undefined ? {} : { snapshot: props.snapshot }),
      ...(props.patchTuesdayOffsetDays === undefined
        ? {}
        : { patchTuesday: { offsetDays: props.patchTuesdayOffsetDays, timeZone: window.timeZone } }),
    });
    // The payload parser has checked the Regions (known, one partition, at least one).
    this.homeRegion = props.homeRegion ?? defaultHomeRegion(this.payload.request.regions);
    if (isOptInRegion(this.homeRegion)) {
      Annotations.of(this).addWarningV2(
        '@orgpatch/infra:optInHomeRegion',
        `The global member stack (the roles) goes to ${this.homeRegion}, an opt-in Region: accounts that have not enabled it get no roles and are not patched anywhere. Set homeRegion to a Region every account has enabled, e.g. ${globalRegionOf(partitionOf(this.homeRegion))}.`,
      );
    }

    this.runRecords = new RunRecordBucket(this, 'RunRecords', {
      retentionDays: props.runRecordRetentionDays ?? 400,
      noncurrentVersionRetentionDays: props.noncurrentVersionRetentionDays ?? 30,
    });
    this.notifications = new RunNotifications(this, 'Notifications', {
      emails: props.notificationEmails ?? [],
    });
    const logRetention = props.logRetention ?? RetentionDays.ONE_YEAR;
    this.orchestrator = new OrchestratorFunctions(this, 'Orchestrator', {
      organizationId: props.organizationId,
      runBucket: this.runRecords.bucket,
      logRetention,
    });
    this.engine = new OrchestratorStateMachine(this, 'Engine', {
      stepFunction: this.orchestrator.stepFunction,
      logRetention,
      summaryTopic: this.notifications.topic,
    });
    // The starter may start this state machine and nothing else (states:StartExecution on its ARN).
    this.engine.stateMachine.grantStartExecution(this.orchestrator.startRole);
    this.orchestrator.startFunction.addEnvironment(
      'ORGPATCH_STATE_MACHINE_ARN',
      this.engine.stateMachine.stateMachineArn,
    );
    this.notifications.alarmOnFunction('Start', this.orchestrator.startFunction);
    this.notifications.alarmOnFunction('Step', this.orchestrator.stepFunction);
    this.notifications.alarmOnStateMachine('Run', this.engine.stateMachine);
    this.runRecords.restrictWritesTo(this.orchestrator.role);
    if (props.complianceSchedule !== undefined) {
      const compliance = this.orchestrator.complianceFunction();
      new Rule(this, 'ComplianceSnapshotSchedule', {
        description: 'Takes an orgpatch compliance snapshot of the maintenance window payload',
        schedule: Schedule.expression(props.complianceSchedule),
        targets: [
          new LambdaFunction(compliance, {
            event: RuleTargetInput.fromObject(JSON.parse(this.payload.text) as Record<string, unknown>),
            retryAttempts: 2,
          }),
        ],
      });
      this.notifications.alarmOnFunction('Compliance', compliance);
    }

    this.maintenanceWindow = new PatchMaintenanceWindow(this, 'MaintenanceWindow', {
      name: props.maintenanceWindowName ?? 'orgpatch',
      ...window,
      ownerInformation: props.ownerInformation ?? DEFAULT_OWNER_INFORMATION,
      orchestrator: this.orchestrator.startFunction,
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
      deployFrom: props.deployFrom ?? 'MANAGEMENT',
      operationPreferences: props.stackSetOperationPreferences ?? {},
      namePrefix: props.stackSetNamePrefix ?? 'OrgPatch-Member',
    });

    if (includeManagementAccount && (props.managementAccountMember ?? 'IN_THIS_STACK') === 'IN_THIS_STACK') {
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

/**
 * The home Region of the global member stack when none is given: the first target Region every
 * account has enabled, else the partition's global Region. IAM roles are global, so the stack may
 * live outside the patched Regions; in an opt-in Region it would miss every account without it.
 */
function defaultHomeRegion(regions: readonly string[]): string {
  const first = regions[0];
  if (first === undefined) return '';
  return regions.find((r) => !isOptInRegion(r)) ?? globalRegionOf(partitionOf(first));
}
