import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@orgpatch/cli';
import { AUTOMATION_DOCUMENT_NAME, AUTOMATION_ROLE_NAME, type PreflightReport } from '@orgpatch/core';
import { orgPatchRunbookContent } from '@orgpatch/member-stack/definitions';
import { type Sandbox, startSandbox, type WorldFile } from '@orgpatch/sandbox';
import { type CliRun, cliRunner } from '@orgpatch/test-support/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MGMT = '100000000000';
const CLEAN = '111111111111';
const NO_STACKS = '222222222222';
const OLD_DOCUMENT = '333333333333';
const NO_AUTOMATION_ROLE = '444444444444';
const OPT_IN = '555555555555';
const NO_GROUP = '666666666666';
const VOLUME = '777777777777';
const NODES = '888888888888';
const ROOT = 'r-doc1';

const web = (count: number, extra: Record<string, unknown> = {}) => ({
  instances: [{ count, groups: ['WebServers'], missingPatches: 2, ...extra }],
});

/** One account per failure a preflight must find, and one with none. */
function world(): WorldFile {
  const account = (id: string, name: string, rest: Record<string, unknown> = {}) => ({
    id,
    name,
    email: `${name}@example.com`,
    parentId: ROOT,
    ...rest,
  });
  return {
    organization: { id: 'o-doctor00001', rootId: ROOT, managementAccountId: MGMT },
    regions: ['us-east-1', 'eu-west-1', 'ap-east-1'],
    ous: [],
    accounts: [
      account(MGMT, 'management', { memberStacks: false }),
      account(CLEAN, 'clean', { locations: { 'us-east-1': web(2), 'eu-west-1': web(1) } }),
      account(NO_STACKS, 'no-stacks', { memberStacks: false, locations: { 'us-east-1': web(1) } }),
      account(OLD_DOCUMENT, 'old-document', {
        // The Regional stack only in us-east-1 (where the test puts an older runbook): eu-west-1 has none.
        memberStacks: { global: true, regions: ['us-east-1'] },
        locations: { 'us-east-1': web(1), 'eu-west-1': web(1) },
      }),
      account(NO_AUTOMATION_ROLE, 'no-automation-role', { locations: { 'us-east-1': web(1) } }),
      account(OPT_IN, 'opt-in', { regionsNotEnabled: ['ap-east-1'], locations: { 'us-east-1': web(1) } }),
      account(NO_GROUP, 'no-group', {
        locations: { 'us-east-1': { instances: [{ count: 2, groups: ['Other'] }] } },
      }),
      account(VOLUME, 'volume', {
        locations: {
          'us-east-1': { ...web(2), resources: [{ type: 'AWS::EC2::Volume', groups: ['WebServers'] }] },
        },
      }),
      account(NODES, 'nodes', {
        locations: {
          'us-east-1': {
            instances: [
              { count: 2, groups: ['WebServers'] },
              { count: 1, groups: ['WebServers'], pingStatus: 'ConnectionLost' },
              { count: 1, groups: ['WebServers'], managed: false },
            ],
          },
        },
      }),
    ],
  } as WorldFile;
}

let sandbox: Sandbox;
let dir: string;
const orgpatch = cliRunner(main);

/** `orgpatch doctor` of a payload for `accounts` in `regions`, pointed at the sandbox. */
async function doctor(
  accounts: readonly string[],
  regions: readonly string[],
  extra: { json?: boolean; maxErrors?: string } = {},
): Promise<CliRun> {
  const payload = join(dir, `payload-${accounts.join('-')}-${regions.join('-')}.json`);
  await writeFile(
    payload,
    JSON.stringify({
      Document: { Parameters: { Operation: ['Install'], RebootOption: ['NoReboot'] } },
      Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
      MaxConcurrency: '50%',
      MaxErrors: extra.maxErrors ?? '0',
      Regions: regions,
      Organization: { Accounts: accounts },
    }),
  );
  return orgpatch(['doctor', payload, ...(extra.json === false ? [] : ['--json'])], {
    env: sandbox.env('us-east-1'),
    cwd: dir,
  });
}

