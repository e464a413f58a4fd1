import { z } from 'zod';
import { AUTOMATION_DOCUMENT_NAME, EXECUTION_ROLE_NAME, TARGET_PARAMETER_NAME } from './memberNames.js';
import { PATCH_TUESDAY_OFFSET_BOUNDS } from './patchTuesday.js';
import {
  accountId,
  installOverrideList,
  isRecord,
  oneOf,
  ouOrRootId,
  rate,
  regionsSchema,
  snapshotId,
  ssmParameter,
  strings,
  targetSchema,
  targetsSchema,
  taskExecutionId,
  uniqueInOrder,
  windowId,
} from './payloadFields.js';
import { type Ctx, report } from './payloadIssues.js';
import { automationAssumeRole, checkRoleAgainstScope } from './payloadRole.js';
import type { Operation, RebootOption } from './request.js';
import { validateTimeZone } from './timeZone.js';
import { UNREACHABLE_REASONS } from './unreachable.js';

/**
 * The payload's schema: its objects (Document, Organization and its Waves, Concurrency), the checks
 * across fields, and the defaults and bounds the payload documents. The single fields' checks are
 * in payloadFields.ts, their wording in payloadIssues.ts.
 */

/** Defaults and bounds of the payload's Concurrency part. */
export const CONCURRENCY_BOUNDS = Object.freeze({
  global: Object.freeze({ min: 1, max: 256, default: 32 }),
  perAccount: Object.freeze({ min: 1, max: 32, default: 4 }),
});

/** Default MaxConcurrency when the payload leaves it out (SSM's own documented default). */
export const DEFAULT_MAX_CONCURRENCY = '10';
/** Default MaxErrors, and the default ErrorThreshold of a wave: stop at the first failure. */
export const DEFAULT_MAX_ERRORS = '0';

