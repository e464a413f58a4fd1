import pLimit, { type LimitFunction } from 'p-limit';

/** Runs a task within the global limit and the limit of its account. */
export type AccountLimiter = <T>(accountId: string, task: () => Promise<T>) => Promise<T>;

/**
 * A two-level limiter: at most `global` tasks in flight across the run and at most `perAccount`
 * against any one account (AWS throttles per account and Region). A task takes its account's slot
 * first, then a global one, so a task waiting on a busy account never holds a global slot.
 */
export function createAccountLimiter(limits: { readonly global: number; readonly perAccount: number }): AccountLimiter {
  return limiterWithAccounts(limits).limiter;
}

/**
 * {@link createAccountLimiter}, and how many accounts it holds a limit for now: only the accounts
 * with a task queued or in flight, so that a run over 10,000 accounts does not keep 10,000 limits.
 */
export function limiterWithAccounts(limits: { readonly global: number; readonly perAccount: number }): {
  readonly limiter: AccountLimiter;
  readonly accountsHeld: () => number;
} {
  const global = pLimit(Math.max(1, limits.global));
  const perAccount = new Map<string, { readonly limit: LimitFunction; tasks: number }>();
  const limiter: AccountLimiter = async (accountId, task) => {
    let account = perAccount.get(accountId);
    if (!account) {
      account = { limit: pLimit(Math.max(1, limits.perAccount)), tasks: 0 };
      perAccount.set(accountId, account);
    }
    account.tasks += 1;
    try {
      return await account.limit(() => global(task));
    } finally {
      // No task of the account queued or in flight: its limit holds nothing, so it goes.
      account.tasks -= 1;
      if (account.tasks === 0) perAccount.delete(accountId);
    }
  };
  return { limiter, accountsHeld: () => perAccount.size };
}

/**
 * Maps `items` through `task` under the limiter and returns the results in input order. The
 * limiter bounds what is in flight; this only collects.
 */
export async function mapLimited<I, O>(
  items: readonly I[],
  limiter: AccountLimiter,
  accountOf: (item: I) => string,
  task: (item: I) => Promise<O>,
): Promise<O[]> {
  return Promise.all(items.map((item) => limiter(accountOf(item), () => task(item))));
}
