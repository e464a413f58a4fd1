import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { boundHeapGrowth, CLI_NODE_FLAGS } from '../src/heap.js';

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

describe('the orgpatch command', () => {
  it('starts node with CLI_NODE_FLAGS from its shebang, which env -S passes on as flags', () => {
    const shebang = readFileSync(new URL('../bin/orgpatch.js', import.meta.url), 'utf8').split('\n')[0] ?? '';
    expect(shebang).toBe(`#!/usr/bin/env -S node ${CLI_NODE_FLAGS.join(' ')}`);
    expect(CLI_NODE_FLAGS).toEqual(['--max-semi-space-size=8']);
    // What the kernel runs for the shebang, with a script that prints the flags node started with.
    const [env, ...args] = shebang.slice(2).split(' ');
    const execArgv = execFileSync(env ?? '', [...args, '-p', 'JSON.stringify(process.execArgv)'], { encoding: 'utf8' });
    expect(JSON.parse(execArgv).slice(0, CLI_NODE_FLAGS.length)).toEqual([...CLI_NODE_FLAGS]);
  });
});
