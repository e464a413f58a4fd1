import { describe, expect, it } from 'vitest';
import {
  AUTOMATION_DOCUMENT_SHA256,
  buildPlan,
  canonicalJson,
  type DocumentObservation,
  evaluatePreflight,
  type InventoryObservation,
  type NodesObservation,
  type PatchRequest,
  PREFLIGHT_COLUMNS,
  type PreflightInput,
  preflightReached,
  preflightRows,
  type RoleObservation,
} from '../src/index.js';
import { parseRateValue } from '../src/rates.js';
import { account, groups, inventoryError, makeOrg, makeRequest, makeScope, observeAll } from './plan.fixtures.js';

const A = '222222222222';
const B = '333333333333';
const R1 = 'us-east-2';
const R2 = 'us-east-1';
const PARAMETERS = ['AutomationAssumeRole', 'Operation', 'RebootOption', 'SnapshotId'];

const goodDocument: DocumentObservation = {
  kind: 'found',
  name: 'OrgPatch-RunPatchBaseline',
  version: '1',
  status: 'Active',
  contentSha256: AUTOMATION_DOCUMENT_SHA256,
  parameters: [...PARAMETERS, 'InstanceIds', 'InstallOverrideList'],
};

/** A world of two accounts in two Regions, every target instance online, unless overridden. */
function input(
  options: {
    request?: PatchRequest;
    observations?: Record<string, InventoryObservation>;
    documents?: Record<string, DocumentObservation>;
    roles?: Record<string, RoleObservation>;
    nodes?: Record<string, NodesObservation>;
  } = {},
): PreflightInput {
  const request = options.request ?? makeRequest({ organization: makeScope() });
  const observations = observeAll([A, B], request.regions, options.observations);
  const plan = buildPlan({ request, organization: makeOrg([account(A), account(B)]), observations });
  const documents = new Map<string, DocumentObservation>();
  const nodes = new Map<string, NodesObservation>();
  for (const l of plan.locations.filter(preflightReached)) {
    const key = `${l.accountId}/${l.region}`;
    documents.set(key, options.documents?.[key] ?? goodDocument);
    const ids = l.groups.flatMap((g) => g.instanceIds);
    nodes.set(key, options.nodes?.[key] ?? { kind: 'nodes', pingStatus: new Map(ids.map((id) => [id, 'Online'])) });
  }
  const roles = new Map<string, RoleObservation>();
  for (const id of [A, B]) roles.set(id, options.roles?.[id] ?? { kind: 'found', arn: `role-of-${id}` });
  return { request, plan, documents, roles, nodes, documentParameters: PARAMETERS };
}

