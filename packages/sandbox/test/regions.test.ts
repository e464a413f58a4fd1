import { REGIONS } from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { WorldValidationError } from '../src/errors.js';
import { generateWorld } from '../src/index.js';
import type { SandboxAccount } from '../src/world/model.js';

/** The sandbox takes its Regions from core's table: what one knows, the other serves, and no more. */

const AWS_REGIONS = REGIONS.filter((r) => r.partition === 'aws').map((r) => r.code);

function anAccount(regions: readonly string[]): SandboxAccount {
  const world = generateWorld({ accounts: 2, regions, seed: 3 });
  return world.accounts.get(world.managementAccountId)!;
}

describe('sandbox Regions', () => {
  it('serves every Region core knows, enabled unless core says it is opt-in', () => {
    const account = anAccount(['us-east-1']);
    for (const { code, optIn } of REGIONS) {
      expect(account.regions.get(code)?.enabled, code).toBe(!optIn);
    }
  });

  it('serves no Region core does not know', () => {
    const account = anAccount(['us-east-1']);
    for (const code of ['ap-southeast-9', 'us-east-7', 'eu-west-1a', 'US-EAST-1', 'local']) {
      expect(account.regions.get(code), code).toBeUndefined();
    }
  });

  it('accepts a world of every Region of the aws partition and keeps them all', () => {
    const world = generateWorld({ accounts: 2, regions: AWS_REGIONS });
    expect(world.regionNames).toEqual(AWS_REGIONS);
  });

  it('refuses a world Region core does not know, naming it', () => {
    expect(() => generateWorld({ accounts: 2, regions: ['us-east-1', 'ap-southeast-9'] })).toThrow(
      WorldValidationError,
    );
    expect(() => generateWorld({ accounts: 2, regions: ['ap-southeast-9'] })).toThrow(/unknown Region ap-southeast-9/);
  });

  it('generates worlds from Regions core knows, with opt-in ones where core has them', () => {
    const world = generateWorld({ accounts: 2, regions: 20 });
    const known = new Map(REGIONS.map((r) => [r.code, r]));
    expect(world.regionNames.filter((r) => !known.has(r))).toEqual([]);
    expect(world.regionNames.filter((r) => known.get(r)?.optIn)).toEqual([
      'af-south-1',
      'ap-east-1',
      'eu-south-1',
      'me-south-1',
    ]);
  });
});