const OPERATIONS: readonly Operation[] = ['Scan', 'Install'];
const REBOOT_OPTIONS: readonly RebootOption[] = ['RebootIfNeeded', 'NoReboot'];
const DOCUMENT_NAME = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
const DOCUMENT_VERSION = /^([$]LATEST|[$]DEFAULT|[1-9][0-9]*)$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const WAVE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** CloudWatch AlarmName: 1 to 255 characters (the model's AlarmName), without control characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const ALARM_NAME = /^[^\u0000-\u001f\u007f]{1,255}$/;
/** The most alarms one wave names: one DescribeAlarms call reads them all. */
const MAX_WAVE_ALARMS = 100;
/** The longest bake time: a day, so a forgotten wave does not hold a run for ever. */
const MAX_BAKE_MINUTES = 1440;
const TARGET_PARAMETER_MAX_LENGTH = 50;

const parametersSchema = z.strictObject({
  AutomationAssumeRole: ssmParameter(
    automationAssumeRole,
    'AutomationAssumeRole',
    '"arn:{{Partition}}:iam::{{AccountId}}:role/OrgPatchAutomationRole"',
  ).optional(),
  Operation: ssmParameter(oneOf(OPERATIONS, 'Operation'), 'Operation', '"Scan"').optional(),
  RebootOption: ssmParameter(oneOf(REBOOT_OPTIONS, 'RebootOption'), 'RebootOption', '"RebootIfNeeded"').optional(),
  SnapshotId: ssmParameter(snapshotId, 'SnapshotId', '"<GUID>"').optional(),
  InstallOverrideList: ssmParameter(installOverrideList, 'InstallOverrideList', '"s3://bucket/key.yaml"').optional(),
});

const documentSchema = z.strictObject({
  Name: z
    .string()
    .superRefine((value, ctx) => {
      if (!DOCUMENT_NAME.test(value)) {
        report(
          ctx,
          `Document name ${JSON.stringify(value)} is not valid`,
          'a document name has 3-128 letters, digits and _ - . : /',
        );
      }
    })
    .optional(),
  Version: z
    .string()
    .superRefine((value, ctx) => {
      if (DOCUMENT_VERSION.test(value)) return;
      const keyword = ['$DEFAULT', '$LATEST'].find((k) => k.toLowerCase() === value.toLowerCase());
      report(
        ctx,
        `Document version ${JSON.stringify(value)} is not valid`,
        keyword ? `use "${keyword}"` : 'use a version number such as "1", or "$DEFAULT" or "$LATEST"',
      );
    })
    .optional(),
  Parameters: parametersSchema.optional(),
});

const waveSchema = z
  .strictObject({
    Name: z.string().superRefine((value, ctx) => {
      if (!WAVE_NAME.test(value)) {
        report(
          ctx,
          `Wave name ${JSON.stringify(value)} is not valid`,
          'use 1-64 letters, digits, hyphens, periods or underscores, e.g. "dev"',
        );
      } else if (value.toLowerCase() === 'default') {
        report(
          ctx,
          'Wave name "default" is reserved',
          'orgpatch puts accounts that no wave names in a final wave called default; choose another name',
        );
      }
    }),
    TargetOus: z.array(ouOrRootId).optional(),
    Accounts: z.array(accountId).optional(),
    ErrorThreshold: rate('MaxErrors', 'ErrorThreshold').optional(),
    Alarms: z
      .array(
        z.string().superRefine((value, ctx) => {
          if (!ALARM_NAME.test(value)) {
            report(
              ctx,
              `Alarm name ${JSON.stringify(value)} is not a CloudWatch alarm name`,
              "use the alarm's name as CloudWatch shows it: 1-255 characters, no control characters",
            );
          }
        }),
      )
      .max(MAX_WAVE_ALARMS, `a wave names at most ${MAX_WAVE_ALARMS} alarms (DescribeAlarms reads 100 at a time)`)
      .optional(),
    BakeMinutes: z
      .number()
      .int('BakeMinutes must be a whole number of minutes')
      .min(0, 'BakeMinutes must be 0 or more')
      .max(MAX_BAKE_MINUTES, `BakeMinutes must be at most ${MAX_BAKE_MINUTES} (a day)`)
      .optional(),
  })
  .superRefine((wave, ctx) => {
    if ((wave.TargetOus?.length ?? 0) + (wave.Accounts?.length ?? 0) === 0) {
      report(
        ctx,
        `Wave "${wave.Name}" names no OUs or accounts`,
        'add TargetOus or Accounts to it, or remove the wave',
      );
    }
  });

const wavesSchema = z.array(waveSchema).superRefine((waves, ctx) => {
  const names = new Map<string, number>();
  const ous = new Map<string, string>();
  const accounts = new Map<string, string>();
  waves.forEach((wave, i) => {
    const key = wave.Name.toLowerCase();
    const first = names.get(key);
    if (first !== undefined) {
      const earlier = waves[first]?.Name ?? wave.Name;
      report(
        ctx,
        `Wave name "${wave.Name}" repeats "${earlier}" of Waves[${first}] (names are compared ignoring case)`,
        'give every wave its own name',
        [i, 'Name'],
      );
    } else {
      names.set(key, i);
    }
    uniqueInOrder(wave.TargetOus ?? []).forEach((ou, j) => {
      const other = ous.get(ou);
      if (other !== undefined && other !== wave.Name) {
        report(ctx, `${ou} is in wave "${other}" and in wave "${wave.Name}"`, 'put each OU in one wave', [
          i,
          'TargetOus',
          j,
        ]);
      } else ous.set(ou, wave.Name);
    });
    uniqueInOrder(wave.Accounts ?? []).forEach((account, j) => {
      const other = accounts.get(account);
      if (other !== undefined && other !== wave.Name) {
        report(
          ctx,
          `Account ${account} is in wave "${other}" and in wave "${wave.Name}"`,
          'put each account in one wave',
          [i, 'Accounts', j],
        );
      } else accounts.set(account, wave.Name);
    });
  });
});

const organizationSchema = z
  .strictObject({
    TargetOus: z.array(ouOrRootId).optional(),
    Accounts: z.array(accountId).optional(),
    ExcludeAccounts: z.array(accountId).optional(),
    IncludeManagementAccount: z.boolean().optional(),
    ExecutionRoleName: z
      .string()
      .superRefine((value, ctx) => {
        if (!ROLE_NAME.test(value)) {
          report(
            ctx,
            `ExecutionRoleName ${JSON.stringify(value)} is not an IAM role name`,
            `use a role name (not an ARN), e.g. "${EXECUTION_ROLE_NAME}"`,
          );
        }
      })
      .optional(),
    Waves: wavesSchema.optional(),
    ErrorBudget: rate('MaxErrors', 'ErrorBudget').optional(),
    SkipUnreachable: z.array(oneOf(UNREACHABLE_REASONS, 'SkipUnreachable reason')).optional(),
  })
  // Runs even when a sibling field failed, so every problem is reported at once; reads the raw value defensively.
  .superRefine(
    (raw: unknown, ctx) => {
      if (!isRecord(raw)) return;
      const waves = Array.isArray(raw.Waves) ? raw.Waves.filter(isRecord) : [];
      const listed = new Map<string, string>();
      for (const a of strings(raw.Accounts)) listed.set(a, 'Accounts');
      for (const w of waves) for (const a of strings(w.Accounts)) listed.set(a, `wave "${String(w.Name)}"`);
      strings(raw.ExcludeAccounts).forEach((a, i) => {
        const where = listed.get(a);
        if (where !== undefined) {
          report(ctx, `Account ${a} is both excluded and listed in ${where}`, 'remove it from one of the two', [
            'ExcludeAccounts',
            i,
          ]);
        }
      });
      const named =
        strings(raw.TargetOus).length +
        strings(raw.Accounts).length +
        waves.reduce((n, w) => n + strings(w.TargetOus).length + strings(w.Accounts).length, 0);
      // A wave without targets reports itself, and a list of the wrong type already has its issue.
      const hasWaves = Array.isArray(raw.Waves) && raw.Waves.length > 0;
      const listsWellTyped = [raw.TargetOus, raw.Accounts, raw.Waves].every((l) => l === undefined || Array.isArray(l));
      if (named === 0 && !hasWaves && listsWellTyped) {
        report(
          ctx,
          'Organization names no OUs or accounts to patch',
          'add TargetOus (the root id, e.g. "r-ab12", for the whole Organization), Accounts or Waves',
        );
      }
    },
    { when: () => true },
  );

const boundedInt = (label: string, bounds: { min: number; max: number; default: number }) =>
  z.number().superRefine((value, ctx) => {
    if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
      report(
        ctx,
        `${label} ${value} is not a whole number from ${bounds.min} to ${bounds.max}`,
        `the default is ${bounds.default}`,
      );
    }
  });

