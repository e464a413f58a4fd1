import { isRecord } from './requestCheck.js';

/** How the engine reads a step's resolved inputs: string lists, parameter maps and ISO 8601 durations. */

/** A value as a list of strings (one string is a list of one). */
export function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.map((v) => String(v)) : [];
}

export function stringLists(value: unknown): Record<string, string[]> {
  if (!isRecord(value)) return {};
  const result: Record<string, string[]> = {};
  for (const [key, item] of Object.entries(value)) {
    const list = strings(item).filter((v) => v !== '');
    if (list.length > 0) result[key] = list;
  }
  return result;
}

/** Milliseconds of an ISO 8601 duration such as PT30M or PT1H30M10S. */
export function isoDurationMs(value: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value);
  if (!match) return 0;
  const [, d = '0', h = '0', m = '0', s = '0'] = match;
  return ((Number(d) * 24 + Number(h)) * 60 * 60 + Number(m) * 60 + Number(s)) * 1000;
}
