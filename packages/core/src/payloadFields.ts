import { z } from 'zod';
import type { RateField } from './errors.js';
import { quoteList, report, suggestion } from './payloadIssues.js';
import { checkRateValue } from './rates.js';
import { isKnownRegion, type Partition, partitionOf, suggestRegion } from './regions.js';
import { truncateForMessage } from './truncateForMessage.js';

/**
 * The checks of the payload's single fields (Regions, account and OU ids, resource groups, targets,
 * pseudo-parameters, rate values), each reporting what is wrong and what to write instead.
 * {@link payloadSchema} composes them into the payload's objects.
 */

/** The maintenance-window pseudo-parameter SSM replaces with the window id. */
export const WINDOW_ID_PSEUDO_PARAMETER = '{{WINDOW_ID}}';
/** The maintenance-window pseudo-parameter SSM replaces with the task execution id. */
export const TASK_EXECUTION_ID_PSEUDO_PARAMETER = '{{TASK_EXECUTION_ID}}';

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
const ACCOUNT_ID = /^\d{12}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const GROUP_NAME = /^[a-zA-Z0-9_.-]{1,300}$/;
const INSTALL_OVERRIDE_LIST = /^https:\/\/.+$|^s3:\/\/([^/]+)\/(.*?([^/]+))$/;
const MAX_TARGETS = 5;
/** SSM's TargetKey pattern and length (SSM API reference, Target). */
const SSM_TARGET_KEY = /^[\p{L}\p{Z}\p{N}_.:/=\-@]*$/u;
const MAX_TARGET_KEY_LENGTH = 163;
/** EC2's limits on a tag key and value. */
const MAX_TAG_KEY_LENGTH = 128;
const MAX_TAG_VALUE_LENGTH = 256;
/** SSM's limit on the values of one StartAutomationExecution target. */
export const MAX_TARGET_VALUES = 50;

