import { App, Stack } from 'aws-cdk-lib';
import type { Node } from 'constructs';
import { OrgPatchingConfigError } from './errors.js';
import { ManagementRegionalStack } from './ManagementRegionalStack.js';
import { OrgPatching, type OrgPatchingProps } from './OrgPatching.js';

/** The context key prefix of the orgpatch app (`cdk.json` "context", or `cdk synth -c orgpatch:regions=...`). */
const CONTEXT_PREFIX = 'orgpatch:';

/** Options of {@link createOrgPatchApp}. */
export interface OrgPatchAppOptions {
  /**
   * Where the cloud assembly goes.
   * @default - the CDK CLI's choice (cdk.out), or a temp dir outside the CLI
   */
  readonly outdir?: string;
  /**
   * Context values, on top of cdk.json's (keys with the `orgpatch:` prefix).
   * @default - none
   */
  readonly context?: Readonly<Record<string, unknown>>;
  /**
   * aws-cdk-lib's built-in CloudFormation validation.
   * @default true
   */
  readonly builtinCloudFormationValidation?: boolean;
}

/** What {@link createOrgPatchApp} builds. */
export interface OrgPatchApp {
  readonly app: App;
  /** The stack holding {@link OrgPatching} (id `OrgPatch`). */
  readonly stack: Stack;
  readonly orgPatching: OrgPatching;
  /** One stack per further Region of the management account, when it is patched. */
  readonly managementRegionalStacks: readonly ManagementRegionalStack[];
}

/**
 * The orgpatch CDK app: one stack `OrgPatch` holding {@link OrgPatching}, configured from context.
 *
 * Context (all keys prefixed `orgpatch:`): `organizationId`, `targetOus` (required), `region` (the
 * stack's Region; default `CDK_DEFAULT_REGION`, then us-east-1), `account` (default
 * `CDK_DEFAULT_ACCOUNT`), and any {@link OrgPatchingProps} field of a JSON type: `regions`,
 * `homeRegion`, `resourceGroups`, `operation`, `rebootOption`, `maxConcurrency`, `maxErrors`,
 * `waves`, `errorBudget`, `excludeAccounts`, `installOverrideList`, `schedule`, `timeZone`,
 * `duration`, `cutoff`, `scheduleOffset`, `patchTuesdayOffsetDays`, `snapshot`, `ownerInformation`, `maintenanceWindowName`,
 * `deployFrom`, `stackSetOperationPreferences`, `stackSetNamePrefix`, `includeManagementAccount`,
 * `managementAccountMember`, `runRecordRetentionDays`, `noncurrentVersionRetentionDays`,
 * `notificationEmails`. Lists and objects may be given as JSON text (`-c orgpatch:regions='["us-east-1"]'`).
 */
export function createOrgPatchApp(options: OrgPatchAppOptions = {}): OrgPatchApp {
  const app = new App({
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
    context: { ...options.context },
    ...(options.builtinCloudFormationValidation === undefined
      ? {}
      : { builtinCloudFormationValidation: options.builtinCloudFormationValidation }),
  });
  const context = readContext(app.node);
  const region = context.region ?? process.env.CDK_DEFAULT_REGION ?? 'us-east-1';
  const account = context.account ?? process.env.CDK_DEFAULT_ACCOUNT;
  const env = { region, ...(account === undefined ? {} : { account }) };
  const stack = new Stack(app, 'OrgPatch', {
    env,
    description: 'orgpatch: centralized OS patching for every account and Region of an AWS Organization',
  });
  const orgPatching = new OrgPatching(stack, 'OrgPatching', context.props);
  const managementRegionalStacks =
    context.props.includeManagementAccount === true &&
    (context.props.managementAccountMember ?? 'IN_THIS_STACK') === 'IN_THIS_STACK'
      ? orgPatching.regions
          .filter((r) => r !== region)
          .map(
            (r) =>
              new ManagementRegionalStack(app, `OrgPatch-Management-${r}`, {
                env: { region: r, ...(account === undefined ? {} : { account }) },
              }),
          )
      : [];
  return { app, stack, orgPatching, managementRegionalStacks };
}

type Kind = 'string' | 'number' | 'boolean' | 'string[]' | 'object' | 'object[]';

const FIELDS: Readonly<Record<string, Kind>> = {
  organizationId: 'string',
  targetOus: 'string[]',
  regions: 'string[]',
  homeRegion: 'string',
  resourceGroups: 'string[]',
  operation: 'string',
  rebootOption: 'string',
  maxConcurrency: 'string',
  maxErrors: 'string',
  waves: 'object[]',
  errorBudget: 'string',
  excludeAccounts: 'string[]',
  installOverrideList: 'string',
  schedule: 'string',
  timeZone: 'string',
  duration: 'number',
  cutoff: 'number',
  scheduleOffset: 'number',
  patchTuesdayOffsetDays: 'number',
  snapshot: 'object',
  ownerInformation: 'string',
  maintenanceWindowName: 'string',
  deployFrom: 'string',
  stackSetOperationPreferences: 'object',
  stackSetNamePrefix: 'string',
  includeManagementAccount: 'boolean',
  managementAccountMember: 'string',
  runRecordRetentionDays: 'number',
  noncurrentVersionRetentionDays: 'number',
  notificationEmails: 'string[]',
};

/** Reads and type-checks the `orgpatch:` context. The values themselves are checked by {@link OrgPatching}. */
function readContext(node: Node): { region?: string; account?: string; props: OrgPatchingProps } {
  const out: Record<string, unknown> = {};
  for (const [field, kind] of Object.entries(FIELDS)) {
    const raw: unknown = node.tryGetContext(`${CONTEXT_PREFIX}${field}`);
    if (raw === undefined) continue;
    out[field] = coerce(field, kind, raw);
  }
  for (const field of ['organizationId', 'targetOus'] as const) {
    if (out[field] === undefined) {
      throw new OrgPatchingConfigError(
        field,
        `is required: set context "${CONTEXT_PREFIX}${field}" in cdk.json or with cdk synth -c ${CONTEXT_PREFIX}${field}=...`,
      );
    }
  }
  const region: unknown = node.tryGetContext(`${CONTEXT_PREFIX}region`);
  const account: unknown = node.tryGetContext(`${CONTEXT_PREFIX}account`);
  return {
    ...(typeof region === 'string' ? { region } : {}),
    ...(typeof account === 'string' || typeof account === 'number' ? { account: String(account) } : {}),
    props: out as unknown as OrgPatchingProps,
  };
}

function coerce(field: string, kind: Kind, raw: unknown): unknown {
  let value = raw;
  if (typeof raw === 'string' && kind !== 'string') {
    // -c key=value always gives a string: read numbers, booleans, lists and objects from it.
    try {
      value = JSON.parse(raw);
    } catch {
      value = kind === 'string[]' ? raw.split(',').map((s) => s.trim()) : raw;
    }
  }
  const ok =
    kind === 'string[]'
      ? Array.isArray(value) && value.every((v) => typeof v === 'string')
      : kind === 'object[]'
        ? Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))
        : kind === 'object'
          ? typeof value === 'object' && value !== null && !Array.isArray(value)
          : typeof value === kind;
  if (!ok) {
    throw new OrgPatchingConfigError(
      field,
      `context "${CONTEXT_PREFIX}${field}" must be ${kind === 'string[]' ? 'a list of strings' : kind === 'object[]' ? 'a list of objects' : `a ${kind}`}, got ${JSON.stringify(raw)}.`,
    );
  }
  return value;
}
