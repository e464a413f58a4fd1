import { isKnownRegion, isOptInRegion } from '@orgpatch/core';
import { z } from 'zod';

/**
 * The world file: an Organization (root, OUs, accounts), the Regions every account has, and per
 * account and Region the instances, resource groups and CloudWatch alarms. `examples/world.schema.json` is generated
 * from this schema (`z.toJSONSchema`), `examples/world.demo.json` is an instance of it.
 */

const accountId = z.string().regex(/^\d{12}$/, 'an account id is exactly 12 digits');
const rootId = z.string().regex(/^r-[0-9a-z]{4,32}$/, 'a root id is "r-" and 4 to 32 lowercase letters or digits');
const ouId = z
  .string()
  .regex(
    /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/,
    'an OU id is "ou-", the root suffix, "-" and 8 to 32 lowercase letters or digits',
  );
const parentId = z.union([rootId, ouId]);
const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'a Region name such as "eu-west-1"');
const groupName = z
  .string()
  .regex(/^[a-zA-Z0-9_.-]{1,128}$/, 'a group name is 1 to 128 letters, digits, "_", "." or "-"');
const isoTime = z.iso.datetime({ offset: true });
const tags = z.record(z.string().min(1).max(128), z.string().max(256));

const instanceSpec = z
  .object({
    count: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe('How many identical instances this entry stands for (default 1).'),
    instanceId: z
      .string()
      .regex(
        /^(i-[0-9a-f]{8}([0-9a-f]{9})?|mi-[0-9a-f]{17})$/,
        'an EC2 id "i-" + 8 or 17 hex, or a managed node id "mi-" + 17 hex',
      )
      .optional()
      .describe('Explicit id (only with count 1); otherwise ids are derived from account, Region and position.'),
    platform: z.enum(['Linux', 'Windows', 'MacOS']).optional().describe('Default Linux.'),
    platformName: z.string().min(1).optional().describe('As DescribeInstanceInformation reports it.'),
    managed: z.boolean().optional().describe('Registered with SSM (default true).'),
    hybrid: z.boolean().optional().describe('A hybrid managed node ("mi-" id) rather than EC2 (default false).'),
    missingPatches: z.number().int().min(0).optional().describe('Patches missing before any run (default 0).'),
    installedPatches: z.number().int().min(0).optional().describe('Patches installed before any run (default 120).'),
    patchMinutes: z.number().positive().optional().describe('Simulated minutes one Install takes (default 10).'),
    failsPatching: z.boolean().optional().describe('AWS-RunPatchBaseline fails on it (default false).'),
    criticalPatches: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Of the missing patches, how many are classified Critical (default 0).'),
    securityPatches: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Of the missing patches, how many are classified Security (default 0).'),
    pingStatus: z
      .enum(['Online', 'ConnectionLost', 'Inactive'])
      .optional()
      .describe("SSM Agent's PingStatus (default Online); a node not Online takes no command."),
    lastScanDaysAgo: z
      .number()
      .min(0)
      .optional()
      .describe('A Scan ended this many days before the sandbox starts (default: never scanned).'),
    groups: z.array(groupName).optional().describe('Resource groups (of this location) that contain it.'),
    tags: tags.optional().describe('Its tags, matched by tag targets and DescribeInstanceInformation tag filters.'),
  })
  .strict();

/** Resource types a location may hold besides instances, with their id prefixes. */
const RESOURCE_ID_PREFIXES = {
  'AWS::EC2::Volume': 'vol',
  'AWS::EC2::SecurityGroup': 'sg',
  'AWS::EC2::NetworkInterface': 'eni',
} as const;

const resourceSpec = z
  .object({
    type: z
      .enum(['AWS::EC2::Volume', 'AWS::EC2::SecurityGroup', 'AWS::EC2::NetworkInterface'])
      .describe('The resource type, as Resource Groups reports it.'),
    count: z.number().int().min(1).max(10_000).optional().describe('How many such resources (default 1).'),
    id: z
      .string()
      .regex(/^(vol|sg|eni)-[0-9a-f]{8}([0-9a-f]{9})?$/, 'a "vol-", "sg-" or "eni-" id with 8 or 17 hex digits')
      .optional()
      .describe('Explicit id (only with count 1); otherwise derived from account, Region and position.'),
    groups: z.array(groupName).optional().describe('Resource groups (of this location) that contain it.'),
    tags: tags.optional().describe('Its tags, matched by tag targets.'),
  })
  .strict();

