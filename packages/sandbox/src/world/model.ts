import { isKnownRegion, isOptInRegion, type Partition } from '@orgpatch/core';
import type { SimAccount, SimDocument, SimGroup, SimInstance, SimRegion, SimResource, SimWorld } from '../contract.js';
import type { SandboxRole } from './memberStacks.js';

/** A QueryError that ListGroupResources reports for a group (e.g. its CloudFormation stack is gone). */
export interface GroupQueryError {
  readonly ErrorCode: string;
  readonly Message: string;
}

/** A resource group with the extras the Resource Groups API reports. */
export interface SandboxGroup extends SimGroup {
  readonly description?: string;
  readonly queryErrors?: readonly GroupQueryError[];
}

/** What a location (account and Region) holds before any run: materialized when first touched. */
export interface LocationContent {
  readonly instances: readonly SimInstance[];
  readonly groups: readonly SandboxGroup[];
  /** Volumes, security groups, network interfaces: never patched, but group members and tag carriers. */
  readonly resources?: readonly SimResource[];
}

/** Which orgpatch member stacks an account has. */
export interface MemberStackDeployment {
  /** The global stack (execution and automation roles). */
  readonly global: boolean;
  /** Regions with the Regional stack (the automation document); `all` = every enabled world Region. */
  readonly regions: 'all' | ReadonlySet<string>;
}

/** An account with the extras the sandbox needs beyond the contract. */
export interface SandboxAccount extends SimAccount {
  readonly joinedMethod: 'CREATED' | 'INVITED';
  /** When a CLOSED account closed (simulated epoch ms); unset: at the simulated start. */
  readonly closedTimestamp?: number;
  readonly memberStacks: MemberStackDeployment;
  /** Opt-in Regions of the world this account has not enabled. */
  readonly regionsNotEnabled: ReadonlySet<string>;
  readonly roles: Map<string, SandboxRole>;
  readonly regions: LazyRegionMap;
}

/** The orchestrator principal: a role in the management account, and the keys the sandbox hands out for it. */
export interface OrchestratorPrincipal {
  readonly roleName: string;
  readonly sessionName: string;
  /** `arn:<partition>:iam::<management>:role/<roleName>` (what member roles trust). */
  readonly roleArn: string;
  /** `arn:<partition>:sts::<management>:assumed-role/<roleName>/<sessionName>` (what GetCallerIdentity returns). */
  readonly sessionArn: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A RegisterDelegatedAdministrator registration of a member account for a service principal. */
export interface DelegatedAdministrator {
  readonly accountId: string;
  readonly servicePrincipal: string;
}

/** An Allow statement of the Organizations resource-based delegation policy, for one member account. */
export interface DelegationStatement {
  readonly accountId: string;
  /** `organizations:Action` names; `*` and `?` match as in IAM. */
  readonly actions: readonly string[];
}

/** A CloudWatch alarm state (the model's `StateValue`). */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** A CloudWatch alarm of the world, as it is at the simulated start (defaults applied). */
export interface WorldAlarm {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly type: 'metric' | 'composite';
  readonly state: AlarmState;
  readonly reason: string;
  readonly description?: string;
  readonly actions: readonly string[];
  /** A composite alarm's AlarmRule (not evaluated). */
  readonly rule?: string;
  /** What a metric alarm watches. */
  readonly metric?: {
    readonly namespace: string;
    readonly metricName: string;
    readonly statistic: string;
    readonly period: number;
    readonly evaluationPeriods: number;
    readonly threshold: number;
    readonly comparisonOperator: string;
    readonly dimensions: Readonly<Record<string, string>>;
  };
}

/** An organizational unit. */
export interface SandboxOu {
  readonly id: string;
  readonly name: string;
  readonly parentId: string;
}

/** The world the sandbox serves: the contract's {@link SimWorld} plus what the protocol layer needs. */
export interface SandboxWorld extends SimWorld {
  readonly partition: Partition;
  readonly featureSet: 'ALL' | 'CONSOLIDATED_BILLING';
  readonly createdTimestamp: number;
  /** Simulated time at start, if the world fixes it. */
  readonly startTime?: number;
  readonly orchestrator: OrchestratorPrincipal;
  readonly ous: Map<string, SandboxOu>;
  readonly accounts: Map<string, SandboxAccount>;
  /** Buckets owned by the management account. */
  readonly buckets: readonly string[];
  /** Accounts in world order (Organizations lists them in this order). */
  readonly accountOrder: readonly string[];
  /** Member accounts registered as delegated administrators (read-only access to Organizations). */
  readonly delegatedAdministrators: readonly DelegatedAdministrator[];
  /** The Organizations resource-based delegation policy's statements. */
  readonly delegationPolicy: readonly DelegationStatement[];
  /** CloudWatch alarms per account and Region, as at the simulated start. */
  readonly alarms: readonly WorldAlarm[];
}

/** Installs the member automation document into one Region (the SSM service's `installMemberDocument`). */
export type DocumentInstaller = (region: SimRegion, content: Record<string, unknown>, createdDate: number) => void;

/** How a {@link LazyRegionMap} builds a Region the first time it is touched. */
export interface RegionFactoryContext {
  readonly account: () => SandboxAccount;
  readonly worldRegions: readonly string[];
  readonly content: (region: string) => LocationContent | undefined;
  /** Called for a materialized, enabled Region where the Regional member stack is deployed. */
  readonly deployRegionalStack: (region: SimRegion) => void;
}

/**
 * An account's Regions, built on first access so that 10,000 accounts x 16 Regions cost almost
 * nothing until used. `get` materializes any known Region (a Region outside the world's list is
 * empty, and enabled unless it is opt-in); `has`, `size` and iteration cover the world's Regions.
 */
export class LazyRegionMap extends Map<string, SimRegion> {
  private context: RegionFactoryContext | undefined;

