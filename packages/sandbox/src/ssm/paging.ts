import { createHash } from 'node:crypto';
import { AwsServiceError } from '../contract.js';

/**
 * Opaque NextToken values. A token carries a cursor and a fingerprint of the query it was issued
 * for, so a token replayed with other filters is refused with `InvalidNextToken`, as SSM does.
 */
export function encodeToken(cursor: number, query: unknown): string {
  return Buffer.from(JSON.stringify({ c: cursor, q: fingerprint(query) }), 'utf8').toString('base64url');
}

/** Decodes a token made by {@link encodeToken} for the same query; throws `InvalidNextToken` otherwise. */
export function decodeToken(token: string, query: unknown): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'c' in parsed &&
      'q' in parsed &&
      typeof parsed.c === 'number' &&
      parsed.q === fingerprint(query)
    ) {
      return parsed.c;
    }
  } catch {
    // fall through to the AWS error below
  }
  throw new AwsServiceError('InvalidNextToken', 'The specified token is not valid.');
}

/** A short stable hash of a JSON value (keys sorted), used for tokens and ClientToken comparison. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url').slice(0, 22);
}

/** JSON with object keys sorted, so equal requests serialize equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
