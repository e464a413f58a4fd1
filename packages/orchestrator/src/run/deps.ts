import type {
  AlarmReader,
  AutomationRunner,
  InventoryReader,
  OrganizationDirectory,
  PatchStateReader,
  RunStore,
  SnapshotCleaner,
  TagInventoryReader,
} from '@orgpatch/core';

/** A narrow logger: the Lambda passes the Powertools Logger, tests a recorder, the CLI nothing. */
export interface RunLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** What a run reports as it goes, for progress bars and logs. */
export type ProgressEvent =
  | { readonly phase: 'discover'; readonly accounts: number; readonly done: boolean }
  | { readonly phase: 'inventory'; readonly done: number; readonly total: number }
  | { readonly phase: 'start'; readonly wave: string; readonly done: number; readonly total: number }
  | { readonly phase: 'track'; readonly done: number; readonly total: number; readonly round: number }
  | { readonly phase: 'patch-states'; readonly done: number; readonly total: number }
  | { readonly phase: 'report'; readonly artifacts: readonly string[] };

/** The ports a run uses, plus the clock, the sleeper and the observers. */
export interface RunDeps {
  readonly directory: OrganizationDirectory;
  readonly inventory: InventoryReader;
  /** The inventory of a tag target (managed nodes by tag); required for a request that targets a tag. */
  readonly tagInventory?: TagInventoryReader;
  readonly automation: AutomationRunner;
  readonly patchStates: PatchStateReader;
  /** The waves' health gates (CloudWatch alarms); required for a request whose waves name alarms. */
  readonly alarms?: AlarmReader;
  readonly store: RunStore;
  /** Deletes expired pre-patch snapshots when a run with `Snapshot` ends; without it none are deleted. */
  readonly snapshots?: SnapshotCleaner;
  /** Wall clock for record timestamps. @default () => new Date() */
  readonly now?: () => Date;
  /** Waits between poll rounds. Tests pass one that advances a fake instead of sleeping. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: RunLogger;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** The default sleeper. */
export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
