import { distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { PayloadValidationError, type RateField, type ValidationIssue } from './errors.js';
import {
  AUTOMATION_DOCUMENT_NAME,
  AUTOMATION_DOCUMENT_VERSION,
  AUTOMATION_ROLE_NAME,
  EXECUTION_ROLE_NAME,
  TARGET_PARAMETER_NAME,
} from './memberNames.js';
import { checkRateValue } from './rates.js';
import { isKnownRegion, type Partition, partitionOf, suggestRegion } from './regions.js';
import type {
  AutomationRoleSpec,
  Operation,
  OrganizationScope,
  PatchRequest,
  RateValue,
  RebootOption,
  WaveSpec,
} from './request.js';

/**
 * The payload: what a maintenance-window Lambda task (or `orgpatch run`) hands to orgpatch.
 *
 * It accepts the AWS Security Blog payload exactly as written and extends it, in the same PascalCase
 * style, for an Organization. {@link parsePayload} turns it into a {@link PatchRequest}.
 *
 * Decisions (where AWS or the issue left room):
 * - Parameter values are lists of one string, as SSM takes them (`"Operation": ["Scan"]`).
 * - Operation defaults to `Scan` (a scan never changes an instance); RebootOption defaults to
 *   `RebootIfNeeded` (AWS-RunPatchBaseline's own default).
 * - MaxConcurrency defaults to `"10"` (SSM's documented default for StartAutomationExecution) and
 *   MaxErrors to `"0"` (stop a location at its first failed instance, the cautious choice).
 * - Without an Organization part the payload means what the blog meant: the current account, so
 *   Document.Name is required (the blog names its own document). With one, Document may be omitted:
 *   orgpatch's member document {@link AUTOMATION_DOCUMENT_NAME} at {@link AUTOMATION_DOCUMENT_VERSION}.
 * - Targets: Automation targets one resource group per execution ("You can specify a single AWS
 *   resource group as the target of an automation", Systems Manager User Guide, Mapping targets
 *   for an automation; the key is `ResourceGroup`, while `resource-groups:Name` is the Run Command
 *   and maintenance-window form, per the SSM Target reference). orgpatch therefore starts one
 *   execution per group and location,
 *   and takes several groups; it keeps SSM's shape limits for StartAutomationExecution: at most 5
 *   Targets, at most 50 Values each (Target.Values' global maximum).
 * - Regions, account ids and OU ids are de-duplicated silently, keeping the first occurrence.
 * - The Organization scope is the union of its own TargetOus/Accounts and every wave's, so
 *   `organization.targetOus`/`accounts` are what discovery walks; accounts no wave names form the
 *   final `default` wave, hence `default` is reserved as a wave name.
 * - Unknown keys are errors, everywhere, with a did-you-mean hint: a typo such as `"Region"` must
 *   not silently widen or narrow a patch run.
 */

/** Characters (UTF-8 bytes) a maintenance-window Lambda task payload may hold: SSM's MaintenanceWindowLambdaPayload, a blob of at most 4096. */
export const MAINTENANCE_WINDOW_TASK_PAYLOAD_LIMIT = 4096;

/** The maintenance-window pseudo-parameter SSM replaces with the window id. */
export const WINDOW_ID_PSEUDO_PARAMETER = '{{WINDOW_ID}}';
/** The maintenance-window pseudo-parameter SSM replaces with the task execution id. */
export const TASK_EXECUTION_ID_PSEUDO_PARAMETER = '{{TASK_EXECUTION_ID}}';

/** Defaults and bounds of the payload's Concurrency part. */
export const CONCURRENCY_BOUNDS = Object.freeze({
  global: Object.freeze({ min: 1, max: 256, default: 32 }),
  perAccount: Object.freeze({ min: 1, max: 32, default: 4 }),
});

/** Default MaxConcurrency when the payload leaves it out (SSM's own documented default). */
export const DEFAULT_MAX_CONCURRENCY = '10';
/** Default MaxErrors, and the default ErrorThreshold of a wave: stop at the first failure. */
export const DEFAULT_MAX_ERRORS = '0';

const OPERATIONS: readonly Operation[] = ['Scan', 'Install'];
const REBOOT_OPTIONS: readonly RebootOption[] = ['RebootIfNeeded', 'NoReboot'];
const MAINTENANCE_WINDOW_PSEUDO_PARAMETERS = [
  '{{RESOURCE_ID}}',
  '{{RESOURCE_TYPE}}',
  '{{TARGET_ID}}',
  '{{TASK_EXECUTION_ID}}',
  '{{WINDOW_EXECUTION_ID}}',
  '{{WINDOW_ID}}',
  '{{WINDOW_TARGET_ID}}',
  '{{WINDOW_TASK_ID}}',
];

// AWS patterns (SSM, Organizations, IAM, Resource Groups API references).
const WINDOW_ID = /^mw-[0-9a-f]{17}$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DOCUMENT_NAME = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
const DOCUMENT_VERSION = /^([$]LATEST|[$]DEFAULT|[1-9][0-9]*)$/;
const ACCOUNT_ID = /^\d{12}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[\x21-\x7e]{0,510}\/)?[\w+=,.@-]{1,64}$/;
const ACCOUNT_PLACEHOLDER = /\{\{(AccountId|ACCOUNT_ID)\}\}/g;
const PARTITION_PLACEHOLDER = '{{Partition}}';
const GROUP_NAME = /^[a-zA-Z0-9_.-]{1,300}$/;
const INSTALL_OVERRIDE_LIST = /^https:\/\/.+$|^s3:\/\/([^/]+)\/(.*?([^/]+))$/;
const WAVE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const TARGET_PARAMETER_MAX_LENGTH = 50;
const MAX_TARGETS = 5;
const MAX_TARGET_VALUES = 50;

