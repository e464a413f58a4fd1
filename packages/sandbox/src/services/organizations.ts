import type { AccountState, CallContext, ServiceHandlers } from '../contract.js';
import { DetailedServiceError } from '../errors.js';
import { entityPath, type SandboxAccount, type SandboxWorld } from '../world/model.js';
import { optionalString, readPageSize, type ServiceContext } from './context.js';

/**
 * AWS Organizations (awsJson1_1): the read operations orgpatch uses, plus ListParents.
 * DescribeOrganization works from any account of the Organization; the List* and DescribeAccount
 * operations from the management account or a delegated administrator (a registration for any
 * service, or the resource-based delegation policy for that action), as the service model documents
 * each. Accounts answer `State` and, until its retirement, `Status`. A CLOSED account is listed for
 * 90 days after its closure, then it has left the Organization. Pages hold at most 20 items
 * (MaxResults 1..20, default 20) and may come back empty with a NextToken.
 */

/** The retired `Status` of each `State` (the service model's AccountStatus has no PENDING_ACTIVATION). */
const RETIRED_STATUS: Readonly<Record<AccountState, 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | undefined>> = {
  PENDING_ACTIVATION: undefined,
  ACTIVE: 'ACTIVE',
  SUSPENDED: 'SUSPENDED',
  PENDING_CLOSURE: 'PENDING_CLOSURE',
  // CloseAccount: "When the close account request completes, the status will change to SUSPENDED."
  CLOSED: 'SUSPENDED',
};

/** Organizations stops returning `Status` on 2026-09-09 (the service model's Account.Status). */
const STATUS_RETIRED_AT = Date.UTC(2026, 8, 9);

/** A closed account is permanently terminated, and leaves the Organization, 90 days after closure. */
const POST_CLOSURE_MS = 90 * 24 * 60 * 60 * 1000;

const MAX_RESULTS = 20;
const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

function invalidInput(reason: string, message: string): DetailedServiceError {
  return new DetailedServiceError('InvalidInputException', message, 400, { Reason: reason });
}

/** Whether an IAM action pattern (`organizations:List*`) names `action`; IAM compares them case-insensitively. */
function actionMatches(pattern: string, action: string): boolean {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i').test(action);
}

/** Whether `accountId` may call a read-only operation other than DescribeOrganization. */
function mayRead(world: SandboxWorld, accountId: string, operation: string): boolean {
  if (accountId === world.managementAccountId) return true;
  // RegisterDelegatedAdministrator "grants read-only access to Organizations service data", whatever the service.
  if (world.delegatedAdministrators.some((d) => d.accountId === accountId)) return true;
  return world.delegationPolicy.some(
    (statement) =>
      statement.accountId === accountId &&
      statement.actions.some((pattern) => actionMatches(pattern, `organizations:${operation}`)),
  );
}

