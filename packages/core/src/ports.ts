import type { InventoryObservation, Location } from './inventory.js';
import type { OrganizationSnapshot } from './organization.js';
import type { RateValue } from './request.js';
import type { AutomationStatus, InstancePatchSummary, RunRecord } from './runModel.js';

/**
 * Ports: what the AWS side implements for the orchestration. Small and named for what they do,
 * so another tool (or a test) can supply its own.
 */

/** Which accounts to discover. */
export interface DiscoveryScope {
  /** OU or root ids to walk recursively. Empty with empty `accountIds`: the caller's account only. */
  readonly ouIds: readonly string[];
  readonly accountIds: readonly string[];
}

/** Finds the accounts of the Organization. */
export interface OrganizationDirectory {
  discover(scope: DiscoveryScope): Promise<OrganizationSnapshot>;
}

/** Reads the members of the target resource groups in one location. Never throws for AWS errors: it observes them. */
export interface InventoryReader {
  observe(location: Location, groups: readonly string[]): Promise<InventoryObservation>;
}

/** What StartAutomationExecution needs for one location and group. */
export interface AutomationStart {
  readonly location: Location;
  readonly documentName: string;
  readonly documentVersion?: string;
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  readonly targetParameterName: string;
  readonly group: string;
  readonly maxConcurrency: RateValue;
  readonly maxErrors: RateValue;
  readonly clientToken: string;
}

/** The state of one execution and its per-instance children. */
export interface ExecutionState {
  readonly executionId: string;
  readonly status: AutomationStatus;
  readonly endedAt?: string;
  readonly failureMessage?: string;
  readonly children: readonly {
    readonly executionId: string;
    readonly instanceId: string;
    readonly status: AutomationStatus;
    readonly failureMessage?: string;
  }[];
}

/** Starts and follows automations. */
export interface AutomationRunner {
  start(input: AutomationStart): Promise<{ readonly executionId: string }>;
  describe(location: Location, executionId: string): Promise<ExecutionState>;
  stop(location: Location, executionId: string): Promise<void>;
}

/** Reads instance patch states after a run. */
export interface PatchStateReader {
  read(location: Location, instanceIds: readonly string[]): Promise<ReadonlyMap<string, InstancePatchSummary>>;
}

/** A run listed by the store. */
export interface RunListing {
  readonly runId: string;
  readonly createdAt: string;
  readonly status: RunRecord['status'];
}

/** Keeps run records and their rendered reports. */
export interface RunStore {
  put(record: RunRecord): Promise<void>;
  get(runId: string): Promise<RunRecord | undefined>;
  list(): Promise<readonly RunListing[]>;
  /** Writes a rendered artifact (report.html, report.csv, ...) beside the record; returns where it went. */
  putArtifact(runId: string, name: string, body: string, contentType: string): Promise<string>;
}
