import { describe, expect, it } from 'vitest';
import { parsePayloadJson } from '../src/payload.js';
import { buildTaskPayload, type TaskPayloadInput } from '../src/taskPayload.js';

const input: TaskPayloadInput = {
  targetOus: ['ou-ab12-prodprd1'],
  regions: ['us-east-1', 'eu-west-1'],
  resourceGroups: ['WebServers'],
};

/** The issues of an input core refuses. */
function issuesOf(given: TaskPayloadInput) {
  const result = buildTaskPayload(given);
  if (result.ok) throw new Error(`expected the input to be refused: ${JSON.stringify(given)}`);
  return result.issues;
}

describe('buildTaskPayload', () => {
  it("writes the blog's shape plus the Organization part, pseudo-parameters left for the window", () => {
    const result = buildTaskPayload({
      ...input,
      operation: 'Install',
      rebootOption: 'NoReboot',
      maxConcurrency: '10',
      maxErrors: '1',
      includeManagementAccount: false,
      excludeAccounts: ['222222222222'],
      waves: [{ name: 'dev', targetOus: ['ou-ab12-devdev01'], errorThreshold: '5%' }],
      errorBudget: '2',
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.text).toBe(
      '{"WindowId":"{{WINDOW_ID}}","TaskExecutionId":"{{TASK_EXECUTION_ID}}",' +
        '"Document":{"Name":"OrgPatch-RunPatchBaseline","Version":"$DEFAULT","Parameters":{"Operation":["Install"],"RebootOption":["NoReboot"]}},' +
        '"TargetParameterName":"InstanceIds","Targets":[{"Key":"ResourceGroup","Values":["WebServers"]}],' +
        '"MaxConcurrency":"10","MaxErrors":"1","Regions":["us-east-1","eu-west-1"],' +
        '"Organization":{"TargetOus":["ou-ab12-prodprd1"],"ExcludeAccounts":["222222222222"],"IncludeManagementAccount":false,' +
        '"Waves":[{"Name":"dev","TargetOus":["ou-ab12-devdev01"],"ErrorThreshold":"5%"}],"ErrorBudget":"2"}}',
    );
    expect(result.request).toStrictEqual(parsePayloadJson(result.text));
    expect(result.request.organization?.targetOus).toEqual(['ou-ab12-prodprd1', 'ou-ab12-devdev01']);
  });

  it('leaves out what the input leaves out, so the payload defaults apply', () => {
    const result = buildTaskPayload(input);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(JSON.parse(result.text)).not.toHaveProperty('MaxErrors');
    expect(result.request.operation).toBe('Scan');
    expect(result.request.maxErrors.raw).toBe('0');
    expect(result.request.organization?.includeManagementAccount).toBe(false);
  });

  it('splits more than 50 resource groups over targets of 50 each', () => {
    const resourceGroups = Array.from({ length: 120 }, (_, i) => `g${i}`);
    const result = buildTaskPayload({ ...input, resourceGroups });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.request.targets.map((t) => t.values.length)).toEqual([50, 50, 20]);
    expect(result.request.resourceGroups).toEqual(resourceGroups);
  });

  it('reports every problem at its payload path', () => {
    expect(issuesOf({ ...input, regions: ['us-esat-1'], maxErrors: 'x' }).map((i) => i.path)).toEqual([
      'MaxErrors',
      'Regions[0]',
    ]);
    expect(issuesOf({ ...input, resourceGroups: [] })).toEqual([
      {
        path: 'Targets[0].Values',
        message: 'Values is empty',
        hint: 'name at least one resource group, e.g. ["WebServers"]',
      },
    ]);
    expect(issuesOf({ ...input, waves: [{ name: 'default', accounts: ['111122223333'] }] })[0]?.path).toBe(
      'Organization.Waves[0].Name',
    );
  });

  it('reports a payload over the task limit at the root path, after it reads well', () => {
    const resourceGroups = Array.from({ length: 100 }, (_, i) => `group-${i}-${'x'.repeat(40)}`);
    const [issue, ...others] = issuesOf({ ...input, resourceGroups });
    expect(others).toEqual([]);
    expect(issue?.path).toBe('');
    expect(issue?.message).toMatch(
      /^The payload is \d+ bytes, \d+ characters Base64-encoded; a maintenance-window Lambda task payload holds at most 3072 bytes: CloudFormation takes it Base64-encoded in at most 4096 characters/,
    );
  });

  it('refuses a payload whose Base64 form would be over 4,096 characters though its JSON is under 4,096 bytes', () => {
    const resourceGroups = Array.from(
      { length: 60 },
      (_, i) => `group-${String(i).padStart(2, '0')}-${'x'.repeat(40)}`,
    );
    const [issue] = issuesOf({ ...input, resourceGroups });
    expect(issue?.path).toBe('');
    const bytes = Number(/^The payload is (\d+) bytes/.exec(issue?.message ?? '')?.[1]);
    expect(bytes).toBeGreaterThan(3072);
    expect(bytes).toBeLessThan(4096);
    expect(issue?.message).toContain(`${Math.ceil(bytes / 3) * 4} characters Base64-encoded`);
  });
});
