import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUTOMATION_DOCUMENT_NAME, AUTOMATION_ROLE_NAME, EXECUTION_ROLE_NAME, isOptInRegion } from '@orgpatch/core';
import { orgPatchRunbookContent } from '@orgpatch/member-stack/definitions';
import { describe, expect, it } from 'vitest';
import { WorldValidationError } from '../src/errors.js';
import { generateWorld, loadWorldFile } from '../src/index.js';
import { buildWorld } from '../src/world/load.js';
import type { SandboxWorld } from '../src/world/model.js';
import { worldJsonSchema } from '../src/world/schema.js';
import { TEST_WORLD } from './helpers.js';

const examples = join(import.meta.dirname, '..', '..', '..', 'examples');

function locations(world: SandboxWorld) {
  const out = [];
  for (const account of world.accounts.values()) {
    for (const region of world.regionNames) out.push({ account, region: account.regions.get(region)! });
  }
  return out;
}

describe('the demo world file', () => {
  it('has the shape the issue asks for', async () => {
    const world = await loadWorldFile(join(examples, 'world.demo.json'));
    const accounts = [...world.accounts.values()];
    expect(accounts).toHaveLength(12);
    expect(new Set([...world.ous.values()].map((o) => o.name))).toEqual(
      new Set(['security', 'workloads', 'dev', 'staging', 'prod']),
    );
    expect(world.regionNames).toHaveLength(4);
    const all = locations(world);
    const instances = all.flatMap((l) => [...l.region.instances.values()]);
    expect(instances.length).toBeGreaterThanOrEqual(200);
    expect(instances.length).toBeLessThanOrEqual(500);
    expect(instances.filter((i) => i.failsPatching)).toHaveLength(2);
    expect(all.filter((l) => l.region.enabled && l.region.instances.size === 0).length).toBeGreaterThan(10);
    expect(accounts.filter((a) => a.status === 'SUSPENDED')).toHaveLength(1);
    expect(accounts.filter((a) => a.roles.size === 0).map((a) => a.name)).toEqual(['staging-legacy']);
    const disabled = all.filter((l) => !l.region.enabled);
    expect(disabled.map((l) => `${l.account.name}/${l.region.region}`)).toEqual(['prod-payments/af-south-1']);
    expect(isOptInRegion('af-south-1')).toBe(true);
  });

  it('matches examples/world.schema.json, which is generated from worldFileSchema', () => {
    const onDisk: unknown = JSON.parse(readFileSync(join(examples, 'world.schema.json'), 'utf8'));
    expect(onDisk).toEqual(worldJsonSchema());
  });
});

describe('buildWorld', () => {
  it('reports every problem of an invalid world with its path', () => {
    const bad = structuredClone(TEST_WORLD) as unknown as {
      ous: { id: string; parentId: string }[];
      accounts: { id: string; parentId: string; regionsNotEnabled?: string[] }[];
      organization: { managementAccountId: string };
    };
    bad.ous[0]!.id = 'ou-zzzz-aaaaaaaa';
    bad.accounts[1]!.parentId = 'ou-t3st-99999999';
    bad.accounts[2]!.regionsNotEnabled = ['us-east-1'];
    bad.accounts[3]!.id = '222222222222';
    bad.organization.managementAccountId = '000000000000';
    let caught: unknown;
    try {
      buildWorld(bad);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WorldValidationError);
    const paths = (caught as WorldValidationError).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'ous.0.id',
        'accounts.1.parentId',
        'accounts.2.regionsNotEnabled.0',
        'accounts.3.id',
        'organization.managementAccountId',
      ]),
    );
    expect((caught as Error).message).toMatch(/only opt-in Regions can be not enabled/);
  });

  it('reads CloudWatch alarms per account and Region with their defaults, and refuses what CloudWatch would not hold', () => {
    const world = structuredClone(TEST_WORLD);
    world.accounts[0]!.locations = {
      'eu-west-1': {
        alarms: [{ name: 'gate' }, { name: 'gates', type: 'composite', state: 'ALARM', reason: 'child in ALARM' }],
      },
    };
    const built = buildWorld(world);
    expect(built.alarms).toEqual([
      expect.objectContaining({
        accountId: '111111111111',
        region: 'eu-west-1',
        name: 'gate',
        type: 'metric',
        state: 'OK',
        actions: [],
        metric: expect.objectContaining({ metricName: 'gate', period: 60 }),
      }),
      expect.objectContaining({
        name: 'gates',
        type: 'composite',
        state: 'ALARM',
        reason: 'child in ALARM',
        rule: 'FALSE',
      }),
    ]);
    world.accounts[0]!.locations = {
      'eu-west-1': {
        alarms: [
          { name: 'gate' },
          { name: 'gate', type: 'composite' },
          { name: 'metric-with-rule', rule: 'TRUE' },
          { name: 'x'.repeat(256) },
          { name: 'bad-state', state: 'BROKEN' as never },
        ],
      },
    };
    let caught: unknown;
    try {
      buildWorld(world);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WorldValidationError);
    expect((caught as WorldValidationError).issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        'accounts.0.locations.eu-west-1.alarms.3.name',
        'accounts.0.locations.eu-west-1.alarms.4.state',
      ]),
    );
    world.accounts[0]!.locations['eu-west-1']!.alarms = [
      { name: 'gate' },
      { name: 'gate', type: 'composite' },
      { name: 'metric-with-rule', rule: 'TRUE' },
    ];
    expect(() => buildWorld(world)).toThrow(
      /duplicate alarm name gate in eu-west-1[\s\S]*only a composite alarm has a rule/,
    );
  });

  it('deploys the member stacks: both roles, trusting as the templates say, and the runbook content itself', () => {
    const world = buildWorld(structuredClone(TEST_WORLD));
    const member = world.accounts.get('222222222222')!;
    const execution = member.roles.get(EXECUTION_ROLE_NAME);
    expect(execution?.trustedPrincipalArns).toEqual(['arn:aws:iam::111111111111:role/OrgPatchOrchestratorRole']);
    expect(execution?.principalOrgId).toBe('o-testorg123');
    expect(execution?.maxSessionDuration).toBe(3600);
    expect(member.roles.get(AUTOMATION_ROLE_NAME)?.trustedService).toBe('ssm.amazonaws.com');
    const document = member.regions.get('eu-west-1')?.documents.get(AUTOMATION_DOCUMENT_NAME);
    expect(document?.content).toBe(orgPatchRunbookContent);
    expect(document?.documentType).toBe('Automation');
    const without = world.accounts.get('555555555555')!;
    expect(without.roles.size).toBe(0);
    expect(without.regions.get('us-east-1')?.documents.size).toBe(0);
    expect(member.regions.get('af-south-1')?.enabled).toBe(true);
    expect(world.accounts.get('333333333333')?.regions.get('af-south-1')?.enabled).toBe(false);
  });

  it('builds a Region only when it is first touched', () => {
    const world = buildWorld(structuredClone(TEST_WORLD));
    const account = world.accounts.get('222222222222')!;
    expect(account.regions.materializedCount).toBe(0);
    expect(account.regions.get('us-east-1')?.instances.size).toBe(61);
    expect(account.regions.materializedCount).toBe(1);
    expect(account.regions.size).toBe(3);
    expect(account.regions.get('ca-central-1')).toMatchObject({ enabled: true, instances: new Map() });
    expect(account.regions.get('me-south-1')?.enabled).toBe(false);
  });
});

