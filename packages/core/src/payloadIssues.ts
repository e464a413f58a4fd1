import { distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import type { ValidationIssue } from './errors.js';
import { MESSAGE_VALUE_LIMIT, truncateForMessage } from './truncateForMessage.js';

/**
 * The wording of payload problems: how a zod issue becomes a {@link ValidationIssue} with its JSON
 * path, a message a person understands, and a hint (often a did-you-mean) that says what to do.
 * A value quoted from the input is cut by {@link truncateForMessage}, so a megabyte value is never
 * echoed whole into stderr or a log.
 */

/**
 * The longest message or hint passed on from a check: long enough for any message about a valid
 * shape (a list of Regions, the keys of an object), short enough that no input fills a log.
 */
const CHECK_TEXT_LIMIT = 1000;

/** The refinement context a field check reports its problems to. */
export type Ctx = z.core.$RefinementCtx;

/** Reports a problem found by a field check, with its hint; `path` is relative to the checked value. */
export function report(ctx: Ctx, message: string, hint?: string, path: PropertyKey[] = []): void {
  ctx.addIssue({ code: 'custom', message, path, ...(hint === undefined ? {} : { params: { hint } }) });
}

/** The candidate closest to `input`: a case-insensitive match first, then at most 2-3 edits away. */
function closest(input: string, candidates: readonly string[]): string | undefined {
  // At most 3 edits away, so no longer than the longest candidate plus 3: a huge input is not compared.
  if (input.length > Math.max(0, ...candidates.map((c) => c.length)) + 3) return undefined;
  const lower = input.toLowerCase();
  const same = candidates.find((c) => c.toLowerCase() === lower);
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = distance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.min(3, Math.max(2, Math.floor(input.length / 3))) ? best : undefined;
}

/** A did-you-mean (or a use-this, for a difference of case only) naming the candidate closest to `input`. */
export function suggestion(input: string, candidates: readonly string[]): string | undefined {
  const match = closest(input, candidates);
  if (match === undefined) return undefined;
  return match.toLowerCase() === input.toLowerCase() ? `use "${match}"` : `did you mean "${match}"?`;
}

/** `"a", "b", "c"`: a list of allowed values for a message. */
export const quoteList = (values: readonly string[]): string => values.map((v) => `"${v}"`).join(', ');

/** Hints for a missing required field, by path pattern. */
const REQUIRED_HINTS: ReadonlyMap<string, string> = new Map([
  ['Targets', 'e.g. "Targets": [{"Key": "ResourceGroup", "Values": ["WebServers"]}]'],
  ['Regions', 'e.g. "Regions": ["us-east-1"]'],
  ['Targets[].Key', 'use "Key": "ResourceGroup"'],
  ['Targets[].Values', 'e.g. "Values": ["WebServers"]'],
  ['Organization.Waves[].Name', 'name the wave, e.g. "Name": "dev"'],
]);

/** A JSON path as people write it: `Document.Parameters.Operation[0]`, `["odd key"]`; the root is `''`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && segment.length <= MESSAGE_VALUE_LIMIT && /^[A-Za-z_$][\w$]*$/.test(segment))
      out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(truncateForMessage(String(segment)))}]`;
  }
  return out;
}

const pattern = (path: readonly PropertyKey[]): string =>
  formatPath(path.map((s) => (typeof s === 'number' ? -1 : s))).replaceAll('[-1]', '[]');

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(truncateForMessage(value))}`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

function typeHint(expected: string, input: unknown, path: readonly PropertyKey[]): string | undefined {
  if (path.length === 0) return 'a payload is a JSON object such as examples/payload.json';
  if (input === undefined) return REQUIRED_HINTS.get(pattern(path));
  if (input === null) return 'remove the key to use the default, or give a value';
  if (expected === 'string' && (typeof input === 'number' || typeof input === 'boolean'))
    return `write it in quotes: "${String(input)}"`;
  if (expected === 'array' && typeof input === 'string')
    return `write it as a list: [${JSON.stringify(truncateForMessage(input))}]`;
  if (expected === 'boolean' && (input === 'true' || input === 'false')) return `write ${input} without quotes`;
  if (expected === 'number' && typeof input === 'string' && /^\d+$/.test(input))
    return `write ${truncateForMessage(input)} without quotes`;
  return undefined;
}

/**
 * One zod issue of the payload as {@link ValidationIssue}s (an unknown-keys issue gives one per key).
 * `knownKeys` lists the keys each object accepts, by path pattern, for did-you-mean hints.
 */
export function toIssues(
  issue: z.core.$ZodIssue,
  knownKeys: ReadonlyMap<string, readonly string[]>,
): ValidationIssue[] {
  const path = issue.path;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys.get(pattern(path)) ?? [];
      return issue.keys.map((key) => ({
        path: formatPath([...path, key]),
        message: `Unknown key ${JSON.stringify(truncateForMessage(key))}`,
        hint: suggestion(key, known) ?? `the keys here are ${known.join(', ')}`,
      }));
    }
    case 'invalid_type': {
      const name = formatPath(path) || 'The payload';
      const message =
        issue.input === undefined
          ? `${name} is required`
          : `${name} must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${describeValue(issue.input)}`;
      const hint = typeHint(issue.expected, issue.input, path);
      return [{ path: formatPath(path), message, ...(hint === undefined ? {} : { hint }) }];
    }
    case 'custom': {
      const hint: unknown = issue.params?.hint;
      const bound = (text: string): string => boundCheckText(text, issue.input);
      return [
        {
          path: formatPath(path),
          message: bound(issue.message),
          ...(typeof hint === 'string' ? { hint: bound(hint) } : {}),
        },
      ];
    }
    default:
      return [{ path: formatPath(path), message: boundCheckText(issue.message, issue.input) }];
  }
}

/**
 * A message or hint a check wrote, bounded: where it quotes the checked value (`input`) whole and
 * that value is long, the quote is cut by {@link truncateForMessage}; what is still longer than
 * {@link CHECK_TEXT_LIMIT} is cut there. A check should cut what it quotes; this keeps the
 * bound for one that does not.
 */
function boundCheckText(text: string, input: unknown): string {
  let out = text;
  if (typeof input === 'string' && input.length > MESSAGE_VALUE_LIMIT) {
    const short = truncateForMessage(input);
    out = out.replaceAll(JSON.stringify(input), () => JSON.stringify(short)).replaceAll(input, () => short);
  }
  return truncateForMessage(out, CHECK_TEXT_LIMIT);
}
