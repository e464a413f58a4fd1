import type { ValidationIssue } from './errors.js';
import { formatPath } from './payloadIssues.js';
import { truncateForMessage } from './truncateForMessage.js';

/**
 * Reading payload JSON text: where it breaks, and the bounds it must keep before it is parsed.
 *
 * The text comes from a file or a task's Payload string, so it can be anything. Before JSON.parse
 * sees it, it is refused when it is larger than {@link PAYLOAD_JSON_MAX_BYTES}, and one iterative
 * scan (no recursion, so no nesting can exhaust the stack) finds the first syntax error, nesting
 * deeper than {@link PAYLOAD_JSON_MAX_DEPTH}, and keys repeated in one object (JSON.parse would
 * silently keep the last: two "Regions" keys would change the Regions). The scan only checks;
 * JSON.parse still builds the value.
 */

/**
 * The most UTF-8 bytes of payload JSON text read (64 KiB). A maintenance-window task's payload
 * holds at most 3,072 bytes of JSON (4,096 Base64-encoded); a payload file may be larger, with whitespace and many accounts, but
 * nothing orgpatch takes needs megabytes, and every later step (checks, messages) grows with it.
 */
export const PAYLOAD_JSON_MAX_BYTES = 65_536;

/**
 * The deepest nesting of objects and lists read: 32 levels, where a payload orgpatch accepts has
 * at most 5 today (the root, `Organization`, `Waves`, a wave, its `TargetOus`): room to grow, and
 * far below what could exhaust a stack in any later recursive step.
 */
export const PAYLOAD_JSON_MAX_DEPTH = 32;

/** Bounds for {@link readPayloadJson}; each defaults to the documented limit. */
export interface PayloadJsonLimits {
  /** @default PAYLOAD_JSON_MAX_BYTES */
  readonly maxBytes?: number;
  /** @default PAYLOAD_JSON_MAX_DEPTH */
  readonly maxDepth?: number;
}

/**
 * Payload JSON text as read: the value, or the first problem as one issue that says where it is.
 * `error` is the SyntaxError JSON.parse threw, for a syntax error.
 */
export type PayloadJsonRead =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly issue: ValidationIssue; readonly error?: unknown };

/**
 * Parses payload JSON text (a leading byte-order mark is ignored), or says why not: the text is
 * larger than `maxBytes`, nests deeper than `maxDepth`, is not JSON (the message and hint name the
 * line and column, found by a scan because JSON.parse's messages differ between Node versions and
 * often omit where), or repeats a key in an object (the path names it).
 * @example
 * const read = readPayloadJson(text);
 * if (!read.ok) log(`${read.issue.path}: ${read.issue.message} (${read.issue.hint})`);
 */
export function readPayloadJson(text: string, limits: PayloadJsonLimits = {}): PayloadJsonRead {
  const tooLarge = sizeIssue(text, limits.maxBytes ?? PAYLOAD_JSON_MAX_BYTES);
  if (tooLarge !== undefined) return { ok: false, issue: tooLarge };
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const maxDepth = limits.maxDepth ?? PAYLOAD_JSON_MAX_DEPTH;
  const problem = scanJson(source, maxDepth);
  switch (problem?.kind) {
    case 'syntax':
      // The scan stopped where JSON.parse stops, within the bounds, so parsing is safe: it gives the cause.
      return { ok: false, issue: syntaxIssue(source, problem), error: syntaxErrorOf(source) };
    case 'depth':
      return { ok: false, issue: depthIssue(source, problem, maxDepth) };
    case 'duplicates':
      return { ok: false, issue: duplicateIssue(source, problem.duplicates) };
    default:
      try {
        return { ok: true, value: JSON.parse(source) };
      } catch (error) {
        const reason = truncateForMessage(error instanceof Error ? error.message : String(error));
        return { ok: false, issue: syntaxIssue(source, { offset: 0, reason, trailingComma: false }), error };
      }
  }
}

