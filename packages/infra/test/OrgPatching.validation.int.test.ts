import { memberTemplates } from '@orgpatch/member-stack';
import { describe, expect, it } from 'vitest';
import { OrgPatchingConfigError, type OrgPatchingProps } from '../src/index.js';
import { build } from './fixtures.js';

/** The error OrgPatching throws for these props (synth time, no bundling). */
function errorFor(
  props: Partial<OrgPatchingProps>,
  env?: { account?: string; region?: string },
): OrgPatchingConfigError {
  try {
    build(props, env ? { env } : {});
  } catch (error) {
    if (error instanceof OrgPatchingConfigError) return error;
    throw error;
  }
  throw new Error(`no error for ${JSON.stringify(props)}`);
}

/** `count` resource group names of about 65 characters each, to fill a payload. */
const longGroupNames = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `group-with-a-fairly-long-name-number-${i}-abcdefghijklmnopqrstuvwxyz`);

describe('OrgPatching rejects at synth time', () => {
  it('a schedule maintenance windows do not accept, naming the fix', () => {
    const error = errorFor({ schedule: 'cron(0 4 * * SUN *)' });
    expect(error.field).toBe('schedule');
    expect(error.message).toBe(
      'OrgPatching.schedule: Invalid schedule "cron(0 4 * * SUN *)": Day-of-month is * while Day-of-week is "SUN"; AWS needs ? in one of them; write ? in Day-of-month: cron(0 4 ? * SUN *).',
    );
  });

  it("the blog's mistyped time zone, suggesting the zone it meant", () => {
    const error = errorFor({ timeZone: 'S/EasternU' });
    expect(error.field).toBe('timeZone');
    expect(error.message).toBe('OrgPatching.timeZone: Unknown time zone "S/EasternU": did you mean "US/Eastern"?');
  });

  it('an unknown Region, pointing at its index', () => {
    const error = errorFor({ regions: ['us-east-1', 'us-esat-2'] });
    expect(error.field).toBe('regions[1]');
    expect(error.message).toBe('OrgPatching.regions[1]: Unknown Region "us-esat-2" (did you mean "us-east-2"?).');
  });

  it('a payload over the task limit, naming the limit and why', () => {
    const error = errorFor({ resourceGroups: longGroupNames(60) });
    expect(error.field).toBe('taskPayload');
    expect(error.message).toBe(
      'OrgPatching.taskPayload: The payload is 4633 bytes, 6180 characters Base64-encoded; a maintenance-window Lambda task payload holds at most 3072 bytes: ' +
        "CloudFormation takes it Base64-encoded in at most 4096 characters (AWS::SSM::MaintenanceWindowTask Payload), stricter than the 4096 bytes SSM's API allows before encoding " +
        '(shorten it: name OUs rather than long account lists, leave out keys that hold their defaults, drop whitespace).',
    );
  });

  it('a payload under 4,096 bytes whose Base64 form, as the template holds it, is over 4,096 characters', () => {
    const error = errorFor({ resourceGroups: longGroupNames(45) });
    expect(error.field).toBe('taskPayload');
    const [, bytes, encoded] = /The payload is (\d+) bytes, (\d+) characters Base64-encoded/.exec(error.message) ?? [];
    expect(Number(bytes)).toBeGreaterThan(3072);
    expect(Number(bytes)).toBeLessThan(4096);
    expect(Number(encoded)).toBeGreaterThan(4096);
  });

  it('no target OUs', () => {
    const error = errorFor({ targetOus: [] });
    expect(error.field).toBe('targetOus');
    expect(error.message).toBe(
      'OrgPatching.targetOus: name at least one OU or root id whose accounts orgpatch patches, e.g. ["ou-ab12-34cd56ef"], or the root id ("r-ab12") for the whole Organization.',
    );
  });

  it('a target that is not an OU or root id', () => {
    expect(errorFor({ targetOus: ['ou-bad'] }).message).toBe(
      'OrgPatching.targetOus[0]: "ou-bad" is not an OU or root id; an OU id looks like "ou-ab12-34cd56ef" and a root id like "r-ab12".',
    );
  });

  it('an Organization id of the wrong shape', () => {
    expect(errorFor({ organizationId: '123456789012' }).message).toBe(
      'OrgPatching.organizationId: "123456789012" is not an Organization id; it looks like "o-abcdefghij" (aws organizations describe-organization).',
    );
  });

  it('a cutoff that leaves no time to start the task', () => {
    expect(errorFor({ duration: 2, cutoff: 2 }).message).toBe(
      'OrgPatching.cutoff: Cutoff (2 h) must be less than Duration (2 h), or no task could ever start (use a Cutoff of at most 1).',
    );
  });

  it('a schedule offset on a rate schedule', () => {
    expect(errorFor({ schedule: 'rate(7 days)', scheduleOffset: 2 }).message).toBe(
      'OrgPatching.scheduleOffset: ScheduleOffset works only with a cron schedule, not rate(...) (remove ScheduleOffset or use a cron(...) schedule).',
    );
  });

  it('Regions of two partitions', () => {
    expect(errorFor({ regions: ['us-east-1', 'cn-north-1'] }).message).toBe(
      'OrgPatching.regions: Regions span more than one partition (aws: us-east-1; aws-cn: cn-north-1); a run patches one partition (split the payload into one per partition, each run from an account of that partition).',
    );
  });

  it('a bad rate value and a bad Region together, reporting both', () => {
    expect(errorFor({ regions: ['us-esat-1'], maxErrors: 'x' }).message).toBe(
      'OrgPatching.maxErrors: MaxErrors "x" is not a valid rate value: it is neither a whole number nor a percentage (write a count or a percentage such as "1" or "5%"). Also regions[0]: Unknown Region "us-esat-1" (did you mean "us-east-1"?).',
    );
  });

  it('a wave named default', () => {
    expect(errorFor({ waves: [{ name: 'default', targetOus: ['ou-ab12-devdev01'] }] }).message).toBe(
      'OrgPatching.waves[0].name: Wave name "default" is reserved (orgpatch puts accounts that no wave names in a final wave called default; choose another name).',
    );
  });

  it('no Regions when the stack has no Region either', () => {
    expect(errorFor({ regions: undefined }, {}).message).toBe(
      'OrgPatching.regions: the stack is environment-agnostic, so its Region is not known at synth time; list the Regions to patch, e.g. ["us-east-1"], or give the stack an env.region.',
    );
  });

  it('an unknown home Region, and one of another partition', () => {
    expect(errorFor({ homeRegion: 'eu-wset-1' }).message).toBe(
      'OrgPatching.homeRegion: "eu-wset-1" is not a known AWS Region; did you mean "eu-west-1"?',
    );
    expect(errorFor({ homeRegion: 'us-gov-west-1' }).message).toBe(
      'OrgPatching.homeRegion: "us-gov-west-1" is in partition aws-us-gov but Region us-east-1 is in aws; a deployment patches one partition.',
    );
  });

  it("the management account's resources in a stack of a delegated administrator", () => {
    expect(errorFor({ deployFrom: 'DELEGATED_ADMIN', includeManagementAccount: true }).message).toBe(
      "OrgPatching.includeManagementAccount: this stack is deployed from a delegated administrator, so it cannot hold the management account's member resources; deploy the member-stack management template in the management account and set managementAccountMember: 'DEPLOYED_SEPARATELY'.",
    );
  });

  it('StackSet preferences that CloudFormation would refuse', () => {
    expect(
      errorFor({ stackSetOperationPreferences: { maxConcurrentCount: 5, maxConcurrentPercentage: 20 } }).message,
    ).toBe('OrgPatching.stackSetOperationPreferences: give maxConcurrentCount or maxConcurrentPercentage, not both.');
    expect(
      errorFor({ stackSetOperationPreferences: { failureToleranceCount: 1, failureTolerancePercentage: 5 } }).message,
    ).toBe(
      'OrgPatching.stackSetOperationPreferences: give failureToleranceCount or failureTolerancePercentage, not both.',
    );
    expect(errorFor({ stackSetOperationPreferences: { maxConcurrentPercentage: 150 } }).message).toBe(
      'OrgPatching.stackSetOperationPreferences.maxConcurrentPercentage: must be a whole number from 1 to 100; got 150.',
    );
    expect(errorFor({ stackSetOperationPreferences: { optInRegionFailureTolerancePercentage: 101 } }).message).toBe(
      'OrgPatching.stackSetOperationPreferences.optInRegionFailureTolerancePercentage: must be a whole number from 0 to 100; got 101.',
    );
    expect(
      errorFor({
        stackSetOperationPreferences: {
          concurrencyMode: 'STRICT_FAILURE_TOLERANCE',
          maxConcurrentCount: 5,
          failureToleranceCount: 1,
        },
      }).message,
    ).toBe(
      'OrgPatching.stackSetOperationPreferences.maxConcurrentCount: 5 is more than failureToleranceCount + 1 (2), which STRICT_FAILURE_TOLERANCE allows at most; lower it or use concurrencyMode SOFT_FAILURE_TOLERANCE.',
    );
  });

  it('retention and email settings that cannot work', () => {
    expect(errorFor({ runRecordRetentionDays: 0 }).message).toBe(
      'OrgPatching.runRecordRetentionDays: must be a whole number of days, at least 1; got 0.',
    );
    expect(errorFor({ notificationEmails: ['ops@example.com', 'not-an-address'] }).message).toBe(
      'OrgPatching.notificationEmails[1]: "not-an-address" is not an email address.',
    );
  });

  it('a member template too large for an inline TemplateBody', () => {
    const real = memberTemplates();
    const padding = Object.fromEntries(
      Array.from({ length: 600 }, (_, i) => [
        `Pad${i}`,
        { Type: 'AWS::CloudFormation::WaitConditionHandle', Metadata: { note: 'x'.repeat(80) } },
      ]),
    );
    const regional = { ...real.regional, Resources: { ...real.regional.Resources, ...padding } };
    const error = errorFor({ memberTemplates: { ...real, regional } });
    expect(error.field).toBe('memberTemplates');
    expect(error.message).toMatch(
      /^OrgPatching\.memberTemplates: the regional member template is \d+ bytes, over the 51200-byte inline TemplateBody limit of StackSets; shrink it or upload it and use TemplateURL\.$/,
    );
  });

  it('a member template parameter it has no value for', () => {
    const real = memberTemplates();
    const global = {
      ...real.global,
      Parameters: { ...real.global.Parameters, PatchWindowOwner: { Type: 'String' } },
    };
    expect(errorFor({ memberTemplates: { ...real, global } }).message).toBe(
      'OrgPatching.memberTemplates: the global member template declares parameter PatchWindowOwner without a default and OrgPatching has no value for it; known parameters: OrchestratorRoleArn, OrganizationId.',
    );
  });
});

describe('OrgPatching accepts', () => {
  it('the defaults with only the Organization and its OUs, taking the stack Region', () => {
    const { orgPatching } = build({ regions: undefined });
    expect(orgPatching.regions).toEqual(['us-east-1']);
    expect(orgPatching.homeRegion).toBe('us-east-1');
    expect(orgPatching.payload.request.operation).toBe('Scan');
    expect(orgPatching.payload.request.resourceGroups).toEqual(['orgpatch-targets']);
  });
});
