import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunStore } from '@orgpatch/orchestrator';
import { cliRunner } from '@orgpatch/test-support/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

const runCli = cliRunner(main);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orgpatch-cli-pt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('orgpatch schedule --patch-tuesday-offset', () => {
  it('lists the next six times a daily Berlin window goes ahead on Patch Tuesday + 10', async () => {
    const r = await runCli([
      'schedule',
      'cron(0 4 ? * * *)',
      '--tz',
      'Europe/Berlin',
      '--patch-tuesday-offset',
      '10',
      '--count',
      '6',
      '--from',
      '2026-07-01T00:00:00Z',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { patchTuesdayOffsetDays: number; runs: { utc: string; local: string }[] };
    expect(out.patchTuesdayOffsetDays).toBe(10);
    expect(out.runs.map((x) => x.local)).toEqual([
      'Fri 2026-07-24 04:00 GMT+2',
      'Fri 2026-08-21 04:00 GMT+2',
      'Fri 2026-09-18 04:00 GMT+2',
      'Fri 2026-10-23 04:00 GMT+2',
      'Fri 2026-11-20 04:00 GMT+1',
      'Fri 2026-12-18 04:00 GMT+1',
    ]);
  });

  it('refuses an offset outside 0-27 and one combined with --offset as usage errors', async () => {
    expect((await runCli(['schedule', 'cron(0 4 ? * * *)', '--patch-tuesday-offset', '28'])).code).toBe(2);
    const both = await runCli(['schedule', 'cron(0 4 ? * * *)', '--patch-tuesday-offset', '3', '--offset', '2']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
  });
});

describe('orgpatch status of a skipped invocation', () => {
  it('lists the skip note with its reason, and shows it by run id', async () => {
    const store = new LocalRunStore(join(dir, 'runs'));
    await store.putSkipNote({
      schemaVersion: 1,
      runId: 'mw-skipped-1',
      createdAt: '2026-07-20T02:00:00.000Z',
      status: 'skipped-not-patch-day',
      reason: '2026-07-20 is not the patch day: the next is 2026-07-24',
    });
    const list = await runCli(['status', '--store', join(dir, 'runs')], { cwd: dir });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('mw-skipped-1  2026-07-20T02:00:00.000Z  skipped-not-patch-day: 2026-07-20 is not');
    const one = await runCli(['status', 'mw-skipped-1', '--store', join(dir, 'runs'), '--json'], { cwd: dir });
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({
      status: 'skipped-not-patch-day',
      reason: expect.stringMatching(/2026-07-24/),
    });
  });
});
