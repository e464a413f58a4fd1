import { describe, expect, it } from 'vitest';
import { UnknownRegionError } from '../src/errors.js';
import {
  arnPrefix,
  assertRegion,
  globalRegionOf,
  isKnownRegion,
  isOptInRegion,
  PARTITIONS,
  partitionOf,
  REGIONS,
  regionInfo,
  suggestRegion,
} from '../src/regions.js';

describe('REGIONS', () => {
  it('lists each Region once, with a well-formed code and a name', () => {
    const codes = REGIONS.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const r of REGIONS) {
      expect(r.code).toMatch(/^[a-z]{2}(-gov)?-[a-z]+-\d$/);
      expect(r.name.length).toBeGreaterThan(3);
    }
  });

  it('puts each Region in the partition its code says', () => {
    for (const r of REGIONS) {
      const expected = r.code.startsWith('cn-') ? 'aws-cn' : r.code.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
      expect(r.partition, r.code).toBe(expected);
    }
    expect(new Set(REGIONS.map((r) => r.partition))).toEqual(new Set(PARTITIONS));
  });

  it('marks the Regions launched after March 20, 2019 as opt-in', () => {
    const optIn = [
      'ap-east-1',
      'me-south-1',
      'af-south-1',
      'eu-south-1',
      'ap-south-2',
      'ap-southeast-3',
      'ap-southeast-4',
    ];
    optIn.push('ap-southeast-5', 'ap-southeast-7', 'eu-south-2', 'eu-central-2', 'me-central-1', 'il-central-1');
    optIn.push('ca-west-1', 'mx-central-1', 'ap-east-2', 'ap-southeast-6');
    for (const code of optIn) expect(isOptInRegion(code), code).toBe(true);
    const byDefault = [
      'us-east-1',
      'us-east-2',
      'us-west-1',
      'us-west-2',
      'eu-west-1',
      'eu-north-1',
      'ap-northeast-3',
      'sa-east-1',
    ];
    for (const code of byDefault) expect(isOptInRegion(code), code).toBe(false);
  });

  it('has no opt-in Regions in China or GovCloud', () => {
    expect(REGIONS.filter((r) => r.partition !== 'aws' && r.optIn)).toEqual([]);
    expect(REGIONS.filter((r) => r.partition === 'aws-cn').map((r) => r.code)).toEqual([
      'cn-north-1',
      'cn-northwest-1',
    ]);
    expect(
      REGIONS.filter((r) => r.partition === 'aws-us-gov')
        .map((r) => r.code)
        .sort(),
    ).toEqual(['us-gov-east-1', 'us-gov-west-1']);
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(REGIONS)).toBe(true);
    expect(Object.isFrozen(REGIONS[0])).toBe(true);
  });
});

describe('partitionOf', () => {
  it('returns the partition of a Region', () => {
    expect(partitionOf('us-east-1')).toBe('aws');
    expect(partitionOf('cn-northwest-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-east-1')).toBe('aws-us-gov');
  });

  it('throws UnknownRegionError with a suggestion for an unknown Region', () => {
    expect(() => partitionOf('us-est-1')).toThrow(UnknownRegionError);
    try {
      partitionOf('us-est-1');
    } catch (error) {
      expect(error).toBeInstanceOf(UnknownRegionError);
      expect((error as UnknownRegionError).suggestion).toBe('us-east-1');
      expect((error as Error).message).toContain('did you mean "us-east-1"?');
    }
  });
});

describe('globalRegionOf', () => {
  it("names each partition's global Region, a Region of that partition", () => {
    expect(globalRegionOf('aws')).toBe('us-east-1');
    expect(globalRegionOf('aws-cn')).toBe('cn-northwest-1');
    expect(globalRegionOf('aws-us-gov')).toBe('us-gov-west-1');
    for (const partition of PARTITIONS) expect(partitionOf(globalRegionOf(partition))).toBe(partition);
  });
});

describe('arnPrefix', () => {
  it('builds the ARN prefix of each partition', () => {
    expect(arnPrefix('aws')).toBe('arn:aws');
    expect(arnPrefix('aws-cn')).toBe('arn:aws-cn');
    expect(arnPrefix('aws-us-gov')).toBe('arn:aws-us-gov');
  });
});

describe('suggestRegion', () => {
  it('suggests the closest known code', () => {
    expect(suggestRegion('us-est-1')).toBe('us-east-1');
    expect(suggestRegion('eu-wset-1')).toBe('eu-west-1');
    expect(suggestRegion('ap-southeast-11')).toMatch(/^ap-southeast-1\d?$/);
  });

  it('fixes case and spacing, and finds a Region by its name', () => {
    expect(suggestRegion('US-EAST-1')).toBe('us-east-1');
    expect(suggestRegion(' us_west_2 ')).toBe('us-west-2');
    expect(suggestRegion('Frankfurt')).toBe('eu-central-1');
  });

  it('suggests nothing when nothing is close', () => {
    expect(suggestRegion('xyzzy')).toBeUndefined();
    expect(suggestRegion('')).toBeUndefined();
  });
});

describe('isKnownRegion and assertRegion', () => {
  it('know exactly the listed codes', () => {
    expect(isKnownRegion('eu-central-2')).toBe(true);
    expect(isKnownRegion('EU-CENTRAL-2')).toBe(false);
    expect(isKnownRegion('us-iso-east-1')).toBe(false);
    expect(regionInfo('il-central-1')).toEqual({
      code: 'il-central-1',
      partition: 'aws',
      optIn: true,
      name: 'Israel (Tel Aviv)',
    });
  });

  it('assertRegion names the path and the suggestion', () => {
    expect(() => assertRegion('us-east-1', 'Regions[0]')).not.toThrow();
    expect(() => assertRegion('us-est-1', 'Regions[1]')).toThrow(
      /Unknown Region "us-est-1" at Regions\[1\].*did you mean "us-east-1"/,
    );
    try {
      assertRegion('nowhere-9', 'Regions[2]');
    } catch (error) {
      expect((error as UnknownRegionError).path).toBe('Regions[2]');
      expect((error as UnknownRegionError).region).toBe('nowhere-9');
    }
  });
});
