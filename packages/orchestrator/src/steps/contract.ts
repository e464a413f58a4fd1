import type { WaveLocationCounts } from '@orgpatch/core';

/**
 * The shard-sized steps of a run, as an engine calls them: the in-process engine of the CLI
 * (engine.ts) and the Step Functions state machine of infra (one Lambda task per step kind). Every
 * input and output is small JSON, bounded by the shard size and the number of shards, never by the
 * Organization: a step reads the run's manifest and at most one plan group or shard, and writes back
 * only what it changed (the shard, and the manifest's counts).
 *
 * Every step is idempotent. Repeated after a crash at any point, it starts nothing twice (a start is
 * recorded as an intent, committed, before it is made, and made with the deterministic ClientToken of
 * its run, account, Region and group) and loses no outcome (a poll reads SSM's state again).
 *
 * The flow (both engines):
 *
 *     begin ─► plan (each group) ─► next ─┬─ start: start (each shard of the wave) ─► next
 *                                          ├─ wait:  [wait seconds] ─► poll (each shard) ─► next
 *                                          └─ finish: settle (each shard) ─► finish
 */

/** `begin`: validate the payload, take the Organization's lease, discover, record the run. */
export interface BeginInput {
  readonly step: 'begin';
  /** The blog payload, unchanged (with the window's TaskExecutionId filled in, on AWS). */
  readonly payload: unknown;
  /** Use this run id (the CLI's `--run-id`); otherwise derived from the payload's TaskExecutionId. */
  readonly runId?: string;
}

/** What `begin` did. */
export interface BeginOutput {
  readonly runId: string;
  readonly dryRun: boolean;
  /** true when the run id already had a record: the same run, resumed. */
  readonly resumed: boolean;
  /** The plan groups still to plan (numbers), for the `plan` fan-out; empty when planned already. */
  readonly groups: readonly number[];
  /**
   * Why a maintenance-window run (one with a TaskExecutionId) was skipped: it is not its Patch
   * Tuesday go-day, so nothing was read from the Organization or started, and a skip note under
   * `runId` says so. null when the run goes ahead.
   */
  readonly skipped: string | null;
}

/** `plan`: observe one plan group's accounts in every Region, decide, and store its shard(s). */
export interface PlanInput {
  readonly step: 'plan';
  readonly runId: string;
  readonly group: number;
}

/** `next`: what the run does next, from the manifest's counts alone. */
export interface NextInput {
  readonly step: 'next';
  readonly runId: string;
  /** What the last `next` answered with `wait`: the rounds without news so far and the manifest revision then. */
  readonly quietRounds?: number;
  readonly revision?: number;
}

/** What `next` decided. `shards` are the shard numbers the following fan-out goes over. */
export type NextOutput =
  | { readonly action: 'plan'; readonly runId: string; readonly groups: readonly number[] }
  | { readonly action: 'start'; readonly runId: string; readonly wave: string; readonly shards: readonly number[] }
  | {
      readonly action: 'wait';
      readonly runId: string;
      /** How long to wait before polling: the backoff grows with the rounds without news. */
      readonly seconds: number;
      /** Pass both back to the next `next`: rounds without news (a round with news resets it), and the revision they were counted at. */
      readonly quietRounds: number;
      readonly revision: number;
      readonly shards: readonly number[];
    }
  | { readonly action: 'finish'; readonly runId: string; readonly shards: readonly number[] };

/** `start`: start the locations of `wave` in one shard (intents first, then StartAutomationExecution). */
export interface StartInput {
  readonly step: 'start';
  readonly runId: string;
  readonly shard: number;
  readonly wave: string;
}

/** `poll`: read the state of the running executions of one shard. */
export interface PollInput {
  readonly step: 'poll';
  readonly runId: string;
  readonly shard: number;
}

/** `settle`: once nothing runs, read one shard's patch states and mark its halted locations. */
export interface SettleInput {
  readonly step: 'settle';
  readonly runId: string;
  readonly shard: number;
}

/** What `plan`, `start`, `poll` and `settle` did to their shard(s). */
export interface ShardStepOutput {
  readonly runId: string;
  /** The shard(s) written; empty when nothing changed. */
  readonly shards: readonly number[];
  /** true when something changed (news resets the poll backoff). */
  readonly changed: boolean;
}

/** `finish`: the run's status, the reports, the lease released. */
export interface FinishInput {
  readonly step: 'finish';
  readonly runId: string;
}

/** What `finish` leaves. */
export interface FinishOutput {
  readonly runId: string;
  readonly status: string;
  readonly counts: readonly WaveLocationCounts[];
  /** Where the reports were written. */
  readonly reports: Readonly<Record<string, string>>;
  /**
   * The run's end as a chat custom notification (Amazon Q Developer in chat applications), as the
   * JSON text the state machine publishes to the summary topic unchanged.
   */
  readonly notification: string;
}

/** Any step's input: the Step Functions Lambda task dispatches on `step`. */
export type StepInput = BeginInput | PlanInput | NextInput | StartInput | PollInput | SettleInput | FinishInput;
