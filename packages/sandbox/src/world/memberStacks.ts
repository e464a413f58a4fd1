import { AUTOMATION_ROLE_NAME, EXECUTION_ROLE_NAME } from '@orgpatch/core';
import {
  AUTOMATION_ROLE_SERVICE_PRINCIPAL,
  EXECUTION_ROLE_MAX_SESSION_SECONDS,
  orgPatchRunbookContent,
} from '@orgpatch/member-stack/definitions';
import type { SimRegion } from '../contract.js';
import type { DocumentInstaller, SandboxAccount } from './model.js';

/**
 * "Deploys" the orgpatch member stacks into simulated accounts from @orgpatch/member-stack's plain
 * definitions, without aws-cdk-lib: the two roles with the trust the role constructs are built from
 * (the sandbox's tests pin them to the synthesized templates), and the automation document's
 * content, the very object the Regional stack deploys, handed to the SSM service.
 */

/** An IAM role as the sandbox's STS checks it. */
export interface SandboxRole {
  /** Principal ARNs (roles, or `arn:...:iam::<account>:root`) the trust policy allows to assume it. */
  readonly trustedPrincipalArns: readonly string[];
  /** A service principal (e.g. `ssm.amazonaws.com`) the trust policy allows. */
  readonly trustedService?: string;
  /** The `aws:PrincipalOrgID` the trust policy's condition requires, if any. */
  readonly principalOrgId?: string;
  /** Seconds; AssumeRole's DurationSeconds may not exceed it. */
  readonly maxSessionDuration: number;
  readonly roleId: string;
  /** Where the role came from, for diagnostics. */
  readonly source: string;
}

/** Template parameters the sandbox passes when it "creates" the stacks. */
export interface MemberStackParameters {
  readonly orchestratorRoleArn: string;
  readonly organizationId: string;
}

/** IAM's `MaxSessionDuration` when a role does not set one. */
const IAM_DEFAULT_MAX_SESSION_SECONDS = 3600;

/**
 * Creates the IAM roles of the member stack in `account`, as the management stack (management
 * account) or the global stack (the others) creates them: `OrgPatchExecutionRole`, trusting the
 * orchestrator role from inside the Organization, and `OrgPatchAutomationRole`, trusting SSM.
 */
export function installMemberStacks(
  account: SandboxAccount,
  parameters: MemberStackParameters,
  options: { readonly management: boolean },
): void {
  if (!account.memberStacks.global) return;
  const source = options.management ? 'management member stack' : 'global member stack';
  account.roles.set(EXECUTION_ROLE_NAME, {
    trustedPrincipalArns: [parameters.orchestratorRoleArn],
    principalOrgId: parameters.organizationId,
    maxSessionDuration: EXECUTION_ROLE_MAX_SESSION_SECONDS,
    roleId: roleIdFor(account.id, EXECUTION_ROLE_NAME),
    source,
  });
  account.roles.set(AUTOMATION_ROLE_NAME, {
    trustedPrincipalArns: [],
    trustedService: AUTOMATION_ROLE_SERVICE_PRINCIPAL,
    maxSessionDuration: IAM_DEFAULT_MAX_SESSION_SECONDS,
    roleId: roleIdFor(account.id, AUTOMATION_ROLE_NAME),
    source,
  });
}

/**
 * Installs the Regional stack's document into `region` through the SSM service's installer: the
 * one shared, deeply frozen content object, so the installer validates it once per process.
 */
export function installRegionalStack(region: SimRegion, install: DocumentInstaller, createdDate: number): void {
  install(region, orgPatchRunbookContent, createdDate);
}

/** A stable, AWS-shaped unique id for a role (`AROA` + 17 characters). */
export function roleIdFor(accountId: string, roleName: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let h = 2166136261;
  let out = 'AROA';
  const s = `${accountId}/${roleName}`;
  for (let i = 0; i < 17; i++) {
    for (let j = 0; j < s.length; j++) h = Math.imul(h ^ s.charCodeAt(j) ^ i, 16777619);
    out += alphabet[(h >>> 0) % alphabet.length];
  }
  return out;
}
