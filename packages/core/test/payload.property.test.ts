import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePayload, safeParsePayload } from '../src/payload.js';
import { toPayload } from '../src/payloadSerialize.js';
import { type Partition, REGIONS } from '../src/regions.js';

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];
const regionsOf = (partition: Partition) => REGIONS.filter((r) => r.partition === partition).map((r) => r.code);

const account = fc.stringMatching(/^\d{12}$/);
const ouId = fc.oneof(fc.stringMatching(/^ou-[0-9a-z]{4,8}-[a-z0-9]{8,12}$/), fc.stringMatching(/^r-[0-9a-z]{4,8}$/));
const groupName = fc.stringMatching(/^[a-zA-Z0-9_.-]{1,24}$/).filter((g) => !/^aws/i.test(g));
const maxConcurrency = fc.oneof(
  fc.integer({ min: 1, max: 9_999_999 }).map(String),
  fc.integer({ min: 1, max: 100 }).map((n) => `${n}%`),
);
const maxErrors = fc.oneof(
  fc.integer({ min: 0, max: 9_999_999 }).map(String),
  fc.integer({ min: 0, max: 100 }).map((n) => `${n}%`),
);
const waveName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,15}$/).filter((n) => n.toLowerCase() !== 'default');
const roleName = fc.stringMatching(/^[\w+=,.@-]{1,32}$/);

const targets = fc.array(
  fc.record({ Key: fc.constant('ResourceGroup'), Values: fc.array(groupName, { minLength: 1, maxLength: 5 }) }),
  {
    minLength: 1,
    maxLength: 5,
  },
);

const parameters = (role: fc.Arbitrary<string>) =>
  fc.record(
    {
      AutomationAssumeRole: role.map((r) => [r]),
      Operation: fc.constantFrom('Scan', 'Install').map((o) => [o]),
      RebootOption: fc.constantFrom('RebootIfNeeded', 'NoReboot').map((o) => [o]),
      SnapshotId: fc.oneof(fc.uuid(), fc.constant('{{WINDOW_EXECUTION_ID}}')).map((s) => [s]),
      InstallOverrideList: fc
        .stringMatching(/^s3:\/\/[a-z0-9.-]{3,20}\/[a-z0-9/]{0,10}[a-z0-9]\.yaml$/)
        .map((s) => [s]),
    },
    { requiredKeys: [] },
  );

const template = (partition: Partition) =>
  fc
    .tuple(fc.constantFrom(partition, '{{Partition}}'), fc.constantFrom('{{AccountId}}', '{{ACCOUNT_ID}}'), roleName)
    .map(([p, a, name]) => `arn:${p}:iam::${a}:role/${name}`);
const fixedRole = (partition: Partition) =>
  fc.tuple(account, roleName).map(([a, name]) => `arn:${partition}:iam::${a}:role/${name}`);

const wave = fc.record(
  {
    Name: waveName,
    TargetOus: fc.array(ouId, { maxLength: 3 }),
    Accounts: fc.array(account, { maxLength: 3 }),
    ErrorThreshold: maxErrors,
  },
  { requiredKeys: ['Name'] },
);

const organization = fc
  .record(
    {
      TargetOus: fc.array(ouId, { maxLength: 4 }),
      Accounts: fc.array(account, { maxLength: 4 }),
      ExcludeAccounts: fc.array(account, { maxLength: 3 }),
      IncludeManagementAccount: fc.boolean(),
      ExecutionRoleName: roleName,
      Waves: fc.uniqueArray(wave, { maxLength: 4, selector: (w) => w.Name.toLowerCase() }),
      ErrorBudget: maxErrors,
    },
    { requiredKeys: [] },
  )
  .map((o) => {
    // Keep the generated Organization valid: each OU/account in one wave, waves not empty,
    // nothing both excluded and listed, something named.
    const seen = new Set<string>();
    const waves = (o.Waves ?? [])
      .map((w) => {
        const keep = (ids: readonly string[] | undefined) => unique(ids ?? []).filter((id) => !seen.has(id));
        const TargetOus = keep(w.TargetOus);
        const Accounts = keep(w.Accounts);
        for (const id of [...TargetOus, ...Accounts]) seen.add(id);
        return { ...w, TargetOus, Accounts };
      })
      .filter((w) => w.TargetOus.length + w.Accounts.length > 0);
    const listed = new Set([...(o.Accounts ?? []), ...waves.flatMap((w) => w.Accounts)]);
    return {
      ...o,
      ...(o.Waves === undefined ? {} : { Waves: waves }),
      ...(o.ExcludeAccounts === undefined ? {} : { ExcludeAccounts: o.ExcludeAccounts.filter((a) => !listed.has(a)) }),
    };
  })
  .filter((o) => (o.TargetOus?.length ?? 0) + (o.Accounts?.length ?? 0) + (o.Waves?.length ?? 0) > 0);

const common = (partition: Partition) => ({
  WindowId: fc.oneof(fc.constant('{{WINDOW_ID}}'), fc.stringMatching(/^mw-[0-9a-f]{17}$/)),
  TaskExecutionId: fc.oneof(fc.constant('{{TASK_EXECUTION_ID}}'), fc.uuid()),
  TargetParameterName: fc.constantFrom('InstanceIds', 'InstanceId'),
  Targets: targets,
  MaxConcurrency: maxConcurrency,
  MaxErrors: maxErrors,
  Regions: fc.array(fc.constantFrom(...regionsOf(partition)), { minLength: 1, maxLength: 6 }),
  DryRun: fc.boolean(),
  Concurrency: fc
    .record(
      { Global: fc.integer({ min: 1, max: 256 }), PerAccount: fc.integer({ min: 1, max: 32 }) },
      { requiredKeys: [] },
    )
    .filter((c) => (c.PerAccount ?? 4) <= (c.Global ?? 32)),
});

