import { automationDocumentContent, memberTemplates } from '@orgpatch/member-stack';
import type { SimRegion } from '../contract.js';
import { SandboxError } from '../errors.js';
import type { DocumentInstaller, SandboxAccount } from './model.js';

/**
 * "Deploys" the orgpatch member stacks into simulated accounts from the REAL synthesized templates
 * of @orgpatch/member-stack: the IAM roles of the global (or management) template, with their trust
 * policies resolved against the world's parameters, and the automation document of the Regional
 * template, handed to the SSM service.
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
  /** The template the role came from, for diagnostics. */
  readonly source: string;
}

/** Template parameters the sandbox passes when it "creates" the stacks. */
export interface MemberStackParameters {
  readonly orchestratorRoleArn: string;
  readonly organizationId: string;
  readonly partition: string;
}

/** Raised when a member template cannot be read as the sandbox expects. */
export class MemberStackInstallError extends SandboxError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MemberStackInstallError';
  }
}

/**
 * Creates the IAM roles of the member stack in `account`: the management template for the
 * management account, the global template for the others.
 */
export function installMemberStacks(
  account: SandboxAccount,
  parameters: MemberStackParameters,
  options: { readonly management: boolean },
): void {
  if (!account.memberStacks.global) return;
  const templates = memberTemplates();
  const template = options.management ? templates.management : templates.global;
  const source = options.management ? 'management member template' : 'global member template';
  const context: ResolveContext = {
    refs: {
      OrchestratorRoleArn: parameters.orchestratorRoleArn,
      OrganizationId: parameters.organizationId,
      'AWS::AccountId': account.id,
      'AWS::Partition': parameters.partition,
      'AWS::URLSuffix': parameters.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
    },
  };
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const roleName = resolve(resource.Properties?.RoleName, context);
    if (typeof roleName !== 'string') {
      throw new MemberStackInstallError(
        `Role ${logicalId} of the ${source} has no resolvable RoleName; the sandbox needs fixed role names.`,
      );
    }
    account.roles.set(roleName, roleFromTemplate(resource.Properties ?? {}, context, account.id, roleName, source));
  }
}

/** The automation document content of the Regional template (one shared, frozen copy per process). */
export function memberDocumentContent(): Record<string, unknown> {
  documentContent ??= Object.freeze(automationDocumentContent());
  return documentContent;
}
let documentContent: Record<string, unknown> | undefined;

/** Installs the Regional stack's document into `region` through the SSM service's installer. */
export function installRegionalStack(region: SimRegion, install: DocumentInstaller, createdDate: number): void {
  install(region, memberDocumentContent(), createdDate);
}

interface ResolveContext {
  readonly refs: Readonly<Record<string, string>>;
}

function roleFromTemplate(
  properties: Readonly<Record<string, unknown>>,
  context: ResolveContext,
  accountId: string,
  roleName: string,
  source: string,
): SandboxRole {
  const trusted: string[] = [];
  let trustedService: string | undefined;
  let principalOrgId: string | undefined;
  const policy = properties.AssumeRolePolicyDocument as { Statement?: unknown } | undefined;
  const statements = Array.isArray(policy?.Statement) ? policy.Statement : policy?.Statement ? [policy.Statement] : [];
  for (const raw of statements) {
    const statement = raw as Record<string, unknown>;
    if (statement.Effect !== 'Allow') continue;
    const actions = toList(statement.Action);
    if (!actions.some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')) continue;
    const principal = (statement.Principal ?? {}) as Record<string, unknown>;
    for (const arn of toList(principal.AWS).map((p) => resolve(p, context))) {
      if (typeof arn === 'string')
        trusted.push(/^\d{12}$/.test(arn) ? `arn:${context.refs['AWS::Partition']}:iam::${arn}:root` : arn);
    }
    const service = toList(principal.Service)
      .map((s) => resolve(s, context))
      .find((s): s is string => typeof s === 'string');
    if (service) trustedService = service;
    const condition = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
    const orgId = resolve(condition.StringEquals?.['aws:PrincipalOrgID'], context);
    if (typeof orgId === 'string') principalOrgId = orgId;
  }
  const maxSessionDuration = typeof properties.MaxSessionDuration === 'number' ? properties.MaxSessionDuration : 3600;
  return {
    trustedPrincipalArns: trusted,
    ...(trustedService ? { trustedService } : {}),
    ...(principalOrgId ? { principalOrgId } : {}),
    maxSessionDuration,
    roleId: roleIdFor(accountId, roleName),
    source,
  };
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

function toList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Resolves the intrinsics member templates use: Ref, Fn::Join and Fn::Sub (string form). */
function resolve(value: unknown, context: ResolveContext): unknown {
  if (typeof value === 'string' || value === undefined) return value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const node = value as Record<string, unknown>;
  if (typeof node.Ref === 'string') return context.refs[node.Ref];
  if (Array.isArray(node['Fn::Join'])) {
    const [sep, parts] = node['Fn::Join'] as [unknown, unknown];
    if (typeof sep !== 'string' || !Array.isArray(parts)) return undefined;
    const resolved = parts.map((p) => resolve(p, context));
    return resolved.every((p) => typeof p === 'string') ? resolved.join(sep) : undefined;
  }
  if (typeof node['Fn::Sub'] === 'string') {
    let unresolved = false;
    const out = (node['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
      const v = context.refs[name];
      if (v === undefined) unresolved = true;
      return v ?? '';
    });
    return unresolved ? undefined : out;
  }
  return undefined;
}
