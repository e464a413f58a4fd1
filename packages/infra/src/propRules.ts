import {
  isKnownRegion,
  nextPatchTuesdayRunTimes,
  PATCH_TUESDAY_OFFSET_BOUNDS,
  partitionOf,
  suggestRegion,
  validateMaintenanceWindowSchedule,
} from '@orgpatch/core';
import { describeIssue, OrgPatchingConfigError } from './errors.js';
import type { OrgPatchingProps } from './OrgPatching.js';
import type { PatchMaintenanceWindowProps } from './PatchMaintenanceWindow.js';

/** What the rules know besides the props, as the constructor resolved it. */
export interface PropContext {
  /** The Regions to patch: `regions`, else the stack's Region; undefined when neither is known at synth time. */
  readonly regions: readonly string[] | undefined;
  /** The maintenance window's schedule, defaults applied. */
  readonly window: Pick<
    PatchMaintenanceWindowProps,
    'schedule' | 'timeZone' | 'duration' | 'cutoff' | 'scheduleOffset'
  >;
}

/** The prop at fault (with a list item's index) and what to do about it. */
interface PropProblem {
  readonly prop: string;
  readonly message: string;
}

/** A rule the props keep: the problem when they break it, else undefined. */
type PropRule = (props: OrgPatchingProps, context: PropContext) => PropProblem | undefined;

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const OU_OR_ROOT_ID = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PREFERENCES = 'stackSetOperationPreferences';
/** The prop of each maintenance-window field core's schedule check names. */
const SCHEDULE_PROP: Readonly<Record<string, string>> = {
  Schedule: 'schedule',
  ScheduleTimezone: 'timeZone',
  ScheduleOffset: 'scheduleOffset',
  Duration: 'duration',
  Cutoff: 'cutoff',
};

/** A problem with `prop` when `broken`; the message is worded only then. */
const problemIf = (broken: boolean, prop: string, message: () => string): PropProblem | undefined =>
  broken ? { prop, message: message() } : undefined;

/** The first item of a list prop that `problemOf` finds fault with, named by its index. */
function firstItem(
  list: readonly string[] | undefined,
  prop: string,
  problemOf: (item: string) => string | undefined,
): PropProblem | undefined {
  for (const [i, item] of (list ?? []).entries()) {
    const message = problemOf(item);
    if (message !== undefined) return { prop: `${prop}[${i}]`, message };
  }
  return undefined;
}

type NumericPreference =
  | 'optInRegionFailureTolerancePercentage'
  | 'maxConcurrentCount'
  | 'maxConcurrentPercentage'
  | 'failureToleranceCount'
  | 'failureTolerancePercentage';

/** A StackSet preference, when given, is a whole number from `min` to `max`. */
function preferenceRange(name: NumericPreference, min: number, max?: number): PropRule {
  return ({ stackSetOperationPreferences: p = {} }) => {
    const value = p[name];
    return problemIf(
      value !== undefined && (!Number.isInteger(value) || value < min || value > (max ?? Number.MAX_SAFE_INTEGER)),
      `${PREFERENCES}.${name}`,
      () =>
        `must be a whole number${max === undefined ? ` of at least ${min}` : ` from ${min} to ${max}`}; got ${value}.`,
    );
  };
}

/** Two StackSet preferences that say the same thing in two ways: at most one of them. */
function notBoth(a: NumericPreference, b: NumericPreference): PropRule {
  return ({ stackSetOperationPreferences: p = {} }) =>
    problemIf(p[a] !== undefined && p[b] !== undefined, PREFERENCES, () => `give ${a} or ${b}, not both.`);
}

/** A retention in days, when given, is a whole number of at least 1. */
function wholeDays(prop: 'runRecordRetentionDays' | 'noncurrentVersionRetentionDays'): PropRule {
  return (props) => {
    const days = props[prop];
    return problemIf(
      days !== undefined && (!Number.isInteger(days) || days < 1),
      prop,
      () => `must be a whole number of days, at least 1; got ${days}.`,
    );
  };
}

