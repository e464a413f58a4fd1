import {
  CloudWatchClient,
  CloudWatchServiceException,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandInput,
  InvalidNextToken,
  InvalidParameterCombinationException,
  paginateDescribeAlarms,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox, WorldFile } from '../src/index.js';
import { memberCredentials, startTestSandbox, TEST_WORLD } from './helpers.js';

const START = Date.parse('2026-03-10T08:00:00Z');
const MINUTE = 60_000;
const MANAGEMENT = '111111111111';

/** The test world with alarms in the management account's home Region (us-east-1) and one member. */
function alarmWorld(): WorldFile {
  const world = structuredClone(TEST_WORLD);
  const management = world.accounts.find((a) => a.id === MANAGEMENT);
  const member = world.accounts.find((a) => a.id === '222222222222');
  if (!management || !member) throw new Error('test world changed');
  management.locations = {
    'us-east-1': {
      alarms: [
        {
          name: 'prod-5xx',
          description: '5xx of the prod load balancer',
          actions: ['arn:aws:sns:us-east-1:111111111111:oncall'],
          metric: {
            namespace: 'AWS/ApplicationELB',
            metricName: 'HTTPCode_Target_5XX_Count',
            statistic: 'Sum',
            threshold: 10,
            dimensions: { LoadBalancer: 'app/prod/0123456789abcdef' },
          },
        },
        { name: 'prod-latency', state: 'INSUFFICIENT_DATA', reason: 'Insufficient Data: 1 datapoint was unknown.' },
        { name: 'prod-health', type: 'composite', rule: 'ALARM("prod-5xx") OR ALARM("prod-latency")' },
        ...Array.from({ length: 120 }, (_, i) => ({ name: `bulk-${String(i).padStart(3, '0')}` })),
      ],
    },
    'eu-west-1': { alarms: [{ name: 'prod-5xx', state: 'ALARM' as const }] },
  };
  member.locations = {
    ...member.locations,
    'us-east-1': { ...member.locations?.['us-east-1'], alarms: [{ name: 'member-only' }] },
  };
  return world;
}

