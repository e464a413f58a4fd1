import type { SimClock } from '../contract.js';
import type { FaultController } from '../faults.js';
import type { IdentityStore } from '../identity.js';
import type { Pager } from '../paging.js';
import type { SandboxWorld } from '../world/model.js';

/** What the protocol layer's services share. */
export interface ServiceContext {
  readonly world: SandboxWorld;
  readonly clock: SimClock;
  readonly identities: IdentityStore;
  readonly faults: FaultController;
  readonly pager: Pager;
}

/** Reads an optional integer page size, or says why it is invalid (the caller maps that to its own error). */
export function readPageSize(
  value: unknown,
  min: number,
  max: number,
  fallback: number,
):
  | { readonly ok: true; readonly size: number }
  | { readonly ok: false; readonly message: string; readonly tooBig: boolean } {
  if (value === undefined || value === null) return { ok: true, size: fallback };
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return { ok: false, message: `Value '${String(value)}' at 'maxResults' is not an integer.`, tooBig: false };
  }
  if (value < min) {
    return {
      ok: false,
      message: `1 validation error detected: Value '${value}' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to ${min}`,
      tooBig: false,
    };
  }
  if (value > max) {
    return {
      ok: false,
      message: `1 validation error detected: Value '${value}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
      tooBig: true,
    };
  }
  return { ok: true, size: value };
}

/** An optional string member, or undefined. */
export function optionalString(input: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const v = input[name];
  return typeof v === 'string' ? v : undefined;
}
