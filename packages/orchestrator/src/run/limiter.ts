import pLimit, { type LimitFunction } from 'p-limit';

/** Runs a task within the global limit and the limit of its account. */
export type AccountLimiter = <T>(accountId: string, task: () => Promise<T>) => Promise<T>;

/**
 * A two-level limiter: at most `global` tasks in flight across the run and at most `perAccount`
 * against any one account (AWS throttles per account and Region). A task takes its account's slot
 * first, then a global one, so a task waiting on a busy account never holds a global slot.
 */
export function createAccountLimiter(limits: { readonly global: number; readonly perAccount: number }): AccountLimiter {
  const global = pLimit(Math.max(1, limits.global));
  const perAccount = new Map<string, LimitFunction>();
  return (accountId, task) => {
    let account = perAccount.get(accountId);
    if (!account) {
      account = pLimit(Math.max(1, limits.perAccount));
      perAccount.set(accountId, account);
    }
    return account(() => global(task));
  };
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
