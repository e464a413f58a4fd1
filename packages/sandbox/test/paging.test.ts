import { describe, expect, it } from 'vitest';
import { Pager } from '../src/paging.js';

describe('Pager', () => {
  const items = Array.from({ length: 95 }, (_, i) => i);

  it('returns every item once, with empty pages that carry a token while items remain', () => {
    const pager = new Pager('salt');
    const seen: number[] = [];
    let token: string | undefined;
    let empties = 0;
    const tokens = new Set<string>();
    do {
      const page = pager.page(items, {
        scope: 'L',
        pageSize: 10,
        emptyPageRate: 0.4,
        ...(token ? { nextToken: token } : {}),
      });
      expect(page).toBeDefined();
      if (page!.items.length === 0) {
        empties++;
        expect(page!.nextToken).toBeDefined();
      }
      seen.push(...page!.items);
      token = page!.nextToken;
      if (token) {
        expect(tokens.has(token)).toBe(false);
        tokens.add(token);
      }
    } while (token);
    expect(seen).toEqual(items);
    expect(empties).toBeGreaterThan(0);
  });

  it('rejects tokens of another listing or another salt, and tampered tokens', () => {
    const pager = new Pager('salt');
    const first = pager.page(items, { scope: 'A', pageSize: 10, emptyPageRate: 0 });
    expect(
      pager.page(items, { scope: 'B', pageSize: 10, emptyPageRate: 0, nextToken: first!.nextToken! }),
    ).toBeUndefined();
    expect(
      new Pager('other').page(items, { scope: 'A', pageSize: 10, emptyPageRate: 0, nextToken: first!.nextToken! }),
    ).toBeUndefined();
    const tampered = Buffer.from(
      Buffer.from(first!.nextToken!, 'base64').toString().replace('"o":10', '"o":20'),
    ).toString('base64');
    expect(pager.page(items, { scope: 'A', pageSize: 10, emptyPageRate: 0, nextToken: tampered })).toBeUndefined();
  });
});
