import { OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../src/index.js';
import './helpers.js';

describe('a generated world of 1,000 accounts x 16 Regions', () => {
  it('starts and serves a full ListAccounts walk with the SDK paginator', async () => {
    const sandbox = await startSandbox({
      world: { generate: { seed: 11, accounts: 1000, regions: 16 } },
      timeScale: 0,
    });
    const client = new OrganizationsClient(sandbox.clientConfig('us-east-1'));
    try {
      const seen = new Set<string>();
      let pages = 0;
      for await (const page of paginateListAccounts({ client }, {})) {
        pages++;
        for (const account of page.Accounts ?? []) seen.add(account.Id ?? '');
      }
      expect(seen.size).toBe(1000);
      expect(pages).toBeGreaterThanOrEqual(50);
      expect(sandbox.calls.count({ operation: 'ListAccounts', ok: true })).toBe(pages);
    } finally {
      client.destroy();
      await sandbox.stop();
    }
  });
});
