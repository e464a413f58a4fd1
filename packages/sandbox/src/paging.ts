import { hashSeed } from './prng.js';

/** A page of a list, and the token for the next one (absent on the last page). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextToken?: string;
}

/** How one list call pages. */
export interface PageRequest {
  /** What is being listed (operation, caller, parent, ...): a token only works for the same scope. */
  readonly scope: string;
  readonly pageSize: number;
  readonly nextToken?: string;
  /** Chance of an empty page that still carries a NextToken while items remain. */
  readonly emptyPageRate: number;
}

interface TokenBody {
  readonly s: number;
  readonly o: number;
  readonly e: number;
}

/**
 * Offset paging with opaque tokens, as AWS list APIs behave: tokens are bound to the listing they
 * came from (a token from another listing is rejected), and, at `emptyPageRate`, a page comes back
 * empty with a NextToken even though items remain (the documented "occasionally empty" pages).
 * Which pages are empty is a pure function of (salt, scope, offset), so runs are reproducible.
 */
export class Pager {
  constructor(private readonly salt: string) {}

  /** Returns the page, or `undefined` when `nextToken` is not a token of this listing. */
  page<T>(items: readonly T[], request: PageRequest): Page<T> | undefined {
    const scopeHash = hashSeed(this.salt, request.scope);
    let offset = 0;
    let empties = 0;
    if (request.nextToken !== undefined) {
      const body = this.decode(request.nextToken);
      if (!body || body.s !== scopeHash || body.o > items.length) return undefined;
      offset = body.o;
      empties = body.e;
    }
    const remaining = items.length - offset;
    if (remaining > 0 && empties < 2 && request.emptyPageRate > 0) {
      const roll = hashSeed(this.salt, request.scope, offset, empties) / 4294967296;
      if (roll < request.emptyPageRate) {
        return { items: [], nextToken: this.encode({ s: scopeHash, o: offset, e: empties + 1 }) };
      }
    }
    const end = Math.min(items.length, offset + request.pageSize);
    const slice = items.slice(offset, end);
    return end < items.length
      ? { items: slice, nextToken: this.encode({ s: scopeHash, o: end, e: 0 }) }
      : { items: slice };
  }

  private encode(body: TokenBody): string {
    const json = JSON.stringify(body);
    return Buffer.from(`${json}|${hashSeed(this.salt, json)}`).toString('base64');
  }

  private decode(token: string): TokenBody | undefined {
    try {
      const text = Buffer.from(token, 'base64').toString('utf8');
      const bar = text.lastIndexOf('|');
      if (bar < 0) return undefined;
      const json = text.slice(0, bar);
      if (String(hashSeed(this.salt, json)) !== text.slice(bar + 1)) return undefined;
      const body = JSON.parse(json) as Partial<TokenBody>;
      if (typeof body.s !== 'number' || typeof body.o !== 'number' || typeof body.e !== 'number' || body.o < 0) {
        return undefined;
      }
      return { s: body.s, o: body.o, e: body.e };
    } catch {
      return undefined;
    }
  }
}
