import type { ServiceHandlers } from '../contract.js';
import { DetailedServiceError } from '../errors.js';
import type { AlarmStore, LiveAlarm } from './alarms.js';
import type { ServiceContext } from './context.js';

/**
 * Amazon CloudWatch (awsJson1_0, `awsQueryCompatible`, X-Amz-Target
 * `GraniteServiceVersion20100801.*`, signed as `monitoring`): DescribeAlarms, over the alarms of the
 * caller's account and Region (world file, `alarms` faults, `sandbox.setAlarm`). Errors carry the
 * awsQuery codes CloudWatch answers with (`ValidationError`, `InvalidNextToken`, ...); the protocol
 * layer writes them in `x-amzn-query-error`.
 */

/** CloudWatch model, `AlarmType`. */
const ALARM_TYPES = ['CompositeAlarm', 'MetricAlarm', 'LogAlarm'] as const;
/** CloudWatch model, `StateValue`. */
const STATE_VALUES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
/** CloudWatch model, `MaxRecords`: 1 to 100. The default is not documented; 50 here. */
const MAX_RECORDS = { min: 1, max: 100, fallback: 50 } as const;

/** Builds the CloudWatch handlers. */
export function createCloudWatchService(context: ServiceContext, alarms: AlarmStore): ServiceHandlers {
  const { world, pager } = context;
  return {
    DescribeAlarms: (input, ctx) => {
      const request = readDescribeAlarms(input);
      const wanted = new Set(request.alarmTypes ?? ['MetricAlarm']);
      const names = request.alarmNames ? new Set(request.alarmNames) : undefined;
      const matching = alarms.list(ctx.accountId, ctx.region).filter((alarm) => {
        const d = alarm.definition;
        if (!wanted.has(d.type === 'composite' ? 'CompositeAlarm' : 'MetricAlarm')) return false;
        if (names && !names.has(d.name)) return false;
        if (request.alarmNamePrefix !== undefined && !d.name.startsWith(request.alarmNamePrefix)) return false;
        if (request.stateValue !== undefined && alarm.state !== request.stateValue) return false;
        const actionPrefix = request.actionPrefix;
        return actionPrefix === undefined || d.actions.some((a) => a.startsWith(actionPrefix));
      });
      const page = pager.page(matching, {
        // A token is good for the same caller, place and filters only.
        scope: JSON.stringify(['cloudwatch:DescribeAlarms', ctx.accountId, ctx.region, { ...request, nextToken: 0 }]),
        pageSize: request.maxRecords,
        ...(request.nextToken === undefined ? {} : { nextToken: request.nextToken }),
        // CloudWatch documents no empty pages.
        emptyPageRate: 0,
      });
      if (!page) throw new DetailedServiceError('InvalidNextToken', 'The service returned an invalid token.', 400);
      const partition = world.partition;
      const out = (alarm: LiveAlarm) => describeAlarm(alarm, partition);
      return {
        MetricAlarms: page.items.filter((a) => a.definition.type === 'metric').map(out),
        CompositeAlarms: page.items.filter((a) => a.definition.type === 'composite').map(out),
        ...(wanted.has('LogAlarm') ? { LogAlarms: [] } : {}),
        ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
      };
    },
  };
}

interface DescribeAlarmsRequest {
  readonly alarmNames?: readonly string[];
  readonly alarmNamePrefix?: string;
  readonly alarmTypes?: readonly string[];
  readonly stateValue?: string;
  readonly actionPrefix?: string;
  readonly maxRecords: number;
  readonly nextToken?: string;
}

