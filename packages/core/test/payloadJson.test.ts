import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ValidationIssue } from '../src/errors.js';
import { safeParsePayload, safeParsePayloadJson } from '../src/payload.js';
import { toIssues } from '../src/payloadIssues.js';
import { PAYLOAD_JSON_MAX_BYTES, PAYLOAD_JSON_MAX_DEPTH, readPayloadJson } from '../src/payloadJson.js';

const examples = new URL('../../../examples/', import.meta.url);
const blogText = readFileSync(new URL('payload.json', examples), 'utf8');
const orgText = readFileSync(new URL('payload.org.json', examples), 'utf8');

type Json = Record<string, unknown>;
const blog = (): Json => JSON.parse(blogText) as Json;

/** The one issue of a text the reader refuses. */
function issueOf(text: string, limits?: Parameters<typeof readPayloadJson>[1]): ValidationIssue {
  const read = readPayloadJson(text, limits);
  if (read.ok) throw new Error('expected the text to be refused');
  return read.issue;
}

function payloadIssues(input: unknown): ValidationIssue[] {
  const result = safeParsePayload(input);
  if (result.ok) throw new Error('expected the payload to be rejected');
  return result.issues;
}

const lists = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const noSizeLimit = { maxBytes: Number.POSITIVE_INFINITY };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('readPayloadJson: nesting', () => {
  it(`reads ${PAYLOAD_JSON_MAX_DEPTH} levels and refuses ${PAYLOAD_JSON_MAX_DEPTH + 1}, naming where the limit was crossed`, () => {
    expect(readPayloadJson(lists(PAYLOAD_JSON_MAX_DEPTH)).ok).toBe(true);
    expect(issueOf(lists(PAYLOAD_JSON_MAX_DEPTH + 1))).toEqual({
      path: '[0]'.repeat(PAYLOAD_JSON_MAX_DEPTH),
      message: 'The payload nests objects and lists more than 32 levels deep, at line 1, column 33',
      hint: 'a payload needs only a few levels and orgpatch reads at most 32: look for brackets that are not closed, or remove the extra nesting',
    });
  });

  it('names the key path where an object nests too deep', () => {
    const text = `{"Organization": {"Waves": [${'{"x": '.repeat(40)}1${'}'.repeat(40)}]}}`;
    const issue = issueOf(text);
    expect(issue.path).toBe(`Organization.Waves[0]${'.x'.repeat(PAYLOAD_JSON_MAX_DEPTH - 3)}`);
    expect(issue.message).toContain('more than 32 levels deep');
  });

  it('reports 100,000 levels of malformed nesting as too deep, without exhausting the stack', () => {
    for (const text of ['['.repeat(100_000), '{"a":'.repeat(100_000), `[${'{"a": ['.repeat(50_000)}1,}`]) {
      expect(issueOf(text, noSizeLimit).message).toContain('more than 32 levels deep');
    }
  });

  it('reports 100,000 levels of valid nesting as too deep', () => {
    expect(issueOf(lists(100_000), noSizeLimit).message).toContain('more than 32 levels deep');
  });

  it('gives one issue, not a stack overflow, for the deepest nesting that fits the size limit', () => {
    const deepest = Math.floor(PAYLOAD_JSON_MAX_BYTES / 5);
    for (const text of ['{"a":'.repeat(deepest), lists(PAYLOAD_JSON_MAX_BYTES / 2)]) {
      const result = safeParsePayloadJson(text);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.issues).toHaveLength(1);
      expect(result.issues[0]?.message).toContain('more than 32 levels deep');
    }
  });
});

describe('readPayloadJson: size', () => {
  it('refuses a valid 10 MB payload before parsing it, naming the limit', () => {
    const text = JSON.stringify({ ...blog(), Regions: Array.from({ length: 900_000 }, () => 'us-east-1') });
    expect(text.length).toBeGreaterThan(10_000_000);
    const parse = vi.spyOn(JSON, 'parse');
    const result = safeParsePayloadJson(text);
    expect(parse).not.toHaveBeenCalled();
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          path: '',
          message: `The payload JSON is ${text.length} characters long; orgpatch reads at most 65536 bytes`,
          hint: 'check that this is the payload file; a payload takes a few KiB (a maintenance-window task holds at most 3,072 bytes of JSON): name OUs rather than long account lists',
        },
      ],
    });
  });

  it('counts UTF-8 bytes: 65,536 are read, 65,538 refused', () => {
    const stringOfBytes = (bytes: number): string => `"${'é'.repeat((bytes - 2) / 2)}"`;
    expect(readPayloadJson(stringOfBytes(PAYLOAD_JSON_MAX_BYTES)).ok).toBe(true);
    expect(issueOf(stringOfBytes(PAYLOAD_JSON_MAX_BYTES + 2)).message).toBe(
      'The payload JSON is 65538 bytes; orgpatch reads at most 65536 bytes',
    );
  });
});

