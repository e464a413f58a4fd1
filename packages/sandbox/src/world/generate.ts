import { isKnownRegion, isOptInRegion, type Partition } from '@orgpatch/core';
import { type WorldIssue, WorldValidationError } from '../errors.js';
import { hashSeed, LOWER_ALNUM, mulberry32, type Random, randomInt, randomString } from '../prng.js';
import { type AccountInit, assembleWorld } from './assemble.js';
import { derivedInstanceId } from './load.js';
import {
  createInstance,
  type DocumentInstaller,
  type LocationContent,
  type SandboxAccount,
  type SandboxOu,
  type SandboxWorld,
} from './model.js';

/**
 * Regions in the order the generator takes them: commercial Regions interleaved with four opt-in
 * ones, so that any world of 4+ Regions has an opt-in Region some accounts have not enabled.
 */
const GENERATOR_REGION_ORDER: readonly string[] = [
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

/** Options of {@link generateWorld}. Every rate is a probability in [0, 1]. */
export interface GenerateWorldOptions {
  /** Same seed, same world. @default 1 */
  readonly seed?: number;
  /** Number of accounts, management account included (1 to 10,000). */
  readonly accounts: number;
  /** How many Regions (taken from a fixed list that mixes in opt-in Regions), or their names. @default 4 */
  readonly regions?: number | readonly string[];
  /** Resource groups per location: a count (`orgpatch-targets`, `orgpatch-targets-2`, ...) or names. @default 1 */
  readonly groups?: number | readonly string[];
  /** Share of enabled locations (account, Region) that hold instances. @default 1/3 */
  readonly density?: number;
  /** Instances in a location that has some. @default { min: 1, max: 12 } */
  readonly instancesPerLocation?: { readonly min: number; readonly max: number };
  /** Share of accounts that are SUSPENDED (they sit in the "Suspended" OU). @default 0.02 */
  readonly suspendedRate?: number;
  /** Share of accounts without the member stacks. @default 0.03 */
  readonly withoutMemberStacksRate?: number;
  /** Chance that an account has enabled a given opt-in Region. @default 0.5 */
  readonly optInEnabledRate?: number;
  /** Chance that an instance fails patching. @default 0.02 */
  readonly failingInstanceRate?: number;
  /** Chance that a managed node's agent is offline (PingStatus ConnectionLost): it takes no command. @default 0 */
  readonly offlineRate?: number;
  /** Chance that a location without instances still has its (empty) groups. @default 0.5 */
  readonly emptyGroupRate?: number;
  /** @default ['orgpatch-runs'] */
  readonly buckets?: readonly string[];
  /** Simulated start time (epoch ms); default: the real time at start. */
  readonly startTime?: number;
  /** @default 'aws' */
  readonly partition?: Partition;
  /** How the Regional stack's document is installed (default: the SSM service's installer). */
  readonly installDocument?: DocumentInstaller;
}

/** Most accounts a generated world may hold. */
const MAX_GENERATED_ACCOUNTS = 10_000;

interface OuPlan {
  readonly ou: SandboxOu;
  readonly weight: number;
  readonly label: string;
}

/**
 * Generates a world deterministically from a seed: an OU tree a few levels deep (Security,
 * Infrastructure, Workloads/{Dev,Staging,Prod}/teams, Sandbox, Suspended), accounts spread over it,
 * some suspended and some without member stacks, opt-in Regions not enabled in some accounts, and
 * instances in about a third of the locations. Locations are built lazily, on first use, from a
 * seed of their own, so a 10,000 x 16 world costs little until it is walked.
 *
 * @example
 * const world = generateWorld({ seed: 7, accounts: 1000, regions: 16 });
 */
export function generateWorld(options: GenerateWorldOptions): SandboxWorld {
  const issues = validate(options);
  if (issues.length > 0) throw new WorldValidationError('generateWorld options', issues);
  const seed = options.seed ?? 1;
  const random = mulberry32(hashSeed('world', seed));
  const partition = options.partition ?? 'aws';
  const regionNames =
    typeof options.regions === 'object' ? [...options.regions] : GENERATOR_REGION_ORDER.slice(0, options.regions ?? 4);
  const groupNames =
    typeof options.groups === 'object'
      ? [...options.groups]
      : Array.from({ length: options.groups ?? 1 }, (_, i) =>
          i === 0 ? 'orgpatch-targets' : `orgpatch-targets-${i + 1}`,
        );
  const rootSuffix = randomString(random, LOWER_ALNUM, 4);
  const rootId = `r-${rootSuffix}`;
  const organizationId = `o-${randomString(random, LOWER_ALNUM, 10)}`;
  const newOuId = () => `ou-${rootSuffix}-${randomString(random, LOWER_ALNUM, 8)}`;
  const ous: SandboxOu[] = [];
  const plans: OuPlan[] = [];
  const addOu = (name: string, parentId: string, weight: number, label: string): SandboxOu => {
    const ou = { id: newOuId(), name, parentId };
    ous.push(ou);
    if (weight > 0) plans.push({ ou, weight, label });
    return ou;
  };
  addOu('Security', rootId, 0.03, 'security');
  addOu('Infrastructure', rootId, 0.05, 'infra');
  const workloads = addOu('Workloads', rootId, 0, '');
  const teams = Math.min(12, Math.floor(options.accounts / 250));
  for (const [name, weight] of [
    ['Dev', 0.3],
    ['Staging', 0.2],
    ['Prod', 0.35],
  ] as const) {
    const env = addOu(name, workloads.id, teams === 0 ? weight : 0, name.toLowerCase());
    for (let t = 1; t <= teams; t++) addOu(`${name}-team-${t}`, env.id, weight / teams, `${name.toLowerCase()}-t${t}`);
  }
  addOu('Sandbox', rootId, 0.07, 'sandbox');
  const suspendedOu = addOu('Suspended', rootId, 0, '');
  const totalWeight = plans.reduce((s, p) => s + p.weight, 0);

  const created = Date.UTC(2019, 0, 1);
  const span = 5 * 365 * 24 * 3600 * 1000;
  const usedIds = new Set<string>();
  const newAccountId = (): string => {
    for (;;) {
      const id = String(100_000_000_000 + Math.floor(random() * 899_999_999_999));
      if (!usedIds.has(id)) {
        usedIds.add(id);
        return id;
      }
    }
  };
  const density = options.density ?? 1 / 3;
  const perLocation = options.instancesPerLocation ?? { min: 1, max: 12 };
  const failing = options.failingInstanceRate ?? 0.02;
  const emptyGroups = options.emptyGroupRate ?? 0.5;
  const locationContent =
    (accountId: string) =>
    (region: string): LocationContent =>
      generateLocation(mulberry32(hashSeed('location', seed, accountId, region)), {
        accountId,
        region,
        density,
        perLocation,
        failing,
        emptyGroups,
        offline: options.offlineRate ?? 0,
        groupNames,
      });

  const accounts: AccountInit[] = [];
  const managementId = newAccountId();
  accounts.push({
    id: managementId,
    name: 'management',
    email: 'aws+management@example.com',
    status: 'ACTIVE',
    parentId: rootId,
    joinedTimestamp: created,
    joinedMethod: 'CREATED',
    memberStacks: { global: true, regions: 'all' },
    regionsNotEnabled: new Set(),
    content: locationContent(managementId),
  });
  const counters = new Map<string, number>();
  for (let n = 1; n < options.accounts; n++) {
    const id = newAccountId();
    let status: SandboxAccount['status'] = 'ACTIVE';
    const roll = random();
    if (roll < (options.suspendedRate ?? 0.02)) status = 'SUSPENDED';
    else if (roll < (options.suspendedRate ?? 0.02) + 0.005) status = 'PENDING_CLOSURE';
    let plan = plans[plans.length - 1]!;
    let pick = random() * totalWeight;
    for (const p of plans) {
      pick -= p.weight;
      if (pick <= 0) {
        plan = p;
        break;
      }
    }
    const count = (counters.get(plan.label) ?? 0) + 1;
    counters.set(plan.label, count);
    const name = `${plan.label}-${String(count).padStart(4, '0')}`;
    const withoutStacks = random() < (options.withoutMemberStacksRate ?? 0.03);
    const notEnabled = new Set(
      regionNames.filter((r) => isOptInRegion(r) && random() >= (options.optInEnabledRate ?? 0.5)),
    );
    accounts.push({
      id,
      name,
      email: `aws+${name}@example.com`,
      status,
      parentId: status === 'SUSPENDED' ? suspendedOu.id : plan.ou.id,
      joinedTimestamp: created + Math.floor(random() * span),
      joinedMethod: random() < 0.9 ? 'CREATED' : 'INVITED',
      memberStacks: withoutStacks ? { global: false, regions: new Set() } : { global: true, regions: 'all' },
      regionsNotEnabled: notEnabled,
      content: locationContent(id),
    });
  }
  return assembleWorld({
    organizationId,
    rootId,
    managementAccountId: managementId,
    partition,
    featureSet: 'ALL',
    createdTimestamp: created,
    ...(options.startTime === undefined ? {} : { startTime: options.startTime }),
    orchestrator: {},
    regionNames,
    buckets: options.buckets ?? ['orgpatch-runs'],
    ous,
    accounts,
    ...(options.installDocument ? { installDocument: options.installDocument } : {}),
  });
}

interface LocationPlan {
  readonly accountId: string;
  readonly region: string;
  readonly density: number;
  readonly perLocation: { readonly min: number; readonly max: number };
  readonly failing: number;
  readonly emptyGroups: number;
  readonly offline: number;
  readonly groupNames: readonly string[];
}

function generateLocation(random: Random, plan: LocationPlan): LocationContent {
  if (random() >= plan.density) {
    const keep = random() < plan.emptyGroups;
    return { instances: [], groups: keep ? plan.groupNames.map((name) => ({ name, instanceIds: [] })) : [] };
  }
  const count = randomInt(random, plan.perLocation.min, plan.perLocation.max);
  const instances = [];
  const members: string[][] = plan.groupNames.map(() => []);
  for (let i = 0; i < count; i++) {
    const hybrid = random() < 0.05;
    const platformRoll = random();
    const platform = platformRoll < 0.7 ? 'Linux' : platformRoll < 0.97 ? 'Windows' : 'MacOS';
    const instanceId = derivedInstanceId(plan.accountId, plan.region, i, hybrid);
    const managed = hybrid || random() < 0.92;
    const missingPatches = randomInt(random, 0, 25);
    const installedPatches = randomInt(random, 60, 400);
    const patchMinutes = randomInt(random, 5, 45);
    const failsPatching = random() < plan.failing;
    // The history of each node comes from its own generator, so that the world's other draws (and
    // every world generated before patch classes and scans were simulated) stay as they were.
    const history = mulberry32(hashSeed('patch-history', instanceId));
    const criticalPatches = history() < 0.15 ? Math.min(missingPatches, randomInt(history, 1, 3)) : 0;
    const securityPatches = history() < 0.4 ? Math.min(missingPatches - criticalPatches, randomInt(history, 1, 6)) : 0;
    const lastScanDaysAgo = randomInt(history, 0, 13) + history();
    const offline = managed && history() < plan.offline;
    instances.push(
      createInstance({
        instanceId,
        platform,
        managed,
        missingPatches,
        installedPatches,
        patchMinutes,
        failsPatching,
        criticalPatches,
        securityPatches,
        ...(managed ? { lastScanDaysAgo } : {}),
        ...(offline ? { pingStatus: 'ConnectionLost' as const } : {}),
      }),
    );
    members.forEach((list, g) => {
      if (g === 0 || random() < 0.5) list.push(instanceId);
    });
  }
  return { instances, groups: plan.groupNames.map((name, g) => ({ name, instanceIds: members[g] ?? [] })) };
}

function validate(options: GenerateWorldOptions): WorldIssue[] {
  const issues: WorldIssue[] = [];
  const rate = (name: keyof GenerateWorldOptions) => {
    const v = options[name];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0 && v <= 1))) {
      issues.push({ path: name, message: `must be a number from 0 to 1, got ${String(v)}` });
    }
  };
  if (!Number.isInteger(options.accounts) || options.accounts < 1 || options.accounts > MAX_GENERATED_ACCOUNTS) {
    issues.push({
      path: 'accounts',
      message: `must be an integer from 1 to ${MAX_GENERATED_ACCOUNTS}, got ${options.accounts}`,
    });
  }
  if (typeof options.regions === 'number') {
    if (!Number.isInteger(options.regions) || options.regions < 1 || options.regions > GENERATOR_REGION_ORDER.length) {
      issues.push({
        path: 'regions',
        message: `must be an integer from 1 to ${GENERATOR_REGION_ORDER.length}, or a list of Region names`,
      });
    }
  } else if (options.regions) {
    options.regions.forEach((r, i) => {
      if (!isKnownRegion(r)) issues.push({ path: `regions.${i}`, message: `unknown Region ${r}` });
    });
  }
  if (
    typeof options.groups === 'number' &&
    (!Number.isInteger(options.groups) || options.groups < 0 || options.groups > 10)
  ) {
    issues.push({ path: 'groups', message: 'must be an integer from 0 to 10, or a list of group names' });
  }
  const per = options.instancesPerLocation;
  if (per && !(Number.isInteger(per.min) && Number.isInteger(per.max) && per.min >= 1 && per.max >= per.min)) {
    issues.push({ path: 'instancesPerLocation', message: 'needs integers 1 <= min <= max' });
  }
  for (const name of [
    'density',
    'suspendedRate',
    'withoutMemberStacksRate',
    'optInEnabledRate',
    'failingInstanceRate',
    'emptyGroupRate',
    'offlineRate',
  ] as const) {
    rate(name);
  }
  return issues;
}
