import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeParsePayloadJson } from '../src/payload.js';
import { PAYLOAD_JSON_MAX_DEPTH, readPayloadJson } from '../src/payloadJson.js';

/** The nesting of a JSON value: 0 for a scalar, 1 for `[]` or `{}`, and so on. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

/** Any JSON value, wrapped in lists and objects so that it nests up to 8 levels past the limit. */
const nestedJson = fc
  .tuple(
    fc.jsonValue({ maxDepth: 4 }),
    fc.array(fc.option(fc.string({ maxLength: 6 }), { nil: undefined }), {
      maxLength: PAYLOAD_JSON_MAX_DEPTH + 4,
      size: 'max',
    }),
  )
  .map(([inner, wrappers]) =>
    wrappers.reduce<unknown>((value, key) => (key === undefined ? [value] : { [key]: value }), inner),
  );

const jsonText = fc
  .tuple(nestedJson, fc.constantFrom(undefined, 2, '\t'))
  .map(([value, indent]) => JSON.stringify(value, null, indent));

describe('readPayloadJson (properties)', () => {
  it('reads any JSON value nested up to the limit as JSON.parse does, and refuses one nested deeper', () => {
    fc.assert(
      fc.property(jsonText, (text) => {
        const read = readPayloadJson(text);
        const value: unknown = JSON.parse(text);
        if (depthOf(value) <= PAYLOAD_JSON_MAX_DEPTH) expect(read).toStrictEqual({ ok: true, value });
        else expect(read.ok ? undefined : read.issue.message).toContain('levels deep');
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on any text: a payload or issues, each with a message', () => {
    const text = fc.oneof(
      jsonText,
      fc.string({ unit: fc.constantFrom(...'{}[]":,. \n\\ueE+-019aflnrstu') }),
      // A JSON text with one character removed or inserted.
      fc
        .tuple(jsonText, fc.nat(), fc.constantFrom('', '{', '}', '[', ']', ',', ':', '"', '\\', ' '))
        .map(([t, at, c]) => t.slice(0, at % (t.length + 1)) + c + t.slice((at % (t.length + 1)) + (c === '' ? 1 : 0))),
    );
    fc.assert(
      fc.property(text, (t) => {
        const result = safeParsePayloadJson(t);
        if (!result.ok) {
          expect(result.issues.length).toBeGreaterThan(0);
          for (const issue of result.issues) expect(issue.message).not.toBe('');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('finds a syntax error exactly where JSON.parse fails, unless the nesting is too deep before it', () => {
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'{}[]":,. \n\\ueE+-019aflnrstu') }),
      fc
        .tuple(jsonText, fc.nat(), fc.constantFrom('', '{', '}', '[', ']', ',', ':', '"', '\\', ' ', '0', '-', '.'))
        .map(([t, at, c]) => t.slice(0, at % (t.length + 1)) + c + t.slice((at % (t.length + 1)) + (c === '' ? 1 : 0))),
    );
    fc.assert(
      fc.property(text, (t) => {
        let parsed: unknown;
        let valid = true;
        try {
          parsed = JSON.parse(t);
        } catch {
          valid = false;
        }
        const read = readPayloadJson(t);
        const message = read.ok ? '' : read.issue.message;
        const syntaxIssue = message.startsWith('The payload is not valid JSON');
        if (syntaxIssue) expect(read.ok ? undefined : read.error).toBeInstanceOf(SyntaxError);
        if (valid) expect(syntaxIssue).toBe(false);
        // Nesting too deep before the syntax error is reported first: the scan stops there.
        else expect(syntaxIssue || message.includes('levels deep')).toBe(true);
        if (read.ok) expect(read.value).toStrictEqual(parsed);
      }),
      { numRuns: 1000 },
    );
  });
});
