/** Organizations account status, as DescribeAccount / ListAccounts report it. */
export type AccountStatus = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';

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