describe('readPayloadJson: repeated keys', () => {
  it('refuses a key given twice at the top level, naming it and where the repeat is', () => {
    const text = blogText.replace(
      '"Regions": ["us-east-2", "us-east-1"]',
      '"Regions": ["us-east-2"],\n  "Regions": ["us-east-1"]',
    );
    expect(safeParsePayloadJson(text)).toEqual({
      ok: false,
      issues: [
        {
          path: 'Regions',
          message:
            'Key "Regions" is repeated in the same object, at line 17, column 3: JSON keeps only the last, so the one before it would be ignored silently',
          hint: 'keep one "Regions" key and remove the other',
        },
      ],
    });
  });

  it('refuses a key given twice in a nested object, naming its path', () => {
    const text = orgText.replace('"Name": "non-prod",', '"Name": "non-prod", "Name": "dev",');
    expect(issueOf(text).path).toBe('Organization.Waves[0].Name');
  });

  it('compares keys as JSON reads them, escapes decoded', () => {
    expect(issueOf('{"Regions": [], "Reg\\u0069ons": []}').path).toBe('Regions');
  });

  it('counts the other repeated keys in the hint', () => {
    expect(issueOf('{"a": 1, "a": 2, "b": {"c": 1, "c": 2}, "b": 3}').hint).toBe(
      'keep one "a" key and remove the other; 2 more keys are repeated: b.c, b',
    );
  });
});

describe('payload issues: long values are quoted cut', () => {
  const elevenMegabytes = 11 * 1024 * 1024;

  it('quotes an 11 MB resource group name as its first 80 characters and its length', () => {
    const name = 'g'.repeat(elevenMegabytes);
    const [issue, ...others] = payloadIssues({ ...blog(), Targets: [{ Key: 'ResourceGroup', Values: [name] }] });
    expect(others).toEqual([]);
    expect(issue?.path).toBe('Targets[0].Values[0]');
    expect(issue?.message).toBe(
      `Resource group name "${'g'.repeat(80)}… (${elevenMegabytes} characters)" is not valid`,
    );
    expect(issue?.message.length).toBeLessThan(300);
  });

  it('quotes a group name of 81 characters or more cut, in a message well under any cap', () => {
    const [issue] = payloadIssues({ ...blog(), Targets: [{ Key: 'ResourceGroup', Values: [`${'g'.repeat(200)}!`] }] });
    expect(issue?.message).toBe(`Resource group name "${'g'.repeat(80)}… (201 characters)" is not valid`);
  });

  it('cuts an 11 MB unknown key in the path and the message', () => {
    const key = 'K'.repeat(elevenMegabytes);
    const [issue] = payloadIssues({ ...blog(), [key]: 1 });
    expect(issue).toEqual({
      path: `["${'K'.repeat(80)}… (${elevenMegabytes} characters)"]`,
      message: `Unknown key "${'K'.repeat(80)}… (${elevenMegabytes} characters)"`,
      hint: expect.stringMatching(/^the keys here are /),
    });
  });

  it('cuts a long value of the wrong type in the message and the hint', () => {
    const [issue] = payloadIssues({ ...blog(), Regions: 'r'.repeat(1_000_000) });
    expect(issue?.message).toBe(`Regions must be a list, not the string "${'r'.repeat(80)}… (1000000 characters)"`);
    expect(issue?.hint).toBe(`write it as a list: ["${'r'.repeat(80)}… (1000000 characters)"]`);
  });

  it('keeps every message and hint under 300 characters, whichever field holds a megabyte string', () => {
    const long = 'v'.repeat(1024 * 1024);
    const fields: [string, (p: Json) => void][] = [
      ['Document.Name', (p) => Object.assign(p.Document as Json, { Name: long })],
      ['Targets[0].Key', (p) => Object.assign((p.Targets as Json[])[0] as Json, { Key: long })],
      ['MaxConcurrency', (p) => Object.assign(p, { MaxConcurrency: long })],
      ['Regions[0]', (p) => Object.assign(p, { Regions: [long] })],
      [
        'Document.Parameters.AutomationAssumeRole[0]',
        (p) => Object.assign((p.Document as Json).Parameters as Json, { AutomationAssumeRole: [long] }),
      ],
    ];
    for (const [path, put] of fields) {
      const payload = blog();
      put(payload);
      const issues = payloadIssues(payload);
      expect(issues.map((i) => i.path)).toContain(path);
      for (const i of issues) {
        expect(i.message.length).toBeLessThan(300);
        expect((i.hint ?? '').length).toBeLessThan(300);
      }
    }
  });

  it('cuts a quote of the checked value in a message written elsewhere, and caps any other at 1000 characters', () => {
    const value = 'w'.repeat(5000);
    const message = (text: string, input: unknown) =>
      toIssues({ code: 'custom', path: ['Name'], message: text, input }, new Map())[0]?.message;
    expect(message(`Wave "${value}" names no OUs`, value)).toBe(
      `Wave "${'w'.repeat(80)}… (5000 characters)" names no OUs`,
    );
    expect(message(`Wave ${JSON.stringify(value)} names no OUs`, { Name: value })).toBe(
      `Wave "${'w'.repeat(994)}… (5020 characters)`,
    );
  });
});
