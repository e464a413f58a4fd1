import { type RateField, RateValueError } from './errors.js';
import type { RateValue } from './request.js';

/**
 * SSM's own constraints on rate values, from the SSM API reference (StartAutomationExecution,
 * AutomationExecution, MaintenanceWindowTask): length 1-7 and these patterns. MaxConcurrency
 * is at least 1 (or 1%); MaxErrors may be 0 (or 0%). No leading zeros, no decimals, no spaces.
 */
export const RATE_PATTERNS: Readonly<Record<RateField, RegExp>> = Object.freeze({
  MaxConcurrency: /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/,
  MaxErrors: /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/,
});

/** SSM's length limit on a rate value string. */
export const RATE_MAX_LENGTH = 7;

/** The outcome of checking a rate value without throwing. */
export type RateCheck =
  | { readonly ok: true; readonly rate: RateValue }
  | { readonly ok: false; readonly reason: string; readonly hint?: string };

/**
 * Checks a rate value against SSM's rules and says what is wrong and how to write it.
 * {@link parseRateValue} is the throwing form.
 */
export function checkRateValue(raw: string, field: RateField): RateCheck {
  if (raw.length >= 1 && raw.length <= RATE_MAX_LENGTH && RATE_PATTERNS[field].test(raw)) {
    const percent = raw.endsWith('%');
    const value = Number.parseInt(percent ? raw.slice(0, -1) : raw, 10);
    return { ok: true, rate: percent ? { kind: 'percent', value, raw } : { kind: 'absolute', value, raw } };
  }
  return { ok: false, ...explain(raw, field) };
}

function explain(raw: string, field: RateField): { reason: string; hint?: string } {
  const min = field === 'MaxConcurrency' ? 1 : 0;
  const example = field === 'MaxConcurrency' ? '"10" or "10%"' : '"1" or "5%"';
  if (raw.trim() === '') return { reason: 'it is empty', hint: `write a count or a percentage such as ${example}` };
  if (raw !== raw.trim()) return { reason: 'it has surrounding spaces', hint: `use ${JSON.stringify(raw.trim())}` };
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(raw);
  if (!m) {
    return {
      reason: 'it is neither a whole number nor a percentage',
      hint: `write a count or a percentage such as ${example}`,
    };
  }
  const digits = m[1] ?? '';
  const percent = m[2] === '%';
  if (digits.includes('.')) {
    return {
      reason: 'it has decimals',
      hint: `use a whole number such as ${JSON.stringify(String(Math.round(Number(digits))) + (percent ? '%' : ''))}`,
    };
  }
  const n = Number(digits);
  if (n < min) {
    return {
      reason: `${field} must be at least ${min}${percent ? '%' : ''}`,
      hint: percent ? 'use "1%" or more' : 'use "1" to patch one instance at a time',
    };
  }
  if (percent && n > 100) return { reason: 'a percentage is at most 100%', hint: 'use "100%" for all targets at once' };
  if (/^0\d/.test(digits))
    return { reason: 'it has a leading zero', hint: `use ${JSON.stringify(String(n) + (percent ? '%' : ''))}` };
  if (raw.length > RATE_MAX_LENGTH)
    return { reason: `it is longer than ${RATE_MAX_LENGTH} characters`, hint: 'use a smaller count or a percentage' };
  return { reason: "it does not match SSM's pattern", hint: `write a count or a percentage such as ${example}` };
}

/**
 * Parses a MaxConcurrency or MaxErrors value exactly as SSM accepts it.
 * @throws RateValueError naming the field, what is wrong and how to write it.
 * @example parseRateValue('10%', 'MaxConcurrency') // { kind: 'percent', value: 10, raw: '10%' }
 */
export function parseRateValue(raw: string, field: RateField): RateValue {
  const result = checkRateValue(raw, field);
  if (!result.ok) throw new RateValueError(field, raw, result.reason, result.hint);
  return result.rate;
}

/**
 * How many of `targets` a rate value stands for.
 *
 * - absolute: the value, capped at `targets` (SSM cannot run or fail more targets than there are);
 * - percent: `floor(targets * value / 100)`.
 * - MaxConcurrency (the default `field`): never below 1 while there is a target, or nothing would run.
 *
 * Source: SSM documents the examples, not the rounding ("If you run an automation on 50 resources
 * and set max-errors to 10%, then the system stops ... when the sixth error is received": 5 errors
 * allowed). Rounding down, but to at least 1 for concurrency, is what AWS documents for percentage
 * concurrency elsewhere (CloudFormation StackSets, MaxConcurrentPercentage) and is the conservative
 * reading for both fields: never more at once, never more failures tolerated, than the percentage says.
 *
 * @example effectiveRateValue(parseRateValue('10%', 'MaxConcurrency'), 5) // 1
 */
export function effectiveRateValue(rate: RateValue, targets: number, field: RateField = 'MaxConcurrency'): number {
  const n = Math.max(0, Math.floor(targets));
  const raw = rate.kind === 'absolute' ? Math.min(rate.value, n) : Math.floor((n * rate.value) / 100);
  return field === 'MaxConcurrency' && n > 0 ? Math.max(1, raw) : raw;
}

/**
 * true when `failures` out of `total` exceed what a MaxErrors-style rate allows, i.e. SSM would stop
 * starting further targets: "3" stops at the fourth failure, "0" at the first, "10%" of 50 at the sixth.
 * orgpatch applies the same rule to wave ErrorThresholds and the Organization ErrorBudget.
 */
export function rateExceeded(rate: RateValue, failures: number, total: number): boolean {
  return failures > effectiveRateValue(rate, total, 'MaxErrors');
}

/** The string form of a rate value, as SSM takes it. */
export function formatRateValue(rate: RateValue): string {
  return rate.kind === 'percent' ? `${rate.value}%` : String(rate.value);
}