const groupSpec = z.union([
  groupName,
  z
    .object({
      name: groupName,
      description: z.string().max(1024).optional(),
      queryErrors: z
        .array(
          z.object({
            ErrorCode: z.enum([
              'CLOUDFORMATION_STACK_INACTIVE',
              'CLOUDFORMATION_STACK_NOT_EXISTING',
              'CLOUDFORMATION_STACK_UNASSUMABLE_ROLE',
              'RESOURCE_TYPE_NOT_SUPPORTED',
            ]),
            Message: z.string(),
          }),
        )
        .optional()
        .describe('Returned by ListGroupResources as QueryErrors.'),
    })
    .strict(),
]);

/** CloudWatch's alarm states (the model's `StateValue`). */
const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
/** CloudWatch model, `AlarmName`: 1 to 255 characters. */
const alarmName = z.string().min(1).max(255);
/** CloudWatch model, `StateReason`: at most 1,023 characters. */
const alarmReason = z.string().max(1023);

const alarmSpec = z
  .object({
    name: alarmName.describe('The alarm name (unique in its account and Region).'),
    type: z.enum(['metric', 'composite']).optional().describe('A metric alarm (default) or a composite alarm.'),
    state: z.enum(ALARM_STATES).optional().describe('StateValue at the simulated start (default OK).'),
    reason: alarmReason
      .optional()
      .describe('StateReason at the simulated start (default: a sentence naming the state).'),
    description: z.string().max(1024).optional().describe('AlarmDescription.'),
    actions: z
      .array(z.string().min(1).max(1024))
      .max(5)
      .optional()
      .describe('AlarmActions (ARNs), matched by ActionPrefix.'),
    rule: z
      .string()
      .min(1)
      .max(10240)
      .optional()
      .describe(
        'A composite alarm\'s AlarmRule, e.g. ALARM("prod-5xx") OR ALARM("prod-latency") (default FALSE). Not evaluated.',
      ),
    metric: z
      .object({
        namespace: z.string().min(1).max(255).optional().describe('Default OrgPatchSandbox.'),
        metricName: z.string().min(1).max(255).optional().describe('Default: the alarm name.'),
        statistic: z
          .enum(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'])
          .optional()
          .describe('Default Average.'),
        period: z.number().int().min(1).optional().describe('Seconds (default 60).'),
        evaluationPeriods: z.number().int().min(1).optional().describe('Default 1.'),
        threshold: z.number().optional().describe('Default 0.'),
        comparisonOperator: z
          .enum([
            'GreaterThanOrEqualToThreshold',
            'GreaterThanThreshold',
            'LessThanThreshold',
            'LessThanOrEqualToThreshold',
          ])
          .optional()
          .describe('Default GreaterThanThreshold.'),
        dimensions: z
          .record(z.string().min(1).max(255), z.string().min(1).max(1024))
          .optional()
          .describe('Dimensions by name (default none).'),
      })
      .strict()
      .optional()
      .describe('What a metric alarm watches, as DescribeAlarms reports it (the metric is not evaluated).'),
  })
  .strict();

const locationSpec = z
  .object({
    instances: z.array(instanceSpec).optional(),
    resources: z
      .array(resourceSpec)
      .optional()
      .describe('Volumes, security groups and network interfaces: group members and tag carriers, never patched.'),
    groups: z
      .array(groupSpec)
      .optional()
      .describe('Groups of this location; groups named by instances are created too. A group may be empty.'),
    alarms: z
      .array(alarmSpec)
      .optional()
      .describe('CloudWatch alarms of this account and Region, as DescribeAlarms answers them.'),
  })
  .strict();

const memberStacksSpec = z.union([
  z.boolean(),
  z
    .object({
      global: z.boolean().optional().describe('The global stack (IAM roles) is deployed (default true).'),
      regions: z
        .array(region)
        .optional()
        .describe('Regions with the Regional stack (the document); default every enabled world Region.'),
    })
    .strict(),
]);

/** The Organizations account states (the service model's AccountState). */
const ACCOUNT_STATES = ['PENDING_ACTIVATION', 'ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED'] as const;

/** A RegisterDelegatedAdministrator registration: it grants the account read-only access to Organizations. */
const delegatedAdministratorSpec = z
  .object({
    accountId,
    servicePrincipal: z
      .string()
      .regex(/^[\w+=,.@-]{1,128}$/, 'a service principal such as "member.org.stacksets.cloudformation.amazonaws.com"')
      .describe('The service the account administers, e.g. member.org.stacksets.cloudformation.amazonaws.com.'),
  })
  .strict();

/** One statement of the Organizations resource-based delegation policy (PutResourcePolicy). */
const delegationStatementSpec = z
  .object({
    accountId: accountId.describe('The member account the statement names as principal (arn:...:iam::<id>:root).'),
    actions: z
      .array(
        z
          .string()
          .regex(
            /^organizations:[A-Za-z*?]+$/,
            'an Organizations action such as "organizations:ListAccounts" (* and ? allowed)',
          ),
      )
      .min(1)
      .describe('Actions allowed, e.g. organizations:ListAccounts or organizations:List*.'),
  })
  .strict();

const accountSpec = z
  .object({
    id: accountId,
    name: z.string().min(1).max(50),
    email: z.string().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an email address'),
    state: z
      .enum(ACCOUNT_STATES)
      .optional()
      .describe(
        'The Organizations account State (default ACTIVE). The retired Status is derived from it: CLOSED reads SUSPENDED, PENDING_ACTIVATION has none.',
      ),
    status: z
      .enum(['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE'])
      .optional()
      .describe('Retired: the State, for world files written before state (same values). Give state or status.'),
    closedTimestamp: isoTime
      .optional()
      .describe(
        'When a CLOSED account closed (default: the simulated time at start). Organizations lists it for 90 days from then; after that it has left the Organization.',
      ),
    parentId: parentId.describe('The root or OU directly above the account.'),
    joinedTimestamp: isoTime.optional(),
    joinedMethod: z.enum(['CREATED', 'INVITED']).optional(),
    memberStacks: memberStacksSpec
      .optional()
      .describe('Which orgpatch member stacks are deployed (default both, everywhere).'),
    regionsNotEnabled: z.array(region).optional().describe('Opt-in Regions of the world this account has not enabled.'),
    locations: z.record(region, locationSpec).optional().describe('Instances and groups per Region.'),
  })
  .strict();

const ouSpec = z
  .object({
    id: ouId,
    name: z.string().min(1).max(128),
    parentId,
  })
  .strict();

/** The zod schema of a world file. */
export const worldFileSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    organization: z
      .object({
        id: z
          .string()
          .regex(/^o-[a-z0-9]{10,32}$/, 'an organization id is "o-" and 10 to 32 lowercase letters or digits'),
        rootId,
        managementAccountId: accountId,
        partition: z.enum(['aws', 'aws-cn', 'aws-us-gov']).optional().describe('Default aws.'),
        featureSet: z.enum(['ALL', 'CONSOLIDATED_BILLING']).optional().describe('Default ALL.'),
        createdTimestamp: isoTime.optional(),
      })
      .strict(),
    orchestrator: z
      .object({
        roleName: z
          .string()
          .regex(/^[\w+=,.@-]{1,64}$/)
          .optional()
          .describe('Role in the management account the orchestrator runs as (default OrgPatchOrchestratorRole).'),
        sessionName: z
          .string()
          .regex(/^[\w+=,.@-]{2,64}$/)
          .optional()
          .describe('Default orgpatch.'),
        accessKeyId: z
          .string()
          .regex(/^AKIA[A-Z0-9]{16}$/)
          .optional()
          .describe('Default: derived from the organization id.'),
        secretAccessKey: z.string().min(40).max(40).optional(),
      })
      .strict()
      .optional(),
    startTime: isoTime.optional().describe('Simulated time at start (default: the real time at start).'),
    regions: z.array(region).min(1).describe('Regions every account has (enabled unless listed in regionsNotEnabled).'),
    buckets: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'))
      .optional()
      .describe('S3 buckets owned by the management account (default ["orgpatch-runs"]).'),
    ous: z.array(ouSpec),
    accounts: z.array(accountSpec).min(1),
    delegatedAdministrators: z
      .array(delegatedAdministratorSpec)
      .optional()
      .describe(
        'RegisterDelegatedAdministrator registrations. Any one lets the account call the read-only Organizations List* and Describe* operations.',
      ),
    delegationPolicy: z
      .array(delegationStatementSpec)
      .optional()
      .describe('Allow statements of the Organizations resource-based delegation policy (PutResourcePolicy).'),
  })
  .strict()
  .superRefine((world, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const rootSuffix = world.organization.rootId.slice(2);
    const ouIds = new Set<string>();
    world.ous.forEach((ou, i) => {
      if (ouIds.has(ou.id)) issue(['ous', i, 'id'], `duplicate OU id ${ou.id}`);
      ouIds.add(ou.id);
      if (!ou.id.startsWith(`ou-${rootSuffix}-`)) {
        issue(['ous', i, 'id'], `OU id ${ou.id} must start with "ou-${rootSuffix}-" (the root id's suffix)`);
      }
    });
    const parentOf = new Map(world.ous.map((ou) => [ou.id, ou.parentId]));
    world.ous.forEach((ou, i) => {
      if (ou.parentId !== world.organization.rootId && !ouIds.has(ou.parentId)) {
        issue(['ous', i, 'parentId'], `parent ${ou.parentId} is neither the root nor an OU of this file`);
        return;
      }
      const seen = new Set<string>([ou.id]);
      let p: string | undefined = ou.parentId;
      while (p && p !== world.organization.rootId) {
        if (seen.has(p)) {
          issue(['ous', i, 'parentId'], `OU ${ou.id} is its own ancestor (cycle through ${p})`);
          return;
        }
        seen.add(p);
        p = parentOf.get(p);
      }
    });
    const worldRegions = new Set(world.regions);
    world.regions.forEach((r, i) => {
      if (!isKnownRegion(r)) issue(['regions', i], `unknown Region ${r}`);
    });
    const accountIds = new Set<string>();
    world.accounts.forEach((account, i) => {
      if (accountIds.has(account.id)) issue(['accounts', i, 'id'], `duplicate account id ${account.id}`);
      accountIds.add(account.id);
      if (account.parentId !== world.organization.rootId && !ouIds.has(account.parentId)) {
        issue(['accounts', i, 'parentId'], `parent ${account.parentId} is neither the root nor an OU of this file`);
      }
      account.regionsNotEnabled?.forEach((r, j) => {
        if (!worldRegions.has(r))
          issue(['accounts', i, 'regionsNotEnabled', j], `${r} is not one of the world's regions`);
        else if (!isOptInRegion(r)) {
          issue(
            ['accounts', i, 'regionsNotEnabled', j],
            `${r} is enabled by default in every account; only opt-in Regions can be not enabled`,
          );
        }
      });
      for (const [r, location] of Object.entries(account.locations ?? {})) {
        if (!worldRegions.has(r)) issue(['accounts', i, 'locations', r], `${r} is not one of the world's regions`);
        location.instances?.forEach((inst, j) => {
          if ((inst.criticalPatches ?? 0) + (inst.securityPatches ?? 0) > (inst.missingPatches ?? 0)) {
            issue(
              ['accounts', i, 'locations', r, 'instances', j, 'criticalPatches'],
              'criticalPatches and securityPatches are some of the missingPatches: their sum cannot exceed it',
            );
          }
          if (inst.instanceId && (inst.count ?? 1) !== 1) {
            issue(
              ['accounts', i, 'locations', r, 'instances', j, 'instanceId'],
              'an explicit instanceId needs count 1',
            );
          }
          if (inst.instanceId && inst.hybrid !== undefined && inst.hybrid !== inst.instanceId.startsWith('mi-')) {
            issue(
              ['accounts', i, 'locations', r, 'instances', j, 'hybrid'],
              'hybrid nodes have "mi-" ids, EC2 instances "i-" ids',
            );
          }
        });
        const alarmNames = new Set<string>();
        location.alarms?.forEach((alarm, j) => {
          const path = ['accounts', i, 'locations', r, 'alarms', j];
          if (alarmNames.has(alarm.name)) issue([...path, 'name'], `duplicate alarm name ${alarm.name} in ${r}`);
          alarmNames.add(alarm.name);
          const composite = alarm.type === 'composite';
          if (composite && alarm.metric) issue([...path, 'metric'], 'a composite alarm watches no metric');
          if (!composite && alarm.rule !== undefined) issue([...path, 'rule'], 'only a composite alarm has a rule');
        });
        location.resources?.forEach((resource, j) => {
          const path = ['accounts', i, 'locations', r, 'resources', j];
          if (resource.id && (resource.count ?? 1) !== 1) issue([...path, 'id'], 'an explicit id needs count 1');
          const prefix = RESOURCE_ID_PREFIXES[resource.type];
          if (resource.id && !resource.id.startsWith(`${prefix}-`)) {
            issue([...path, 'id'], `an ${resource.type} id starts with "${prefix}-"`);
          }
        });
      }
      if (account.state !== undefined && account.status !== undefined) {
        issue(['accounts', i, 'status'], 'give state only: status is the retired field it replaces');
      }
      if (account.closedTimestamp !== undefined && account.state !== 'CLOSED') {
        issue(['accounts', i, 'closedTimestamp'], 'only a CLOSED account has a closedTimestamp');
      }
      const stacks = account.memberStacks;
      if (typeof stacks === 'object') {
        stacks.regions?.forEach((r, j) => {
          if (!worldRegions.has(r))
            issue(['accounts', i, 'memberStacks', 'regions', j], `${r} is not one of the world's regions`);
        });
      }
    });
    if (!accountIds.has(world.organization.managementAccountId)) {
      issue(
        ['organization', 'managementAccountId'],
        `management account ${world.organization.managementAccountId} is not in accounts`,
      );
    }
    // What RegisterDelegatedAdministrator would have refused (its errors in the service model).
    const registered = new Set<string>();
    world.delegatedAdministrators?.forEach((d, i) => {
      const at = ['delegatedAdministrators', i, 'accountId'];
      if (!accountIds.has(d.accountId))
        issue(at, `account ${d.accountId} is not in accounts (AccountNotFoundException)`);
      if (d.accountId === world.organization.managementAccountId) {
        issue(
          at,
          'the management account cannot be a delegated administrator (CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR)',
        );
      }
      const key = `${d.accountId} ${d.servicePrincipal}`;
      if (registered.has(key)) {
        issue(
          at,
          `account ${d.accountId} is already registered for ${d.servicePrincipal} (AccountAlreadyRegisteredException)`,
        );
      }
      registered.add(key);
    });
    if ((world.delegatedAdministrators?.length ?? 0) > 0 && world.organization.featureSet === 'CONSOLIDATED_BILLING') {
      issue(
        ['delegatedAdministrators'],
        'delegated administrators need all features (ORGANIZATION_NOT_IN_ALL_FEATURES_MODE)',
      );
    }
    world.delegationPolicy?.forEach((d, i) => {
      if (!accountIds.has(d.accountId)) {
        issue(['delegationPolicy', i, 'accountId'], `account ${d.accountId} is not in accounts`);
      }
    });
  });

/** A world file as written (defaults not yet applied). */
export type WorldFile = z.input<typeof worldFileSchema>;
/** One account entry of a world file. */
export type WorldFileAccount = z.output<typeof accountSpec>;
/** One location (account and Region) entry of a world file. */
export type WorldFileLocation = z.output<typeof locationSpec>;
/** One alarm entry of a location. */
export type WorldFileAlarm = z.output<typeof alarmSpec>;

/** The JSON Schema (draft 2020-12) of a world file, as `examples/world.schema.json` holds it. */
export function worldJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(worldFileSchema, { io: 'input' }),
    title: 'orgpatch sandbox world',
    description:
      'A simulated AWS Organization for the orgpatch sandbox: organization, OUs, accounts, Regions, and per account and Region the instances, resource groups and CloudWatch alarms. Generated from worldFileSchema (packages/sandbox/src/world/schema.ts) by packages/sandbox/scripts/world-schema.ts.',
  };
}