const concurrencySchema = z
  .strictObject({
    Global: boundedInt('Concurrency.Global', CONCURRENCY_BOUNDS.global).optional(),
    PerAccount: boundedInt('Concurrency.PerAccount', CONCURRENCY_BOUNDS.perAccount).optional(),
  })
  .superRefine((c, ctx) => {
    const global = c.Global ?? CONCURRENCY_BOUNDS.global.default;
    const perAccount = c.PerAccount ?? CONCURRENCY_BOUNDS.perAccount.default;
    if (perAccount > global) {
      report(
        ctx,
        `Concurrency.PerAccount ${perAccount} is more than Concurrency.Global ${global}`,
        'PerAccount is at most Global',
        ['PerAccount'],
      );
    }
  });

/**
 * `PatchTuesday`: the run goes ahead only on the second Tuesday of the month plus OffsetDays, read in
 * TimeZone (the maintenance window's ScheduleTimezone; UTC when absent).
 */
const patchTuesdaySchema = z.strictObject({
  OffsetDays: z.number().superRefine((value, ctx) => {
    const { min, max } = PATCH_TUESDAY_OFFSET_BOUNDS;
    if (!Number.isInteger(value) || value < min || value > max) {
      report(
        ctx,
        `PatchTuesday.OffsetDays ${value} is not a whole number from ${min} to ${max}`,
        'days after the second Tuesday of the month: 0 is Patch Tuesday itself, 27 the last day before the next one can fall',
      );
    }
  }),
  TimeZone: z
    .string()
    .superRefine((value, ctx) => {
      const zone = validateTimeZone(value);
      if (!zone.ok) report(ctx, zone.message, 'use the maintenance window\'s ScheduleTimezone, e.g. "Europe/Berlin"');
    })
    .optional(),
});

/** Defaults and bounds of the payload's Snapshot part. */
export const SNAPSHOT_RETAIN_DAYS_BOUNDS = Object.freeze({ min: 1, max: 365, default: 7 });

/**
 * `Snapshot`: EBS snapshots of each instance before it is patched (`Before`), kept `RetainDays`
 * days. Only orgpatch's member document takes them.
 */
const snapshotSchema = z.strictObject({
  Before: z.boolean().optional(),
  RetainDays: boundedInt('Snapshot.RetainDays', SNAPSHOT_RETAIN_DAYS_BOUNDS).optional(),
});

/** Checks that only need the whole payload; they read the raw value so they run even when other fields failed. */
function crossFieldChecks(raw: unknown, ctx: Ctx): void {
  if (!isRecord(raw)) return;
  const document = isRecord(raw.Document) ? raw.Document : undefined;
  const hasOrganization = raw.Organization !== undefined;
  if (!hasOrganization && (raw.Document === undefined || (document !== undefined && document.Name === undefined))) {
    report(
      ctx,
      'Document.Name is required when there is no Organization part',
      `name the automation document to run, as in the blog payload, or add an Organization part to run orgpatch's ${AUTOMATION_DOCUMENT_NAME}`,
      raw.Document === undefined ? ['Document'] : ['Document', 'Name'],
    );
  }
  checkRoleAgainstScope(raw, ctx);
  checkTagTargetDocument(raw, document, ctx);
  checkSnapshotDocument(raw, document, ctx);
}