/** Reads and validates DescribeAlarms' input as CloudWatch does (its model's constraints). */
function readDescribeAlarms(input: Readonly<Record<string, unknown>>): DescribeAlarmsRequest {
  const problems: string[] = [];
  const text = (key: string, member: string, min: number, max: number): string | undefined => {
    const value = input[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      problems.push(`Value '${String(value)}' at '${member}' failed to satisfy constraint: Member must be a string`);
      return undefined;
    }
    lengthProblem(value, member, min, max, problems);
    return value;
  };
  const list = (key: string, member: string): readonly string[] | undefined => {
    const value = input[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      problems.push(`Value at '${member}' failed to satisfy constraint: Member must be a list of strings`);
      return undefined;
    }
    return value as string[];
  };
  const alarmNames = list('AlarmNames', 'alarmNames');
  if (alarmNames && alarmNames.length > 100) {
    problems.push(
      `Value '[${alarmNames.join(', ')}]' at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100`,
    );
  }
  alarmNames?.forEach((name, i) => {
    lengthProblem(name, `alarmNames.${i + 1}.member`, 1, 255, problems);
  });
  const alarmNamePrefix = text('AlarmNamePrefix', 'alarmNamePrefix', 1, 255);
  const alarmTypes = list('AlarmTypes', 'alarmTypes');
  alarmTypes?.forEach((type, i) => {
    if (!(ALARM_TYPES as readonly string[]).includes(type)) {
      problems.push(
        `Value '${type}' at 'alarmTypes.${i + 1}.member' failed to satisfy constraint: Member must satisfy enum value set: [${ALARM_TYPES.join(', ')}]`,
      );
    }
  });
  const children = text('ChildrenOfAlarmName', 'childrenOfAlarmName', 1, 255);
  const parents = text('ParentsOfAlarmName', 'parentsOfAlarmName', 1, 255);
  const stateValue = text('StateValue', 'stateValue', 0, Number.POSITIVE_INFINITY);
  if (stateValue !== undefined && !(STATE_VALUES as readonly string[]).includes(stateValue)) {
    problems.push(
      `Value '${stateValue}' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [${STATE_VALUES.join(', ')}]`,
    );
  }
  const actionPrefix = text('ActionPrefix', 'actionPrefix', 1, 1024);
  const nextToken = text('NextToken', 'nextToken', 0, 1024);
  const maxRecords = input.MaxRecords;
  if (maxRecords !== undefined && maxRecords !== null) {
    if (typeof maxRecords !== 'number' || !Number.isInteger(maxRecords)) {
      problems.push(
        `Value '${String(maxRecords)}' at 'maxRecords' failed to satisfy constraint: Member must be an integer`,
      );
    } else if (maxRecords < MAX_RECORDS.min || maxRecords > MAX_RECORDS.max) {
      problems.push(
        `Value '${maxRecords}' at 'maxRecords' failed to satisfy constraint: Member must have value ${maxRecords < MAX_RECORDS.min ? `greater than or equal to ${MAX_RECORDS.min}` : `less than or equal to ${MAX_RECORDS.max}`}`,
      );
    }
  }
  if (problems.length > 0) {
    throw new DetailedServiceError(
      'ValidationError',
      `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`,
      400,
    );
  }
  if (alarmNames !== undefined && alarmNamePrefix !== undefined) {
    throw new DetailedServiceError(
      'InvalidParameterCombination',
      'AlarmNamePrefix and AlarmNames cannot be specified together.',
      400,
    );
  }
  if (children !== undefined || parents !== undefined) {
    // Model: only MaxRecords and NextToken may come with them ("you receive a validation error").
    throw new DetailedServiceError(
      'ValidationError',
      'The sandbox does not serve ChildrenOfAlarmName or ParentsOfAlarmName (README, "Known differences").',
      400,
    );
  }
  return {
    ...(alarmNames === undefined ? {} : { alarmNames }),
    ...(alarmNamePrefix === undefined ? {} : { alarmNamePrefix }),
    ...(alarmTypes === undefined ? {} : { alarmTypes }),
    ...(stateValue === undefined ? {} : { stateValue }),
    ...(actionPrefix === undefined ? {} : { actionPrefix }),
    maxRecords: typeof maxRecords === 'number' ? maxRecords : MAX_RECORDS.fallback,
    ...(nextToken === undefined ? {} : { nextToken }),
  };
}

function lengthProblem(value: string, member: string, min: number, max: number, problems: string[]): void {
  if (value.length < min) {
    problems.push(
      `Value '${value}' at '${member}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`,
    );
  } else if (value.length > max) {
    problems.push(
      `Value '${value}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
  }
}

/** A MetricAlarm or CompositeAlarm as DescribeAlarms answers it (Dates become epoch seconds on the wire). */
function describeAlarm(alarm: LiveAlarm, partition: string): Record<string, unknown> {
  const d = alarm.definition;
  const common = {
    AlarmName: d.name,
    AlarmArn: `arn:${partition}:cloudwatch:${d.region}:${d.accountId}:alarm:${d.name}`,
    ...(d.description === undefined ? {} : { AlarmDescription: d.description }),
    AlarmConfigurationUpdatedTimestamp: new Date(alarm.configured),
    ActionsEnabled: true,
    OKActions: [],
    AlarmActions: [...d.actions],
    InsufficientDataActions: [],
    StateValue: alarm.state,
    StateReason: alarm.reason,
    StateUpdatedTimestamp: new Date(alarm.stateUpdated),
    StateTransitionedTimestamp: new Date(alarm.stateTransitioned),
  };
  if (d.type === 'composite') return { ...common, AlarmRule: d.rule ?? 'FALSE' };
  const m = d.metric;
  return {
    ...common,
    ...(m
      ? {
          MetricName: m.metricName,
          Namespace: m.namespace,
          Statistic: m.statistic,
          Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
          Period: m.period,
          EvaluationPeriods: m.evaluationPeriods,
          DatapointsToAlarm: m.evaluationPeriods,
          Threshold: m.threshold,
          ComparisonOperator: m.comparisonOperator,
          TreatMissingData: 'missing',
        }
      : {}),
  };
}
