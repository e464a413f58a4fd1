import type { AwsCredentials } from '../aws/clients.js';
import type { ProgressEvent } from '../run/deps.js';
import type { PlanInput, PollInput, SettleInput, ShardStepOutput, StartInput } from './contract.js';

/** The steps a step thread runs: the shard-sized ones, whose work is AWS calls for their own accounts. */
export type ThreadStepInput = PlanInput | StartInput | PollInput | SettleInput;

/** Where the run store of a step thread is: the same store as the engine's, opened again in the thread (S3: in the home Region, as the CLI's). */
export type ThreadStoreSpec =
  | { readonly kind: 'local'; readonly root: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly root: string };

/**
 * What a step thread is started with (its `workerData`): only plain data, since a thread shares no
 * object with the engine. Credentials given here stay in memory (structured-cloned to the thread);
 * they are never written or logged.
 */
export interface StepThreadSetup {
  /** The client options of the engine's factory (endpoint, Region, profile, the orchestrator's own keys). */
  readonly aws: {
    readonly endpoint?: string;
    readonly credentials?: AwsCredentials;
    readonly profile?: string;
    readonly homeRegion?: string;
    readonly forcePathStyle?: boolean;
    readonly maxAttempts?: number;
  };
  readonly store: ThreadStoreSpec;
  /**
   * A simulated clock (the sandbox's, sped up): record times and member sessions' expiry are judged
   * by `sim + (Date.now() - real) x timeScale`. Unset: the wall clock.
   */
  readonly clock?: { readonly real: number; readonly sim: number; readonly timeScale: number };
}

/** The engine asks a thread to run a step, with its share of the request's global limit. */
export interface StepRequest {
  readonly id: number;
  readonly input: ThreadStepInput;
  /** The calls in flight this thread may have across all its steps (its share of the global limit). */
  readonly global: number;
}

/** What a thread sends back. */
export type ThreadMessage =
  | { readonly kind: 'done'; readonly id: number; readonly output: ShardStepOutput }
  | { readonly kind: 'failed'; readonly id: number; readonly name: string; readonly message: string }
  | { readonly kind: 'progress'; readonly event: ProgressEvent }
  | {
      readonly kind: 'log';
      readonly level: 'info' | 'warn' | 'error';
      readonly message: string;
      readonly extra: Record<string, unknown>[];
    };
