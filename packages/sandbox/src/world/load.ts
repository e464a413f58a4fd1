import { readFile } from 'node:fs/promises';
import type { SimResource } from '../contract.js';
import { WorldValidationError } from '../errors.js';
import { HEX, hashSeed, mulberry32, randomString } from '../prng.js';
import { type AccountInit, assembleWorld } from './assemble.js';
import {
  createInstance,
  type DocumentInstaller,
  type LocationContent,
  type MemberStackDeployment,
  type SandboxGroup,
  type SandboxWorld,
  type WorldAlarm,
} from './model.js';
import { type WorldFileAccount, type WorldFileAlarm, type WorldFileLocation, worldFileSchema } from './schema.js';

/** Options of {@link buildWorld} and {@link loadWorldFile}. */
export interface BuildWorldOptions {
  /** How the Regional stack's document is installed (default: the SSM service's installer). */
  readonly installDocument?: DocumentInstaller;
}

/** Reads, validates and builds a world file. */
export async function loadWorldFile(path: string, options: BuildWorldOptions = {}): Promise<SandboxWorld> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new WorldValidationError(path, [{ path: '', message: `cannot read the file: ${(error as Error).message}` }], {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new WorldValidationError(path, [{ path: '', message: `not JSON: ${(error as Error).message}` }], {
      cause: error,
    });
  }
  return buildWorld(json, { ...options, source: path });
}

/** Validates a world file's content (parsed JSON) against {@link worldFileSchema} and builds the world. */
export function buildWorld(
  json: unknown,
  options: BuildWorldOptions & { readonly source?: string } = {},
): SandboxWorld {
  const parsed = worldFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new WorldValidationError(
      options.source ?? '(in memory)',
      parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      { cause: parsed.error },
    );
  }
  const file = parsed.data;
  const created = file.organization.createdTimestamp
    ? Date.parse(file.organization.createdTimestamp)
    : Date.UTC(2020, 0, 1);
  return assembleWorld({
    organizationId: file.organization.id,
    rootId: file.organization.rootId,
    managementAccountId: file.organization.managementAccountId,
    partition: file.organization.partition ?? 'aws',
    featureSet: file.organization.featureSet ?? 'ALL',
    createdTimestamp: created,
    ...(file.startTime ? { startTime: Date.parse(file.startTime) } : {}),
    orchestrator: file.orchestrator ?? {},
    regionNames: file.regions,
    buckets: file.buckets ?? ['orgpatch-runs'],
    ous: file.ous,
    accounts: file.accounts.map((a) => accountInit(a, created)),
    delegatedAdministrators: file.delegatedAdministrators ?? [],
    delegationPolicy: file.delegationPolicy ?? [],
    alarms: file.accounts.flatMap((a) =>
      Object.entries(a.locations ?? {}).flatMap(([region, location]) =>
        (location.alarms ?? []).map((alarm) => worldAlarm(a.id, region, alarm)),
      ),
    ),
    ...(options.installDocument ? { installDocument: options.installDocument } : {}),
  });
}

function accountInit(a: WorldFileAccount, created: number): AccountInit {
  const stacks = a.memberStacks ?? true;
  const memberStacks: MemberStackDeployment =
    typeof stacks === 'boolean'
      ? { global: stacks, regions: stacks ? 'all' : new Set() }
      : { global: stacks.global ?? true, regions: stacks.regions ? new Set(stacks.regions) : 'all' };
  const locations = a.locations ?? {};
  return {
    id: a.id,
    name: a.name,
    email: a.email,
    status: a.state ?? a.status ?? 'ACTIVE',
    ...(a.closedTimestamp ? { closedTimestamp: Date.parse(a.closedTimestamp) } : {}),
    parentId: a.parentId,
    joinedTimestamp: a.joinedTimestamp ? Date.parse(a.joinedTimestamp) : created,
    joinedMethod: a.joinedMethod ?? 'CREATED',
    memberStacks,
    regionsNotEnabled: new Set(a.regionsNotEnabled ?? []),
    content: (region) => {
      const location = locations[region];
      return location ? expandLocation(a.id, region, location) : undefined;
    },
  };
}

/** An alarm entry with its defaults (README, "The world"). */
function worldAlarm(accountId: string, region: string, a: WorldFileAlarm): WorldAlarm {
  const state = a.state ?? 'OK';
  const base = {
    accountId,
    region,
    name: a.name,
    state,
    reason: a.reason ?? `The sandbox world starts the alarm in ${state}.`,
    ...(a.description === undefined ? {} : { description: a.description }),
    actions: a.actions ?? [],
  };
  if (a.type === 'composite') return { ...base, type: 'composite', rule: a.rule ?? 'FALSE' };
  const m = a.metric ?? {};
  return {
    ...base,
    type: 'metric',
    metric: {
      namespace: m.namespace ?? 'OrgPatchSandbox',
      metricName: m.metricName ?? a.name,
      statistic: m.statistic ?? 'Average',
      period: m.period ?? 60,
      evaluationPeriods: m.evaluationPeriods ?? 1,
      threshold: m.threshold ?? 0,
      comparisonOperator: m.comparisonOperator ?? 'GreaterThanThreshold',
      dimensions: m.dimensions ?? {},
    },
  };
}