function reportOf(run: CliRun): PreflightReport {
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as PreflightReport;
}

beforeAll(async () => {
  sandbox = await startSandbox({ world: world(), timeScale: 0 });
  dir = await mkdtemp(join(tmpdir(), 'orgpatch-doctor-e2e-'));
  // An older runbook in OLD_DOCUMENT's us-east-1: version 2, without the RebootOption a start passes.
  const region = sandbox.world.accounts.get(OLD_DOCUMENT)?.regions.get('us-east-1');
  const current = region?.documents.get(AUTOMATION_DOCUMENT_NAME);
  if (!region || !current) throw new Error('the world has no document to age');
  const older = structuredClone(orgPatchRunbookContent) as unknown as { parameters: Record<string, unknown> };
  delete older.parameters.RebootOption;
  region.documents.set(AUTOMATION_DOCUMENT_NAME, { ...current, content: older, documentVersion: '2' });
  // The automation role deleted by hand in NO_AUTOMATION_ROLE (the execution role is still there).
  sandbox.world.accounts.get(NO_AUTOMATION_ROLE)?.roles.delete(AUTOMATION_ROLE_NAME);
});
afterAll(async () => {
  await sandbox?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('orgpatch doctor against the sandbox', () => {
  it('passes a clean world with exit 0 and counts every check', async () => {
    const run = await doctor([CLEAN], ['us-east-1', 'eu-west-1']);
    expect(run.code).toBe(0);
    const report = reportOf(run);
    expect(report.problems).toEqual([]);
    // Two locations x (Region, document, groups exist, group members, nodes) + the account's two roles.
    expect(report.counts).toEqual({ passed: 12, errors: 0, warnings: 0, locations: 2, notChecked: 0 });
    const table = await doctor([CLEAN], ['us-east-1', 'eu-west-1'], { json: false });
    expect(table.stdout).toContain('✓ 12 checks passed, 0 errors, 0 warnings in 2 locations');
    expect(sandbox.calls.count({ operation: 'StartAutomationExecution' })).toBe(0);
  });

  it('fails an account whose execution role cannot be assumed, naming the error', async () => {
    const run = await doctor([NO_STACKS], ['us-east-1']);
    expect(run.code).toBe(1);
    const [problem, ...rest] = reportOf(run).problems;
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ accountId: NO_STACKS, check: 'execution-role', severity: 'error' });
    expect(problem?.found).toContain('(AccessDenied)');
    expect(problem?.fix).toMatch(/^Deploy the orgpatch member StackSets to account 222222222222/);
  });

  it('fails a missing document and an older runbook that lacks a parameter, with the version found', async () => {
    const run = await doctor([OLD_DOCUMENT], ['us-east-1', 'eu-west-1']);
    expect(run.code).toBe(1);
    const problems = reportOf(run).problems;
    expect(problems.map((p) => [p.region, p.check, p.severity])).toEqual([
      ['eu-west-1', 'automation-document', 'error'],
      ['us-east-1', 'automation-document', 'error'],
    ]);
    expect(problems[0]?.found).toBe('Document OrgPatch-RunPatchBaseline does not exist here (InvalidDocument)');
    expect(problems[0]?.fix).toContain(
      'Deploy the orgpatch Regional member stack to account 333333333333 in eu-west-1',
    );
    expect(problems[1]?.found).toMatch(
      /^Document OrgPatch-RunPatchBaseline version 2 has content SHA-256 [0-9a-f]{12}, not this orgpatch's runbook \([0-9a-f]{12}\); it does not declare RebootOption/,
    );
    expect(problems[1]?.fix).toContain('Update the orgpatch member StackSets to this orgpatch version');
  });

  it('fails an account whose automation role is gone, once for the account', async () => {
    const run = await doctor([NO_AUTOMATION_ROLE], ['us-east-1']);
    expect(run.code).toBe(1);
    expect(reportOf(run).problems).toEqual([
      {
        accountId: NO_AUTOMATION_ROLE,
        check: 'automation-role',
        severity: 'error',
        found: `The automation role arn:aws:iam::${NO_AUTOMATION_ROLE}:role/${AUTOMATION_ROLE_NAME} does not exist (NoSuchEntity): every child automation would fail to assume it`,
        fix: `Redeploy the orgpatch global member stack to account ${NO_AUTOMATION_ROLE}: it creates ${AUTOMATION_ROLE_NAME}.`,
      },
    ]);
    expect(sandbox.calls.count({ service: 'iam', operation: 'GetRole', accountId: NO_AUTOMATION_ROLE })).toBe(1);
  });

  it('lists a Region that is not enabled as a warning: a run skips it, so exit 0', async () => {
    const run = await doctor([OPT_IN], ['us-east-1', 'ap-east-1']);
    expect(run.code).toBe(0);
    const report = reportOf(run);
    expect(report.problems).toEqual([
      expect.objectContaining({ accountId: OPT_IN, region: 'ap-east-1', check: 'region', severity: 'warning' }),
    ]);
    expect(report.problems[0]?.fix).toContain('Enable the opt-in Region ap-east-1 for account 555555555555');
    expect(report.ok).toBe(true);
  });

  it('lists a target group that does not exist as a warning', async () => {
    const run = await doctor([NO_GROUP], ['us-east-1']);
    expect(run.code).toBe(0);
    expect(reportOf(run).problems).toEqual([
      expect.objectContaining({
        accountId: NO_GROUP,
        region: 'us-east-1',
        check: 'target-groups',
        severity: 'warning',
        found: '1 Target group "WebServers" does not exist here: a run skips this location',
      }),
    ]);
  });

  it('fails a group that holds an EBS volume besides its instances', async () => {
    const run = await doctor([VOLUME], ['us-east-1']);
    expect(run.code).toBe(1);
    const [problem] = reportOf(run).problems;
    expect(problem).toMatchObject({ accountId: VOLUME, check: 'group-members', severity: 'error' });
    expect(problem?.found).toContain('"WebServers" holds 2 instances and 1 AWS::EC2::Volume');
    expect(problem?.fix).toContain('ResourceTypeFilters ["AWS::EC2::Instance"]');
  });

  it('weighs unmanaged and offline members against MaxErrors: an error at "0", a warning at "50%"', async () => {
    const strict = await doctor([NODES], ['us-east-1']);
    expect(strict.code).toBe(1);
    const [problem] = reportOf(strict).problems;
    expect(problem).toMatchObject({ accountId: NODES, check: 'managed-nodes', severity: 'error' });
    expect(problem?.found).toMatch(
      /^1 instance not managed by SSM \(i-[0-9a-f]{17}\); 1 managed node not online \(i-[0-9a-f]{17} ConnectionLost\): their child automations fail; more than MaxErrors "0" allows$/,
    );
    const lenient = await doctor([NODES], ['us-east-1'], { maxErrors: '50%' });
    expect(lenient.code).toBe(0);
    expect(reportOf(lenient).problems.map((p) => p.severity)).toEqual(['warning']);
  });

  it('prints the problems as a table with the fix for each', async () => {
    const run = await doctor([VOLUME, NO_AUTOMATION_ROLE], ['us-east-1'], { json: false });
    expect(run.code).toBe(1);
    for (const text of ['Account', 'Fix', 'group-members', 'automation-role', VOLUME, NO_AUTOMATION_ROLE]) {
      expect(run.stdout).toContain(text);
    }
    expect(run.stdout).toMatch(/✗ a run would fail: \d+ checks passed, 2 errors, 0 warnings in 2 locations/);
  });
});
