import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RateField, RateValueError } from '../src/errors.js';
import {
  checkRateValue,
  effectiveRateValue,
  formatRateValue,
  parseRateValue,
  RATE_PATTERNS,
  rateExceeded,
} from '../src/rates.js';

/** SSM's rules restated without its regular expressions, as an independent oracle. */
function ssmAccepts(s: string, field: RateField): boolean {
  if (s.length < 1 || s.length > 7) return false;
  const m = /^([0-9]+)(%?)$/.exec(s);
  if (!m) return false;
  const digits = m[1] ?? '';
  if (digits.length > 1 && digits.startsWith('0')) return false;
  const n = Number(digits);
  const min = field === 'MaxConcurrency' ? 1 : 0;
  return m[2] === '%' ? n >= min && n <= 100 : n >= min;
}

const fields: RateField[] = ['MaxConcurrency', 'MaxErrors'];

/** Strings close to valid rate values, where the mistakes are. */
const nearMiss = fc.oneof(
  fc.integer({ min: -5, max: 12_000_000 }).map(String),
  fc.integer({ min: -5, max: 250 }).map((n) => `${n}%`),
  fc.stringMatching(/^0[0-9]{0,6}%?$/),
  fc.stringMatching(/^ ?[0-9]{1,3}(\.[0-9])?%? ?$/),
  fc.string({ maxLength: 9 }),
  fc.string({ unit: fc.constantFrom('0', '1', '9', '%', '.', '-', ' '), maxLength: 9 }),
);

describe('parseRateValue', () => {
  it('reads absolute counts and percentages', () => {
    expect(parseRateValue('10', 'MaxConcurrency')).toEqual({ kind: 'absolute', value: 10, raw: '10' });
    expect(parseRateValue('10%', 'MaxConcurrency')).toEqual({ kind: 'percent', value: 10, raw: '10%' });
    expect(parseRateValue('100%', 'MaxConcurrency')).toEqual({ kind: 'percent', value: 100, raw: '100%' });
    expect(parseRateValue('9999999', 'MaxConcurrency')).toEqual({ kind: 'absolute', value: 9999999, raw: '9999999' });
    expect(parseRateValue('0', 'MaxErrors')).toEqual({ kind: 'absolute', value: 0, raw: '0' });
    expect(parseRateValue('0%', 'MaxErrors')).toEqual({ kind: 'percent', value: 0, raw: '0%' });
  });

  it.each([
    ['MaxConcurrency', '0', /at least 1/, '"1"'],
    ['MaxConcurrency', '0%', /at least 1%/, '"1%"'],
    ['MaxConcurrency', '101%', /at most 100%/, '"100%"'],
    ['MaxErrors', '101%', /at most 100%/, '"100%"'],
    ['MaxConcurrency', '010', /leading zero/, 'use "10"'],
    ['MaxErrors', '00', /leading zero/, 'use "0"'],
    ['MaxConcurrency', '10.5', /decimals/, 'whole number'],
    ['MaxConcurrency', ' 10', /spaces/, 'use "10"'],
    ['MaxErrors', '', /empty/, '"1"'],
    ['MaxErrors', '-1', /neither/, 'percentage'],
    ['MaxConcurrency', 'ten', /neither/, 'percentage'],
    ['MaxConcurrency', '12345678', /longer than 7/, 'percentage'],
  ] as const)('rejects %s %j, saying why and how', (field, raw, reason, hint) => {
    let thrown: unknown;
    try {
      parseRateValue(raw, field);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RateValueError);
    const e = thrown as RateValueError;
    expect(e.field).toBe(field);
    expect(e.value).toBe(raw);
    expect(e.message).toContain(field);
    expect(e.message).toMatch(reason);
    expect(e.hint).toContain(hint);
  });

  it("accepts every string matching SSM's pattern and returns it unchanged", () => {
    for (const field of fields) {
      fc.assert(
        fc.property(
          fc.stringMatching(RATE_PATTERNS[field]).filter((s) => s.length <= 7),
          (raw) => {
            const rate = parseRateValue(raw, field);
            expect(rate.raw).toBe(raw);
            expect(formatRateValue(rate)).toBe(raw);
            expect(rate.kind).toBe(raw.endsWith('%') ? 'percent' : 'absolute');
          },
        ),
      );
    }
  });

  it('accepts exactly what SSM accepts, for valid values and near misses alike', () => {
    const valid = fc.oneof(
      fc.integer({ min: 0, max: 9_999_999 }).map(String),
      fc.integer({ min: 0, max: 100 }).map((n) => `${n}%`),
    );
    for (const field of fields) {
      fc.assert(
        fc.property(fc.oneof(valid, nearMiss), (raw) => {
          expect(checkRateValue(raw, field).ok).toBe(ssmAccepts(raw, field));
        }),
        { numRuns: 2000 },
      );
    }
  });
});