  /** Attaches the factory (after construction: `Map`'s constructor must not see it). */
  bind(context: RegionFactoryContext): this {
    this.context = context;
    return this;
  }

  /** Number of Regions built so far (the rest exist only as names). */
  get materializedCount(): number {
    return super.size;
  }

  override get(region: string): SimRegion | undefined {
    const existing = super.get(region);
    if (existing) return existing;
    const built = this.build(region);
    if (built) super.set(region, built);
    return built;
  }

  override has(region: string): boolean {
    return super.has(region) || (this.context?.worldRegions.includes(region) ?? false);
  }

  override get size(): number {
    this.materializeWorldRegions();
    return super.size;
  }

  override entries(): MapIterator<[string, SimRegion]> {
    this.materializeWorldRegions();
    return super.entries();
  }

  override keys(): MapIterator<string> {
    this.materializeWorldRegions();
    return super.keys();
  }

  override values(): MapIterator<SimRegion> {
    this.materializeWorldRegions();
    return super.values();
  }

  override [Symbol.iterator](): MapIterator<[string, SimRegion]> {
    return this.entries();
  }

  override forEach(fn: (value: SimRegion, key: string, map: Map<string, SimRegion>) => void, thisArg?: unknown): void {
    this.materializeWorldRegions();
    super.forEach(fn, thisArg);
  }

  private materializeWorldRegions(): void {
    for (const region of this.context?.worldRegions ?? []) this.get(region);
  }