/** Builds the Organizations handlers over the world. */
export function createOrganizationsService(context: ServiceContext): ServiceHandlers {
  const { world, clock } = context;
  const startedAt = clock.now();
  /** The account while it is in the Organization: a CLOSED one for 90 days after its closure, any other always. */
  const memberAccount = (id: string, now = clock.now()): SandboxAccount | undefined => {
    const account = world.accounts.get(id);
    if (!account) return undefined;
    return account.status !== 'CLOSED' || now < (account.closedTimestamp ?? startedAt) + POST_CLOSURE_MS
      ? account
      : undefined;
  };
  const accountsByParent = new Map<string, string[]>();
  for (const id of world.accountOrder) {
    const account = world.accounts.get(id);
    if (!account) continue;
    const list = accountsByParent.get(account.parentId) ?? [];
    list.push(id);
    accountsByParent.set(account.parentId, list);
  }
  const ousByParent = new Map<string, string[]>();
  for (const ou of world.ous.values()) {
    const list = ousByParent.get(ou.parentId) ?? [];
    list.push(ou.id);
    ousByParent.set(ou.parentId, list);
  }
  const arn = (resource: string) => `arn:${world.partition}:organizations::${world.managementAccountId}:${resource}`;
  const accountArn = (id: string) => arn(`account/${world.organizationId}/${id}`);

  const requireMember = (ctx: CallContext) => {
    if (!memberAccount(ctx.accountId)) {
      throw new DetailedServiceError(
        'AWSOrganizationsNotInUseException',
        'Your account is not a member of an organization.',
        400,
      );
    }
  };
  /** The List* and DescribeAccount operations: "the management account or a member account that is a delegated administrator". */
  const requireReader = (ctx: CallContext) => {
    requireMember(ctx);
    if (!mayRead(world, ctx.accountId, ctx.operation)) {
      throw new DetailedServiceError(
        'AccessDeniedException',
        "You don't have permissions to access this resource.",
        403,
      );
    }
  };
  const page = <T>(input: Record<string, unknown>, items: readonly T[], scope: string) => {
    const size = readPageSize(input.MaxResults, 1, MAX_RESULTS, MAX_RESULTS);
    if (!size.ok) throw invalidInput(size.tooBig ? 'MAX_VALUE_EXCEEDED' : 'MIN_VALUE_EXCEEDED', size.message);
    const token = optionalString(input, 'NextToken');
    const result = context.pager.page(items, {
      scope,
      pageSize: size.size,
      ...(token === undefined ? {} : { nextToken: token }),
      emptyPageRate: context.faults.emptyPageRate,
    });
    if (!result)
      throw invalidInput('INVALID_PAGINATION_TOKEN', 'The specified pagination token is not valid for this request.');
    return result;
  };
  const parentOf = (input: Record<string, unknown>): string => {
    const parentId = optionalString(input, 'ParentId');
    if (parentId === undefined) throw invalidInput('INPUT_REQUIRED', 'You must specify a value for ParentId.');
    if (!ROOT_ID.test(parentId) && !OU_ID.test(parentId)) {
      throw invalidInput('INVALID_PATTERN_TARGET_ID', `The ParentId ${parentId} is not a valid root or OU id.`);
    }
    if (parentId !== world.rootId && !world.ous.has(parentId)) {
      throw new DetailedServiceError(
        'ParentNotFoundException',
        "We can't find a root or OU with the ParentId that you specified.",
        400,
      );
    }
    return parentId;
  };
  const describe = (account: SandboxAccount) => ({
    Id: account.id,
    Arn: accountArn(account.id),
    Email: account.email,
    Name: account.name,
    ...(clock.now() < STATUS_RETIRED_AT ? { Status: RETIRED_STATUS[account.status] } : {}),
    State: account.status,
    JoinedMethod: account.joinedMethod,
    JoinedTimestamp: new Date(account.joinedTimestamp),
    Paths: [entityPath(world, account.parentId, account.id)],
  });
  const accountsOf = (ids: readonly string[]) => ids.map((id) => describe(world.accounts.get(id)!));
  /** Accounts still in the Organization, in world order. */
  const members = (ids: readonly string[]) => {
    const now = clock.now();
    return ids.filter((id) => memberAccount(id, now) !== undefined);
  };

  return {
    DescribeOrganization: (_input, ctx) => {
      requireMember(ctx);
      const management = world.accounts.get(world.managementAccountId);
      return {
        Organization: {
          Id: world.organizationId,
          Arn: arn(`organization/${world.organizationId}`),
          FeatureSet: world.featureSet,
          MasterAccountArn: accountArn(world.managementAccountId),
          MasterAccountId: world.managementAccountId,
          MasterAccountEmail: management?.email,
          AvailablePolicyTypes: [],
        },
      };
    },
    ListRoots: (input, ctx) => {
      requireReader(ctx);
      const roots = [
        { Id: world.rootId, Arn: arn(`root/${world.organizationId}/${world.rootId}`), Name: 'Root', PolicyTypes: [] },
      ];
      const p = page(input, roots, 'ListRoots');
      return { Roots: p.items, NextToken: p.nextToken };
    },
    ListOrganizationalUnitsForParent: (input, ctx) => {
      requireReader(ctx);
      const parentId = parentOf(input);
      const p = page(input, ousByParent.get(parentId) ?? [], `ListOrganizationalUnitsForParent:${parentId}`);
      return {
        OrganizationalUnits: p.items.map((id) => {
          const ou = world.ous.get(id)!;
          return {
            Id: ou.id,
            Arn: arn(`ou/${world.organizationId}/${ou.id}`),
            Name: ou.name,
            Path: entityPath(world, ou.parentId, ou.id),
          };
        }),
        NextToken: p.nextToken,
      };
    },
    ListChildren: (input, ctx) => {
      requireReader(ctx);
      const parentId = parentOf(input);
      const childType = optionalString(input, 'ChildType');
      if (childType !== 'ACCOUNT' && childType !== 'ORGANIZATIONAL_UNIT') {
        throw invalidInput(
          'INVALID_ENUM',
          `ChildType must be ACCOUNT or ORGANIZATIONAL_UNIT, got ${String(childType)}.`,
        );
      }
      const ids =
        childType === 'ACCOUNT' ? members(accountsByParent.get(parentId) ?? []) : (ousByParent.get(parentId) ?? []);
      const p = page(input, ids, `ListChildren:${parentId}:${childType}`);
      return { Children: p.items.map((Id) => ({ Id, Type: childType })), NextToken: p.nextToken };
    },
    ListParents: (input, ctx) => {
      requireReader(ctx);
      const childId = optionalString(input, 'ChildId') ?? '';
      if (!ACCOUNT_ID.test(childId) && !OU_ID.test(childId)) {
        throw invalidInput('INVALID_PATTERN_TARGET_ID', `The ChildId ${childId} is not a valid account or OU id.`);
      }
      const parentId = memberAccount(childId)?.parentId ?? world.ous.get(childId)?.parentId;
      if (!parentId) {
        throw new DetailedServiceError(
          'ChildNotFoundException',
          "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
          400,
        );
      }
      const p = page(input, [parentId], `ListParents:${childId}`);
      return {
        Parents: p.items.map((Id) => ({ Id, Type: Id === world.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT' })),
        NextToken: p.nextToken,
      };
    },
    ListAccounts: (input, ctx) => {
      requireReader(ctx);
      const p = page(input, members(world.accountOrder), 'ListAccounts');
      return { Accounts: accountsOf(p.items), NextToken: p.nextToken };
    },
    ListAccountsForParent: (input, ctx) => {
      requireReader(ctx);
      const parentId = parentOf(input);
      const p = page(input, members(accountsByParent.get(parentId) ?? []), `ListAccountsForParent:${parentId}`);
      return { Accounts: accountsOf(p.items), NextToken: p.nextToken };
    },
    DescribeAccount: (input, ctx) => {
      requireReader(ctx);
      const accountId = optionalString(input, 'AccountId') ?? '';
      if (!ACCOUNT_ID.test(accountId)) {
        throw invalidInput('INVALID_PATTERN', `The AccountId ${accountId} is not 12 digits.`);
      }
      const account = memberAccount(accountId);
      if (!account) {
        throw new DetailedServiceError(
          'AccountNotFoundException',
          "We can't find an AWS account with the AccountId that you specified, or the account whose credentials you used to make this request isn't a member of an organization.",
          400,
        );
      }
      return { Account: describe(account) };
    },
  };
}