type Ctx = z.core.$RefinementCtx;

function report(ctx: Ctx, message: string, hint?: string, path: PropertyKey[] = []): void {
  ctx.addIssue({ code: 'custom', message, path, ...(hint === undefined ? {} : { params: { hint } }) });
}

/** The candidate closest to `input`: a case-insensitive match first, then at most 2-3 edits away. */
function closest(input: string, candidates: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  const same = candidates.find((c) => c.toLowerCase() === lower);
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = distance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.min(3, Math.max(2, Math.floor(input.length / 3))) ? best : undefined;
}

function suggestion(input: string, candidates: readonly string[]): string | undefined {
  const match = closest(input, candidates);
  if (match === undefined) return undefined;
  return match.toLowerCase() === input.toLowerCase() ? `use "${match}"` : `did you mean "${match}"?`;
}

const quoteList = (values: readonly string[]): string => values.map((v) => `"${v}"`).join(', ');

function oneOf(allowed: readonly string[], what: string) {
  return z.string().superRefine((value, ctx) => {
    if (allowed.includes(value)) return;
    report(
      ctx,
      `${what} ${JSON.stringify(value)} is not one of ${quoteList(allowed)}`,
      suggestion(value, allowed) ?? `use one of ${quoteList(allowed)}`,
    );
  });
}

/** An SSM parameter value: a list holding exactly one string. */
function ssmParameter<T extends z.ZodType<string>>(value: T, name: string, example: string) {
  return z.array(value).superRefine((list, ctx) => {
    if (list.length !== 1) {
      report(ctx, `${name} takes exactly one value, got ${list.length}`, `write it as a list of one: [${example}]`);
    }
  });
}

function rate(field: RateField, label: string) {
  return z.string().superRefine((raw, ctx) => {
    const result = checkRateValue(raw, field);
    if (!result.ok)
      report(ctx, `${label} ${JSON.stringify(raw)} is not a valid rate value: ${result.reason}`, result.hint);
  });
}

function uniqueInOrder<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

const regionCode = z.string().superRefine((value, ctx) => {
  if (isKnownRegion(value)) return;
  const s = suggestRegion(value);
  const same =
    s !== undefined &&
    s ===
      value
        .trim()
        .toLowerCase()
        .replace(/[\s_]+/g, '-');
  report(
    ctx,
    `Unknown Region ${JSON.stringify(value)}`,
    s === undefined ? 'use a Region code such as "us-east-1"' : same ? `use "${s}"` : `did you mean "${s}"?`,
  );
});

const regionsSchema = z.array(regionCode).superRefine((regions, ctx) => {
  if (regions.length === 0) {
    report(ctx, 'Regions is empty: there is nothing to patch', 'list the Regions to patch, e.g. ["us-east-1"]');
    return;
  }
  const byPartition = new Map<Partition, string[]>();
  for (const r of uniqueInOrder(regions)) {
    if (!isKnownRegion(r)) continue;
    const p = partitionOf(r);
    byPartition.set(p, [...(byPartition.get(p) ?? []), r]);
  }
  if (byPartition.size > 1) {
    const parts = [...byPartition].map(([p, rs]) => `${p}: ${rs.join(', ')}`).join('; ');
    report(
      ctx,
      `Regions span more than one partition (${parts}); a run patches one partition`,
      'split the payload into one per partition, each run from an account of that partition',
    );
  }
});

const accountId = z.string().superRefine((value, ctx) => {
  if (ACCOUNT_ID.test(value)) return;
  if (/^\d{1,11}$/.test(value)) {
    report(
      ctx,
      `Account id "${value}" has ${value.length} digits, not 12`,
      'an account id has 12 digits; if it starts with 0, write all 12 digits in quotes',
    );
  } else if (OU_ID.test(value) || ROOT_ID.test(value)) {
    report(ctx, `"${value}" is an OU or root id, not an account id`, 'put OU and root ids in TargetOus');
  } else {
    report(
      ctx,
      `Account id "${value}" is not 12 digits`,
      'write account ids as strings of 12 digits, e.g. "111122223333"',
    );
  }
});

const ouOrRootId = z.string().superRefine((value, ctx) => {
  if (OU_ID.test(value) || ROOT_ID.test(value)) return;
  const lower = value.toLowerCase();
  if (lower !== value && (OU_ID.test(lower) || ROOT_ID.test(lower))) {
    report(ctx, `OU id "${value}" has upper-case letters`, `use "${lower}"`);
  } else if (ACCOUNT_ID.test(value)) {
    report(ctx, `"${value}" is an account id, not an OU or root id`, 'put account ids in Accounts');
  } else {
    report(
      ctx,
      `"${value}" is not an OU id or root id`,
      'an OU id looks like "ou-ab12-34cd56ef" and a root id like "r-ab12" (see Organizations > AWS accounts)',
    );
  }
});

const groupName = z.string().superRefine((value, ctx) => {
  if (!GROUP_NAME.test(value)) {
    report(
      ctx,
      `Resource group name ${JSON.stringify(value)} is not valid`,
      'a resource group name has 1-300 letters, digits, hyphens, periods and underscores',
    );
  } else if (/^aws/i.test(value)) {
    report(
      ctx,
      `Resource group name "${value}" starts with "${value.slice(0, 3)}", which AWS reserves`,
      'no resource group can have this name; use the name of one of your groups',
    );
  }
});

