import { parsePayload } from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { automationParameters } from '../src/run/automationParameters.js';

const payload = (extra: Record<string, unknown> = {}) => ({
  Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
  Regions: ['us-east-1'],
  Organization: { TargetOus: ['r-ab12'] },
  ...extra,
});

describe('automationParameters with pre-patch snapshots', () => {
  it('asks the member document for snapshots tagged with the run id', () => {
    const request = parsePayload(payload({ Snapshot: { Before: true, RetainDays: 7 } }));
    expect(automationParameters(request, '111122223333', 'aws', 'snap-id', 'mw-run-1')).toMatchObject({
      PrePatchSnapshot: ['true'],
      RunId: ['mw-run-1'],
    });
  });

  it('leaves both parameters out without Snapshot.Before, so older member documents still take the start', () => {
    for (const extra of [{}, { Snapshot: { Before: false } }]) {
      const parameters = automationParameters(parsePayload(payload(extra)), '111122223333', 'aws', 's', 'mw-run-1');
      expect(Object.keys(parameters)).not.toContain('PrePatchSnapshot');
      expect(Object.keys(parameters)).not.toContain('RunId');
    }
  });
});