const documentName = fc.stringMatching(/^[a-zA-Z0-9_\-.:/]{3,40}$/);
const documentVersion = fc.oneof(fc.constantFrom('$DEFAULT', '$LATEST'), fc.integer({ min: 1, max: 999 }).map(String));

const PARTITIONS: readonly Partition[] = ['aws', 'aws-cn', 'aws-us-gov'];

/** Blog-style payloads: one account, a named document, any kind of role. */
const blogPayloadIn = (partition: Partition) =>
  fc.record(
    {
      ...common(partition),
      Document: fc.record(
        {
          Name: documentName,
          Version: documentVersion,
          Parameters: parameters(fc.oneof(fixedRole(partition), template(partition))),
        },
        { requiredKeys: ['Name'] },
      ),
    },
    { requiredKeys: ['Targets', 'Regions', 'Document'] },
  );

/** Organization payloads: the member document by default, a template or each account's own role. */
const orgPayloadIn = (partition: Partition) =>
  fc.record(
    {
      ...common(partition),
      Document: fc.record(
        { Name: documentName, Version: documentVersion, Parameters: parameters(template(partition)) },
        { requiredKeys: [] },
      ),
      Organization: organization,
    },
    { requiredKeys: ['Targets', 'Regions', 'Organization'] },
  );

// Built once per partition (not in a chain): building string-matching arbitraries is the slow part.
const blogPayload = fc.oneof(...PARTITIONS.map(blogPayloadIn));
const orgPayload = fc.oneof(...PARTITIONS.map(orgPayloadIn));
const anyPayload = fc.oneof(blogPayload, orgPayload);

describe('payload properties', () => {
  it('accepts every generated valid payload and keeps what it says', () => {
    fc.assert(
      fc.property(anyPayload, (payload) => {
        const result = safeParsePayload(payload);
        if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.issues)}`);
        const r = result.request;
        const p = payload as typeof payload & { Organization?: { Waves?: { Name: string }[] } };
        expect(r.regions).toEqual(unique(p.Regions));
        expect(r.resourceGroups).toEqual(unique(p.Targets.flatMap((t) => t.Values)));
        expect(r.maxConcurrency.raw).toBe(p.MaxConcurrency ?? '10');
        expect(r.maxErrors.raw).toBe(p.MaxErrors ?? '0');
        expect(r.operation).toBe(p.Document?.Parameters?.Operation?.[0] ?? 'Scan');
        expect(r.rebootOption).toBe(p.Document?.Parameters?.RebootOption?.[0] ?? 'RebootIfNeeded');
        expect(r.dryRun).toBe(p.DryRun ?? false);
        expect(r.windowId).toBe(p.WindowId === '{{WINDOW_ID}}' ? undefined : p.WindowId);
        expect(r.organization?.waves.map((w) => w.name)).toEqual(
          p.Organization?.Waves?.map((w) => w.Name) ?? (p.Organization ? [] : undefined),
        );
        expect(r.automationAssumeRole.kind).toBe(
          p.Document?.Parameters?.AutomationAssumeRole === undefined
            ? 'member-default'
            : p.Document.Parameters.AutomationAssumeRole[0]?.includes('{{')
              ? 'template'
              : 'fixed',
        );
      }),
      { numRuns: 200 },
    );
  }, 30_000);

  it('round-trips: the request survives JSON, and toPayload parses back to it', () => {
    fc.assert(
      fc.property(anyPayload, (payload) => {
        const request = parsePayload(payload);
        expect(JSON.parse(JSON.stringify(request))).toStrictEqual(request);
        expect(parsePayload(toPayload(request))).toStrictEqual(request);
        expect(parsePayload(JSON.parse(JSON.stringify(toPayload(request))))).toStrictEqual(request);
      }),
      { numRuns: 200 },
    );
  }, 30_000);

  it('rejects any unknown top-level key, naming it', () => {
    const known = new Set([
      'WindowId',
      'TaskExecutionId',
      'Document',
      'TargetParameterName',
      'Targets',
      'MaxConcurrency',
    ]);
    for (const k of ['MaxErrors', 'Regions', 'Organization', 'DryRun', 'Concurrency']) known.add(k);
    fc.assert(
      fc.property(
        anyPayload,
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,12}$/).filter((k) => !known.has(k)),
        (payload, key) => {
          const result = safeParsePayload({ ...payload, [key]: true });
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(key);
        },
      ),
      { numRuns: 150 },
    );
  }, 30_000);

  it('rejects any unknown Region, at its index', () => {
    const known = new Set(REGIONS.map((r) => r.code));
    fc.assert(
      fc.property(
        blogPayload,
        fc.string({ maxLength: 20 }).filter((s) => !known.has(s)),
        (payload, bogus) => {
          const regions = [...payload.Regions, bogus];
          const result = safeParsePayload({ ...payload, Regions: regions });
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(`Regions[${regions.length - 1}]`);
        },
      ),
      { numRuns: 150 },
    );
  }, 30_000);
});