const targetKey = z.string().superRefine((value, ctx) => {
  if (value === 'ResourceGroup') return;
  if (value.toLowerCase() === 'resourcegroup') {
    report(ctx, `Target key "${value}" is not "ResourceGroup"`, 'use "ResourceGroup"');
  } else if (value === 'resource-groups:Name') {
    report(
      ctx,
      'Target key "resource-groups:Name" is the Run Command form',
      'Automation names a resource group with the key "ResourceGroup"',
    );
  } else {
    report(
      ctx,
      `Target key "${value}" is not supported: orgpatch targets resource groups`,
      'use {"Key": "ResourceGroup", "Values": ["<group name>"]}',
    );
  }
});

const targetSchema = z.strictObject({
  Key: targetKey,
  Values: z.array(groupName).superRefine((values, ctx) => {
    if (values.length === 0) report(ctx, 'Values is empty', 'name at least one resource group, e.g. ["WebServers"]');
    if (values.length > MAX_TARGET_VALUES) {
      report(
        ctx,
        `Values lists ${values.length} groups; SSM takes at most ${MAX_TARGET_VALUES}`,
        'split them over several Targets',
      );
    }
  }),
});

const targetsSchema = z.array(targetSchema).superRefine((targets, ctx) => {
  if (targets.length === 0) {
    report(
      ctx,
      'Targets is empty',
      'target at least one resource group: [{"Key": "ResourceGroup", "Values": ["WebServers"]}]',
    );
  }
  if (targets.length > MAX_TARGETS) {
    report(
      ctx,
      `Targets has ${targets.length} entries; SSM takes at most ${MAX_TARGETS}`,
      "list several groups in one target's Values",
    );
  }
});

function pseudoParameterOr(what: string, pseudo: string, pattern: RegExp, shape: string) {
  return z.string().superRefine((value, ctx) => {
    if (value === pseudo || pattern.test(value)) return;
    if (MAINTENANCE_WINDOW_PSEUDO_PARAMETERS.includes(value)) {
      report(ctx, `${what} holds ${value}, which SSM fills with something else`, `use "${pseudo}"`);
    } else if (/^\{\{.*\}\}$/.test(value)) {
      report(ctx, `${what} ${JSON.stringify(value)} is not the ${pseudo} pseudo-parameter`, `use "${pseudo}"`);
    } else {
      report(
        ctx,
        `${what} ${JSON.stringify(value)} is neither ${pseudo} nor ${shape}`,
        `use "${pseudo}" in a maintenance window task`,
      );
    }
  });
}

/** The role ARN's parts, or undefined when it is not one. */
function roleArnParts(arn: string): { partition: Partition; accountId: string } | undefined {
  const m = ROLE_ARN.exec(arn);
  if (!m) return undefined;
  return { partition: m[1] as Partition, accountId: m[2] ?? '' };
}

function isRoleTemplate(value: string): boolean {
  return /\{\{(AccountId|ACCOUNT_ID)\}\}/.test(value);
}

const automationAssumeRole = z.string().superRefine((value, ctx) => {
  const omit = `omit AutomationAssumeRole to use each account's ${AUTOMATION_ROLE_NAME}`;
  if (value.trim() === '') {
    report(ctx, 'AutomationAssumeRole is empty', omit);
    return;
  }
  if (isRoleTemplate(value)) {
    const unknown = (value.match(/\{\{[^}]*\}\}/g) ?? []).filter(
      (p) => p !== '{{AccountId}}' && p !== '{{ACCOUNT_ID}}' && p !== PARTITION_PLACEHOLDER,
    );
    if (unknown.length > 0) {
      report(
        ctx,
        `AutomationAssumeRole uses unknown placeholder ${unknown[0]}`,
        'use {{AccountId}} and, optionally, {{Partition}}',
      );
      return;
    }
    const example = value.replace(ACCOUNT_PLACEHOLDER, '111122223333').replaceAll(PARTITION_PLACEHOLDER, 'aws');
    if (!roleArnParts(example) || !/^arn:[^:]+:iam::\{\{(AccountId|ACCOUNT_ID)\}\}:/.test(value)) {
      report(
        ctx,
        `AutomationAssumeRole template ${JSON.stringify(value)} does not give a role ARN`,
        'write it as arn:{{Partition}}:iam::{{AccountId}}:role/<role name>',
      );
    }
    return;
  }
  if (!roleArnParts(value)) {
    report(
      ctx,
      `AutomationAssumeRole ${JSON.stringify(value)} is not an IAM role ARN`,
      `use arn:<partition>:iam::<12-digit account>:role/<name>, a template with {{AccountId}}, or ${omit}`,
    );
  }
});

const snapshotId = z.string().superRefine((value, ctx) => {
  if (UUID.test(value) || value === '{{WINDOW_EXECUTION_ID}}' || value === '{{TASK_EXECUTION_ID}}') return;
  report(
    ctx,
    `SnapshotId ${JSON.stringify(value)} is not a GUID`,
    'omit it and orgpatch generates one per run, or use "{{WINDOW_EXECUTION_ID}}"',
  );
});

const installOverrideList = z.string().superRefine((value, ctx) => {
  if (INSTALL_OVERRIDE_LIST.test(value)) return;
  report(
    ctx,
    `InstallOverrideList ${JSON.stringify(value)} is not an https:// URL or an s3://bucket/key path`,
    'use e.g. "s3://my-bucket/patch-lists/linux.yaml"',
  );
});

