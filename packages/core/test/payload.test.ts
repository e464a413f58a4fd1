import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PayloadValidationError, type ValidationIssue } from '../src/errors.js';
import { parsePayload, parsePayloadJson, safeParsePayload, safeParsePayloadJson } from '../src/payload.js';
import { formatPath } from '../src/payloadIssues.js';
import { toPayload } from '../src/payloadSerialize.js';
import type { PatchRequest } from '../src/request.js';
import { checkTaskPayloadSize, MAINTENANCE_WINDOW_TASK_PAYLOAD_LIMIT } from '../src/taskPayload.js';

const examples = new URL('../../../examples/', import.meta.url);
const blogText = readFileSync(new URL('payload.json', examples), 'utf8');
const orgText = readFileSync(new URL('payload.org.json', examples), 'utf8');

type Json = Record<string, unknown>;
const blog = (): Json => JSON.parse(blogText) as Json;
const org = (): Json => JSON.parse(orgText) as Json;

function issuesOf(input: unknown): ValidationIssue[] {
  const result = safeParsePayload(input);
  if (result.ok) throw new Error(`expected the payload to be rejected: ${JSON.stringify(input)}`);
  return result.issues;
}

describe('parsePayload: the blog payload', () => {
  it('parses exactly as written, pseudo-parameters included', () => {
    const expected: PatchRequest = {
      document: { name: 'CustomAutomationDocument', version: '1' },
      operation: 'Scan',
      rebootOption: 'RebootIfNeeded',
      automationAssumeRole: { kind: 'fixed', arn: 'arn:aws:iam::111122223333:role/AutomationRole' },
      targetParameterName: 'InstanceIds',
      targets: [{ key: 'ResourceGroup', values: ['WebServers'] }],
      resourceGroups: ['WebServers'],
      maxConcurrency: { kind: 'absolute', value: 10, raw: '10' },
      maxErrors: { kind: 'absolute', value: 1, raw: '1' },
      regions: ['us-east-2', 'us-east-1'],
      dryRun: false,
      concurrency: { global: 32, perAccount: 4 },
    };
    const request = parsePayloadJson(blogText);
    expect(request).toStrictEqual(expected);
    expect(request.windowId).toBeUndefined();
    expect(request.taskExecutionId).toBeUndefined();
    expect(request.organization).toBeUndefined();
  });

  it('keeps the window and task execution ids once the maintenance window has filled them in', () => {
    const payload = {
      ...blog(),
      WindowId: 'mw-0123456789abcdef0',
      TaskExecutionId: '3c7b1c2e-0f7d-4d7c-9a53-7a3b3c6f1e10',
    };
    const request = parsePayload(payload);
    expect(request.windowId).toBe('mw-0123456789abcdef0');
    expect(request.taskExecutionId).toBe('3c7b1c2e-0f7d-4d7c-9a53-7a3b3c6f1e10');
  });

  it('yields plain data that survives JSON and freezing', () => {
    const request = parsePayloadJson(orgText);
    expect(JSON.parse(JSON.stringify(request))).toStrictEqual(request);
    const frozen = structuredClone(request);
    deepFreeze(frozen);
    expect(frozen).toStrictEqual(request);
  });
});

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

