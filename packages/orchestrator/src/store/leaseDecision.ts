import type { LeaseScope, RunLease } from '@orgpatch/core';
import { RunStoreError } from '../errors.js';

/** A lease request, as {@link RunStore.acquireLease} takes it. */
export interface LeaseRequest {
  readonly scope: LeaseScope;
  readonly runId: string;
  readonly now: Date;
  readonly expiresAt: Date;
}

/** What a store does with a lease request, given the lease it read: write this lease, or refuse. */
export type LeaseDecision =
  | { readonly kind: 'write'; readonly lease: RunLease }
  | { readonly kind: 'refuse'; readonly holder: RunLease };

/**
 * The rule every store applies, between reading the lease and writing it conditionally: grant when
 * nobody holds the scope, when `runId` holds it (a renewal, keeping when it was first acquired), or
 * when the holder's lease has ended (`expiresAt` at or before `now`); refuse otherwise.
 * @throws RunStoreError when `expiresAt` is not after `now`.
 */
export function decideLease(current: RunLease | undefined, request: LeaseRequest): LeaseDecision {
  const { scope, runId, now, expiresAt } = request;
  if (!(expiresAt.getTime() > now.getTime())) {
    throw new RunStoreError(
      `Lease on ${scope.description} for run ${runId} must end after it is taken: expiresAt ${expiresAt.toISOString()} is not after ${now.toISOString()}.`,
    );
  }
  const renewal = current !== undefined && current.runId === runId;
  if (current !== undefined && !renewal && Date.parse(current.expiresAt) > now.getTime()) {
    return { kind: 'refuse', holder: current };
  }
  return {
    kind: 'write',
    lease: {
      scope: { key: scope.key, description: scope.description },
      runId,
      acquiredAt: renewal ? current.acquiredAt : now.toISOString(),
      expiresAt: expiresAt.toISOString(),
    },
  };
}