const parametersSchema = z.strictObject({
  AutomationAssumeRole: ssmParameter(
    automationAssumeRole,
    'AutomationAssumeRole',
    '"arn:{{Partition}}:iam::{{AccountId}}:role/OrgPatchAutomationRole"',
  ).optional(),
  Operation: ssmParameter(oneOf(OPERATIONS, 'Operation'), 'Operation', '"Scan"').optional(),
  RebootOption: ssmParameter(oneOf(REBOOT_OPTIONS, 'RebootOption'), 'RebootOption', '"RebootIfNeeded"').optional(),
  SnapshotId: ssmParameter(snapshotId, 'SnapshotId', '"<GUID>"').optional(),
  InstallOverrideList: ssmParameter(installOverrideList, 'InstallOverrideList', '"s3://bucket/key.yaml"').optional(),
});

const documentSchema = z.strictObject({
  Name: z
    .string()
    .superRefine((value, ctx) => {
      if (!DOCUMENT_NAME.test(value)) {
        report(
          ctx,
          `Document name ${JSON.stringify(value)} is not valid`,
          'a document name has 3-128 letters, digits and _ - . : /',
        );
      }
    })
    .optional(),
  Version: z
    .string()
    .superRefine((value, ctx) => {
      if (DOCUMENT_VERSION.test(value)) return;
      const keyword = ['$DEFAULT', '$LATEST'].find((k) => k.toLowerCase() === value.toLowerCase());
      report(
        ctx,
        `Document version ${JSON.stringify(value)} is not valid`,
        keyword ? `use "${keyword}"` : 'use a version number such as "1", or "$DEFAULT" or "$LATEST"',
      );
    })
    .optional(),
  Parameters: parametersSchema.optional(),
});

const waveSchema = z
  .strictObject({
    Name: z.string().superRefine((value, ctx) => {
      if (!WAVE_NAME.test(value)) {
        report(
          ctx,
          `Wave name ${JSON.stringify(value)} is not valid`,
          'use 1-64 letters, digits, hyphens, periods or underscores, e.g. "dev"',
        );
      } else if (value.toLowerCase() === 'default') {
        report(
          ctx,
          'Wave name "default" is reserved',
          'orgpatch puts accounts that no wave names in a final wave called default; choose another name',
        );
      }
    }),
    TargetOus: z.array(ouOrRootId).optional(),
    Accounts: z.array(accountId).optional(),
    ErrorThreshold: rate('MaxErrors', 'ErrorThreshold').optional(),
  })
  .superRefine((wave, ctx) => {
    if ((wave.TargetOus?.length ?? 0) + (wave.Accounts?.length ?? 0) === 0) {
      report(
        ctx,
        `Wave "${wave.Name}" names no OUs or accounts`,
        'add TargetOus or Accounts to it, or remove the wave',
      );
    }
  });

const wavesSchema = z.array(waveSchema).superRefine((waves, ctx) => {
  const names = new Map<string, number>();
  const ous = new Map<string, string>();
  const accounts = new Map<string, string>();
  waves.forEach((wave, i) => {
    const key = wave.Name.toLowerCase();
    const first = names.get(key);
    if (first !== undefined) {
      const earlier = waves[first]?.Name ?? wave.Name;
      report(
        ctx,
        `Wave name "${wave.Name}" repeats "${earlier}" of Waves[${first}] (names are compared ignoring case)`,
        'give every wave its own name',
        [i, 'Name'],
      );
    } else {
      names.set(key, i);
    }
    uniqueInOrder(wave.TargetOus ?? []).forEach((ou, j) => {
      const other = ous.get(ou);
      if (other !== undefined && other !== wave.Name) {
        report(ctx, `${ou} is in wave "${other}" and in wave "${wave.Name}"`, 'put each OU in one wave', [
          i,
          'TargetOus',
          j,
        ]);
      } else ous.set(ou, wave.Name);
    });
    uniqueInOrder(wave.Accounts ?? []).forEach((account, j) => {
      const other = accounts.get(account);
      if (other !== undefined && other !== wave.Name) {
        report(
          ctx,
          `Account ${account} is in wave "${other}" and in wave "${wave.Name}"`,
          'put each account in one wave',
          [i, 'Accounts', j],
        );
      } else accounts.set(account, wave.Name);
    });
  });
});

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const organizationSchema = z
  .strictObject({
    TargetOus: z.array(ouOrRootId).optional(),
    Accounts: z.array(accountId).optional(),
    ExcludeAccounts: z.array(accountId).optional(),
    IncludeManagementAccount: z.boolean().optional(),
    ExecutionRoleName: z
      .string()
      .superRefine((value, ctx) => {
        if (!ROLE_NAME.test(value)) {
          report(
            ctx,
            `ExecutionRoleName ${JSON.stringify(value)} is not an IAM role name`,
            `use a role name (not an ARN), e.g. "${EXECUTION_ROLE_NAME}"`,
          );
        }
      })
      .optional(),
    Waves: wavesSchema.optional(),
    ErrorBudget: rate('MaxErrors', 'ErrorBudget').optional(),
  })
  // Runs even when a sibling field failed, so every problem is reported at once; reads the raw value defensively.
  .superRefine(
    (raw: unknown, ctx) => {
      if (!isRecord(raw)) return;
      const waves = Array.isArray(raw.Waves) ? raw.Waves.filter(isRecord) : [];
      const listed = new Map<string, string>();
      for (const a of strings(raw.Accounts)) listed.set(a, 'Accounts');
      for (const w of waves) for (const a of strings(w.Accounts)) listed.set(a, `wave "${String(w.Name)}"`);
      strings(raw.ExcludeAccounts).forEach((a, i) => {
        const where = listed.get(a);
        if (where !== undefined) {
          report(ctx, `Account ${a} is both excluded and listed in ${where}`, 'remove it from one of the two', [
            'ExcludeAccounts',
            i,
          ]);
        }
      });
      const named =
        strings(raw.TargetOus).length +
        strings(raw.Accounts).length +
        waves.reduce((n, w) => n + strings(w.TargetOus).length + strings(w.Accounts).length, 0);
      // A wave without targets reports itself, and a list of the wrong type already has its issue.
      const hasWaves = Array.isArray(raw.Waves) && raw.Waves.length > 0;
      const listsWellTyped = [raw.TargetOus, raw.Accounts, raw.Waves].every((l) => l === undefined || Array.isArray(l));
      if (named === 0 && !hasWaves && listsWellTyped) {
        report(
          ctx,
          'Organization names no OUs or accounts to patch',
          'add TargetOus (the root id, e.g. "r-ab12", for the whole Organization), Accounts or Waves',
        );
      }
    },
    { when: () => true },
  );

