import { parsePayload } from '@orgpatch/core';
import { createAwsClientFactory, createAwsRunDeps, OrganizationAccessError, planRun } from '@orgpatch/orchestrator';
import type { WorldFile } from '@orgpatch/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { DEV_OU, DEV1, type E2e, e2eWorld, ORG_REGIONS, orgPayload, PROD_OU, startE2e } from './harness.js';

const TOOLING = '777777777777';
const CLOSED = '888888888888';
const PENDING_ACTIVATION = '999999999999';
const STACKSETS = 'member.org.stacksets.cloudformation.amazonaws.com';

/** The e2e Organization plus a CLOSED and a PENDING_ACTIVATION account in Prod, and a StackSets delegated administrator. */
function world(): WorldFile {
  const base = e2eWorld();
  const web = { 'us-east-1': { instances: [{ count: 1, groups: ['WebServers'], missingPatches: 2 }] } };
  const prod = (id: string, name: string, state: string) => ({
    id,
    name,
    email: `${name}@example.com`,
    parentId: PROD_OU,
    state,
    locations: web,
  });
  return {
    ...base,
    accounts: [
      ...base.accounts,
      { id: TOOLING, name: 'tooling', email: 'tooling@example.com', parentId: base.organization.rootId },
      prod(CLOSED, 'prod-closed', 'CLOSED'),
      prod(PENDING_ACTIVATION, 'prod-unactivated', 'PENDING_ACTIVATION'),
    ],
    delegatedAdministrators: [{ accountId: TOOLING, servicePrincipal: STACKSETS }],
  } as WorldFile;
}

let e2e: E2e | undefined;
afterEach(async () => {
  await e2e?.stop();
  e2e = undefined;
});

describe('Organization accounts against the sandbox', () => {
  it('skips a CLOSED and a PENDING_ACTIVATION account each with its own reason, without looking inside', async () => {
    e2e = await startE2e(world());
    const request = parsePayload(orgPayload());
    const { plan } = await planRun(request, e2e.deps(request));
    for (const region of ORG_REGIONS) {
      expect(plan.locations.find((l) => l.accountId === CLOSED && l.region === region)?.decision).toEqual({
        action: 'skip',
        reason: 'account-closed',
        detail: `account ${CLOSED} is CLOSED`,
      });
      expect(plan.locations.find((l) => l.accountId === PENDING_ACTIVATION && l.region === region)?.decision).toEqual({
        action: 'skip',
        reason: 'account-pending-activation',
        detail: `account ${PENDING_ACTIVATION} is PENDING_ACTIVATION`,
      });
    }
    for (const accountId of [CLOSED, PENDING_ACTIVATION]) {
      expect(e2e.sandbox.calls.count({ operation: 'ListGroupResources', accountId })).toBe(0);
    }
  });

  it('runs discovery from a delegated administrator account and finds the Organization the management account finds', async () => {
    e2e = await startE2e(world());
    const request = parsePayload(orgPayload());
    const scope = { ouIds: [DEV_OU, PROD_OU], accountIds: [] };
    const fromManagement = e2e.deps(request);
    const config = e2e.sandbox.clientConfig('us-east-1');
    // Credentials of the delegated administrator account: the member execution role there.
    const asAccount = async (accountId: string) => {
      const credentials = await fromManagement.credentials.get(accountId, 'us-east-1');
      const clients = createAwsClientFactory({ ...config, credentials, homeRegion: 'us-east-1' });
      return { clients, deps: createAwsRunDeps(request, { clients, store: e2e!.store }) };
    };
    const admin = await asAccount(TOOLING);
    const member = await asAccount(DEV1);
    try {
      const expected = await fromManagement.directory.discover(scope);
      const found = await admin.deps.directory.discover(scope);
      expect(found).toEqual({ ...expected, callerAccountId: TOOLING });
      expect(found.accounts.map((a) => a.id)).toEqual(expect.arrayContaining([CLOSED, PENDING_ACTIVATION, DEV1]));
      await expect(member.deps.directory.discover(scope)).rejects.toBeInstanceOf(OrganizationAccessError);
    } finally {
      admin.clients.destroy();
      member.clients.destroy();
    }
  });
});