describe('parsePayload: the Organization example', () => {
  it('validates, with two waves in order and the member defaults', () => {
    const request = parsePayloadJson(orgText);
    expect(request.document).toEqual({ name: 'OrgPatch-RunPatchBaseline', version: '$DEFAULT' });
    expect(request.operation).toBe('Install');
    expect(request.rebootOption).toBe('NoReboot');
    expect(request.automationAssumeRole).toEqual({ kind: 'member-default' });
    expect(request.regions).toEqual(['us-east-1', 'eu-west-1', 'ap-southeast-2', 'af-south-1']);
    expect(request.organization?.waves.map((w) => [w.name, w.targetOus, w.errorThreshold.raw])).toEqual([
      ['non-prod', ['ou-k7q2-d3v0u001', 'ou-k7q2-st4g1ng1'], '0'],
      ['prod', ['ou-k7q2-pr0d0u01'], '10%'],
    ]);
    expect(request.organization?.targetOus).toEqual(['ou-k7q2-d3v0u001', 'ou-k7q2-st4g1ng1', 'ou-k7q2-pr0d0u01']);
    expect(request.organization?.excludeAccounts).toEqual(['330000000003']);
    expect(request.organization?.errorBudget).toEqual({ kind: 'percent', value: 10, raw: '10%' });
    expect(request.organization?.executionRoleName).toBe('OrgPatchExecutionRole');
    expect(checkTaskPayloadSize(orgText)).toBeUndefined();
  });

  it('fills every default of a minimal Organization payload', () => {
    const request = parsePayload({
      Targets: [{ Key: 'ResourceGroup', Values: ['WebServers', 'DbServers', 'WebServers'] }],
      Regions: ['eu-west-1', 'eu-west-1', 'eu-central-1'],
      Organization: { TargetOus: ['r-ab12'] },
    });
    expect(request).toStrictEqual({
      document: { name: 'OrgPatch-RunPatchBaseline', version: '$DEFAULT' },
      operation: 'Scan',
      rebootOption: 'RebootIfNeeded',
      automationAssumeRole: { kind: 'member-default' },
      targetParameterName: 'InstanceIds',
      targets: [{ key: 'ResourceGroup', values: ['WebServers', 'DbServers', 'WebServers'] }],
      resourceGroups: ['WebServers', 'DbServers'],
      maxConcurrency: { kind: 'absolute', value: 10, raw: '10' },
      maxErrors: { kind: 'absolute', value: 0, raw: '0' },
      regions: ['eu-west-1', 'eu-central-1'],
      organization: {
        targetOus: ['r-ab12'],
        accounts: [],
        excludeAccounts: [],
        includeManagementAccount: false,
        executionRoleName: 'OrgPatchExecutionRole',
        waves: [],
      },
      dryRun: false,
      concurrency: { global: 32, perAccount: 4 },
    } satisfies PatchRequest);
  });

  it('reads an AutomationAssumeRole template, normalizing {{ACCOUNT_ID}} to {{AccountId}}', () => {
    const withRole = (role: string) => {
      const p = org();
      (p.Document as Json).Parameters = { AutomationAssumeRole: [role] };
      return parsePayload(p).automationAssumeRole;
    };
    expect(withRole('arn:aws:iam::{{AccountId}}:role/Patch')).toEqual({
      kind: 'template',
      template: 'arn:aws:iam::{{AccountId}}:role/Patch',
    });
    expect(withRole('arn:{{Partition}}:iam::{{ACCOUNT_ID}}:role/ops/Patch')).toEqual({
      kind: 'template',
      template: 'arn:{{Partition}}:iam::{{AccountId}}:role/ops/Patch',
    });
  });

  it('accepts a fixed role ARN when the Organization part names only that account', () => {
    const request = parsePayload({
      ...blog(),
      Organization: { Accounts: ['111122223333'] },
    });
    expect(request.automationAssumeRole).toEqual({
      kind: 'fixed',
      arn: 'arn:aws:iam::111122223333:role/AutomationRole',
    });
  });

  it('treats an unresolved SnapshotId pseudo-parameter as absent and keeps a GUID', () => {
    const p = blog();
    const params = (p.Document as Json).Parameters as Json;
    params.SnapshotId = ['{{WINDOW_EXECUTION_ID}}'];
    expect(parsePayload(p).snapshotId).toBeUndefined();
    params.SnapshotId = ['0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'];
    params.InstallOverrideList = ['s3://patch-lists/linux.yaml'];
    expect(parsePayload(p)).toMatchObject({
      snapshotId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      installOverrideList: 's3://patch-lists/linux.yaml',
    });
  });
});

type Mutation = (p: Json) => void;
const doc = (p: Json): Json => p.Document as Json;
const params = (p: Json): Json => doc(p).Parameters as Json;
const orgPart = (p: Json): Json => p.Organization as Json;
const waves = (p: Json): Json[] => orgPart(p).Waves as Json[];