/** An allowed-values check: the value, or a did-you-mean among `allowed`. */
export function oneOf(allowed: readonly string[], what: string) {
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
export function ssmParameter<T extends z.ZodType<string>>(value: T, name: string, example: string) {
  return z.array(value).superRefine((list, ctx) => {
    if (list.length !== 1) {
      report(ctx, `${name} takes exactly one value, got ${list.length}`, `write it as a list of one: [${example}]`);
    }
  });
}

/** A MaxConcurrency or MaxErrors style rate value, named `label` in its messages. */
export function rate(field: RateField, label: string) {
  return z.string().superRefine((raw, ctx) => {
    const result = checkRateValue(raw, field);
    if (!result.ok)
      report(ctx, `${label} ${JSON.stringify(raw)} is not a valid rate value: ${result.reason}`, result.hint);
  });
}

/** `values` without repeats, each at its first place. */
export function uniqueInOrder<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** A Region code of a known Region. */
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

/** The Regions to patch: at least one, all of one partition. */
export const regionsSchema = z.array(regionCode).superRefine((regions, ctx) => {
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

/** A 12-digit account id. */
export const accountId = z.string().superRefine((value, ctx) => {
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

/** An OU id or the root id. */
export const ouOrRootId = z.string().superRefine((value, ctx) => {
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

/** A value quoted in a message: JSON, cut to its first characters when long. */
const quote = (value: string): string => JSON.stringify(truncateForMessage(value));

/** What is wrong with a resource group name, if anything. */
function groupNameIssue(value: string): { message: string; hint: string } | undefined {
  if (!GROUP_NAME.test(value)) {
    return {
      message: `Resource group name ${quote(value)} is not valid`,
      hint: 'a resource group name has 1-300 letters, digits, hyphens, periods and underscores',
    };
  }
  if (/^aws/i.test(value)) {
    return {
      message: `Resource group name ${quote(value)} starts with "${value.slice(0, 3)}", which AWS reserves`,
      hint: 'no resource group can have this name; use the name of one of your groups',
    };
  }
  return undefined;
}

const TAG_TARGET_FORM = '{"Key": "tag:<key>", "Values": ["<value>"]}';

const targetKey = z.string().superRefine((value, ctx) => {
  if (value === 'ResourceGroup') return;
  if (value.startsWith('tag:')) {
    const tag = value.slice(4);
    if (tag.length === 0 || tag.length > MAX_TAG_KEY_LENGTH) {
      report(
        ctx,
        `Target key ${quote(value)} names ${tag.length === 0 ? 'no tag' : `a tag key of ${tag.length} characters`}`,
        `write "tag:" and a tag key of 1-${MAX_TAG_KEY_LENGTH} characters, e.g. "tag:Patch"`,
      );
    } else if (!SSM_TARGET_KEY.test(value) || value.length > MAX_TARGET_KEY_LENGTH) {
      report(
        ctx,
        `Target key ${quote(value)} has characters SSM does not accept in a target key`,
        'SSM target keys take letters, digits, spaces and _ . : / = - @; tag the instances with such a key',
      );
    }
    return;
  }
  if (value.toLowerCase() === 'resourcegroup') {
    report(ctx, `Target key "${value}" is not "ResourceGroup"`, 'use "ResourceGroup"');
  } else if (value === 'resource-groups:Name') {
    report(
      ctx,
      'Target key "resource-groups:Name" is the Run Command form',
      'Automation names a resource group with the key "ResourceGroup"',
    );
  } else if (value === 'tag-key') {
    // The Target reference lists tag-key "for all Systems Manager tools", but the Automation user
    // guide documents only a single tag key-value pair as an automation target: what a rate-controlled
    // automation resolves tag-key to is not settled, so orgpatch does not start one.
    report(
      ctx,
      'Target key "tag-key" is not accepted: SSM Automation documents one tag key and value as a target, not a tag key alone',
      `name the tag and its value: ${TAG_TARGET_FORM}`,
    );
  } else {
    report(
      ctx,
      `Target key "${value}" is not supported: orgpatch targets resource groups or one tag`,
      `use {"Key": "ResourceGroup", "Values": ["<group name>"]} or ${TAG_TARGET_FORM}`,
    );
  }
});

/**
 * One SSM target: a resource group key and its group names, or a `tag:<key>` key and the one tag
 * value. The values are checked for the key they belong to.
 */
export const targetSchema = z
  .strictObject({ Key: targetKey, Values: z.array(z.string()) })
  // Runs even when Key failed, so Values' problems are reported too; reads the raw value defensively.
  .superRefine(
    (raw: unknown, ctx) => {
      if (!isRecord(raw) || !Array.isArray(raw.Values)) return;
      const values = strings(raw.Values);
      if (typeof raw.Key === 'string' && raw.Key.startsWith('tag:')) {
        checkTagValues(values, ctx);
        return;
      }
      if (values.length === 0) {
        report(ctx, 'Values is empty', 'name at least one resource group, e.g. ["WebServers"]', ['Values']);
      }
      if (values.length > MAX_TARGET_VALUES) {
        report(
          ctx,
          `Values lists ${values.length} groups; SSM takes at most ${MAX_TARGET_VALUES}`,
          'split them over several Targets',
          ['Values'],
        );
      }
      raw.Values.forEach((value, i) => {
        const issue = typeof value === 'string' ? groupNameIssue(value) : undefined;
        if (issue) report(ctx, issue.message, issue.hint, ['Values', i]);
      });
    },
    { when: () => true },
  );

/** A tag target's Values: exactly one tag value, which DescribeInstanceInformation can filter on. */
function checkTagValues(values: readonly string[], ctx: Parameters<typeof report>[0]): void {
  if (values.length !== 1) {
    report(
      ctx,
      `A tag target takes exactly one value, got ${values.length}`,
      `SSM Automation targets one tag key and value (${TAG_TARGET_FORM}); for several values, tag the instances with one of them`,
      ['Values'],
    );
    return;
  }
  const value = values[0] ?? '';
  if (value.length === 0 || value.length > MAX_TAG_VALUE_LENGTH) {
    report(
      ctx,
      `Tag value ${quote(value)} has ${value.length} characters`,
      `a tag target's value has 1-${MAX_TAG_VALUE_LENGTH} characters (DescribeInstanceInformation cannot filter on an empty value)`,
      ['Values', 0],
    );
  }
}

/**
 * The Targets list: one to five resource-group targets, or exactly one tag target ("Only one
 * resource group or tag can be specified at a time", as SSM Automation answers otherwise).
 */
export const targetsSchema = z.array(targetSchema).superRefine((targets, ctx) => {
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
  const tags = targets.filter((t) => t.Key.startsWith('tag:'));
  if (tags.length > 0 && targets.length > 1) {
    report(
      ctx,
      `Targets mixes a tag target with ${targets.length - 1} other target${targets.length === 2 ? '' : 's'}: SSM Automation takes one tag as the target of an automation`,
      'target either resource groups or one tag, in a payload of its own',
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

/** WindowId: the {{WINDOW_ID}} pseudo-parameter or a window id. */
export const windowId = pseudoParameterOr(
  'WindowId',
  WINDOW_ID_PSEUDO_PARAMETER,
  WINDOW_ID,
  'a window id (mw- and 17 hex digits)',
);

/** TaskExecutionId: the {{TASK_EXECUTION_ID}} pseudo-parameter or a task execution id. */
export const taskExecutionId = pseudoParameterOr(
  'TaskExecutionId',
  TASK_EXECUTION_ID_PSEUDO_PARAMETER,
  UUID,
  'a task execution id (a UUID)',
);

/** AWS-RunPatchBaseline's SnapshotId: a GUID or a pseudo-parameter that holds one. */
export const snapshotId = z.string().superRefine((value, ctx) => {
  if (UUID.test(value) || value === '{{WINDOW_EXECUTION_ID}}' || value === '{{TASK_EXECUTION_ID}}') return;
  report(
    ctx,
    `SnapshotId ${JSON.stringify(value)} is not a GUID`,
    'omit it and orgpatch generates one per run, or use "{{WINDOW_EXECUTION_ID}}"',
  );
});

/** AWS-RunPatchBaseline's InstallOverrideList: an https:// URL or an s3:// path. */
export const installOverrideList = z.string().superRefine((value, ctx) => {
  if (INSTALL_OVERRIDE_LIST.test(value)) return;
  report(
    ctx,
    `InstallOverrideList ${JSON.stringify(value)} is not an https:// URL or an s3://bucket/key path`,
    'use e.g. "s3://my-bucket/patch-lists/linux.yaml"',
  );
});

/** The strings of a raw list, for checks that read the raw payload (they run even when a field failed). */
export const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
/** A raw JSON object, for checks that read the raw payload. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
