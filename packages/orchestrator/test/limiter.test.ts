import { describe, expect, it } from 'vitest';
import { limiterWithAccounts } from '../src/run/limiter.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('the account limiter', () => {
  it('keeps the global and per-account limits, and holds a limit only for accounts with work queued or in flight', async () => {
    const { limiter, accountsHeld } = limiterWithAccounts({ global: 3, perAccount: 2 });
    let inFlight = 0;
    let most = 0;
    const perAccount = new Map<string, number>();
    let mostInOne = 0;
    const task = (account: string) =>
      limiter(account, async () => {
        inFlight += 1;
        perAccount.set(account, (perAccount.get(account) ?? 0) + 1);
        most = Math.max(most, inFlight);
        mostInOne = Math.max(mostInOne, perAccount.get(account) ?? 0);
        await tick();
        perAccount.set(account, (perAccount.get(account) ?? 0) - 1);
        inFlight -= 1;
        return account;
      });
    // 200 accounts, 3 tasks each, in two rounds: the second finds every limit dropped and makes it again.
    for (let round = 0; round < 2; round += 1) {
      const hot = Array.from({ length: 5 }, () => task('hot'));
      const all = Array.from({ length: 600 }, (_, i) => task(`acct-${i % 200}`));
      expect(accountsHeld()).toBe(201);
      await Promise.all(hot);
      const done = await Promise.all(all);
      expect(done[599]).toBe('acct-199');
      expect(accountsHeld()).toBe(0);
    }
    expect(most).toBe(3);
    expect(mostInOne).toBe(2);
  });

  it('drops an account whose task failed, and passes the failure on', async () => {
    const { limiter, accountsHeld } = limiterWithAccounts({ global: 2, perAccount: 1 });
    await expect(limiter('a', () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(accountsHeld()).toBe(0);
    await expect(limiter('a', async () => 'again')).resolves.toBe('again');
  });
});
