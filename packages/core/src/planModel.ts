import type { GroupObservation } from './inventory.js';
import type { RateValue } from './request.js';

/** Why a location is not started. Every skip carries one; `describeSkipReason` gives the sentence. */
export type SkipReason =
  | 'no-instances'
  | 'groups-missing'
  | 'account-excluded'
  | 'account-pending-activation'
  | 'account-suspended'
  | 'account-pending-closure'
  | 'account-closed'
  | 'management-account-not-included'
  | 'region-not-enabled'
  | 'access-denied'
  | 'member-stack-missing';

/** A location's decision in the plan. */
export type PlanDecision =
  | {
      readonly action: 'start';
      readonly groups: readonly string[];
      /** What else was seen, e.g. target groups missing in this location. */
      readonly detail?: string;
    }
  | { readonly action: 'skip'; readonly reason: SkipReason; readonly detail: string }
  | { readonly action: 'fail'; readonly code: string; readonly message: string };

/** One (account, Region) in the plan. */
export interface PlannedLocation {
  readonly accountId: string;
  readonly accountName: string;
  readonly region: string;
  readonly wave: string;
  /** What each target group held there (empty when the location was not inspected). */
  readonly groups: readonly GroupObservation[];
  /** Distinct instances across the target groups. */
  readonly instanceCount: number;
  readonly decision: PlanDecision;
}

/** A wave of the plan, in run order. */
export interface PlannedWave {
  readonly name: string;
  readonly errorThreshold: RateValue;
  readonly accountIds: readonly string[];
}

/** Counts of a plan by decision. */
export interface PlanCounts {
  readonly locations: number;
  readonly start: number;
  readonly skip: number;
  readonly fail: number;
  readonly instances: number;
}

/** A deterministic, serializable plan: every location considered, with its decision, grouped into waves. */
export interface Plan {
  readonly waves: readonly PlannedWave[];
  /** Sorted by wave order, then account id, then Region order of the request. */
  readonly locations: readonly PlannedLocation[];
  readonly counts: PlanCounts;
}
