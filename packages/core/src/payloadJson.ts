import type { ValidationIssue } from './errors.js';

/** Payload JSON text as read: the value, or the syntax error as one issue that says where it is. */
export type PayloadJsonRead =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly issue: ValidationIssue; readonly error: unknown };

/**
 * Parses payload JSON text (a leading byte-order mark is ignored). A syntax error becomes one issue
 * whose message and hint name the line and column, found by a scan of the text because
 * JSON.parse's messages differ between Node versions and often omit where.
 */
export function readPayloadJson(text: string): PayloadJsonRead {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(source) };
  } catch (error) {
    return { ok: false, issue: jsonSyntaxIssue(source, error), error };
  }
}

function jsonSyntaxIssue(text: string, error: unknown): ValidationIssue {
  const found = locateJsonError(text);
  const offset = found?.offset ?? 0;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const reason = found?.reason ?? (error instanceof Error ? error.message : String(error));
  return {
    path: '',
    message: `The payload is not valid JSON: ${reason} at line ${line}, column ${column}`,
    hint: `check line ${line}, column ${column}${found?.trailingComma ? ': JSON allows no comma before } or ]' : ''}`,
  };
}

/** Finds the first JSON syntax error in `text` (JSON.parse's messages differ between Node versions and often omit where). */
function locateJsonError(text: string): { offset: number; reason: string; trailingComma?: boolean } | undefined {
  let i = 0;
  const fail = (reason: string, trailingComma = false): never => {
    throw Object.assign(new Error(reason), { offset: i, reason, trailingComma });
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const describe = (): string => (i >= text.length ? 'the end of the text' : JSON.stringify(text.charAt(i)));
  const string = (): void => {
    i++;
    while (i < text.length) {
      const c = text.charAt(i);
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text.charAt(i + 1);
        if ('"\\/bfnrt'.includes(e) && e !== '') i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else fail('invalid escape in a string');
        continue;
      }
      if (c < ' ') fail('unescaped control character (such as a line break) in a string');
      i++;
    }
    fail('unterminated string');
  };
  const value = (): void => {
    ws();
    const c = text.charAt(i);
    if (c === '{') {
      i++;
      ws();
      if (text.charAt(i) === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text.charAt(i) !== '"')
          fail(`expected a double-quoted property name, found ${describe()}`, text.charAt(i) === '}');
        string();
        ws();
        if (text.charAt(i) !== ':') fail(`expected ':' after the property name, found ${describe()}`);
        i++;
        value();
        ws();
        if (text.charAt(i) === ',') {
          i++;
          continue;
        }
        if (text.charAt(i) === '}') {
          i++;
          return;
        }
        fail(`expected ',' or '}', found ${describe()}`);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text.charAt(i) === ']') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text.charAt(i) === ']') fail('expected a value, found "]"', true);
        value();
        ws();
        if (text.charAt(i) === ',') {
          i++;
          continue;
        }
        if (text.charAt(i) === ']') {
          i++;
          return;
        }
        fail(`expected ',' or ']', found ${describe()}`);
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    number.lastIndex = i;
    if ((c === '-' || (c >= '0' && c <= '9')) && number.test(text)) {
      i = number.lastIndex;
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    fail(`unexpected ${describe()}`);
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${describe()} after the end of the JSON value`);
    return undefined;
  } catch (error) {
    const e = error as { offset?: number; reason?: string; trailingComma?: boolean };
    if (typeof e.offset !== 'number' || typeof e.reason !== 'string') throw error;
    return { offset: e.offset, reason: e.reason, ...(e.trailingComma ? { trailingComma: true } : {}) };
  }
}
