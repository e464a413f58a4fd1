/**
 * The AWS Regions the sandbox knows, with their partition and whether they are opt-in (disabled
 * until an account enables them). A Region outside this list is treated as not enabled.
 */

/** A partition as ARNs spell it. */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

/** Regions enabled by default in every account of the `aws` partition. */
const DEFAULT_ENABLED: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
];

/** Opt-in Regions (launched after March 2019): disabled until the account enables them. */
const OPT_IN: readonly string[] = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
];

const PARTITION_REGIONS: Readonly<Record<Exclude<Partition, 'aws'>, readonly string[]>> = {
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-us-gov': ['us-gov-west-1', 'us-gov-east-1'],
};

/** True if the sandbox knows `region` at all. */
export function isKnownRegion(region: string): boolean {
  return (
    DEFAULT_ENABLED.includes(region) ||
    OPT_IN.includes(region) ||
    Object.values(PARTITION_REGIONS).some((list) => list.includes(region))
  );
}

/** True for an opt-in Region (one an account must enable before using it). */
export function isOptInRegion(region: string): boolean {
  return OPT_IN.includes(region);
}

/** The partition a Region belongs to. */
export function partitionOfRegion(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The Region whose credential scope global services (Organizations) accept in a partition. */
export function globalSigningRegion(partition: Partition): string {
  if (partition === 'aws-cn') return 'cn-northwest-1';
  if (partition === 'aws-us-gov') return 'us-gov-west-1';
  return 'us-east-1';
}

/**
 * Regions in the order the generator takes them: commercial Regions interleaved with four opt-in
 * ones, so that any world of 4+ Regions has an opt-in Region some accounts have not enabled.
 */
export const GENERATOR_REGION_ORDER: readonly string[] = [
  'us-east-1',
  'eu-west-1',
  'ap-southeast-2',
  'af-south-1',
  'us-west-2',
  'eu-central-1',
  'ap-northeast-1',
  'ap-east-1',
  'us-east-2',
  'eu-west-2',
  'ap-south-1',
  'eu-south-1',
  'ca-central-1',
  'sa-east-1',
  'ap-southeast-1',
  'me-south-1',
  'us-west-1',
  'eu-west-3',
  'eu-north-1',
  'ap-northeast-2',
];

/** Partition-wide list of the Regions that are known for `partition`. */
export function regionsOfPartition(partition: Partition): readonly string[] {
  return partition === 'aws' ? [...DEFAULT_ENABLED, ...OPT_IN] : PARTITION_REGIONS[partition];
}
