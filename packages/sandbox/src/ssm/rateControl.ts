// SSM's patterns, length limit and documented default MaxConcurrency for the rate controls are
// core's (RATE_PATTERNS, RATE_MAX_LENGTH, DEFAULT_MAX_CONCURRENCY); how SSM applies them is here.

/** The sandbox's MaxErrors when none is given: the first failure stops new targets (the strictest reading). */
export const DEFAULT_MAX_ERRORS = '0';

/** How many targets may run at once: an absolute number, or a percentage of the targets rounded up (at least 1). */
export function concurrencyLimit(value: string, targetCount: number): number {
  if (value.endsWith('%')) return Math.max(1, Math.ceil((Number(value.slice(0, -1)) / 100) * targetCount));
  return Number(value);
}

/**
 * How many failed targets are tolerated: an absolute number, or a percentage of the targets rounded
 * down (50 targets at 10% tolerate 5: the sixth error stops new targets, as the API reference says).
 */
export function errorLimit(value: string, targetCount: number): number {
  if (value.endsWith('%')) return Math.floor((Number(value.slice(0, -1)) / 100) * targetCount);
  return Number(value);
}

/**
 * SSM's ramp-up: the first target runs alone, and after it completes two more start, and so on
 * exponentially until MaxConcurrency is reached ("Control automations at scale"). With `completed`
 * targets finished, at most this many may run at once.
 */
export function rampUpLimit(completed: number, maxConcurrency: number): number {
  let window = 1;
  while (window * 2 <= completed + 1) window *= 2;
  return Math.min(maxConcurrency, window);
}