const boundedInt = (label: string, bounds: { min: number; max: number; default: number }) =>
  z.number().superRefine((value, ctx) => {
    if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
      report(
        ctx,
        `${label} ${value} is not a whole number from ${bounds.min} to ${bounds.max}`,
        `the default is ${bounds.default}`,
      );
    }
  });

const concurrencySchema = z
  .strictObject({
    Global: boundedInt('Concurrency.Global', CONCURRENCY_BOUNDS.global).optional(),
    PerAccount: boundedInt('Concurrency.PerAccount', CONCURRENCY_BOUNDS.perAccount).optional(),
  })
  .superRefine((c, ctx) => {
    const global = c.Global ?? CONCURRENCY_BOUNDS.global.default;
    const perAccount = c.PerAccount ?? CONCURRENCY_BOUNDS.perAccount.default;
    if (perAccount > global) {
      report(
        ctx,
        `Concurrency.PerAccount ${perAccount} is more than Concurrency.Global ${global}`,
        'PerAccount is at most Global',
        ['PerAccount'],
      );
    }
  });

/** Checks that only need the whole payload; they read the raw value so they run even when other fields failed. */
function crossFieldChecks(raw: unknown, ctx: Ctx): void {
  if (!isRecord(raw)) return;
  const document = isRecord(raw.Document) ? raw.Document : undefined;
  const hasOrganization = raw.Organization !== undefined;
  if (!hasOrganization && (raw.Document === undefined || (document !== undefined && document.Name === undefined))) {
    report(
      ctx,
      'Document.Name is required when there is no Organization part',
      `name the automation document to run, as in the blog payload, or add an Organization part to run orgpatch's ${AUTOMATION_DOCUMENT_NAME}`,
      raw.Document === undefined ? ['Document'] : ['Document', 'Name'],
    );
  }

  const parameters = document && isRecord(document.Parameters) ? document.Parameters : undefined;
  const roles = parameters ? strings(parameters.AutomationAssumeRole) : [];
  const role = roles.length === 1 ? roles[0] : undefined;
  const arn = role !== undefined && !isRoleTemplate(role) ? roleArnParts(role) : undefined;
  const rolePath = ['Document', 'Parameters', 'AutomationAssumeRole', 0];

  if (arn && isRecord(raw.Organization)) {
    const org = raw.Organization;
    const waves = Array.isArray(org.Waves) ? org.Waves.filter(isRecord) : [];
    const ous = [...strings(org.TargetOus), ...waves.flatMap((w) => strings(w.TargetOus))];
    const others = [...strings(org.Accounts), ...waves.flatMap((w) => strings(w.Accounts))].filter(
      (a) => a !== arn.accountId,
    );
    if (ous.length > 0 || others.length > 0) {
      const what = ous.length > 0 ? `OU ${ous[0]}` : `account ${others[0]}`;
      report(
        ctx,
        `AutomationAssumeRole is a role of account ${arn.accountId}, but the Organization part also targets ${what}`,
        `use a template such as "arn:{{Partition}}:iam::{{AccountId}}:role/${role?.split('/').pop() ?? 'AutomationRole'}", or omit it to use each account's ${AUTOMATION_ROLE_NAME}`,
        rolePath,
      );
    }
  }

  const rolePartition = role === undefined ? undefined : /^arn:(aws|aws-cn|aws-us-gov):/.exec(role)?.[1];
  const partitions = new Set(strings(raw.Regions).filter(isKnownRegion).map(partitionOf));
  if (rolePartition !== undefined && partitions.size === 1 && !partitions.has(rolePartition as Partition)) {
    const regionsPartition = [...partitions][0];
    report(
      ctx,
      `AutomationAssumeRole is in partition ${rolePartition}, but the Regions are in ${regionsPartition}`,
      `use arn:${regionsPartition}:... or arn:{{Partition}}:...`,
      rolePath,
    );
  }
}

/**
 * The zod schema of the raw payload (PascalCase, as written in the maintenance-window task).
 * Every field check and the cross-field checks are part of it, so `payloadSchema.safeParse`
 * reports every problem; {@link safeParsePayload} maps them to {@link ValidationIssue}s with hints.
 */
