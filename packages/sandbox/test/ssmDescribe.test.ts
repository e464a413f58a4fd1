import { AUTOMATION_DOCUMENT_NAME, TARGET_PARAMETER_NAME } from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { awsError, type Body, harness } from './ssmHarness.js';
import { ACCOUNT, account, instance, instanceId, REGION, region, runParameters, world } from './ssmWorld.js';

const MINUTE = 60_000;

function setup() {
  const ids = Array.from({ length: 10 }, (_, n) => instanceId(n + 1));
  const instances = ids.map((id, n) =>
    instance(id, {
      platform: n % 2 === 0 ? 'Linux' : 'Windows',
      managed: n < 8,
      patchState: {
        ...instance(id).patchState,
        ...(n === 7 ? { operation: undefined, operationStartTime: undefined, operationEndTime: undefined } : {}),
      },
    }),
  );
  const home = region(REGION, instances, { first: ids.slice(0, 5), second: ids.slice(5, 10) });
  const h = harness(world([account(ACCOUNT, [home])]));
  const start = async (group: string) =>
    (
      await h.call('StartAutomationExecution', {
        DocumentName: AUTOMATION_DOCUMENT_NAME,
        Parameters: runParameters('Scan'),
        TargetParameterName: TARGET_PARAMETER_NAME,
        Targets: [{ Key: 'ResourceGroup', Values: [group] }],
        MaxConcurrency: '100%',
        MaxErrors: '100%',
      })
    ).AutomationExecutionId as string;
  return { ...h, ids, start };
}

const list = (page: Body) => page.AutomationExecutionMetadataList as Body[];

describe('DescribeAutomationExecutions', () => {
  it('lists the children of a parent with ParentExecutionId, and a full last page carries a NextToken to an empty page', async () => {
    const t = setup();
    const first = await t.start('first');
    const second = await t.start('second');
    t.clock.advance(60 * MINUTE);
    const filters = [{ Key: 'ParentExecutionId', Values: [first] }];
    const page1 = await t.call('DescribeAutomationExecutions', { Filters: filters, MaxResults: 5 });
    expect(
      list(page1)
        .map((e) => e.Target)
        .sort(),
    ).toEqual(t.ids.slice(0, 5));
    expect(list(page1).every((e) => e.ParentAutomationExecutionId === first)).toBe(true);
    expect(page1.NextToken).toEqual(expect.any(String));
    const page2 = await t.call('DescribeAutomationExecutions', {
      Filters: filters,
      MaxResults: 5,
      NextToken: page1.NextToken,
    });
    expect(list(page2)).toEqual([]);
    expect(page2.NextToken).toBeUndefined();
    expect(await t.children(second)).toHaveLength(5);
  });

  it('examines MaxResults executions per page, so filtered pages can be empty and still carry a NextToken', async () => {
    const t = setup();
    const parent = await t.start('first');
    t.clock.advance(60 * MINUTE);
    const filters = [{ Key: 'ExecutionId', Values: [parent] }];
    const all = await t.call('DescribeAutomationExecutions', {
      Filters: [{ Key: 'ExecutionStatus', Values: ['Success'] }],
      MaxResults: 2,
    });
    expect(list(all)).toHaveLength(2);
    const pages: Body[][] = [];
    let token: string | undefined;
    do {
      const page = await t.call('DescribeAutomationExecutions', {
        Filters: [
          { Key: 'DocumentNamePrefix', Values: ['OrgPatch'] },
          { Key: 'ExecutionStatus', Values: ['Success'] },
        ],
        MaxResults: 2,
        ...(token ? { NextToken: token } : {}),
      });
      pages.push(list(page));
      token = page.NextToken as string | undefined;
    } while (token);
    expect(pages.flat().map((e) => e.AutomationExecutionId)).toContain(parent);
    expect(pages.flat()).toHaveLength(6);
    const onlyParent = await t.call('DescribeAutomationExecutions', { Filters: filters });
    expect(list(onlyParent)).toMatchObject([
      { AutomationExecutionId: parent, ResolvedTargets: { ParameterValues: t.ids.slice(0, 5) } },
    ]);
    const failedOnly = await t.call('DescribeAutomationExecutions', {
      Filters: [{ Key: 'ExecutionStatus', Values: ['Failed'] }],
      MaxResults: 3,
    });
    expect(list(failedOnly)).toEqual([]);
    expect(failedOnly.NextToken).toEqual(expect.any(String));
  });

  it('filters by start time and returns newest first', async () => {
    const t = setup();
    const early = await t.start('first');
    t.clock.advance(10 * MINUTE);
    const cut = new Date(t.clock.now()).toISOString();
    const late = await t.start('second');
    const after = await t.call('DescribeAutomationExecutions', {
      Filters: [
        { Key: 'StartTimeAfter', Values: [cut] },
        { Key: 'ExecutionId', Values: [early, late] },
      ],
    });
    expect(list(after).map((e) => e.AutomationExecutionId)).toEqual([late]);
    const before = await t.call('DescribeAutomationExecutions', {
      Filters: [{ Key: 'StartTimeBefore', Values: [cut] }],
    });
    expect(list(before).at(-1)?.AutomationExecutionId).toBe(early);
    const everything = await t.call('DescribeAutomationExecutions', {});
    expect(list(everything)[0]?.AutomationExecutionId).toBe(late);
  });

  it('rejects unknown filter keys, bad values, out-of-range MaxResults and foreign tokens', async () => {
    const t = setup();
    await t.start('first');
    await awsError(
      t.call('DescribeAutomationExecutions', { Filters: [{ Key: 'Bogus', Values: ['x'] }] }),
      'InvalidFilterKey',
    );
    await awsError(
      t.call('DescribeAutomationExecutions', { Filters: [{ Key: 'ExecutionStatus', Values: ['Done'] }] }),
      'InvalidFilterValue',
    );
    await awsError(
      t.call('DescribeAutomationExecutions', { Filters: [{ Key: 'StartTimeAfter', Values: ['yesterday'] }] }),
      'InvalidFilterValue',
    );
    expect(await awsError(t.call('DescribeAutomationExecutions', { MaxResults: 51 }), 'ValidationException')).toBe(
      "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50",
    );
    await awsError(t.call('DescribeAutomationExecutions', { MaxResults: 0 }), 'ValidationException');
    await awsError(t.call('DescribeAutomationExecutions', { NextToken: 'garbage' }), 'InvalidNextToken');
    const page = await t.call('DescribeAutomationExecutions', { MaxResults: 1 });
    await awsError(
      t.call('DescribeAutomationExecutions', {
        MaxResults: 1,
        NextToken: page.NextToken,
        Filters: [{ Key: 'ExecutionStatus', Values: ['Pending'] }],
      }),
      'InvalidNextToken',
    );
  });
});

