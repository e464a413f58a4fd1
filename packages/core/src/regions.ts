import { distance } from 'fastest-levenshtein';
import { UnknownRegionError } from './errors.js';

/** The AWS partitions orgpatch works in. Each has its own ARNs, credentials and Regions. */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

/** Every partition orgpatch supports, in a fixed order. */
export const PARTITIONS: readonly Partition[] = Object.freeze(['aws', 'aws-cn', 'aws-us-gov'] as const);

/** One commercial AWS Region. */
export interface RegionInfo {
  /** Region code, e.g. `us-east-1`. */
  readonly code: string;
  readonly partition: Partition;
  /**
   * true for Regions that are disabled by default and must be enabled per account before use:
   * in the aws partition, every Region launched after March 20, 2019. China and GovCloud have none.
   */
  readonly optIn: boolean;
  /** AWS's display name, e.g. `US East (N. Virginia)`. */
  readonly name: string;
}

const region = (code: string, partition: Partition, optIn: boolean, name: string): RegionInfo =>
  Object.freeze({ code, partition, optIn, name });

/**
 * Every Region of the aws, aws-cn and aws-us-gov partitions.
 *
 * Sources: the partition metadata shipped with the AWS SDK for JavaScript v3
 * (its core package, 3.981, `util-endpoints/lib/aws/partitions.js`: the Region codes and names)
 * and the AWS Account Management guide, "Enable or disable AWS Regions in your account"
 * (Regions launched before March 20, 2019 are enabled by default; later ones are opt-in),
 * cross-checked with aws-cdk-lib 2.276's `region-info` list, which marks the same boundary
 * (`RULE_CLASSIC_PARTITION_BECOMES_OPT_IN` after eu-north-1). The ISO partitions and the
 * European Sovereign Cloud are not included: orgpatch does not run there.
 *
 * A Region listed here but not yet enabled in an account is not a payload error: discovery
 * observes it and the plan skips it as `region-not-enabled`.
 */
export const REGIONS: readonly RegionInfo[] = Object.freeze([
  // aws: enabled by default (launched before March 20, 2019)
  region('us-east-1', 'aws', false, 'US East (N. Virginia)'),
  region('us-east-2', 'aws', false, 'US East (Ohio)'),
  region('us-west-1', 'aws', false, 'US West (N. California)'),
  region('us-west-2', 'aws', false, 'US West (Oregon)'),
  region('ca-central-1', 'aws', false, 'Canada (Central)'),
  region('sa-east-1', 'aws', false, 'South America (Sao Paulo)'),
  region('eu-west-1', 'aws', false, 'Europe (Ireland)'),
  region('eu-west-2', 'aws', false, 'Europe (London)'),
  region('eu-west-3', 'aws', false, 'Europe (Paris)'),
  region('eu-central-1', 'aws', false, 'Europe (Frankfurt)'),
  region('eu-north-1', 'aws', false, 'Europe (Stockholm)'),
  region('ap-south-1', 'aws', false, 'Asia Pacific (Mumbai)'),
  region('ap-northeast-1', 'aws', false, 'Asia Pacific (Tokyo)'),
  region('ap-northeast-2', 'aws', false, 'Asia Pacific (Seoul)'),
  region('ap-northeast-3', 'aws', false, 'Asia Pacific (Osaka)'),
  region('ap-southeast-1', 'aws', false, 'Asia Pacific (Singapore)'),
  region('ap-southeast-2', 'aws', false, 'Asia Pacific (Sydney)'),
  // aws: opt-in (launched after March 20, 2019)
  region('ap-east-1', 'aws', true, 'Asia Pacific (Hong Kong)'),
  region('me-south-1', 'aws', true, 'Middle East (Bahrain)'),
  region('af-south-1', 'aws', true, 'Africa (Cape Town)'),
  region('eu-south-1', 'aws', true, 'Europe (Milan)'),
  region('ap-southeast-3', 'aws', true, 'Asia Pacific (Jakarta)'),
  region('me-central-1', 'aws', true, 'Middle East (UAE)'),
  region('eu-central-2', 'aws', true, 'Europe (Zurich)'),
  region('eu-south-2', 'aws', true, 'Europe (Spain)'),
  region('ap-south-2', 'aws', true, 'Asia Pacific (Hyderabad)'),
  region('ap-southeast-4', 'aws', true, 'Asia Pacific (Melbourne)'),
  region('il-central-1', 'aws', true, 'Israel (Tel Aviv)'),
  region('ca-west-1', 'aws', true, 'Canada West (Calgary)'),
  region('ap-southeast-5', 'aws', true, 'Asia Pacific (Malaysia)'),
  region('ap-southeast-7', 'aws', true, 'Asia Pacific (Thailand)'),
  region('mx-central-1', 'aws', true, 'Mexico (Central)'),
  region('ap-east-2', 'aws', true, 'Asia Pacific (Taipei)'),
  region('ap-southeast-6', 'aws', true, 'Asia Pacific (New Zealand)'),
  region('me-west-1', 'aws', true, 'Middle East (Saudi Arabia)'),
  region('sa-west-1', 'aws', true, 'South America (Chile)'),
  // aws-cn
  region('cn-north-1', 'aws-cn', false, 'China (Beijing)'),
  region('cn-northwest-1', 'aws-cn', false, 'China (Ningxia)'),
  // aws-us-gov
  region('us-gov-west-1', 'aws-us-gov', false, 'AWS GovCloud (US-West)'),
  region('us-gov-east-1', 'aws-us-gov', false, 'AWS GovCloud (US-East)'),
]);

