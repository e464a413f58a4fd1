import { z } from 'zod';
import { AUTOMATION_ROLE_NAME } from './memberNames.js';
import { isRecord, strings } from './payloadFields.js';
import { type Ctx, report } from './payloadIssues.js';
import { isKnownRegion, type Partition, partitionOf } from './regions.js';
import type { AutomationRoleSpec } from './request.js';

/**
 * Document.Parameters.AutomationAssumeRole: the role SSM Automation assumes in each account, as one
 * ARN (the blog's single-account form) or a template with {{AccountId}} (and optionally
 * {{Partition}}) filled in per account; left out, each account's own orgpatch automation role.
 */

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[\x21-\x7e]{0,510}\/)?[\w+=,.@-]{1,64}$/;
const ACCOUNT_PLACEHOLDER = /\{\{(AccountId|ACCOUNT_ID)\}\}/g;
const PARTITION_PLACEHOLDER = '{{Partition}}';

/** The role ARN's parts, or undefined when it is not one. */
function roleArnParts(arn: string): { partition: Partition; accountId: string } | undefined {
  const m = ROLE_ARN.exec(arn);
  if (!m) return undefined;
  return { partition: m[1] as Partition, accountId: m[2] ?? '' };
}

function isRoleTemplate(value: string): boolean {
  return /\{\{(AccountId|ACCOUNT_ID)\}\}/.test(value);
}

/** The AutomationAssumeRole value: an IAM role ARN or a role ARN template. */
export const automationAssumeRole = z.string().superRefine((value, ctx) => {
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

/** What an AutomationAssumeRole value (already checked) means; absent, each account's own role. */
export function roleSpec(value: string | undefined): AutomationRoleSpec {
  if (value === undefined) return { kind: 'member-default' };
  if (isRoleTemplate(value)) return { kind: 'template', template: value.replace(ACCOUNT_PLACEHOLDER, '{{AccountId}}') };
  return { kind: 'fixed', arn: value };
}

/**
 * Checks the role against the rest of the payload: one account's role cannot serve an Organization
 * part that targets other accounts, and its partition must be the Regions'. Reads the raw payload,
 * so it runs even when other fields failed.
 */
export function checkRoleAgainstScope(raw: Record<string, unknown>, ctx: Ctx): void {
  const document = isRecord(raw.Document) ? raw.Document : undefined;
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