/** [name, base payload, mutation, expected path, message pattern, hint fragment]. */
const BAD: [string, () => Json, Mutation, string, RegExp, string | undefined][] = [
  [
    'unknown Region',
    blog,
    (p) => {
      p.Regions = ['us-est-1'];
    },
    'Regions[0]',
    /Unknown Region "us-est-1"/,
    'did you mean "us-east-1"?',
  ],
  [
    'Region in capitals',
    blog,
    (p) => {
      p.Regions = ['US-EAST-1'];
    },
    'Regions[0]',
    /Unknown Region/,
    'use "us-east-1"',
  ],
  [
    'Operation in lower case',
    blog,
    (p) => {
      params(p).Operation = ['install'];
    },
    'Document.Parameters.Operation[0]',
    /Operation "install" is not one of "Scan", "Install"/,
    'use "Install"',
  ],
  [
    'RebootOption misspelt',
    blog,
    (p) => {
      params(p).RebootOption = ['NoRebot'];
    },
    'Document.Parameters.RebootOption[0]',
    /RebootOption "NoRebot"/,
    'did you mean "NoReboot"?',
  ],
  [
    'MaxConcurrency "0"',
    blog,
    (p) => {
      p.MaxConcurrency = '0';
    },
    'MaxConcurrency',
    /MaxConcurrency "0".*at least 1/,
    '"1"',
  ],
  [
    'MaxConcurrency "101%"',
    blog,
    (p) => {
      p.MaxConcurrency = '101%';
    },
    'MaxConcurrency',
    /at most 100%/,
    '"100%"',
  ],
  [
    'MaxErrors negative',
    blog,
    (p) => {
      p.MaxErrors = '-1';
    },
    'MaxErrors',
    /MaxErrors "-1"/,
    'percentage',
  ],
  [
    'MaxConcurrency as a number',
    blog,
    (p) => {
      p.MaxConcurrency = 10;
    },
    'MaxConcurrency',
    /must be a string, not number 10/,
    'write it in quotes: "10"',
  ],
  [
    'mixed partitions',
    blog,
    (p) => {
      p.Regions = ['us-east-1', 'cn-north-1'];
    },
    'Regions',
    /more than one partition \(aws: us-east-1; aws-cn: cn-north-1\)/,
    'one per partition',
  ],
  [
    'empty Regions',
    blog,
    (p) => {
      p.Regions = [];
    },
    'Regions',
    /Regions is empty/,
    '["us-east-1"]',
  ],
  [
    'Regions as a string',
    blog,
    (p) => {
      p.Regions = 'us-east-1';
    },
    'Regions',
    /must be a list/,
    '["us-east-1"]',
  ],
  [
    'missing Regions',
    blog,
    (p) => {
      delete p.Regions;
    },
    'Regions',
    /Regions is required/,
    '"Regions": ["us-east-1"]',
  ],
  [
    'unknown top-level key',
    blog,
    (p) => {
      p.Region = ['us-east-1'];
    },
    'Region',
    /Unknown key "Region"/,
    'did you mean "Regions"?',
  ],
  [
    'unknown document parameter',
    blog,
    (p) => {
      params(p).RebootOptions = ['NoReboot'];
    },
    'Document.Parameters.RebootOptions',
    /Unknown key/,
    'did you mean "RebootOption"?',
  ],
  [
    'Operation not a list',
    blog,
    (p) => {
      params(p).Operation = 'Scan';
    },
    'Document.Parameters.Operation',
    /must be a list/,
    '["Scan"]',
  ],
  [
    'two Operation values',
    blog,
    (p) => {
      params(p).Operation = ['Scan', 'Install'];
    },
    'Document.Parameters.Operation',
    /exactly one value, got 2/,
    '["Scan"]',
  ],
  [
    'target key other than ResourceGroup',
    blog,
    (p) => {
      p.Targets = [{ Key: 'InstanceIds', Values: ['*'] }];
    },
    'Targets[0].Key',
    /orgpatch targets resource groups or one tag/,
    '"ResourceGroup"',
  ],
  [
    'Run Command target key',
    blog,
    (p) => {
      p.Targets = [{ Key: 'resource-groups:Name', Values: ['Web'] }];
    },
    'Targets[0].Key',
    /Run Command form/,
    '"ResourceGroup"',
  ],
  [
    'reserved group name',
    blog,
    (p) => {
      p.Targets = [{ Key: 'ResourceGroup', Values: ['AWSWeb'] }];
    },
    'Targets[0].Values[0]',
    /AWS reserves/,
    undefined,
  ],
  [
    'six Targets',
    blog,
    (p) => {
      p.Targets = Array.from({ length: 6 }, () => ({ Key: 'ResourceGroup', Values: ['Web'] }));
    },
    'Targets',
    /at most 5/,
    'Values',
  ],
  [
    'role ARN malformed',
    blog,
    (p) => {
      params(p).AutomationAssumeRole = ['arn:aws:iam::1234:role/x'];
    },
    'Document.Parameters.AutomationAssumeRole[0]',
    /not an IAM role ARN/,
    '{{AccountId}}',
  ],
  [
    'role ARN in another partition',
    blog,
    (p) => {
      params(p).AutomationAssumeRole = ['arn:aws-cn:iam::111122223333:role/R'];
    },
    'Document.Parameters.AutomationAssumeRole[0]',
    /partition aws-cn, but the Regions are in aws/,
    'arn:{{Partition}}',
  ],
  [
    'role template with an unknown placeholder',
    org,
    (p) => {
      doc(p).Parameters = { AutomationAssumeRole: ['arn:aws:iam::{{AccountId}}:role/{{Name}}'] };
    },
    'Document.Parameters.AutomationAssumeRole[0]',
    /unknown placeholder \{\{Name\}\}/,
    '{{AccountId}}',
  ],
  [
    'fixed role for a whole Organization',
    blog,
    (p) => {
      p.Organization = { TargetOus: ['r-ab12'] };
    },
    'Document.Parameters.AutomationAssumeRole[0]',
    /role of account 111122223333, but the Organization part also targets OU r-ab12/,
    'arn:{{Partition}}:iam::{{AccountId}}:role/AutomationRole',
  ],
  [
    'Document missing without Organization',
    blog,
    (p) => {
      delete p.Document;
    },
    'Document',
    /Document.Name is required when there is no Organization part/,
    'Organization',
  ],
  [
    'bad document version',
    blog,
    (p) => {
      doc(p).Version = '$default';
    },
    'Document.Version',
    /not valid/,
    'use "$DEFAULT"',
  ],
  [
    'WindowId unresolved with the wrong pseudo-parameter',
    blog,
    (p) => {
      p.WindowId = '{{WINDOW_EXECUTION_ID}}';
    },
    'WindowId',
    /fills with something else/,
    'use "{{WINDOW_ID}}"',
  ],
  [
    'WindowId malformed',
    blog,
    (p) => {
      p.WindowId = 'mw-123';
    },
    'WindowId',
    /neither \{\{WINDOW_ID\}\} nor a window id/,
    '{{WINDOW_ID}}',
  ],
  [
    'excluded and listed account',
    org,
    (p) => {
      waves(p)[0]!.Accounts = ['330000000003'];
    },
    'Organization.ExcludeAccounts[0]',
    /330000000003 is both excluded and listed in wave "non-prod"/,
    'remove it',
  ],
  [
    'bad OU id',
    org,
    (p) => {
      waves(p)[1]!.TargetOus = ['ou-prod'];
    },
    'Organization.Waves[1].TargetOus[0]',
    /"ou-prod" is not an OU id or root id/,
    'ou-ab12-34cd56ef',
  ],
  [
    'account id in TargetOus',
    org,
    (p) => {
      orgPart(p).TargetOus = ['111122223333'];
    },
    'Organization.TargetOus[0]',
    /is an account id/,
    'Accounts',
  ],
  [
    'account id that lost its leading zero',
    org,
    (p) => {
      orgPart(p).Accounts = ['12345678901'];
    },
    'Organization.Accounts[0]',
    /has 11 digits, not 12/,
    'starts with 0',
  ],
  [
    'account id as a number',
    org,
    (p) => {
      orgPart(p).Accounts = [111122223333];
    },
    'Organization.Accounts[0]',
    /must be a string/,
    'write it in quotes: "111122223333"',
  ],
  [
    'duplicate wave names',
    org,
    (p) => {
      waves(p)[1]!.Name = 'NON-PROD';
    },
    'Organization.Waves[1].Name',
    /repeats "non-prod"/,
    'its own name',
  ],
  [
    'wave named default',
    org,
    (p) => {
      waves(p)[1]!.Name = 'default';
    },
    'Organization.Waves[1].Name',
    /reserved/,
    'another name',
  ],
  [
    'empty wave',
    org,
    (p) => {
      waves(p)[0] = { Name: 'dev' };
    },
    'Organization.Waves[0]',
    /Wave "dev" names no OUs or accounts/,
    'add TargetOus',
  ],
  [
    'OU in two waves',
    org,
    (p) => {
      waves(p)[1]!.TargetOus = ['ou-k7q2-d3v0u001'];
    },
    'Organization.Waves[1].TargetOus[0]',
    /in wave "non-prod" and in wave "prod"/,
    'one wave',
  ],
  [
    'wave without a name',
    org,
    (p) => {
      delete waves(p)[0]!.Name;
    },
    'Organization.Waves[0].Name',
    /is required/,
    '"Name": "dev"',
  ],
  [
    'bad wave ErrorThreshold',
    org,
    (p) => {
      waves(p)[0]!.ErrorThreshold = '5.5%';
    },
    'Organization.Waves[0].ErrorThreshold',
    /ErrorThreshold "5.5%".*decimals/,
    'whole number',
  ],
  [
    'Organization naming nothing',
    org,
    (p) => {
      p.Organization = { IncludeManagementAccount: true };
    },
    'Organization',
    /names no OUs or accounts/,
    'r-ab12',
  ],
  [
    'ExecutionRoleName as an ARN',
    org,
    (p) => {
      orgPart(p).ExecutionRoleName = 'arn:aws:iam::111122223333:role/X';
    },
    'Organization.ExecutionRoleName',
    /not an IAM role name/,
    'OrgPatchExecutionRole',
  ],
  [
    'unknown Organization key',
    org,
    (p) => {
      orgPart(p).ExcludedAccounts = [];
    },
    'Organization.ExcludedAccounts',
    /Unknown key/,
    'did you mean "ExcludeAccounts"?',
  ],
  [
    'Concurrency out of bounds',
    org,
    (p) => {
      p.Concurrency = { Global: 300, PerAccount: 0 };
    },
    'Concurrency.Global',
    /300 is not a whole number from 1 to 256/,
    'default is 32',
  ],
  [
    'PerAccount above Global',
    org,
    (p) => {
      p.Concurrency = { Global: 2, PerAccount: 4 };
    },
    'Concurrency.PerAccount',
    /more than Concurrency.Global 2/,
    'at most Global',
  ],
  [
    'DryRun as a string',
    org,
    (p) => {
      p.DryRun = 'true';
    },
    'DryRun',
    /must be true or false/,
    'without quotes',
  ],
  [
    'null where a value belongs',
    org,
    (p) => {
      p.MaxErrors = null;
    },
    'MaxErrors',
    /not null/,
    'remove the key',
  ],
];

