/**
 * An account's place in its lifecycle: the Organizations `State` of DescribeAccount, ListAccounts and
 * ListAccountsForParent (the `AccountState` enum of the service model). Only an ACTIVE account can be
 * patched; PENDING_CLOSURE may still answer but is on its way out. The retired `Status` (ACTIVE,
 * SUSPENDED, PENDING_CLOSURE) is read only when `State` is absent.
 */
export type AccountStatus = 'PENDING_ACTIVATION' | 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';

/** One account of the Organization as discovery saw it. */
export interface AccountInfo {
  readonly id: string;
  readonly name: string;
  readonly status: AccountStatus;
  /** Parent chain from the root down to the account's direct parent: `['r-ab12', 'ou-ab12-1', ...]`. */
  readonly ouPath: readonly string[];
}

/** What discovery found: the accounts in scope (and the management account), with their OU paths. */
export interface OrganizationSnapshot {
  readonly organizationId?: string;
  readonly managementAccountId: string;
  /** The account the orchestrator itself runs in. */
  readonly callerAccountId: string;
  readonly partition: string;
  readonly accounts: readonly AccountInfo[];
}
