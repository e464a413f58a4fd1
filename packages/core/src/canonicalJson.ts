/**
 * A JSON value written one way only: object keys in code-unit order at every level, no whitespace.
 * Two contents that mean the same document (whatever key order or indentation a deployment tool
 * wrote them with) have the same canonical text, so its SHA-256 identifies the content.
 *
 * @example
 * canonicalJson({ b: [1, { d: 2, c: 3 }], a: 'x' }); // '{"a":"x","b":[1,{"c":3,"d":2}]}'
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