describe('parsePayload: bad payloads', () => {
  it.each(BAD)('rejects %s', (_name, base, mutate, path, message, hint) => {
    const payload = base();
    mutate(payload);
    const issues = issuesOf(payload);
    const found = issues.find((i) => i.path === path && message.test(i.message));
    expect(found, `issues were ${JSON.stringify(issues, null, 1)}`).toBeDefined();
    if (hint !== undefined) expect(found?.hint).toContain(hint);
  });

  it('reports every problem at once', () => {
    const payload = blog();
    payload.Regions = ['us-est-1', 'eu-west-1'];
    payload.MaxConcurrency = '0';
    payload.Region = 'x';
    params(payload).Operation = ['install'];
    payload.Targets = 'WebServers';
    const paths = issuesOf(payload).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['Regions[0]', 'MaxConcurrency', 'Region', 'Document.Parameters.Operation[0]', 'Targets']),
    );
    expect(paths).toHaveLength(5);
  });

  it('throws PayloadValidationError carrying every issue and naming them in its message', () => {
    const payload = blog();
    payload.Regions = ['us-est-1'];
    payload.MaxErrors = '101%';
    let thrown: unknown;
    try {
      parsePayload(payload);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PayloadValidationError);
    const e = thrown as PayloadValidationError;
    expect(e.issues.map((i) => i.path)).toEqual(['MaxErrors', 'Regions[0]']);
    expect(e.message).toContain('2 problems');
    expect(e.message).toContain('- Regions[0]: Unknown Region "us-est-1" (did you mean "us-east-1"?)');
  });

  it('rejects something that is not an object', () => {
    for (const input of [null, 'payload', [], 42]) {
      const issues = issuesOf(input);
      expect(issues).toHaveLength(1);
      expect(issues[0]?.path).toBe('');
      expect(issues[0]?.message).toMatch(/^The payload must be an object/);
    }
  });
});

