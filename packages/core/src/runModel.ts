import type { Plan, PlanDecision } from './planModel.js';
import type { PatchRequest } from './request.js';
import type { RunCompliance } from './runCompliance.js';

/** SSM AutomationExecutionStatus values, in the SSM API model's order. */
export const AUTOMATION_STATUSES = [
  'Pending',
  'InProgress',
  'Waiting',
  'Success',
  'TimedOut',
  'Cancelling',
  'Cancelled',
  'Failed',
  'PendingApproval',
  'Approved',
  'Rejected',
  'Scheduled',
  'RunbookInProgress',
  'PendingChangeCalendarOverride',
  'ChangeCalendarOverrideApproved',
  'ChangeCalendarOverrideRejected',
  'CompletedWithSuccess',
  'CompletedWithFailure',
  'Exited',
] as const;

/** An SSM AutomationExecutionStatus. */
export type AutomationStatus = (typeof AUTOMATION_STATUSES)[number];

/** Patch state of one instance after the run (from DescribeInstancePatchStates). */
export interface InstancePatchSummary {
  readonly operation: 'Scan' | 'Install';
  readonly installedCount: number;
  readonly missingCount: number;
  readonly failedCount: number;
  readonly installedPendingRebootCount: number;
  readonly operationEndTime?: string;
}

/** The result for one instance: its child execution and, once read, its patch state. */
export interface InstanceResult {
  readonly instanceId: string;
  readonly executionId?: string;
  readonly status: AutomationStatus | 'Unknown';
  readonly failureMessage?: string;
  readonly patch?: InstancePatchSummary;
}

/**
 * A start orgpatch is about to make, written to the record before StartAutomationExecution is
 * called: a crash between the call and the record of its execution id leaves the intent, and the
 * next pass repeats the call with the same ClientToken, which returns the execution already started
 * (StartAutomationExecution is idempotent per ClientToken) instead of starting a second one.
 */
export interface StartIntent {
  /** The resource group the start targets. */
  readonly group: string;
  readonly clientToken: string;
  /** When the intent was first written. */
  readonly recordedAt: string;
  /** Calls made so far whose answer was a transient error (throttling, 5xx, network). */
  readonly attempts: number;
  /** The last transient error, kept while the start is retried. */
  readonly lastError?: { readonly code: string; readonly message: string };
}

/** An error reading an execution's status: kept while the status is `Unknown`, until a read succeeds. */
export interface ReadError {
  readonly code: string;
  readonly message: string;
  /** Failed reads in a row. */
  readonly count: number;
  readonly at: string;
}

/** One automation execution started in a location. */
export interface ExecutionRecord {
  readonly executionId: string;
  readonly clientToken: string;
  /** The resource group the execution targets. */
  readonly group: string;
  /**
   * As AWS last reported it; `Unknown` while it cannot be read (see `readError`): orgpatch never
   * records an execution as failed unless AWS says so.
   */
  readonly status: AutomationStatus | 'Unknown';
  readonly readError?: ReadError;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly failureMessage?: string;
  readonly instances: readonly InstanceResult[];
}

/**
 * Where a location stands in a run.
 * - planned: in a wave not yet started (or a dry run);
 * - starting: its starts are recorded as intents and being made (or retried after a transient error);
 * - skipped / failed: as the plan decided, or failed when starting;
 * - started: executions started, being tracked; succeeded / failed once terminal;
 * - halted: its wave was not started because an error threshold or the budget was crossed.
 */
export type LocationStatus = 'planned' | 'starting' | 'skipped' | 'started' | 'succeeded' | 'failed' | 'halted';

/** A location's outcome in the run record. */
export interface LocationOutcome {
  readonly accountId: string;
  readonly accountName: string;
  /**
   * The account's parent chain from the root, as discovery saw it (`['r-ab12', 'ou-ab12-1']`), for
   * roll-ups by OU. Absent in records written before it was kept, and for an account discovery did not see.
   */
  readonly ouPath?: readonly string[];
  readonly region: string;
  readonly wave: string;
  readonly instanceCount: number;
  readonly decision: PlanDecision;
  readonly status: LocationStatus;
  /** Why it was skipped, failed or halted, in words a person can act on. */
  readonly reason?: string;
  readonly error?: { readonly code: string; readonly message: string };
  /** Starts recorded but not yet answered with an execution id (see {@link StartIntent}). */
  readonly intents?: readonly StartIntent[];
  readonly executions: readonly ExecutionRecord[];
}

/** Where a wave stands. */
export type WaveStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'halted';

export interface WaveOutcome {
  readonly name: string;
  readonly status: WaveStatus;
  readonly reason?: string;
  /** When the wave ended (succeeded or failed), for its bake time. */
  readonly endedAt?: string;
  /** Its health gate held it before it started: why, since when, and until when (once it started). */
  readonly held?: { readonly reason: string; readonly since: string; readonly until?: string };
}

/** Where a whole run stands. */
export type RunStatus = 'planned' | 'running' | 'succeeded' | 'failed' | 'halted';

/** Everything known about a run: what was asked, planned, started and what came of it. JSON-serializable. */
export interface RunRecord {
  readonly schemaVersion: 1;
  readonly runId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly status: RunStatus;
  readonly dryRun: boolean;
  /** The SnapshotId passed to AWS-RunPatchBaseline in every location of this run. */
  readonly snapshotId: string;
  /** The key the ClientTokens were derived from (task execution id or run id). */
  readonly idempotencyKey: string;
  readonly request: PatchRequest;
  readonly organization: {
    readonly organizationId?: string;
    readonly managementAccountId: string;
    readonly partition: string;
  };
  readonly plan: Plan;
  readonly waves: readonly WaveOutcome[];
  /** The compliance snapshot the finished run took (or why not), and the one before it. */
  readonly compliance?: RunCompliance;
  readonly locations: readonly LocationOutcome[];
}