describe('generateWorld', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateWorld({ seed: 42, accounts: 50, regions: 4 });
    const b = generateWorld({ seed: 42, accounts: 50, regions: 4 });
    const c = generateWorld({ seed: 43, accounts: 50, regions: 4 });
    expect([...b.accounts.keys()]).toEqual([...a.accounts.keys()]);
    expect([...b.ous.keys()]).toEqual([...a.ous.keys()]);
    const id = [...a.accounts.keys()][7]!;
    expect([...b.accounts.get(id)!.regions.get('us-east-1')!.instances.keys()]).toEqual([
      ...a.accounts.get(id)!.regions.get('us-east-1')!.instances.keys(),
    ]);
    expect([...c.accounts.keys()]).not.toEqual([...a.accounts.keys()]);
  });

  it('produces AWS-shaped ids, an OU tree a few levels deep, suspended accounts and accounts without stacks', () => {
    const world = generateWorld({ seed: 5, accounts: 1000, regions: 16 });
    expect(world.organizationId).toMatch(/^o-[a-z0-9]{10}$/);
    expect(world.rootId).toMatch(/^r-[a-z0-9]{4}$/);
    for (const ou of world.ous.values()) expect(ou.id).toMatch(new RegExp(`^ou-${world.rootId.slice(2)}-[a-z0-9]{8}$`));
    const depth = (parent: string): number =>
      parent === world.rootId ? 1 : 1 + depth(world.ous.get(parent)!.parentId);
    expect(Math.max(...[...world.accounts.values()].map((a) => depth(a.parentId)))).toBeGreaterThanOrEqual(4);
    const accounts = [...world.accounts.values()];
    expect(accounts.every((a) => /^\d{12}$/.test(a.id))).toBe(true);
    expect(new Set(accounts.map((a) => a.id)).size).toBe(1000);
    const suspended = accounts.filter((a) => a.status === 'SUSPENDED');
    expect(suspended.length).toBeGreaterThan(5);
    expect(new Set(suspended.map((a) => world.ous.get(a.parentId)?.name))).toEqual(new Set(['Suspended']));
    expect(accounts.filter((a) => a.roles.size === 0).length).toBeGreaterThan(5);
    expect(world.regionNames.filter((r) => isOptInRegion(r))).toHaveLength(4);
    expect(accounts.some((a) => a.regionsNotEnabled.size > 0)).toBe(true);
  });

  it('puts instances in about a third of the enabled locations', () => {
    const world = generateWorld({ seed: 9, accounts: 300, regions: 8 });
    const enabled = locations(world).filter((l) => l.region.enabled);
    const withInstances = enabled.filter((l) => l.region.instances.size > 0).length / enabled.length;
    expect(withInstances).toBeGreaterThan(0.28);
    expect(withInstances).toBeLessThan(0.39);
    const groups = enabled.flatMap((l) => [...l.region.groups.values()]);
    expect(groups.every((g) => g.instanceIds.every((id) => /^(i|mi)-[0-9a-f]{17}$/.test(id)))).toBe(true);
  });

  it('generates 10,000 accounts x 16 Regions without building any Region', () => {
    const world = generateWorld({ seed: 1, accounts: 10_000, regions: 16 });
    expect(world.accounts.size).toBe(10_000);
    expect([...world.accounts.values()].every((a) => a.regions.materializedCount === 0)).toBe(true);
  });

  it('rejects out-of-range options with WorldValidationError', () => {
    expect(() => generateWorld({ accounts: 10_001 })).toThrow(WorldValidationError);
    expect(() => generateWorld({ accounts: 10, density: 1.5 })).toThrow(/density/);
    expect(() => generateWorld({ accounts: 10, regions: ['mars-north-1'] })).toThrow(/unknown Region mars-north-1/);
  });
});