describe('parsePayloadJson', () => {
  it('turns a JSON syntax error into one issue that names the line and column', () => {
    const result = safeParsePayloadJson('{\n  "Regions": ["us-east-1"],\n}\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      {
        path: '',
        message: 'The payload is not valid JSON: expected a double-quoted property name, found "}" at line 3, column 1',
        hint: 'check line 3, column 1: JSON allows no comma before } or ]',
      },
    ]);
  });

  it('locates other syntax errors', () => {
    const at = (text: string) => {
      const r = safeParsePayloadJson(text);
      return r.ok ? undefined : r.issues[0]?.hint;
    };
    expect(at('{"Regions": ["us-east-1" "us-east-2"]}')).toBe('check line 1, column 26');
    expect(at('{"Regions": [\n  "us-east-1",\n]}')).toBe('check line 3, column 1: JSON allows no comma before } or ]');
    expect(at('{"Regions": ')).toBe('check line 1, column 13');
    expect(at("{'Regions': []}")).toBe('check line 1, column 2');
    expect(at('{} x')).toBe('check line 1, column 4');
  });

  it('throws PayloadValidationError with the SyntaxError as cause', () => {
    let thrown: unknown;
    try {
      parsePayloadJson('{"a": }');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PayloadValidationError);
    expect((thrown as Error).cause).toBeInstanceOf(SyntaxError);
    expect((thrown as PayloadValidationError).issues[0]?.hint).toBe('check line 1, column 7');
  });

  it('ignores a byte-order mark', () => {
    expect(parsePayloadJson(`\uFEFF${blogText}`)).toStrictEqual(parsePayloadJson(blogText));
  });
});