/** The rules, in the order they are checked; the first one broken is reported. */
const PROP_RULES: readonly PropRule[] = [
  ({ organizationId }) =>
    problemIf(
      !ORGANIZATION_ID.test(organizationId),
      'organizationId',
      () =>
        `"${organizationId}" is not an Organization id; it looks like "o-abcdefghij" (aws organizations describe-organization).`,
    ),
  ({ targetOus }) =>
    problemIf(
      targetOus.length === 0,
      'targetOus',
      () =>
        'name at least one OU or root id whose accounts orgpatch patches, e.g. ["ou-ab12-34cd56ef"], or the root id ("r-ab12") for the whole Organization.',
    ),
  ({ targetOus }) =>
    firstItem(targetOus, 'targetOus', (ou) =>
      OU_OR_ROOT_ID.test(ou)
        ? undefined
        : `"${ou}" is not an OU or root id; an OU id looks like "ou-ab12-34cd56ef" and a root id like "r-ab12".`,
    ),
  (_, { regions }) =>
    problemIf(
      regions === undefined,
      'regions',
      () =>
        'the stack is environment-agnostic, so its Region is not known at synth time; list the Regions to patch, e.g. ["us-east-1"], or give the stack an env.region.',
    ),
  ({ homeRegion }) =>
    problemIf(homeRegion !== undefined && !isKnownRegion(homeRegion), 'homeRegion', () => {
      const hint = suggestRegion(homeRegion ?? '');
      return `"${homeRegion}" is not a known AWS Region${hint ? `; did you mean "${hint}"?` : '.'}`;
    }),
  ({ homeRegion }, { regions = [] }) => {
    if (homeRegion === undefined || !isKnownRegion(homeRegion)) return undefined;
    const other = regions.find((r) => isKnownRegion(r) && partitionOf(r) !== partitionOf(homeRegion));
    return problemIf(
      other !== undefined,
      'homeRegion',
      () =>
        `"${homeRegion}" is in partition ${partitionOf(homeRegion)} but Region ${other} is in ${partitionOf(other ?? '')}; a deployment patches one partition.`,
    );
  },
  ({ includeManagementAccount, deployFrom, managementAccountMember }) =>
    problemIf(
      includeManagementAccount === true &&
        deployFrom === 'DELEGATED_ADMIN' &&
        (managementAccountMember ?? 'IN_THIS_STACK') === 'IN_THIS_STACK',
      'includeManagementAccount',
      () =>
        "this stack is deployed from a delegated administrator, so it cannot hold the management account's member resources; deploy the member-stack management template in the management account and set managementAccountMember: 'DEPLOYED_SEPARATELY'.",
    ),
  notBoth('maxConcurrentCount', 'maxConcurrentPercentage'),
  notBoth('failureToleranceCount', 'failureTolerancePercentage'),
  preferenceRange('maxConcurrentPercentage', 1, 100),
  preferenceRange('failureTolerancePercentage', 0, 100),
  preferenceRange('optInRegionFailureTolerancePercentage', 0, 100),
  preferenceRange('maxConcurrentCount', 1),
  preferenceRange('failureToleranceCount', 0),
  ({ stackSetOperationPreferences: p = {} }) => {
    const { maxConcurrentCount: most, failureToleranceCount: tolerated } = p;
    const strict = p.concurrencyMode === 'STRICT_FAILURE_TOLERANCE';
    return problemIf(
      strict && most !== undefined && tolerated !== undefined && most > tolerated + 1,
      `${PREFERENCES}.maxConcurrentCount`,
      () =>
        `${most} is more than failureToleranceCount + 1 (${(tolerated ?? 0) + 1}), which STRICT_FAILURE_TOLERANCE allows at most; lower it or use concurrencyMode SOFT_FAILURE_TOLERANCE.`,
    );
  },
  wholeDays('runRecordRetentionDays'),
  wholeDays('noncurrentVersionRetentionDays'),
  ({ notificationEmails }) =>
    firstItem(notificationEmails, 'notificationEmails', (email) =>
      EMAIL.test(email) ? undefined : `"${email}" is not an email address.`,
    ),
  (_, { window }) => {
    const issue = validateMaintenanceWindowSchedule(window)[0];
    return issue && { prop: SCHEDULE_PROP[issue.path] ?? 'schedule', message: describeIssue(issue) };
  },
  ({ patchTuesdayOffsetDays: days }) => {
    const { min, max } = PATCH_TUESDAY_OFFSET_BOUNDS;
    return problemIf(
      days !== undefined && (!Number.isInteger(days) || days < min || days > max),
      'patchTuesdayOffsetDays',
      () => `must be a whole number of days from ${min} to ${max} after the second Tuesday of the month; got ${days}.`,
    );
  },
  ({ complianceSchedule }) =>
    problemIf(
      complianceSchedule !== undefined && !/^(cron|rate)\(.+\)$/.test(complianceSchedule),
      'complianceSchedule',
      () =>
        `must be an EventBridge schedule expression, cron(...) or rate(...), not ${JSON.stringify(complianceSchedule)}: e.g. "cron(0 6 * * ? *)" for every day at 06:00 UTC.`,
    ),
  ({ patchTuesdayOffsetDays, scheduleOffset }) =>
    problemIf(
      patchTuesdayOffsetDays !== undefined && scheduleOffset !== undefined,
      'patchTuesdayOffsetDays',
      () =>
        'give patchTuesdayOffsetDays or scheduleOffset, not both: with a Patch Tuesday offset, schedule the window daily (e.g. "cron(0 4 ? * * *)") and let the offset pick the day.',
    ),
  ({ patchTuesdayOffsetDays: offsetDays }, { window }) =>
    problemIf(
      offsetDays !== undefined &&
        nextPatchTuesdayRunTimes(window.schedule, { timeZone: window.timeZone, from: new Date(), count: 1, offsetDays })
          .length === 0,
      'patchTuesdayOffsetDays',
      () =>
        `the window's schedule "${window.schedule}" never runs on Patch Tuesday + ${offsetDays} days in the next two years, so nothing would ever be patched; schedule the window daily, e.g. "cron(0 4 ? * * *)".`,
    ),
];

/**
 * Checks OrgPatching's props against its rules, in order, at synth time.
 * @throws OrgPatchingConfigError for the first rule broken: the prop and what to do.
 */
export function checkProps(
  props: OrgPatchingProps,
  context: PropContext,
): asserts context is PropContext & { readonly regions: readonly string[] } {
  for (const rule of PROP_RULES) {
    const problem = rule(props, context);
    if (problem !== undefined) throw new OrgPatchingConfigError(problem.prop, problem.message);
  }
}