/** Expands a location entry: `count` instances get ids derived from (account, Region, position). */
function expandLocation(accountId: string, region: string, location: WorldFileLocation): LocationContent {
  const instances = [];
  const members = new Map<string, string[]>();
  const declared: SandboxGroup[] = [];
  for (const g of location.groups ?? []) {
    const group = typeof g === 'string' ? { name: g } : g;
    if (!members.has(group.name)) {
      members.set(group.name, []);
      declared.push({
        name: group.name,
        instanceIds: [],
        ...(typeof g === 'object' && g.description ? { description: g.description } : {}),
        ...(typeof g === 'object' && g.queryErrors ? { queryErrors: g.queryErrors } : {}),
      });
    }
  }
  let position = 0;
  for (const spec of location.instances ?? []) {
    for (let k = 0; k < (spec.count ?? 1); k++) {
      const hybrid = spec.hybrid ?? spec.instanceId?.startsWith('mi-') ?? false;
      const instanceId = spec.instanceId ?? derivedInstanceId(accountId, region, position, hybrid);
      position++;
      instances.push(
        createInstance({
          instanceId,
          platform: spec.platform ?? 'Linux',
          ...(spec.platformName ? { platformName: spec.platformName } : {}),
          managed: hybrid ? true : (spec.managed ?? true),
          missingPatches: spec.missingPatches ?? 0,
          installedPatches: spec.installedPatches ?? 120,
          patchMinutes: spec.patchMinutes ?? 10,
          failsPatching: spec.failsPatching ?? false,
          ...(spec.tags ? { tags: spec.tags } : {}),
          ...(spec.criticalPatches === undefined ? {} : { criticalPatches: spec.criticalPatches }),
          ...(spec.securityPatches === undefined ? {} : { securityPatches: spec.securityPatches }),
          ...(spec.pingStatus === undefined || spec.pingStatus === 'Online' ? {} : { pingStatus: spec.pingStatus }),
          ...(spec.lastScanDaysAgo === undefined ? {} : { lastScanDaysAgo: spec.lastScanDaysAgo }),
        }),
      );
      for (const name of spec.groups ?? []) {
        let list = members.get(name);
        if (!list) {
          list = [];
          members.set(name, list);
          declared.push({ name, instanceIds: [] });
        }
        list.push(instanceId);
      }
    }
  }
  const others = expandResources(accountId, region, location, (name) => {
    if (!members.has(name)) {
      members.set(name, []);
      declared.push({ name, instanceIds: [] });
    }
  });
  const groups = declared.map((g) => {
    const resourceIds = others.members.get(g.name);
    return { ...g, instanceIds: members.get(g.name) ?? [], ...(resourceIds ? { resourceIds } : {}) };
  });
  return { instances, groups, ...(others.resources.length > 0 ? { resources: others.resources } : {}) };
}

/** The location's resources that are not instances, and the groups they are members of. */
function expandResources(
  accountId: string,
  region: string,
  location: WorldFileLocation,
  declareGroup: (name: string) => void,
): { resources: SimResource[]; members: Map<string, string[]> } {
  const resources: SimResource[] = [];
  const members = new Map<string, string[]>();
  let position = 0;
  for (const spec of location.resources ?? []) {
    for (let k = 0; k < (spec.count ?? 1); k++) {
      const prefix = spec.type === 'AWS::EC2::Volume' ? 'vol' : spec.type === 'AWS::EC2::SecurityGroup' ? 'sg' : 'eni';
      const random = mulberry32(hashSeed('resource', accountId, region, position++));
      const id = spec.id ?? `${prefix}-${randomString(random, HEX, 17)}`;
      resources.push({ type: spec.type, id, tags: spec.tags ?? {} });
      for (const name of spec.groups ?? []) {
        declareGroup(name);
        members.set(name, [...(members.get(name) ?? []), id]);
      }
    }
  }
  return { resources, members };
}

/** A stable EC2 (`i-` + 17 hex) or managed node (`mi-` + 17 hex) id for a position in a location. */
export function derivedInstanceId(accountId: string, region: string, position: number, hybrid: boolean): string {
  const random = mulberry32(hashSeed('instance', accountId, region, position));
  return `${hybrid ? 'mi-' : 'i-'}${randomString(random, HEX, 17)}`;
}
