import type { CallContext, ServiceHandlers } from '../contract.js';
import { DetailedServiceError } from '../errors.js';
import { entityPath, type SandboxAccount } from '../world/model.js';
import { optionalString, readPageSize, type ServiceContext } from './context.js';

/**
 * AWS Organizations (awsJson1_1): the read operations orgpatch uses, plus ListParents. Listing and
 * DescribeAccount work only from the management account (delegated administrators are not
 * simulated); DescribeOrganization works from any member account. Pages hold at most 20 items
 * (MaxResults 1..20, default 20) and may come back empty with a NextToken.
 */

const MAX_RESULTS = 20;
const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

function invalidInput(reason: string, message: string): DetailedServiceError {
  return new DetailedServiceError('InvalidInputException', message, 400, { Reason: reason });
}

/** Builds the Organizations handlers over the world. */
export function createOrganizationsService(context: ServiceContext): ServiceHandlers {
  const { world } = context;
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

  const requireManagement = (ctx: CallContext) => {
    if (ctx.accountId !== world.managementAccountId) {
      throw new DetailedServiceError(
        'AccessDeniedException',
        "You don't have permissions to access this resource.",
        403,
      );
    }
  };
  const requireMember = (ctx: CallContext) => {
    if (!world.accounts.has(ctx.accountId)) {
      throw new DetailedServiceError(
        'AWSOrganizationsNotInUseException',
        'Your account is not a member of an organization.',
        400,
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
    Status: account.status,
    State: account.status,
    JoinedMethod: account.joinedMethod,
    JoinedTimestamp: new Date(account.joinedTimestamp),
    Paths: [entityPath(world, account.parentId, account.id)],
  });
  const accountsOf = (ids: readonly string[]) => ids.map((id) => describe(world.accounts.get(id)!));

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
      requireManagement(ctx);
      const roots = [
        { Id: world.rootId, Arn: arn(`root/${world.organizationId}/${world.rootId}`), Name: 'Root', PolicyTypes: [] },
      ];
      const p = page(input, roots, 'ListRoots');
      return { Roots: p.items, NextToken: p.nextToken };
    },
    ListOrganizationalUnitsForParent: (input, ctx) => {
      requireManagement(ctx);
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
      requireManagement(ctx);
      const parentId = parentOf(input);
      const childType = optionalString(input, 'ChildType');
      if (childType !== 'ACCOUNT' && childType !== 'ORGANIZATIONAL_UNIT') {
        throw invalidInput(
          'INVALID_ENUM',
          `ChildType must be ACCOUNT or ORGANIZATIONAL_UNIT, got ${String(childType)}.`,
        );
      }
      const ids = (childType === 'ACCOUNT' ? accountsByParent : ousByParent).get(parentId) ?? [];
      const p = page(input, ids, `ListChildren:${parentId}:${childType}`);
      return { Children: p.items.map((Id) => ({ Id, Type: childType })), NextToken: p.nextToken };
    },
    ListParents: (input, ctx) => {
      requireManagement(ctx);
      const childId = optionalString(input, 'ChildId') ?? '';
      if (!ACCOUNT_ID.test(childId) && !OU_ID.test(childId)) {
        throw invalidInput('INVALID_PATTERN_TARGET_ID', `The ChildId ${childId} is not a valid account or OU id.`);
      }
      const parentId = world.accounts.get(childId)?.parentId ?? world.ous.get(childId)?.parentId;
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
      requireManagement(ctx);
      const p = page(input, world.accountOrder, 'ListAccounts');
      return { Accounts: accountsOf(p.items), NextToken: p.nextToken };
    },
    ListAccountsForParent: (input, ctx) => {
      requireManagement(ctx);
      const parentId = parentOf(input);
      const p = page(input, accountsByParent.get(parentId) ?? [], `ListAccountsForParent:${parentId}`);
      return { Accounts: accountsOf(p.items), NextToken: p.nextToken };
    },
    DescribeAccount: (input, ctx) => {
      requireManagement(ctx);
      const accountId = optionalString(input, 'AccountId') ?? '';
      if (!ACCOUNT_ID.test(accountId)) {
        throw invalidInput('INVALID_PATTERN', `The AccountId ${accountId} is not 12 digits.`);
      }
      const account = world.accounts.get(accountId);
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