describe('evaluatePreflight', () => {
  it('passes a clean Organization with every check counted', () => {
    const report = evaluatePreflight(input());
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    // Per location: region, document, groups exist, group members, nodes (5 x 4); per account: execution and automation roles (2 x 2).
    expect(report.counts).toEqual({ passed: 24, errors: 0, warnings: 0, locations: 4, notChecked: 0 });
  });

  it('reports an execution role that cannot be assumed once per account, as an error', () => {
    const denied = inventoryError('member-stack-missing', 'AccessDenied', 'Cannot assume the role');
    const report = evaluatePreflight(input({ observations: { [`${A}/${R1}`]: denied, [`${A}/${R2}`]: denied } }));
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ accountId: A, check: 'execution-role', severity: 'error' });
    expect(report.problems[0]?.region).toBeUndefined();
    expect(report.problems[0]?.fix).toMatch(/^Deploy the orgpatch member StackSets to account 222222222222/);
    expect(report.ok).toBe(false);
  });

  it('makes an unreachable account a warning when SkipUnreachable names the reason', () => {
    const denied = inventoryError('member-stack-missing', 'AccessDenied', 'Cannot assume the role');
    const request = makeRequest({ organization: makeScope({ skipUnreachable: ['member-stack-missing'] }) });
    const report = evaluatePreflight(
      input({ request, observations: { [`${A}/${R1}`]: denied, [`${A}/${R2}`]: denied } }),
    );
    expect(report.problems.map((p) => [p.check, p.severity])).toEqual([['execution-role', 'warning']]);
    expect(report.ok).toBe(true);
  });

  it('warns about a Region that is not enabled: a run skips it', () => {
    const off = inventoryError('region-not-enabled', 'UnrecognizedClientException', 'token invalid');
    const report = evaluatePreflight(input({ observations: { [`${B}/${R2}`]: off } }));
    expect(report.problems).toEqual([
      expect.objectContaining({ accountId: B, region: R2, check: 'region', severity: 'warning' }),
    ]);
    expect(report.problems[0]?.fix).toContain('Enable the opt-in Region us-east-1 for account 333333333333');
    expect(report.ok).toBe(true);
  });

  it('fails a missing document where a run would start, and only warns where it would skip', () => {
    const missing: DocumentObservation = { kind: 'missing', code: 'InvalidDocument', message: 'no such document' };
    const empty = groups({ WebServers: [], DbServers: [] });
    const report = evaluatePreflight(
      input({
        observations: { [`${B}/${R2}`]: empty },
        documents: { [`${A}/${R1}`]: missing, [`${B}/${R2}`]: missing },
      }),
    );
    expect(report.problems.map((p) => [p.accountId, p.region, p.check, p.severity])).toEqual([
      [A, R1, 'automation-document', 'error'],
      [B, R2, 'automation-document', 'warning'],
    ]);
    expect(report.problems[0]?.fix).toBe(
      "Deploy the orgpatch Regional member stack to account 222222222222 in us-east-2 (add us-east-2 to the StackSet's stack instances).",
    );
  });

  it('warns about a stale runbook that takes every parameter, and fails one that lacks a parameter', () => {
    const stale: DocumentObservation = { ...goodDocument, version: '3', contentSha256: 'ab'.repeat(32) };
    const older: DocumentObservation = { ...stale, parameters: ['AutomationAssumeRole', 'Operation', 'InstanceIds'] };
    const report = evaluatePreflight(input({ documents: { [`${A}/${R1}`]: stale, [`${A}/${R2}`]: older } }));
    const [first, second] = report.problems;
    expect(first).toMatchObject({ region: R2, severity: 'error' });
    expect(first?.found).toContain('does not declare RebootOption, SnapshotId');
    expect(second).toMatchObject({ region: R1, severity: 'warning' });
    expect(second?.found).toBe(
      `Document OrgPatch-RunPatchBaseline version 3 has content SHA-256 abababababab, not this orgpatch's runbook (${AUTOMATION_DOCUMENT_SHA256.slice(0, 12)}); it declares every parameter a start passes`,
    );
  });

  it('fails a missing automation role, and warns when it could not be read', () => {
    const report = evaluatePreflight(
      input({
        roles: {
          [A]: { kind: 'missing', arn: 'arn-a', code: 'NoSuchEntity', message: 'not found' },
          [B]: { kind: 'error', arn: 'arn-b', error: 'access-denied', code: 'AccessDenied', message: 'no' },
        },
      }),
    );
    expect(report.problems.map((p) => [p.accountId, p.check, p.severity])).toEqual([
      [A, 'automation-role', 'error'],
      [B, 'automation-role', 'warning'],
    ]);
    expect(report.problems[1]?.fix).toContain('iam:GetRole');
  });

  it('fails a group that holds a volume besides instances, and warns about a missing group', () => {
    const mixed: InventoryObservation = {
      kind: 'groups',
      groups: [
        { name: 'WebServers', exists: true, instanceIds: ['i-1'], otherMembers: { 'AWS::EC2::Volume': 2 } },
        { name: 'DbServers', exists: false, instanceIds: [] },
      ],
    };
    const report = evaluatePreflight(input({ observations: { [`${A}/${R1}`]: mixed } }));
    expect(report.problems.map((p) => [p.check, p.severity])).toEqual([
      ['group-members', 'error'],
      ['target-groups', 'warning'],
    ]);
    expect(report.problems[0]?.found).toContain('"WebServers" holds 1 instance and 2 AWS::EC2::Volume');
  });

  it('weighs unmanaged and offline nodes against MaxErrors', () => {
    const three = groups({ WebServers: ['i-1', 'i-2', 'i-3'], DbServers: [] });
    const nodes = (ping: Record<string, string>): NodesObservation => ({
      kind: 'nodes',
      pingStatus: new Map(Object.entries(ping)),
    });
    const oneOffline = evaluatePreflight(
      input({
        observations: { [`${A}/${R1}`]: three },
        nodes: { [`${A}/${R1}`]: nodes({ 'i-1': 'Online', 'i-2': 'ConnectionLost', 'i-3': 'Online' }) },
      }),
    );
    expect(oneOffline.problems).toEqual([expect.objectContaining({ check: 'managed-nodes', severity: 'warning' })]);
    expect(oneOffline.problems[0]?.found).toBe(
      '1 managed node not online (i-2 ConnectionLost): their child automations fail; no more than MaxErrors "1" allows',
    );
    const twoBad = evaluatePreflight(
      input({
        observations: { [`${A}/${R1}`]: three },
        nodes: { [`${A}/${R1}`]: nodes({ 'i-1': 'Online', 'i-2': 'Inactive' }) },
      }),
    );
    expect(twoBad.problems[0]).toMatchObject({ check: 'managed-nodes', severity: 'error' });
    expect(twoBad.problems[0]?.found).toContain('1 instance not managed by SSM (i-3)');
    const lenient = makeRequest({ organization: makeScope(), maxErrors: parseRateValue('70%', 'MaxErrors') });
    const allowed = evaluatePreflight(
      input({
        request: lenient,
        observations: { [`${A}/${R1}`]: three },
        nodes: { [`${A}/${R1}`]: nodes({ 'i-1': 'Online', 'i-2': 'Inactive' }) },
      }),
    );
    expect(allowed.problems[0]?.severity).toBe('warning');
  });

  it('does not check accounts a run would not enter', () => {
    const request = makeRequest({ organization: makeScope({ excludeAccounts: [B] }) });
    const report = evaluatePreflight(input({ request }));
    expect(report.counts).toMatchObject({ locations: 2, notChecked: 2 });
    expect(report.problems).toEqual([]);
  });

  it('renders one row per problem in the column order', () => {
    const missing: DocumentObservation = { kind: 'missing', code: 'InvalidDocument', message: 'no' };
    const report = evaluatePreflight(
      input({
        documents: { [`${A}/${R1}`]: missing },
        roles: { [B]: { kind: 'missing', arn: 'arn-b', code: 'NoSuchEntity', message: 'no' } },
      }),
    );
    expect(PREFLIGHT_COLUMNS).toEqual(['Account', 'Region', 'Check', 'Severity', 'Found', 'Fix']);
    expect(preflightRows(report).map((r) => r.slice(0, 4))).toEqual([
      [A, R1, 'automation-document', 'error'],
      [B, 'all', 'automation-role', 'error'],
    ]);
  });
});

describe('canonicalJson', () => {
  it('writes the same text whatever the key order and spacing', () => {
    const a = JSON.parse('{"b": [1, {"d": 2, "c": 3}], "a": "x"}');
    const b = JSON.parse('{"a":"x","b":[1,{"c":3,"d":2}]}');
    expect(canonicalJson(a)).toBe('{"a":"x","b":[1,{"c":3,"d":2}]}');
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
  });
});