describe('checkTaskPayloadSize', () => {
  const padded = (size: number): string => {
    const base = JSON.stringify(blog());
    return `${base.slice(0, -1)},"Pad":"${'x'.repeat(size - base.length - 9)}"}`;
  };

  it('accepts 3072 bytes, whose Base64 is 4096 characters, and rejects 3073 bytes, naming the limit and why', () => {
    expect(MAINTENANCE_WINDOW_TASK_PAYLOAD_LIMIT).toBe(3072);
    expect(padded(3072)).toHaveLength(3072);
    expect(Buffer.from(padded(3072)).toString('base64')).toHaveLength(4096);
    expect(Buffer.from(padded(3073)).toString('base64')).toHaveLength(4100);
    expect(checkTaskPayloadSize(padded(MAINTENANCE_WINDOW_TASK_PAYLOAD_LIMIT))).toBeUndefined();
    const issue = checkTaskPayloadSize(padded(3073));
    expect(issue?.message).toBe(
      'The payload is 3073 bytes, 4100 characters Base64-encoded; a maintenance-window Lambda task payload holds at most 3072 bytes: ' +
        'CloudFormation takes it Base64-encoded in at most 4096 characters (AWS::SSM::MaintenanceWindowTask Payload), ' +
        "stricter than the 4096 bytes SSM's API allows before encoding",
    );
    expect(issue?.hint).toContain('name OUs rather than long account lists');
  });

  it('refuses a payload SSM would take but CloudFormation might not: 4096 bytes decoded', () => {
    expect(checkTaskPayloadSize(padded(4096))?.message).toMatch(
      /^The payload is 4096 bytes, 5464 characters Base64-encoded;/,
    );
  });

  it('counts UTF-8 bytes, as SSM does for the payload blob', () => {
    expect(checkTaskPayloadSize('é'.repeat(1536))).toBeUndefined();
    expect(checkTaskPayloadSize('é'.repeat(1537))?.message).toContain('3074 bytes (1537 characters), 4100 characters');
  });
});

describe('toPayload', () => {
  it('writes a request back as a payload that parses to the same request', () => {
    for (const text of [blogText, orgText]) {
      const request = parsePayloadJson(text);
      expect(parsePayload(toPayload(request))).toStrictEqual(request);
    }
  });
});

describe('formatPath', () => {
  it('writes paths as people read them', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath(['Document', 'Parameters', 'Operation', 0])).toBe('Document.Parameters.Operation[0]');
    expect(formatPath(['Targets', 1, 'Values', 2])).toBe('Targets[1].Values[2]');
    expect(formatPath(['Odd key'])).toBe('["Odd key"]');
  });
});