  private build(region: string): SimRegion | undefined {
    const ctx = this.context;
    if (!ctx || !isKnownRegion(region)) return undefined;
    const account = ctx.account();
    const inWorld = ctx.worldRegions.includes(region);
    const enabled = inWorld ? !account.regionsNotEnabled.has(region) : !isOptInRegion(region);
    const content = inWorld && enabled ? ctx.content(region) : undefined;
    const simRegion: SimRegion = {
      region,
      enabled,
      instances: new Map((content?.instances ?? []).map((i) => [i.instanceId, i])),
      groups: new Map((content?.groups ?? []).map((g) => [g.name, g])),
      ...(content?.resources?.length ? { resources: new Map(content.resources.map((r) => [r.id, r])) } : {}),
      documents: new Map<string, SimDocument>(),
    };
    const stacks = account.memberStacks;
    if (inWorld && enabled && (stacks.regions === 'all' || stacks.regions.has(region))) {
      ctx.deployRegionalStack(simRegion);
    }
    return simRegion;
  }
}

/** Everything needed to create an instance; ids are given. */
export interface InstanceInit {
  readonly instanceId: string;
  readonly platform: SimInstance['platform'];
  readonly platformName?: string;
  readonly managed: boolean;
  readonly missingPatches: number;
  readonly installedPatches: number;
  readonly patchMinutes: number;
  readonly failsPatching: boolean;
  readonly tags?: Readonly<Record<string, string>>;
  /** Of the missing patches, how many are classified Critical, and Security. @default 0 */
  readonly criticalPatches?: number;
  readonly securityPatches?: number;
  /** The agent's PingStatus when not Online. */
  readonly pingStatus?: SimInstance['pingStatus'];
  /** A Scan that ended this many days before the sandbox started. @default none: never scanned */
  readonly lastScanDaysAgo?: number;
}

const PLATFORM_NAMES: Readonly<Record<SimInstance['platform'], string>> = {
  Linux: 'Amazon Linux',
  Windows: 'Microsoft Windows Server 2022 Datacenter',
  MacOS: 'macOS',
};

/** Default patch baseline ids per platform (the sandbox's stand-ins for the AWS predefined baselines). */
const BASELINES: Readonly<Record<SimInstance['platform'], string>> = {
  Linux: 'pb-0e392de35e7c563b7',
  Windows: 'pb-016cc7d2c7bf7a3de',
  MacOS: 'pb-0cd3f4a6dbf9b7e5c',
};

/** Builds a {@link SimInstance} in its initial patch state. */
export function createInstance(init: InstanceInit): SimInstance {
  return {
    instanceId: init.instanceId,
    platform: init.platform,
    platformName: init.platformName ?? PLATFORM_NAMES[init.platform],
    managed: init.managed,
    patchMinutes: init.patchMinutes,
    failsPatching: init.failsPatching,
    ...(init.tags ? { tags: init.tags } : {}),
    ...(init.pingStatus ? { pingStatus: init.pingStatus } : {}),
    patchState: {
      installedCount: init.installedPatches,
      missingCount: init.missingPatches,
      criticalCount: Math.min(init.criticalPatches ?? 0, init.missingPatches),
      securityCount: Math.min(
        init.securityPatches ?? 0,
        init.missingPatches - Math.min(init.criticalPatches ?? 0, init.missingPatches),
      ),
      failedCount: 0,
      installedPendingRebootCount: 0,
      baselineId: BASELINES[init.platform],
      ...(init.lastScanDaysAgo === undefined ? {} : { priorScanAgeMs: Math.round(init.lastScanDaysAgo * 86_400_000) }),
    },
  };
}

/** ARN of an instance or managed node, as Resource Groups lists it. */
export function instanceArn(partition: string, region: string, accountId: string, instanceId: string): string {
  return instanceId.startsWith('mi-')
    ? `arn:${partition}:ssm:${region}:${accountId}:managed-instance/${instanceId}`
    : `arn:${partition}:ec2:${region}:${accountId}:instance/${instanceId}`;
}

/** ARN of a resource that is not an instance, as Resource Groups lists it (`...:ec2:...:volume/vol-...`). */
export function resourceArn(partition: string, region: string, accountId: string, type: string, id: string): string {
  const kind = type
    .replace(/^AWS::EC2::/, '')
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .toLowerCase();
  return `arn:${partition}:ec2:${region}:${accountId}:${kind}/${id}`;
}

/** The path of an OU or account: `o-.../r-.../ou-.../[account/]`. */
export function entityPath(world: SandboxWorld, parentId: string, leafId?: string): string {
  const chain: string[] = [];
  let p: string | undefined = parentId;
  while (p && p !== world.rootId) {
    chain.unshift(p);
    p = world.ous.get(p)?.parentId;
  }
  return `${world.organizationId}/${world.rootId}/${chain.map((c) => `${c}/`).join('')}${leafId ? `${leafId}/` : ''}`;
}