export const payloadSchema = z
  .strictObject({
    WindowId: pseudoParameterOr(
      'WindowId',
      WINDOW_ID_PSEUDO_PARAMETER,
      WINDOW_ID,
      'a window id (mw- and 17 hex digits)',
    ).optional(),
    TaskExecutionId: pseudoParameterOr(
      'TaskExecutionId',
      TASK_EXECUTION_ID_PSEUDO_PARAMETER,
      UUID,
      'a task execution id (a UUID)',
    ).optional(),
    Document: documentSchema.optional(),
    TargetParameterName: z
      .string()
      .superRefine((value, ctx) => {
        if (value.length < 1 || value.length > TARGET_PARAMETER_MAX_LENGTH) {
          report(
            ctx,
            `TargetParameterName must have 1-${TARGET_PARAMETER_MAX_LENGTH} characters`,
            `the default is "${TARGET_PARAMETER_NAME}"`,
          );
        }
      })
      .optional(),
    Targets: targetsSchema,
    MaxConcurrency: rate('MaxConcurrency', 'MaxConcurrency').optional(),
    MaxErrors: rate('MaxErrors', 'MaxErrors').optional(),
    Regions: regionsSchema,
    Organization: organizationSchema.optional(),
    DryRun: z.boolean().optional(),
    Concurrency: concurrencySchema.optional(),
  })
  .superRefine((raw: unknown, ctx) => crossFieldChecks(raw, ctx), { when: () => true });

/** The raw payload, as {@link payloadSchema} accepts it. */
export type Payload = z.output<typeof payloadSchema>;

/** Keys each object of the payload accepts, by path pattern (array indices as `[]`), for did-you-mean hints. */
const KNOWN_KEYS: ReadonlyMap<string, readonly string[]> = new Map([
  ['', Object.keys(payloadSchema.shape)],
  ['Document', Object.keys(documentSchema.shape)],
  ['Document.Parameters', Object.keys(parametersSchema.shape)],
  ['Targets[]', Object.keys(targetSchema.shape)],
  ['Organization', Object.keys(organizationSchema.shape)],
  ['Organization.Waves[]', Object.keys(waveSchema.shape)],
  ['Concurrency', Object.keys(concurrencySchema.shape)],
]);

/** Hints for a missing required field, by path pattern. */
const REQUIRED_HINTS: ReadonlyMap<string, string> = new Map([
  ['Targets', 'e.g. "Targets": [{"Key": "ResourceGroup", "Values": ["WebServers"]}]'],
  ['Regions', 'e.g. "Regions": ["us-east-1"]'],
  ['Targets[].Key', 'use "Key": "ResourceGroup"'],
  ['Targets[].Values', 'e.g. "Values": ["WebServers"]'],
  ['Organization.Waves[].Name', 'name the wave, e.g. "Name": "dev"'],
]);

/** A JSON path as people write it: `Document.Parameters.Operation[0]`, `["odd key"]`; the root is `''`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment))
      out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

const pattern = (path: readonly PropertyKey[]): string =>
  formatPath(path.map((s) => (typeof s === 'number' ? -1 : s))).replaceAll('[-1]', '[]');

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value)}`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

function typeHint(expected: string, input: unknown, path: readonly PropertyKey[]): string | undefined {
  if (path.length === 0) return 'a payload is a JSON object such as examples/payload.json';
  if (input === undefined) return REQUIRED_HINTS.get(pattern(path));
  if (input === null) return 'remove the key to use the default, or give a value';
  if (expected === 'string' && (typeof input === 'number' || typeof input === 'boolean'))
    return `write it in quotes: "${String(input)}"`;
  if (expected === 'array' && typeof input === 'string') return `write it as a list: [${JSON.stringify(input)}]`;
  if (expected === 'boolean' && (input === 'true' || input === 'false')) return `write ${input} without quotes`;
  if (expected === 'number' && typeof input === 'string' && /^\d+$/.test(input)) return `write ${input} without quotes`;
  return undefined;
}

function toIssues(issue: z.core.$ZodIssue): ValidationIssue[] {
  const path = issue.path;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = KNOWN_KEYS.get(pattern(path)) ?? [];
      return issue.keys.map((key) => ({
        path: formatPath([...path, key]),
        message: `Unknown key ${JSON.stringify(key)}`,
        hint: suggestion(key, known) ?? `the keys here are ${known.join(', ')}`,
      }));
    }
    case 'invalid_type': {
      const name = formatPath(path) || 'The payload';
      const message =
        issue.input === undefined
          ? `${name} is required`
          : `${name} must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${describeValue(issue.input)}`;
      const hint = typeHint(issue.expected, issue.input, path);
      return [{ path: formatPath(path), message, ...(hint === undefined ? {} : { hint }) }];
    }
    case 'custom': {
      const hint: unknown = issue.params?.hint;
      return [{ path: formatPath(path), message: issue.message, ...(typeof hint === 'string' ? { hint } : {}) }];
    }
    default:
      return [{ path: formatPath(path), message: issue.message }];
  }
}

/** The result of {@link safeParsePayload}: the request, or every problem found. */
export type PayloadParseResult =
  | { readonly ok: true; readonly request: PatchRequest }
  | { readonly ok: false; readonly issues: ValidationIssue[] };

/**
 * Validates a payload (already parsed from JSON) and normalizes it, without throwing.
 * @example
 * const result = safeParsePayload(event);
 * if (!result.ok) for (const i of result.issues) log(`${i.path}: ${i.message} (${i.hint})`);
 */
export function safeParsePayload(input: unknown): PayloadParseResult {
  const result = payloadSchema.safeParse(input, { reportInput: true });
  if (!result.success) return { ok: false, issues: result.error.issues.flatMap(toIssues) };
  return { ok: true, request: normalize(result.data) };
}

/**
 * Validates a payload and normalizes it into a {@link PatchRequest}.
 * @throws PayloadValidationError holding every problem, each with its path and a hint.
 */
export function parsePayload(input: unknown): PatchRequest {
  const result = safeParsePayload(input);
  if (!result.ok) throw new PayloadValidationError(result.issues);
  return result.request;
}

