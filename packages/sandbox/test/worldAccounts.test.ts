import { describe, expect, it } from 'vitest';
import { WorldValidationError } from '../src/errors.js';
import type { WorldFile } from '../src/index.js';
import { buildWorld } from '../src/world/load.js';
import { TEST_WORLD } from './helpers.js';

const STACKSETS = 'member.org.stacksets.cloudformation.amazonaws.com';

function withChanges(change: (world: WorldFile & Record<string, unknown>) => void): unknown {
  const world = structuredClone(TEST_WORLD) as WorldFile & Record<string, unknown>;
  change(world);
  return world;
}

function problems(json: unknown): string[] {
  try {
    buildWorld(json);
  } catch (error) {
    if (error instanceof WorldValidationError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

describe('world accounts: state and delegated administrators', () => {
  it('builds each account State, the retired status as a State, and a CLOSED account with its closure time', () => {
    const world = buildWorld(
      withChanges((w) => {
        const accounts = w.accounts as Record<string, unknown>[];
        Object.assign(accounts[1]!, { state: 'PENDING_ACTIVATION' });
        Object.assign(accounts[2]!, { state: 'CLOSED', closedTimestamp: '2026-05-01T00:00:00Z' });
        Object.assign(accounts[3]!, { status: 'PENDING_CLOSURE' });
        w.delegatedAdministrators = [{ accountId: '444444444444', servicePrincipal: STACKSETS }];
        w.delegationPolicy = [{ accountId: '222222222222', actions: ['organizations:List*'] }];
      }),
    );
    expect(world.accounts.get('222222222222')?.status).toBe('PENDING_ACTIVATION');
    expect(world.accounts.get('333333333333')).toMatchObject({
      status: 'CLOSED',
      closedTimestamp: Date.parse('2026-05-01T00:00:00Z'),
    });
    expect(world.accounts.get('444444444444')?.status).toBe('PENDING_CLOSURE');
    expect(world.delegatedAdministrators).toEqual([{ accountId: '444444444444', servicePrincipal: STACKSETS }]);
    expect(world.delegationPolicy).toEqual([{ accountId: '222222222222', actions: ['organizations:List*'] }]);
  });

  it('refuses what Organizations would not hold, naming the path', () => {
    expect(
      problems(
        withChanges((w) => {
          const accounts = w.accounts as Record<string, unknown>[];
          Object.assign(accounts[1]!, { state: 'SUSPENDED', status: 'SUSPENDED' });
          Object.assign(accounts[2]!, { state: 'ACTIVE', closedTimestamp: '2026-05-01T00:00:00Z' });
          w.delegatedAdministrators = [
            { accountId: '111111111111', servicePrincipal: STACKSETS },
            { accountId: '999999999999', servicePrincipal: STACKSETS },
            { accountId: '444444444444', servicePrincipal: STACKSETS },
            { accountId: '444444444444', servicePrincipal: STACKSETS },
          ];
          w.delegationPolicy = [{ accountId: '222222222222', actions: ['ListAccounts'] }];
        }),
      ),
    ).toEqual([
      'delegationPolicy.0.actions.0: an Organizations action such as "organizations:ListAccounts" (* and ? allowed)',
      'accounts.1.status: give state only: status is the retired field it replaces',
      'accounts.2.closedTimestamp: only a CLOSED account has a closedTimestamp',
      'delegatedAdministrators.0.accountId: the management account cannot be a delegated administrator (CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR)',
      'delegatedAdministrators.1.accountId: account 999999999999 is not in accounts (AccountNotFoundException)',
      `delegatedAdministrators.3.accountId: account 444444444444 is already registered for ${STACKSETS} (AccountAlreadyRegisteredException)`,
    ]);
    expect(
      problems(
        withChanges((w) => {
          w.organization = { ...w.organization, featureSet: 'CONSOLIDATED_BILLING' };
          w.delegatedAdministrators = [{ accountId: '444444444444', servicePrincipal: STACKSETS }];
        }),
      ),
    ).toEqual([
      'delegatedAdministrators: delegated administrators need all features (ORGANIZATION_NOT_IN_ALL_FEATURES_MODE)',
    ]);
  });
});