/** Pre-patch snapshots are steps of orgpatch's member document; another document would not take them. */
function checkSnapshotDocument(raw: Record<string, unknown>, document: Record<string, unknown> | undefined, ctx: Ctx) {
  const snapshot = isRecord(raw.Snapshot) ? raw.Snapshot : undefined;
  const name = document?.Name;
  if (snapshot === undefined || name === undefined || name === AUTOMATION_DOCUMENT_NAME) return;
  report(
    ctx,
    `Snapshot needs orgpatch's document ${AUTOMATION_DOCUMENT_NAME}, not ${typeof name === 'string' ? JSON.stringify(name) : 'another'}: only its steps snapshot an instance's volumes before patching it`,
    'remove Document.Name, or remove Snapshot',
    ['Snapshot'],
  );
}

/**
 * A tag target needs orgpatch's document: its TargetType, `/AWS::EC2::Instance`, is what keeps SSM
 * from resolving the tag to every tagged resource ("Mapping targets for an automation": without it
 * "all resources with the same tag will be targeted"), and another document's TargetType is not
 * orgpatch's to vouch for.
 */
function checkTagTargetDocument(raw: Record<string, unknown>, document: Record<string, unknown> | undefined, ctx: Ctx) {
  const targets = Array.isArray(raw.Targets) ? raw.Targets.filter(isRecord) : [];
  const tagged = targets.some((t) => typeof t.Key === 'string' && t.Key.startsWith('tag:'));
  const name = document?.Name;
  if (!tagged || name === undefined || name === AUTOMATION_DOCUMENT_NAME) return;
  report(
    ctx,
    `A tag target runs orgpatch's document ${AUTOMATION_DOCUMENT_NAME}, not ${typeof name === 'string' ? JSON.stringify(name) : 'another'}: with a document that does not declare TargetType /AWS::EC2::Instance, SSM Automation targets every resource that carries the tag (volumes, network interfaces, ...) and those children fail`,
    `remove Document.Name, or target a resource group whose query has ResourceTypeFilters ["AWS::EC2::Instance"]`,
    ['Document', 'Name'],
  );
}

/**
 * The zod schema of the raw payload (PascalCase, as written in the maintenance-window task).
 * Every field check and the cross-field checks are part of it, so `payloadSchema.safeParse`
 * reports every problem; {@link safeParsePayload} maps them to {@link ValidationIssue}s with hints.
 */
export const payloadSchema = z
  .strictObject({
    WindowId: windowId.optional(),
    TaskExecutionId: taskExecutionId.optional(),
    Document: documentSchema.optional(),
    TargetParameterName: z
      .string()
      .superRefine((value, ctx) => {
        if (value.length < 1 || value.length > TARGET_PARAMETER_MAX_LENGTH) {
          report(
            ctx,
            `TargetParameterName must have 1-${TARGET_PARAMETER_MAX_LENGTH} characters`,
            `the default is "${TARGET_PARAMETER_NAME}"`,
          );
        }
      })
      .optional(),
    Targets: targetsSchema,
    MaxConcurrency: rate('MaxConcurrency', 'MaxConcurrency').optional(),
    MaxErrors: rate('MaxErrors', 'MaxErrors').optional(),
    Regions: regionsSchema,
    Organization: organizationSchema.optional(),
    DryRun: z.boolean().optional(),
    Concurrency: concurrencySchema.optional(),
    PatchTuesday: patchTuesdaySchema.optional(),
    Snapshot: snapshotSchema.optional(),
  })
  .superRefine((raw: unknown, ctx) => crossFieldChecks(raw, ctx), { when: () => true });

/** The raw payload, as {@link payloadSchema} accepts it. */
export type Payload = z.output<typeof payloadSchema>;

/** Keys each object of the payload accepts, by path pattern (array indices as `[]`), for did-you-mean hints. */
export const PAYLOAD_KEYS: ReadonlyMap<string, readonly string[]> = new Map([
  ['', Object.keys(payloadSchema.shape)],
  ['Document', Object.keys(documentSchema.shape)],
  ['Document.Parameters', Object.keys(parametersSchema.shape)],
  ['Targets[]', Object.keys(targetSchema.shape)],
  ['Organization', Object.keys(organizationSchema.shape)],
  ['Organization.Waves[]', Object.keys(waveSchema.shape)],
  ['Concurrency', Object.keys(concurrencySchema.shape)],
  ['PatchTuesday', Object.keys(patchTuesdaySchema.shape)],
  ['Snapshot', Object.keys(snapshotSchema.shape)],
]);