describe('DescribeInstanceInformation', () => {
  it('lists managed nodes only, paged by MaxResults 5..50', async () => {
    const t = setup();
    const page1 = await t.call('DescribeInstanceInformation', { MaxResults: 5 });
    const page2 = await t.call('DescribeInstanceInformation', { MaxResults: 5, NextToken: page1.NextToken });
    const listed = [...(page1.InstanceInformationList as Body[]), ...(page2.InstanceInformationList as Body[])];
    expect(listed.map((i) => i.InstanceId)).toEqual(t.ids.slice(0, 8));
    expect(page2.NextToken).toBeUndefined();
    expect(listed[0]).toMatchObject({ PingStatus: 'Online', PlatformType: 'Linux', ResourceType: 'EC2Instance' });
    await awsError(t.call('DescribeInstanceInformation', { MaxResults: 4 }), 'ValidationException');
  });

  it('filters with Filters or the legacy list, not both', async () => {
    const t = setup();
    const windows = await t.call('DescribeInstanceInformation', {
      Filters: [{ Key: 'PlatformTypes', Values: ['Windows'] }],
      MaxResults: 50,
    });
    expect((windows.InstanceInformationList as Body[]).map((i) => i.InstanceId)).toEqual(
      [1, 3, 5, 7].map((n) => t.ids[n]),
    );
    const legacy = await t.call('DescribeInstanceInformation', {
      InstanceInformationFilterList: [{ key: 'InstanceIds', valueSet: [t.ids[0]] }],
    });
    expect(legacy.InstanceInformationList).toHaveLength(1);
    await awsError(
      t.call('DescribeInstanceInformation', { Filters: [{ Key: 'InstanceIds', Values: [t.ids[9]] }] }),
      'InvalidInstanceId',
    );
    await awsError(
      t.call('DescribeInstanceInformation', {
        Filters: [{ Key: 'PlatformTypes', Values: ['Linux'] }],
        InstanceInformationFilterList: [{ key: 'PlatformTypes', valueSet: ['Linux'] }],
      }),
      'InvalidInstanceInformationFilterValue',
    );
    await awsError(
      t.call('DescribeInstanceInformation', { Filters: [{ Key: 'Nope', Values: ['x'] }] }),
      'InvalidFilterKey',
    );
  });
});

describe('DescribeInstancePatchStates', () => {
  it('returns patch data of managed nodes that have it, leaving out the others', async () => {
    const t = setup();
    const result = await t.call('DescribeInstancePatchStates', { InstanceIds: [...t.ids, 'i-00000000000000fff'] });
    expect((result.InstancePatchStates as Body[]).map((s) => s.InstanceId)).toEqual(t.ids.slice(0, 7));
    expect((result.InstancePatchStates as Body[])[0]).toMatchObject({
      PatchGroup: '',
      BaselineId: 'pb-0123456789abcdef0',
      MissingCount: 3,
      InstalledCount: 10,
      Operation: 'Scan',
      OperationEndTime: Date.parse('2025-05-01T00:02:00Z') / 1000,
    });
    const paged = await t.call('DescribeInstancePatchStates', { InstanceIds: t.ids, MaxResults: 10 });
    expect(paged.NextToken).toBeUndefined();
  });

  it('enforces the instance id pattern and list bounds', async () => {
    const t = setup();
    await awsError(t.call('DescribeInstancePatchStates', { InstanceIds: ['web-1'] }), 'ValidationException');
    await awsError(
      t.call('DescribeInstancePatchStates', { InstanceIds: Array.from({ length: 51 }, (_, n) => instanceId(n + 1)) }),
      'ValidationException',
    );
    await awsError(t.call('DescribeInstancePatchStates', { InstanceIds: t.ids, MaxResults: 9 }), 'ValidationException');
    await awsError(t.call('DescribeInstancePatchStates', {}), 'ValidationException');
  });
});
