import { parsePayload } from '@orgpatch/core';
import { startRun, trackRun } from '@orgpatch/orchestrator';
import { afterEach, describe, expect, it } from 'vitest';
import { DENIED, DEV_OU, type E2e, e2eWorld, NOSTACK, orgPayload, PROD_OU, startE2e } from '../e2e/harness.js';

let e2e: E2e | undefined;
afterEach(async () => {
  await e2e?.stop();
  e2e = undefined;
});

/** Prod's OU (with an account whose groups refuse access and one without member stacks) goes first. */
function prodFirst(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return orgPayload({
    Organization: {
      Waves: [
        { Name: 'non-prod', TargetOus: [PROD_OU], ErrorThreshold: '0' },
        { Name: 'prod', TargetOus: [DEV_OU], ErrorThreshold: '0' },
      ],
      ...extra,
    },
  });
}

describe('unreachable is not skipped', () => {
  it('fails locations that cannot be reached, counts them against the wave, and holds the next wave', async () => {
    e2e = await startE2e(e2eWorld(), { accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] });
    const request = parsePayload(prodFirst());
    const deps = e2e.deps(request);
    const { record } = await startRun(request, deps);
    const denied = record.locations.find((l) => l.accountId === DENIED && l.region === 'us-east-1');
    const nostack = record.locations.find((l) => l.accountId === NOSTACK && l.region === 'us-east-1');
    expect(denied).toMatchObject({ status: 'failed', decision: { action: 'fail', code: 'access-denied' } });
    expect(denied?.reason).toMatch(/Access was denied while reading the target groups/);
    expect(nostack).toMatchObject({ status: 'failed', decision: { action: 'fail', code: 'member-stack-missing' } });

    const tracked = await trackRun(record, deps, { until: 'done' });
    expect(tracked.record.status).toBe('halted');
    const prod = tracked.record.waves.find((w) => w.name === 'prod');
    expect(prod?.status).toBe('halted');
    expect(prod?.reason).toMatch(/Wave "non-prod" had \d+ failed locations? of \d+, more than its error threshold "0"/);
    // Nothing of the held wave was started.
    const devStarts = tracked.record.locations.filter((l) => l.wave === 'prod' && l.executions.length > 0);
    expect(devStarts).toEqual([]);
  });

  it('skips them instead when the payload opts out for those reasons, and the next wave goes ahead', async () => {
    e2e = await startE2e(e2eWorld(), { accessDenied: [{ accountId: DENIED, service: 'resource-groups' }] });
    const request = parsePayload(prodFirst({ SkipUnreachable: ['AccessDenied', 'MemberStackMissing'] }));
    const deps = e2e.deps(request);
    const { record } = await startRun(request, deps);
    expect(record.locations.find((l) => l.accountId === DENIED && l.region === 'us-east-1')).toMatchObject({
      status: 'skipped',
      decision: { action: 'skip', reason: 'access-denied' },
    });
    const tracked = await trackRun(record, deps, { until: 'done' });
    expect(tracked.record.waves.find((w) => w.name === 'prod')?.status).not.toBe('halted');
  });
});