function sizeIssue(text: string, maxBytes: number): ValidationIssue | undefined {
  let size: string;
  // A UTF-16 code unit takes at least one UTF-8 byte: a text of more units than maxBytes is refused unmeasured.
  if (text.length > maxBytes) size = `${text.length} characters long`;
  else {
    const bytes = new TextEncoder().encode(text).byteLength;
    if (bytes <= maxBytes) return undefined;
    size = `${bytes} bytes`;
  }
  return {
    path: '',
    message: `The payload JSON is ${size}; orgpatch reads at most ${maxBytes} bytes`,
    hint: 'check that this is the payload file; a payload takes a few KiB (a maintenance-window task holds at most 3,072 bytes of JSON): name OUs rather than long account lists',
  };
}

function syntaxErrorOf(text: string): unknown {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Line and column (both from 1) of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  return `line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`;
}

function syntaxIssue(text: string, problem: Omit<SyntaxProblem, 'kind'>): ValidationIssue {
  const at = lineColumn(text, problem.offset);
  return {
    path: '',
    message: `The payload is not valid JSON: ${problem.reason} at ${at}`,
    hint: `check ${at}${problem.trailingComma ? ': JSON allows no comma before } or ]' : ''}`,
  };
}

function depthIssue(text: string, problem: DepthProblem, maxDepth: number): ValidationIssue {
  return {
    path: formatPath(problem.path),
    message: `The payload nests objects and lists more than ${maxDepth} levels deep, at ${lineColumn(text, problem.offset)}`,
    hint: `a payload needs only a few levels and orgpatch reads at most ${maxDepth}: look for brackets that are not closed, or remove the extra nesting`,
  };
}

function duplicateIssue(text: string, duplicates: readonly [Duplicate, ...Duplicate[]]): ValidationIssue {
  const [first, ...more] = duplicates;
  const key = JSON.stringify(truncateForMessage(first.key));
  const others = more.slice(0, 3).map((d) => truncateForMessage(formatPath(d.path)));
  return {
    path: formatPath(first.path),
    message: `Key ${key} is repeated in the same object, at ${lineColumn(text, first.offset)}: JSON keeps only the last, so the one before it would be ignored silently`,
    hint: `keep one ${key} key and remove the other${
      more.length === 0
        ? ''
        : `; ${more.length} more key${more.length === 1 ? ' is' : 's are'} repeated: ${others.join(', ')}${more.length > 3 ? ', …' : ''}`
    }`,
  };
}

/** A key given again in the same object: the decoded key, its path and where the repeat starts. */
interface Duplicate {
  readonly key: string;
  readonly path: readonly PropertyKey[];
  readonly offset: number;
}
interface SyntaxProblem {
  readonly kind: 'syntax';
  readonly offset: number;
  readonly reason: string;
  readonly trailingComma: boolean;
}
interface DepthProblem {
  readonly kind: 'depth';
  readonly offset: number;
  readonly path: readonly PropertyKey[];
}
type JsonProblem =
  | SyntaxProblem
  | DepthProblem
  | { readonly kind: 'duplicates'; readonly duplicates: readonly [Duplicate, ...Duplicate[]] };

/** An open object (its keys so far and the current one) or list (the current index). */
type Frame =
  | { readonly kind: 'object'; readonly keys: Set<string>; key: string }
  | { readonly kind: 'array'; index: number };

/** What the scan takes next: a value (`valueOrClose` just after `[`), a key (`keyOrClose` just after `{`), or what follows a value. */
type Expect = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'afterValue';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = ' \t\n\r';

/**
 * Scans JSON text once, left to right, with an explicit stack of open objects and lists instead of
 * recursion, so its memory is bounded by `maxDepth` whatever the text. It stops at the first syntax
 * error or at the first container opened deeper than `maxDepth`; else it reports every repeated key.
 */
