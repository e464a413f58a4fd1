import type { AlarmReader, AlarmState } from '@orgpatch/core';
import type { AwsClientFactory } from './clients.js';

/** DescribeAlarms takes at most 100 alarm names per call. */
const NAMES_PER_CALL = 100;

/**
 * Reads the waves' health-gate alarms with CloudWatch DescribeAlarms in the orchestrator's own
 * account and Region, metric and composite alarms alike (without AlarmTypes, DescribeAlarms
 * returns metric alarms only), every page. An alarm that does not exist is absent from the answer.
 */
export class CloudWatchAlarms implements AlarmReader {
  constructor(
    private readonly clients: AwsClientFactory,
    private readonly region: string,
  ) {}

  async read(names: readonly string[]): Promise<ReadonlyMap<string, AlarmState>> {
    const out = new Map<string, AlarmState>();
    const { paginateDescribeAlarms } = await import('@aws-sdk/client-cloudwatch');
    const client = await this.clients.cloudwatch(this.region);
    for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
      const AlarmNames = names.slice(i, i + NAMES_PER_CALL);
      for await (const page of paginateDescribeAlarms(
        { client },
        { AlarmNames, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100 },
      )) {
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          if (!alarm.AlarmName || !alarm.StateValue) continue;
          out.set(alarm.AlarmName, {
            name: alarm.AlarmName,
            state: alarm.StateValue,
            reason: alarm.StateReason ?? '',
            ...(alarm.StateUpdatedTimestamp ? { updatedAt: alarm.StateUpdatedTimestamp.toISOString() } : {}),
          });
        }
      }
    }
    return out;
  }
}