/** {@link safeParsePayload} for JSON text: a syntax error becomes one issue that says where (line and column). */
export function safeParsePayloadJson(text: string): PayloadParseResult {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    return { ok: false, issues: [jsonSyntaxIssue(source, error)] };
  }
  return safeParsePayload(value);
}

/**
 * {@link parsePayload} for JSON text (a payload file, a task's Payload string).
 * @throws PayloadValidationError; for a JSON syntax error, one issue whose hint names the line and column, with the SyntaxError as `cause`.
 */
export function parsePayloadJson(text: string): PatchRequest {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw new PayloadValidationError([jsonSyntaxIssue(source, error)], { cause: error });
  }
  return parsePayload(value);
}

function jsonSyntaxIssue(text: string, error: unknown): ValidationIssue {
  const found = locateJsonError(text);
  const offset = found?.offset ?? 0;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const reason = found?.reason ?? (error instanceof Error ? error.message : String(error));
  return {
    path: '',
    message: `The payload is not valid JSON: ${reason} at line ${line}, column ${column}`,
    hint: `check line ${line}, column ${column}${found?.trailingComma ? ': JSON allows no comma before } or ]' : ''}`,
  };
}

/** Finds the first JSON syntax error in `text` (JSON.parse's messages differ between Node versions and often omit where). */
function locateJsonError(text: string): { offset: number; reason: string; trailingComma?: boolean } | undefined {
  let i = 0;
  const fail = (reason: string, trailingComma = false): never => {
    throw Object.assign(new Error(reason), { offset: i, reason, trailingComma });
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const describe = (): string => (i >= text.length ? 'the end of the text' : JSON.stringify(text.charAt(i)));
  const string = (): void => {
    i++;
    while (i < text.length) {
      const c = text.charAt(i);
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text.charAt(i + 1);
        if ('"\\/bfnrt'.includes(e) && e !== '') i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else fail('invalid escape in a string');
        continue;
      }
      if (c < ' ') fail('unescaped control character (such as a line break) in a string');
      i++;
    }
    fail('unterminated string');
  };
  const value = (): void => {
    ws();
    const c = text.charAt(i);
    if (c === '{') {
      i++;
      ws();
      if (text.charAt(i) === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text.charAt(i) !== '"')
          fail(`expected a double-quoted property name, found ${describe()}`, text.charAt(i) === '}');
        string();
        ws();
        if (text.charAt(i) !== ':') fail(`expected ':' after the property name, found ${describe()}`);
        i++;
        value();
        ws();
        if (text.charAt(i) === ',') {
          i++;
          continue;
        }
        if (text.charAt(i) === '}') {
          i++;
          return;
        }
        fail(`expected ',' or '}', found ${describe()}`);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text.charAt(i) === ']') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text.charAt(i) === ']') fail('expected a value, found "]"', true);
        value();
        ws();
        if (text.charAt(i) === ',') {
          i++;
          continue;
        }
        if (text.charAt(i) === ']') {
          i++;
          return;
        }
        fail(`expected ',' or ']', found ${describe()}`);
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    number.lastIndex = i;
    if ((c === '-' || (c >= '0' && c <= '9')) && number.test(text)) {
      i = number.lastIndex;
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    fail(`unexpected ${describe()}`);
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${describe()} after the end of the JSON value`);
    return undefined;
  } catch (error) {
    const e = error as { offset?: number; reason?: string; trailingComma?: boolean };
    if (typeof e.offset !== 'number' || typeof e.reason !== 'string') throw error;
    return { offset: e.offset, reason: e.reason, ...(e.trailingComma ? { trailingComma: true } : {}) };
  }
}

/** UTF-8 length of a string: what SSM counts for a blob such as MaintenanceWindowLambdaPayload. */
function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * Checks a payload string against the maintenance-window Lambda task limit.
 *
 * SSM's MaintenanceWindowLambdaParameters.Payload is a blob of at most 4096 (SSM API reference
 * and the service model: `MaintenanceWindowLambdaPayload`, max 4096). A blob's length is its bytes,
 * so this counts the UTF-8 bytes of the text, which equal its characters for ASCII payloads.
 *
 * @returns an issue when the payload is too long, undefined when it fits.
 */
export function checkTaskPayloadSize(payloadText: string): ValidationIssue | undefined {
  const size = utf8Length(payloadText);
  if (size <= MAINTENANCE_WINDOW_TASK_PAYLOAD_LIMIT) return undefined;
  const chars = [...payloadText].length;
  return {
    path: '',
    message: `The payload is ${size} bytes${chars !== size ? ` (${chars} characters)` : ''}; a maintenance-window Lambda task payload holds at most ${MAINTENANCE_WINDOW_TASK_PAYLOAD_LIMIT}`,
    hint: 'shorten it: name OUs rather than long account lists, leave out keys that hold their defaults, drop whitespace',
  };
}

// --- normalization -------------------------------------------------------------------------------

const first = (list: readonly string[] | undefined): string | undefined => list?.[0];
const resolved = (value: string | undefined): string | undefined =>
  value === undefined || /^\{\{.*\}\}$/.test(value) ? undefined : value;
const rateOf = (raw: string, field: RateField): RateValue => {
  const r = checkRateValue(raw, field);
  if (!r.ok) throw new Error(`unreachable: ${raw} passed validation`);
  return r.rate;
};

function roleSpec(value: string | undefined): AutomationRoleSpec {
  if (value === undefined) return { kind: 'member-default' };
  if (isRoleTemplate(value)) return { kind: 'template', template: value.replace(ACCOUNT_PLACEHOLDER, '{{AccountId}}') };
  return { kind: 'fixed', arn: value };
}

function normalizeOrganization(org: NonNullable<Payload['Organization']>): OrganizationScope {
  const waves: WaveSpec[] = (org.Waves ?? []).map((w) => ({
    name: w.Name,
    targetOus: uniqueInOrder(w.TargetOus ?? []),
    accounts: uniqueInOrder(w.Accounts ?? []),
    errorThreshold: rateOf(w.ErrorThreshold ?? DEFAULT_MAX_ERRORS, 'MaxErrors'),
  }));
  return {
    targetOus: uniqueInOrder([...(org.TargetOus ?? []), ...waves.flatMap((w) => w.targetOus)]),
    accounts: uniqueInOrder([...(org.Accounts ?? []), ...waves.flatMap((w) => w.accounts)]),
    excludeAccounts: uniqueInOrder(org.ExcludeAccounts ?? []),
    includeManagementAccount: org.IncludeManagementAccount ?? false,
    executionRoleName: org.ExecutionRoleName ?? EXECUTION_ROLE_NAME,
    waves,
    ...(org.ErrorBudget === undefined ? {} : { errorBudget: rateOf(org.ErrorBudget, 'MaxErrors') }),
  };
}

function normalize(p: Payload): PatchRequest {
  const params = p.Document?.Parameters;
  const nameDefaulted = p.Document?.Name === undefined;
  const version = p.Document?.Version ?? (nameDefaulted ? AUTOMATION_DOCUMENT_VERSION : undefined);
  const windowId = resolved(p.WindowId);
  const taskExecutionId = resolved(p.TaskExecutionId);
  const snapshotId = resolved(first(params?.SnapshotId));
  const installOverrideList = first(params?.InstallOverrideList);
  const targets = p.Targets.map((t) => ({ key: 'ResourceGroup' as const, values: [...t.Values] }));
  return {
    ...(windowId === undefined ? {} : { windowId }),
    ...(taskExecutionId === undefined ? {} : { taskExecutionId }),
    document: { name: p.Document?.Name ?? AUTOMATION_DOCUMENT_NAME, ...(version === undefined ? {} : { version }) },
    operation: (first(params?.Operation) ?? 'Scan') as Operation,
    rebootOption: (first(params?.RebootOption) ?? 'RebootIfNeeded') as RebootOption,
    automationAssumeRole: roleSpec(first(params?.AutomationAssumeRole)),
    ...(snapshotId === undefined ? {} : { snapshotId }),
    ...(installOverrideList === undefined ? {} : { installOverrideList }),
    targetParameterName: p.TargetParameterName ?? TARGET_PARAMETER_NAME,
    targets,
    resourceGroups: uniqueInOrder(targets.flatMap((t) => t.values)),
    maxConcurrency: rateOf(p.MaxConcurrency ?? DEFAULT_MAX_CONCURRENCY, 'MaxConcurrency'),
    maxErrors: rateOf(p.MaxErrors ?? DEFAULT_MAX_ERRORS, 'MaxErrors'),
    regions: uniqueInOrder(p.Regions),
    ...(p.Organization === undefined ? {} : { organization: normalizeOrganization(p.Organization) }),
    dryRun: p.DryRun ?? false,
    concurrency: {
      global: p.Concurrency?.Global ?? CONCURRENCY_BOUNDS.global.default,
      perAccount: p.Concurrency?.PerAccount ?? CONCURRENCY_BOUNDS.perAccount.default,
    },
  };
}

/**
 * The payload that means `request`: the inverse of {@link parsePayload}, every default written out.
 * Use it to render a request into a maintenance-window task (check the size with {@link checkTaskPayloadSize}).
 * `parsePayload(toPayload(r))` equals `r` for every request `parsePayload` returns.
 */
export function toPayload(request: PatchRequest): Payload {
  const role = request.automationAssumeRole;
  const org = request.organization;
  return {
    ...(request.windowId === undefined ? {} : { WindowId: request.windowId }),
    ...(request.taskExecutionId === undefined ? {} : { TaskExecutionId: request.taskExecutionId }),
    Document: {
      Name: request.document.name,
      ...(request.document.version === undefined ? {} : { Version: request.document.version }),
      Parameters: {
        ...(role.kind === 'member-default'
          ? {}
          : { AutomationAssumeRole: [role.kind === 'fixed' ? role.arn : role.template] }),
        Operation: [request.operation],
        RebootOption: [request.rebootOption],
        ...(request.snapshotId === undefined ? {} : { SnapshotId: [request.snapshotId] }),
        ...(request.installOverrideList === undefined ? {} : { InstallOverrideList: [request.installOverrideList] }),
      },
    },
    TargetParameterName: request.targetParameterName,
    Targets: request.targets.map((t) => ({ Key: t.key, Values: [...t.values] })),
    MaxConcurrency: request.maxConcurrency.raw,
    MaxErrors: request.maxErrors.raw,
    Regions: [...request.regions],
    ...(org === undefined
      ? {}
      : {
          Organization: {
            TargetOus: [...org.targetOus],
            Accounts: [...org.accounts],
            ExcludeAccounts: [...org.excludeAccounts],
            IncludeManagementAccount: org.includeManagementAccount,
            ExecutionRoleName: org.executionRoleName,
            Waves: org.waves.map((w) => ({
              Name: w.name,
              TargetOus: [...w.targetOus],
              Accounts: [...w.accounts],
              ErrorThreshold: w.errorThreshold.raw,
            })),
            ...(org.errorBudget === undefined ? {} : { ErrorBudget: org.errorBudget.raw }),
          },
        }),
    DryRun: request.dryRun,
    Concurrency: { Global: request.concurrency.global, PerAccount: request.concurrency.perAccount },
  };
}