describe('CloudWatch DescribeAlarms', () => {
  let sandbox: Sandbox;
  let cw: CloudWatchClient;
  const describeAlarms = (input: DescribeAlarmsCommandInput) => cw.send(new DescribeAlarmsCommand(input));

  beforeAll(async () => {
    sandbox = await startTestSandbox({ world: alarmWorld(), start: START, region: 'us-east-1' });
    cw = new CloudWatchClient(sandbox.clientConfig('us-east-1'));
  });
  afterAll(async () => {
    cw.destroy();
    await sandbox.stop();
  });
  beforeEach(() => sandbox.faults.reset());

  it('answers the named alarms that exist and leaves missing names out, metric alarms only by default', async () => {
    const out = await describeAlarms({ AlarmNames: ['prod-5xx', 'no-such-alarm', 'prod-health', 'prod-latency'] });
    expect(out.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['prod-5xx', 'prod-latency']);
    expect(out.CompositeAlarms).toEqual([]);
    expect(out.NextToken).toBeUndefined();
    const [alarm] = out.MetricAlarms ?? [];
    expect(alarm).toMatchObject({
      AlarmName: 'prod-5xx',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:prod-5xx',
      AlarmDescription: '5xx of the prod load balancer',
      AlarmActions: ['arn:aws:sns:us-east-1:111111111111:oncall'],
      StateValue: 'OK',
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Statistic: 'Sum',
      Threshold: 10,
      Dimensions: [{ Name: 'LoadBalancer', Value: 'app/prod/0123456789abcdef' }],
    });
    expect(alarm?.StateUpdatedTimestamp).toEqual(new Date(START));
    expect(alarm?.StateReason).toEqual(expect.any(String));
    expect(out.MetricAlarms?.[1]).toMatchObject({
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'Insufficient Data: 1 datapoint was unknown.',
    });
    expect(sandbox.calls.count({ service: 'cloudwatch', operation: 'DescribeAlarms', ok: true })).toBeGreaterThan(0);
  });

  it('answers composite alarms when AlarmTypes asks for them, and each account and Region its own', async () => {
    const both = await describeAlarms({
      AlarmNames: ['prod-5xx', 'prod-health'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
    expect(both.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['prod-5xx']);
    expect(both.CompositeAlarms).toMatchObject([
      {
        AlarmName: 'prod-health',
        AlarmArn: 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:prod-health',
        AlarmRule: 'ALARM("prod-5xx") OR ALARM("prod-latency")',
        StateValue: 'OK',
      },
    ]);
    const composite = await describeAlarms({ AlarmNames: ['prod-5xx', 'prod-health'], AlarmTypes: ['CompositeAlarm'] });
    expect(composite.MetricAlarms).toEqual([]);
    expect(composite.CompositeAlarms?.map((a) => a.AlarmName)).toEqual(['prod-health']);

    const eu = new CloudWatchClient(sandbox.clientConfig('eu-west-1'));
    const member = new CloudWatchClient({
      ...sandbox.clientConfig('us-east-1'),
      credentials: await memberCredentials(sandbox, '222222222222'),
    });
    try {
      const inEu = await eu.send(new DescribeAlarmsCommand({ AlarmNames: ['prod-5xx', 'prod-latency'] }));
      expect(inEu.MetricAlarms?.map((a) => [a.AlarmName, a.StateValue, a.AlarmArn])).toEqual([
        ['prod-5xx', 'ALARM', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:prod-5xx'],
      ]);
      const ofMember = await member.send(new DescribeAlarmsCommand({}));
      expect(ofMember.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['member-only']);
    } finally {
      eu.destroy();
      member.destroy();
    }
  });

  it('pages by MaxRecords (default 50) with NextToken, and filters by prefix and state', async () => {
    const first = await describeAlarms({ AlarmNamePrefix: 'bulk-' });
    expect(first.MetricAlarms).toHaveLength(50);
    expect(first.NextToken).toEqual(expect.any(String));
    const pages: number[] = [];
    const names: string[] = [];
    for await (const page of paginateDescribeAlarms({ client: cw, pageSize: 40 }, { AlarmNamePrefix: 'bulk-' })) {
      pages.push(page.MetricAlarms?.length ?? 0);
      names.push(...(page.MetricAlarms ?? []).map((a) => a.AlarmName ?? ''));
    }
    expect(pages).toEqual([40, 40, 40]);
    expect(names).toEqual(Array.from({ length: 120 }, (_, i) => `bulk-${String(i).padStart(3, '0')}`));
    // Metric and composite alarms share the pages, in name order.
    const mixed = { AlarmNamePrefix: 'prod-', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 2 } as const;
    const one = await describeAlarms({ ...mixed, AlarmTypes: [...mixed.AlarmTypes] });
    expect([one.MetricAlarms?.map((a) => a.AlarmName), one.CompositeAlarms?.map((a) => a.AlarmName)]).toEqual([
      ['prod-5xx'],
      ['prod-health'],
    ]);
    const two = await describeAlarms({ ...mixed, AlarmTypes: [...mixed.AlarmTypes], NextToken: one.NextToken });
    expect(two.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['prod-latency']);
    expect(two.NextToken).toBeUndefined();
    const insufficient = await describeAlarms({ StateValue: 'INSUFFICIENT_DATA' });
    expect(insufficient.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['prod-latency']);
    await expect(describeAlarms({ AlarmNamePrefix: 'bulk-', NextToken: 'not-a-token' })).rejects.toBeInstanceOf(
      InvalidNextToken,
    );
    // A token is good for the listing it came from only.
    await expect(describeAlarms({ AlarmNamePrefix: 'prod-', NextToken: first.NextToken })).rejects.toMatchObject({
      name: 'InvalidNextToken',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('flips an alarm at the simulated time an alarms fault names, and not before', async () => {
    const t0 = sandbox.clock.now();
    sandbox.faults.set({
      alarms: [{ name: 'prod-5xx', region: 'us-east-1', at: '+10m', state: 'ALARM', reason: '5xx above 10' }],
    });
    sandbox.advance(9 * MINUTE);
    const before = await describeAlarms({ AlarmNames: ['prod-5xx'] });
    expect(before.MetricAlarms?.[0]?.StateValue).toBe('OK');
    sandbox.advance(2 * MINUTE);
    const after = await describeAlarms({ AlarmNames: ['prod-5xx'] });
    expect(after.MetricAlarms?.[0]).toMatchObject({ StateValue: 'ALARM', StateReason: '5xx above 10' });
    // The flip is dated when it happened, not when it was seen.
    expect(after.MetricAlarms?.[0]?.StateUpdatedTimestamp).toEqual(new Date(t0 + 10 * MINUTE));
    expect(after.MetricAlarms?.[0]?.StateTransitionedTimestamp).toEqual(new Date(t0 + 10 * MINUTE));
    // The eu-west-1 alarm of the same name was not named by the fault.
    const eu = new CloudWatchClient(sandbox.clientConfig('eu-west-1'));
    try {
      const inEu = await eu.send(new DescribeAlarmsCommand({ AlarmNames: ['prod-5xx'] }));
      expect(inEu.MetricAlarms?.[0]?.StateUpdatedTimestamp).toEqual(new Date(START));
    } finally {
      eu.destroy();
    }
    // A flip that has happened stays when the faults are reset.
    sandbox.faults.reset();
    expect((await describeAlarms({ AlarmNames: ['prod-5xx'] })).MetricAlarms?.[0]?.StateValue).toBe('ALARM');
    sandbox.setAlarm({ name: 'prod-5xx', state: 'OK', reason: 'back to normal' });
  });

  it('refuses an alarms fault that names no alarm of the world', () => {
    expect(() => sandbox.faults.set({ alarms: [{ name: 'no-such-alarm', at: '+1m', state: 'ALARM' }] })).toThrow(
      /no alarm no-such-alarm/,
    );
    expect(() =>
      sandbox.faults.set({ alarms: [{ name: 'prod-5xx', at: 'in ten minutes', state: 'ALARM' }] } as never),
    ).toThrow(/alarms\.0\.at/);
  });

  it('sets an alarm from a test with setAlarm, moving StateUpdatedTimestamp on every update', async () => {
    sandbox.advance(MINUTE);
    const t1 = sandbox.clock.now();
    sandbox.setAlarm({ name: 'prod-latency', state: 'ALARM', reason: 'p99 above 2 s' });
    const set = (await describeAlarms({ AlarmNames: ['prod-latency'] })).MetricAlarms?.[0];
    expect(set).toMatchObject({ StateValue: 'ALARM', StateReason: 'p99 above 2 s' });
    expect(set?.StateUpdatedTimestamp).toEqual(new Date(t1));
    sandbox.advance(MINUTE);
    sandbox.setAlarm({
      accountId: MANAGEMENT,
      region: 'us-east-1',
      name: 'prod-latency',
      state: 'ALARM',
      reason: 'still',
    });
    const again = (await describeAlarms({ AlarmNames: ['prod-latency'] })).MetricAlarms?.[0];
    expect(again?.StateUpdatedTimestamp).toEqual(new Date(t1 + MINUTE));
    expect(again?.StateTransitionedTimestamp).toEqual(new Date(t1));
    const inAlarm = await describeAlarms({ StateValue: 'ALARM', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    expect(inAlarm.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['prod-latency']);
    expect(() => sandbox.setAlarm({ name: 'no-such-alarm', state: 'OK' })).toThrow(/no alarm no-such-alarm/);
  });

  it('denies, throttles and fails as CloudWatch does, in its awsQuery codes', async () => {
    sandbox.faults.set({ accessDenied: [{ accountId: MANAGEMENT, service: 'cloudwatch' }] });
    await expect(describeAlarms({})).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('is not authorized to perform: cloudwatch:DescribeAlarms'),
      $metadata: { httpStatusCode: 403 },
    });
    expect(sandbox.calls.count({ service: 'cloudwatch', outcome: 'AccessDenied' })).toBe(1);
    sandbox.faults.set({ accessDenied: [], throttle: [{ service: 'cloudwatch', rate: 0, burst: 0 }] });
    await expect(describeAlarms({})).rejects.toMatchObject({ name: 'Throttling', $metadata: { attempts: 3 } });
    sandbox.faults.set({ throttle: [], serverErrorRate: 1 });
    await expect(describeAlarms({})).rejects.toMatchObject({
      name: 'InternalServiceFault',
      $metadata: { httpStatusCode: 500 },
    });
  });

  it('refuses invalid input with ValidationError and InvalidParameterCombination', async () => {
    const tooMany = Array.from({ length: 101 }, (_, i) => `a-${i}`);
    const error = await describeAlarms({ AlarmNames: tooMany }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudWatchServiceException);
    expect(error).toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(
        /^1 validation error detected: .* at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100$/,
      ),
      $metadata: { httpStatusCode: 400 },
    });
    await expect(describeAlarms({ MaxRecords: 101 })).rejects.toMatchObject({
      name: 'ValidationError',
      message:
        "1 validation error detected: Value '101' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100",
    });
    await expect(
      describeAlarms({ MaxRecords: 0, AlarmNames: ['x'.repeat(256)], StateValue: 'BROKEN' as never }),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/^3 validation errors detected: /),
    });
    await expect(describeAlarms({ AlarmNames: ['prod-5xx'], AlarmNamePrefix: 'prod' })).rejects.toBeInstanceOf(
      InvalidParameterCombinationException,
    );
    expect(sandbox.calls.count({ service: 'cloudwatch', outcome: 'ValidationError' })).toBe(3);
  });
});
