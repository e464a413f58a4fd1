import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { boundHeapGrowth } from '../src/heap.js';

describe('boundHeapGrowth', () => {
  it('keeps a heap growth the user gave, in NODE_OPTIONS or as a node flag', () => {
    expect(boundHeapGrowth({ NODE_OPTIONS: '--heap-growing-percent=80' }, [])).toBe(false);
    expect(boundHeapGrowth({}, ['--heap_growing_percent=10'])).toBe(false);
  });

  it('bounds it otherwise, without capping the heap (a run that needs more memory still gets it)', () => {
    const limit = getHeapStatistics().heap_size_limit;
    expect(boundHeapGrowth({ NODE_OPTIONS: '--max-old-space-size=4096' }, [])).toBe(true);
    expect(getHeapStatistics().heap_size_limit).toBe(limit);
  });
});
