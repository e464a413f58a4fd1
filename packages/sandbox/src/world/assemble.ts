import { createHash } from 'node:crypto';
import { isKnownRegion, type Partition } from '@orgpatch/core';
import { installMemberDocument } from '../ssm/index.js';
import { installMemberStacks, installRegionalStack, roleIdFor, type SandboxRole } from './memberStacks.js';
import {
  type DelegatedAdministrator,
  type DelegationStatement,
  type DocumentInstaller,
  LazyRegionMap,
  type LocationContent,
  type MemberStackDeployment,
  type OrchestratorPrincipal,
  type SandboxAccount,
  type SandboxOu,
  type SandboxWorld,
  type WorldAlarm,
} from './model.js';

/** One account as the loader or the generator describes it; its Regions are built lazily from `content`. */
export interface AccountInit {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly status: SandboxAccount['status'];
  readonly closedTimestamp?: number;
  readonly parentId: string;
  readonly joinedTimestamp: number;
  readonly joinedMethod: SandboxAccount['joinedMethod'];
  readonly memberStacks: MemberStackDeployment;
  readonly regionsNotEnabled: ReadonlySet<string>;
  /** Instances and groups of one world Region (called once, when the Region is first touched). */
  readonly content: (region: string) => LocationContent | undefined;
}

/** Everything {@link assembleWorld} needs. */
export interface WorldInit {
  readonly organizationId: string;
  readonly rootId: string;
  readonly managementAccountId: string;
  readonly partition: Partition;
  readonly featureSet: SandboxWorld['featureSet'];
  readonly createdTimestamp: number;
  readonly startTime?: number;
  readonly orchestrator: {
    readonly roleName?: string;
    readonly sessionName?: string;
    readonly accessKeyId?: string;
    readonly secretAccessKey?: string;
  };
  readonly regionNames: readonly string[];
  readonly buckets: readonly string[];
  readonly ous: readonly SandboxOu[];
  readonly accounts: readonly AccountInit[];
  /** @default [] */
  readonly delegatedAdministrators?: readonly DelegatedAdministrator[];
  /** @default [] */
  readonly delegationPolicy?: readonly DelegationStatement[];
  /** @default [] */
  readonly alarms?: readonly WorldAlarm[];
  /** How the Regional stack's document is installed (default: the SSM service's installer). */
  readonly installDocument?: DocumentInstaller;
}

/** The default name of the role the orchestrator runs as. */
const DEFAULT_ORCHESTRATOR_ROLE_NAME = 'OrgPatchOrchestratorRole';

/** Builds the {@link SandboxWorld}: accounts with lazy Regions, member stack roles installed. */
export function assembleWorld(init: WorldInit): SandboxWorld {
  const orchestrator = orchestratorPrincipal(init);
  const install = init.installDocument ?? installMemberDocument;
  const accounts = new Map<string, SandboxAccount>();
  const world: SandboxWorld = {
    organizationId: init.organizationId,
    managementAccountId: init.managementAccountId,
    rootId: init.rootId,
    partition: init.partition,
    featureSet: init.featureSet,
    createdTimestamp: init.createdTimestamp,
    ...(init.startTime === undefined ? {} : { startTime: init.startTime }),
    orchestratorPrincipalArn: orchestrator.roleArn,
    orchestrator,
    ous: new Map(init.ous.map((ou) => [ou.id, ou])),
    accounts,
    regionNames: init.regionNames.filter(isKnownRegion),
    buckets: init.buckets,
    accountOrder: init.accounts.map((a) => a.id),
    delegatedAdministrators: init.delegatedAdministrators ?? [],
    delegationPolicy: init.delegationPolicy ?? [],
    alarms: init.alarms ?? [],
  };
  const parameters = { orchestratorRoleArn: orchestrator.roleArn, organizationId: init.organizationId };
  for (const a of init.accounts) {
    const regions = new LazyRegionMap();
    const account: SandboxAccount = {
      id: a.id,
      name: a.name,
      email: a.email,
      status: a.status,
      ...(a.closedTimestamp === undefined ? {} : { closedTimestamp: a.closedTimestamp }),
      parentId: a.parentId,
      joinedTimestamp: a.joinedTimestamp,
      joinedMethod: a.joinedMethod,
      memberStacks: a.memberStacks,
      regionsNotEnabled: a.regionsNotEnabled,
      roles: new Map<string, SandboxRole>(),
      regions,
    };
    const documentDate = Math.max(a.joinedTimestamp, init.createdTimestamp);
    regions.bind({
      account: () => account,
      worldRegions: world.regionNames,
      content: a.content,
      deployRegionalStack: (region) => installRegionalStack(region, install, documentDate),
    });
    installMemberStacks(account, parameters, { management: a.id === init.managementAccountId });
    accounts.set(a.id, account);
  }
  const management = accounts.get(init.managementAccountId);
  management?.roles.set(orchestrator.roleName, {
    trustedPrincipalArns: [],
    trustedService: 'lambda.amazonaws.com',
    maxSessionDuration: 3600,
    roleId: roleIdFor(init.managementAccountId, orchestrator.roleName),
    source: 'world (the orchestrator role)',
  });
  return world;
}

function orchestratorPrincipal(init: WorldInit): OrchestratorPrincipal {
  const roleName = init.orchestrator.roleName ?? DEFAULT_ORCHESTRATOR_ROLE_NAME;
  const sessionName = init.orchestrator.sessionName ?? 'orgpatch';
  const digest = createHash('sha256').update(`${init.organizationId}/${init.managementAccountId}/${roleName}`).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const accessKeyId =
    init.orchestrator.accessKeyId ??
    `AKIA${Array.from(digest.subarray(0, 16), (b) => alphabet[b % alphabet.length]).join('')}`;
  const secretAccessKey =
    init.orchestrator.secretAccessKey ??
    digest
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, 'x')
      .padEnd(40, 'Q')
      .slice(0, 40);
  return {
    roleName,
    sessionName,
    roleArn: `arn:${init.partition}:iam::${init.managementAccountId}:role/${roleName}`,
    sessionArn: `arn:${init.partition}:sts::${init.managementAccountId}:assumed-role/${roleName}/${sessionName}`,
    accessKeyId,
    secretAccessKey,
  };
}