function scanJson(text: string, maxDepth: number): JsonProblem | undefined {
  const stack: Frame[] = [];
  const duplicates: Duplicate[] = [];
  let i = 0;
  let expect: Expect = 'value';
  const syntax = (reason: string, trailingComma = false): SyntaxProblem => ({
    kind: 'syntax',
    offset: i,
    reason,
    trailingComma,
  });
  const found = (): string => (i >= text.length ? 'the end of the text' : JSON.stringify(text.charAt(i)));
  const path = (): PropertyKey[] => stack.map((f) => (f.kind === 'object' ? f.key : f.index));
  /** Moves past the string starting at `i`; returns what is wrong with it, with `i` where it is. */
  const skipString = (): string | undefined => {
    i++;
    while (i < text.length) {
      const c = text.charAt(i);
      if (c === '"') {
        i++;
        return undefined;
      }
      if (c === '\\') {
        const e = text.charAt(i + 1);
        if (e !== '' && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else return 'invalid escape in a string';
        continue;
      }
      if (c < ' ') return 'unescaped control character (such as a line break) in a string';
      i++;
    }
    return 'unterminated string';
  };

  for (;;) {
    while (i < text.length && WHITESPACE.includes(text.charAt(i))) i++;
    const c = text.charAt(i);
    const top = stack.at(-1);

    if (expect === 'afterValue') {
      if (top === undefined) {
        if (i < text.length) return syntax(`unexpected ${found()} after the end of the JSON value`);
        const [first, ...more] = duplicates;
        return first === undefined ? undefined : { kind: 'duplicates', duplicates: [first, ...more] };
      }
      const close = top.kind === 'object' ? '}' : ']';
      if (c === close) stack.pop();
      else if (c !== ',') return syntax(`expected ',' or '${close}', found ${found()}`);
      else if (top.kind === 'array') {
        top.index++;
        expect = 'value';
      } else expect = 'key';
      i++;
      continue;
    }

    if (top?.kind === 'object' && (expect === 'key' || expect === 'keyOrClose')) {
      if (c === '}' && expect === 'keyOrClose') {
        stack.pop();
        i++;
        expect = 'afterValue';
        continue;
      }
      if (c !== '"') return syntax(`expected a double-quoted property name, found ${found()}`, c === '}');
      const start = i;
      const bad = skipString();
      if (bad !== undefined) return syntax(bad);
      const raw = text.slice(start + 1, i - 1);
      top.key = raw.includes('\\') ? String(JSON.parse(text.slice(start, i))) : raw;
      if (top.keys.has(top.key)) duplicates.push({ key: top.key, path: path(), offset: start });
      top.keys.add(top.key);
      while (i < text.length && WHITESPACE.includes(text.charAt(i))) i++;
      if (text.charAt(i) !== ':') return syntax(`expected ':' after the property name, found ${found()}`);
      i++;
      expect = 'value';
      continue;
    }

    if (c === ']' && top?.kind === 'array') {
      if (expect !== 'valueOrClose') return syntax('expected a value, found "]"', true);
      stack.pop();
      i++;
      expect = 'afterValue';
      continue;
    }
    if (c === '{' || c === '[') {
      if (stack.length >= maxDepth) return { kind: 'depth', offset: i, path: path() };
      stack.push(c === '{' ? { kind: 'object', keys: new Set(), key: '' } : { kind: 'array', index: 0 });
      i++;
      expect = c === '{' ? 'keyOrClose' : 'valueOrClose';
      continue;
    }
    expect = 'afterValue';
    if (c === '"') {
      const bad = skipString();
      if (bad !== undefined) return syntax(bad);
      continue;
    }
    NUMBER.lastIndex = i;
    if ((c === '-' || (c >= '0' && c <= '9')) && NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      continue;
    }
    const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
    if (word === undefined) return syntax(`unexpected ${found()}`);
    i += word.length;
  }
}
