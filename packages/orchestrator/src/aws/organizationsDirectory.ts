import {
  type Account,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  type OrganizationsClient,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  paginateListParents,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type {
  AccountInfo,
  AccountStatus,
  DiscoveryScope,
  OrganizationDirectory,
  OrganizationSnapshot,
} from '@orgpatch/core';
import { globalRegionOf, partitionOf } from '@orgpatch/core';
import pLimit from 'p-limit';
import { AwsEnvironmentError, OrganizationAccessError, OrganizationScopeError } from '../errors.js';
import { awsErrorCode, awsErrorMessage, isAccessDenied, isMissingCredentials } from './awsErrors.js';
import type { AwsClientFactory } from './clients.js';

/** Options of {@link OrganizationsDirectory}. */
export interface OrganizationsDirectoryOptions {
  readonly clients: AwsClientFactory;
  /** A Region of the partition to work in (the home Region or the first target Region); STS identity is asked there. */
  readonly region: string;
  /** Organizations calls in flight at once (Organizations throttles early). @default 4 */
  readonly concurrency?: number;
  /**
   * Add the management account to the snapshot even when no requested OU holds it (the payload's
   * IncludeManagementAccount). A management account found under a requested OU is always there,
   * so the plan can say why it is skipped.
   * @default false
   */
  readonly includeManagementAccount?: boolean;
  /** Called after each page of accounts, with the number found so far (progress bars). */
  readonly onAccounts?: (found: number) => void;
}

const ACCOUNT_STATES: ReadonlySet<string> = new Set<AccountStatus>([
  'PENDING_ACTIVATION',
  'ACTIVE',
  'SUSPENDED',
  'PENDING_CLOSURE',
  'CLOSED',
]);

/**
 * Reads an account's lifecycle state: `State` (PENDING_ACTIVATION, ACTIVE, SUSPENDED,
 * PENDING_CLOSURE, CLOSED), and the retired `Status` (ACTIVE, SUSPENDED, PENDING_CLOSURE; removed
 * after 2026-09-09) only when `State` is absent or a value this version does not know. With neither
 * (AWS always sends `State`), ACTIVE: the account is inspected, and anything wrong with it shows there.
 *
 * @example
 * accountStatus({ State: 'CLOSED', Status: 'SUSPENDED' }); // 'CLOSED'
 */
export function accountStatus(account: Pick<Account, 'State' | 'Status'>): AccountStatus {
  for (const value of [account.State, account.Status]) {
    if (value !== undefined && ACCOUNT_STATES.has(value)) return value as AccountStatus;
  }
  return 'ACTIVE';
}

/**
 * Discovers the accounts in scope with the Organizations API: every account under the requested OUs
 * (walked recursively: ListAccountsForParent does not recurse), the named accounts, each with its OU
 * path from the root; every page followed, empty ones with a NextToken included. Without OUs and
 * accounts in scope it is the blog's case: the caller's account only, and Organizations is not called.
 */
export class OrganizationsDirectory implements OrganizationDirectory {
  private readonly options: OrganizationsDirectoryOptions;
  /** Ancestry (root first, the id itself excluded) of OUs and accounts already looked up. */
  private readonly ancestry = new Map<string, Promise<readonly string[]>>();

  constructor(options: OrganizationsDirectoryOptions) {
    this.options = options;
  }

  async discover(scope: DiscoveryScope): Promise<OrganizationSnapshot> {
    const partition = partitionOf(this.options.region);
    const caller = await this.callerIdentity();
    if (scope.ouIds.length === 0 && scope.accountIds.length === 0) {
      // The blog's single-account case. Its Organization is still named when the account has one
      // (DescribeOrganization answers any member account), so the run leases the same scope as an
      // Organization run over that account and the two take turns.
      const org = await this.organizationOf(partition);
      return {
        ...(org ? { organizationId: org.id } : {}),
        managementAccountId: org?.managementAccountId ?? caller.accountId,
        callerAccountId: caller.accountId,
        partition,
        accounts: [{ id: caller.accountId, name: caller.accountId, status: 'ACTIVE', ouPath: [] }],
      };
    }
    // Organizations is global: one endpoint per partition, reached through its global Region.
    const client = this.options.clients.organizations(globalRegionOf(partition));
    const limit = pLimit(this.options.concurrency ?? 4);
    const org = await this.describeOrganization(client, caller);
    const found = new Map<string, AccountInfo>();
    const report = () => this.options.onAccounts?.(found.size);

    const visited = new Set<string>();
    const walk = async (parentId: string, path: readonly string[]): Promise<void> => {
      if (visited.has(parentId)) return;
      visited.add(parentId);
      const here = [...path, parentId];
      const children: string[] = [];
      await Promise.all([
        limit(async () => {
          for await (const page of paginateListAccountsForParent({ client, pageSize: 20 }, { ParentId: parentId })) {
            for (const account of page.Accounts ?? []) {
              if (account.Id) found.set(account.Id, toAccountInfo(account, here));
            }
            report();
          }
        }),
        limit(async () => {
          for await (const page of paginateListOrganizationalUnitsForParent(
            { client, pageSize: 20 },
            { ParentId: parentId },
          )) {
            for (const ou of page.OrganizationalUnits ?? []) if (ou.Id) children.push(ou.Id);
          }
        }),
      ]);
      // Each level's children are few; each walk is itself bounded by `limit`.
      await Promise.all(children.map((child) => walk(child, here)));
    };

    try {
      for (const ouId of scope.ouIds) {
        const path = await this.ancestorsOf(client, limit, ouId, 'OU');
        await walk(ouId, path);
      }
      // Named accounts (and the management account when it is to be patched) that the OU walk did
      // not reach. One the Organization does not hold is left out: the plan fails it as account-not-found.
      const wanted = this.options.includeManagementAccount
        ? [...scope.accountIds, org.managementAccountId]
        : scope.accountIds;
      const named = [...new Set(wanted)].filter((id) => !found.has(id));
      await Promise.all(
        named.map(async (id) => {
          const account = await limit(async () => {
            try {
              return (await client.send(new DescribeAccountCommand({ AccountId: id }))).Account;
            } catch (error) {
              if (awsErrorCode(error) === 'AccountNotFoundException') return undefined;
              throw error;
            }
          });
          if (!account) return;
          const path = await this.ancestorsOf(client, limit, id, 'account');
          found.set(id, toAccountInfo(account, path));
          report();
        }),
      );
    } catch (error) {
      throw this.explain(error, caller);
    }

    return {
      organizationId: org.id,
      managementAccountId: org.managementAccountId,
      callerAccountId: caller.accountId,
      partition,
      accounts: [...found.values()].sort((a, b) => a.id.localeCompare(b.id)),
    };
  }

  private async callerIdentity(): Promise<{ accountId: string; arn: string }> {
    try {
      const out = await this.options.clients.sts(this.options.region).send(new GetCallerIdentityCommand({}));
      if (!out.Account) throw new Error('GetCallerIdentity answered without an account');
      return { accountId: out.Account, arn: out.Arn ?? out.Account };
    } catch (error) {
      if (isMissingCredentials(error)) {
        throw new AwsEnvironmentError(
          `No AWS credentials were found (${awsErrorMessage(error)}). Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run \`orgpatch demo\` to try orgpatch against the local sandbox.`,
          { cause: error },
        );
      }
      throw new AwsEnvironmentError(
        `Could not identify the caller with sts:GetCallerIdentity in ${this.options.region} (${awsErrorCode(error)}): ${awsErrorMessage(error)}. Check the credentials and AWS_REGION.`,
        { cause: error },
      );
    }
  }

  /**
   * The caller's Organization for a single-account run, or undefined when the account has none or
   * may not ask (the run then leases the account alone): nothing about a single-account run depends
   * on Organizations but its lease.
   */
  private async organizationOf(
    partition: ReturnType<typeof partitionOf>,
  ): Promise<{ id: string; managementAccountId: string } | undefined> {
    try {
      const out = await this.options.clients
        .organizations(globalRegionOf(partition))
        .send(new DescribeOrganizationCommand({}));
      const id = out.Organization?.Id;
      const managementAccountId = out.Organization?.MasterAccountId;
      return id && managementAccountId ? { id, managementAccountId } : undefined;
    } catch {
      // AWSOrganizationsNotInUseException (a standalone account) or a refusal: the account alone.
      return undefined;
    }
  }

  private async describeOrganization(
    client: OrganizationsClient,
    caller: { accountId: string; arn: string },
  ): Promise<{ id: string; managementAccountId: string }> {
    try {
      const out = await client.send(new DescribeOrganizationCommand({}));
      const id = out.Organization?.Id;
      const managementAccountId = out.Organization?.MasterAccountId;
      if (!id || !managementAccountId) throw new Error('DescribeOrganization answered without an organization');
      return { id, managementAccountId };
    } catch (error) {
      throw this.explain(error, caller);
    }
  }

  /** The ids from the root down to the direct parent of `childId`, by ListParents (one call per level, memoized). */
  private ancestorsOf(
    client: OrganizationsClient,
    limit: ReturnType<typeof pLimit>,
    childId: string,
    kind: 'OU' | 'account',
  ): Promise<readonly string[]> {
    if (childId.startsWith('r-')) return Promise.resolve([]);
    const known = this.ancestry.get(childId);
    if (known) return known;
    const promise = (async () => {
      // ListParents pages like every Organizations list: an empty page may still carry a NextToken.
      const parent = await limit(async () => {
        for await (const page of paginateListParents({ client }, { ChildId: childId })) {
          const first = page.Parents?.[0];
          if (first) return first;
        }
        return undefined;
      });
      if (!parent?.Id) {
        throw new OrganizationScopeError(
          `The ${kind} ${childId} has no parent in the Organization: check the id in the payload.`,
        );
      }
      if (parent.Type === 'ROOT') return [parent.Id];
      return [...(await this.ancestorsOf(client, limit, parent.Id, 'OU')), parent.Id];
    })();
    this.ancestry.set(childId, promise);
    return promise;
  }

  private explain(error: unknown, caller: { accountId: string; arn: string }): Error {
    if (error instanceof OrganizationScopeError || error instanceof AwsEnvironmentError) return error;
    const code = awsErrorCode(error);
    if (code === 'AWSOrganizationsNotInUseException') {
      return new OrganizationScopeError(
        `Account ${caller.accountId} is not a member of an AWS Organization. Remove the Organization part of the payload to patch this account only, as the blog's payload does.`,
        { cause: error },
      );
    }
    if (isAccessDenied(error)) {
      return new OrganizationAccessError(
        `${caller.arn} (account ${caller.accountId}) may not list the Organization (${code}). Run orgpatch from the management account, or from a delegated administrator account: one registered for a service (\`aws organizations register-delegated-administrator\`, e.g. for StackSets), or one the Organizations resource-based delegation policy allows to list accounts and OUs (\`aws organizations put-resource-policy\`).`,
        { cause: error },
      );
    }
    if (
      [
        'ParentNotFoundException',
        'ChildNotFoundException',
        'OrganizationalUnitNotFoundException',
        'AccountNotFoundException',
        'InvalidInputException',
      ].includes(code)
    ) {
      return new OrganizationScopeError(
        `The Organization does not hold an OU or account the payload names (${code}): ${awsErrorMessage(error)}. Check TargetOus, Accounts and the waves.`,
        {
          cause: error,
        },
      );
    }
    return new AwsEnvironmentError(`Organizations discovery failed (${code}): ${awsErrorMessage(error)}`, {
      cause: error,
    });
  }
}

function toAccountInfo(account: Account, ouPath: readonly string[]): AccountInfo {
  return { id: account.Id ?? '', name: account.Name ?? account.Id ?? '', status: accountStatus(account), ouPath };
}