const rateArb = fc.oneof(
  fc.integer({ min: 0, max: 9_999_999 }).map((value) => ({ kind: 'absolute' as const, value, raw: String(value) })),
  fc.integer({ min: 0, max: 100 }).map((value) => ({ kind: 'percent' as const, value, raw: `${value}%` })),
);

describe('effectiveRateValue', () => {
  it("follows SSM's documented examples", () => {
    expect(effectiveRateValue(parseRateValue('10', 'MaxConcurrency'), 50)).toBe(10);
    expect(effectiveRateValue(parseRateValue('10%', 'MaxErrors'), 50, 'MaxErrors')).toBe(5);
    expect(effectiveRateValue(parseRateValue('10', 'MaxConcurrency'), 3)).toBe(3);
    expect(effectiveRateValue(parseRateValue('10%', 'MaxConcurrency'), 5)).toBe(1);
    expect(effectiveRateValue(parseRateValue('1%', 'MaxErrors'), 50, 'MaxErrors')).toBe(0);
    expect(effectiveRateValue(parseRateValue('100%', 'MaxConcurrency'), 0)).toBe(0);
  });

  it('stays within 0..targets, and concurrency is at least 1 while there is a target', () => {
    fc.assert(
      fc.property(rateArb, fc.integer({ min: 0, max: 100_000 }), (rate, targets) => {
        const concurrency = effectiveRateValue(rate, targets, 'MaxConcurrency');
        const errors = effectiveRateValue(rate, targets, 'MaxErrors');
        expect(concurrency).toBeGreaterThanOrEqual(targets > 0 ? 1 : 0);
        expect(concurrency).toBeLessThanOrEqual(targets);
        expect(errors).toBeGreaterThanOrEqual(0);
        expect(errors).toBeLessThanOrEqual(targets);
        expect(Number.isInteger(concurrency) && Number.isInteger(errors)).toBe(true);
        if (rate.kind === 'percent') expect(errors).toBe(Math.floor((targets * rate.value) / 100));
        if (rate.kind === 'percent' && rate.value === 100) expect(concurrency).toBe(targets);
      }),
    );
  });

  it('never decreases as targets grow', () => {
    fc.assert(
      fc.property(rateArb, fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 1000 }), (rate, n, more) => {
        expect(effectiveRateValue(rate, n + more)).toBeGreaterThanOrEqual(effectiveRateValue(rate, n));
      }),
    );
  });
});

describe('rateExceeded', () => {
  it('"0" stops after the first error', () => {
    const zero = parseRateValue('0', 'MaxErrors');
    expect(rateExceeded(zero, 0, 10)).toBe(false);
    expect(rateExceeded(zero, 1, 10)).toBe(true);
  });

  it('"3" stops at the fourth error; "10%" of 50 at the sixth', () => {
    expect(rateExceeded(parseRateValue('3', 'MaxErrors'), 3, 50)).toBe(false);
    expect(rateExceeded(parseRateValue('3', 'MaxErrors'), 4, 50)).toBe(true);
    expect(rateExceeded(parseRateValue('10%', 'MaxErrors'), 5, 50)).toBe(false);
    expect(rateExceeded(parseRateValue('10%', 'MaxErrors'), 6, 50)).toBe(true);
  });

  it('"100%" is never exceeded', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (total) => {
        expect(rateExceeded(parseRateValue('100%', 'MaxErrors'), total, total)).toBe(false);
      }),
    );
  });
});