const BY_CODE: ReadonlyMap<string, RegionInfo> = new Map(REGIONS.map((r) => [r.code, r]));
const CODES: readonly string[] = REGIONS.map((r) => r.code);

/** The Region's entry in {@link REGIONS}, or undefined when the code is not known. */
export function regionInfo(region: string): RegionInfo | undefined {
  return BY_CODE.get(region);
}

/** true when `region` is a code in {@link REGIONS} (exact, lower-case). */
export function isKnownRegion(region: string): boolean {
  return BY_CODE.has(region);
}

/** true when `region` is a known opt-in Region (must be enabled per account); false otherwise, also for unknown codes. */
export function isOptInRegion(region: string): boolean {
  return BY_CODE.get(region)?.optIn === true;
}

/**
 * The partition a Region belongs to.
 * @throws UnknownRegionError when the Region is not in {@link REGIONS}.
 * @example partitionOf('cn-north-1') // 'aws-cn'
 */
export function partitionOf(region: string): Partition {
  const info = BY_CODE.get(region);
  if (!info) throw new UnknownRegionError(region, '', suggestRegion(region));
  return info.partition;
}

const GLOBAL_REGIONS: Readonly<Record<Partition, string>> = Object.freeze({
  aws: 'us-east-1',
  'aws-cn': 'cn-northwest-1',
  'aws-us-gov': 'us-gov-west-1',
});

/**
 * The Region a partition's global services (Organizations, IAM) are signed for: each has one
 * endpoint per partition, which the SDK's endpoint rules reach through this Region.
 * @example globalRegionOf('aws-cn') // 'cn-northwest-1'
 */
export function globalRegionOf(partition: Partition): string {
  return GLOBAL_REGIONS[partition];
}

/**
 * The ARN prefix of a partition. Build ARNs with it; never hard-code the `aws` partition.
 * @example `${arnPrefix('aws-us-gov')}:iam::123456789012:role/Name` // 'arn:aws-us-gov:iam::...'
 */
export function arnPrefix(partition: Partition): `arn:${Partition}` {
  return `arn:${partition}`;
}

/**
 * The known Region code closest to `input`, for "did you mean" hints; undefined when nothing is close.
 * Tries, in order: the code after trimming and lower-casing (`US-EAST-1`), a Region whose name
 * contains the input (`Frankfurt` -> `eu-central-1`), and the nearest code by edit distance
 * (at most 3 edits, `us-est-1` -> `us-east-1`).
 */
export function suggestRegion(input: string): string | undefined {
  const normalized = input
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
  if (normalized === '') return undefined;
  if (BY_CODE.has(normalized)) return normalized;
  const byName = input.trim().toLowerCase();
  if (byName.length >= 4) {
    const named = REGIONS.find((r) => r.name.toLowerCase().includes(byName));
    if (named) return named.code;
  }
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const code of CODES) {
    const d = distance(normalized, code);
    if (d < bestDistance) {
      best = code;
      bestDistance = d;
    }
  }
  return bestDistance <= 3 ? best : undefined;
}

/**
 * Asserts that `region` is a known Region code.
 * @param path where the value came from, for the error message (e.g. `Regions[0]`).
 * @throws UnknownRegionError naming the path and the closest known code.
 */
export function assertRegion(region: string, path: string): void {
  if (!BY_CODE.has(region)) throw new UnknownRegionError(region, path, suggestRegion(region));
}
