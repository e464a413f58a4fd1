import type { GroupObservation } from './inventory.js';
import { AUTOMATION_DOCUMENT_NAME, AUTOMATION_DOCUMENT_SHA256, AUTOMATION_ROLE_NAME } from './memberNames.js';
import { locationKey } from './plan.js';
import type { Plan, PlannedLocation } from './planModel.js';
import type {
  DocumentObservation,
  NodesObservation,
  PreflightCheck,
  PreflightProblem,
  PreflightReport,
  PreflightSeverity,
  RoleObservation,
} from './preflightModel.js';
import { formatRateValue, rateExceeded } from './rates.js';
import type { PatchRequest } from './request.js';
import { tagTargetOf } from './targets.js';

/**
 * The preflight's judgement, pure: from the plan (discovery, Region filter and target inventory,
 * exactly as a run sees them) and what the preflight read besides (the automation document per
 * location, the automation role per account, the managed nodes per location), every problem with
 * its severity and fix, and how many checks passed.
 */

/** What {@link evaluatePreflight} judges. */
export interface PreflightInput {
  readonly request: PatchRequest;
  readonly plan: Plan;
  /** GetDocument of the payload's document, by {@link locationKey}, for each reached location. */
  readonly documents: ReadonlyMap<string, DocumentObservation>;
  /** GetRole of the automation role, by account id; absent where it was not checked (a role in another account). */
  readonly roles: ReadonlyMap<string, RoleObservation>;
  /** The managed nodes, by {@link locationKey}, for each reached location whose targets hold instances. */
  readonly nodes: ReadonlyMap<string, NodesObservation>;
  /** The parameter names a start passes to the document (the document must declare each). */
  readonly documentParameters: readonly string[];
}

/** Plan failure codes a preflight reports as such (the location's targets could not be read). */
const INVENTORY_FAILURES = new Set(['throttled', 'credentials-expired', 'service-error', 'not-inspected']);

/**
 * Whether the run reached a location's targets: its decision was taken from what the target groups
 * (or tag) held, not from the account or an error. Only there are the document, the role and the
 * nodes worth reading.
 */
export function preflightReached(location: PlannedLocation): boolean {
  const d = location.decision;
  if (d.action === 'start') return true;
  if (d.action === 'skip') return d.reason === 'groups-missing' || d.reason === 'no-instances';
  return d.code === 'group-has-non-instances';
}

/**
 * Judges a preflight. Severity is `error` where a run would fail: an account that cannot be entered
 * (unless `SkipUnreachable` names the reason), targets that cannot be read, a group holding other
 * resources besides instances, and, where the run would start something, a missing or unusable
 * document, a missing automation role, or more unmanaged or offline nodes than MaxErrors allows.
 * The same findings where the run would only skip are warnings, as are Regions not enabled,
 * missing groups, a stale runbook that still takes every parameter, and checks that could not be
 * made for lack of permission.
 */
export function evaluatePreflight(input: PreflightInput): PreflightReport {
  const { request, plan } = input;
  const problems: PreflightProblem[] = [];
  let passed = 0;
  let locations = 0;
  let notChecked = 0;
  const report = (p: PreflightProblem) => problems.push(p);
  const pass = () => {
    passed += 1;
  };

  const byAccount = new Map<string, PlannedLocation[]>();
  for (const location of plan.locations) {
    const list = byAccount.get(location.accountId) ?? [];
    list.push(location);
    byAccount.set(location.accountId, list);
  }

  for (const [accountId, accountLocations] of byAccount) {
    const starts = accountLocations.some((l) => l.decision.action === 'start');
    let roleAssumed = false;
    let roleReported = false;
    for (const location of accountLocations) {
      const { region, decision } = location;
      if (decision.action === 'skip' && !preflightReached(location) && !UNREACHABLE_SKIPS.has(decision.reason)) {
        if (decision.reason === 'region-not-enabled') {
          locations += 1;
          report({
            accountId,
            region,
            check: 'region',
            severity: 'warning',
            found: `${region} is not enabled in account ${accountId}: a run skips it (${decision.detail})`,
            fix: `Enable the opt-in Region ${region} for account ${accountId} (Account settings, AWS Regions), or remove ${region} from the payload's Regions.`,
          });
        } else notChecked += 1;
        continue;
      }
      locations += 1;
      if (decision.action === 'fail' && decision.code === 'account-not-found') {
        report({
          accountId,
          region,
          check: 'account',
          severity: 'error',
          found: decision.message,
          fix: `Correct or remove account ${accountId} in the payload's Organization.Accounts or Waves.`,
        });
        continue;
      }
      const unreachable = unreachableKind(location);
      if (unreachable !== undefined) {
        const severity: PreflightSeverity = unreachable.skipped ? 'warning' : 'error';
        if (unreachable.kind === 'member-stack-missing') {
          if (!roleReported) {
            roleReported = true;
            report({
              accountId,
              check: 'execution-role',
              severity,
              found: unreachable.text,
              fix: `Deploy the orgpatch member StackSets to account ${accountId} (the global stack creates ${request.organization?.executionRoleName ?? 'the execution role'}), or fix that role's trust so it names the orchestrator role.`,
            });
          }
        } else {
          report({
            accountId,
            region,
            check: 'inventory',
            severity,
            found: unreachable.text,
            fix: `Allow the execution role to read resource groups in ${region} (check its policy and any SCP that denies the Region), or add "AccessDenied" to Organization.SkipUnreachable to skip such locations.`,
          });
        }
        continue;
      }
      if (decision.action === 'fail' && INVENTORY_FAILURES.has(decision.code)) {
        report({
          accountId,
          region,
          check: 'inventory',
          severity: 'error',
          found: decision.message,
          fix: 'Run orgpatch doctor again; if it persists, lower Concurrency or check the AWS Health Dashboard for the Region.',
        });
        continue;
      }
      if (!preflightReached(location)) continue;
      // The account was entered and the Region answered.
      roleAssumed = true;
      pass();
      const willStart = decision.action === 'start';
      const doc = documentProblem(input, location, willStart);
      if (doc) report(doc);
      else pass();
      const groupProblems = targetProblems(request, location);
      for (const p of groupProblems.problems) report(p);
      passed += groupProblems.passed;
      const nodes = nodeProblem(input, location);
      if (nodes) report(nodes);
      else if (input.nodes.has(locationKey(accountId, region))) pass();
    }
    if (roleAssumed && !roleReported) pass();
    const role = input.roles.get(accountId);
    if (role !== undefined && roleAssumed) {
      const p = roleProblem(request, accountId, role, starts);
      if (p) report(p);
      else pass();
    }
  }

  problems.sort(compareProblems);
  const errors = problems.filter((p) => p.severity === 'error').length;
  return {
    problems,
    counts: { passed, errors, warnings: problems.length - errors, locations, notChecked },
    ok: errors === 0,
  };
}

/** Skips that mean "could not be reached" (SkipUnreachable): reported, as warnings. */
const UNREACHABLE_SKIPS = new Set<string>(['access-denied', 'member-stack-missing']);

function unreachableKind(
  location: PlannedLocation,
): { kind: 'member-stack-missing' | 'access-denied'; skipped: boolean; text: string } | undefined {
  const d = location.decision;
  if (d.action === 'skip' && (d.reason === 'member-stack-missing' || d.reason === 'access-denied')) {
    return { kind: d.reason, skipped: true, text: `${d.detail} (a run skips it: Organization.SkipUnreachable)` };
  }
  if (d.action === 'fail' && (d.code === 'member-stack-missing' || d.code === 'access-denied')) {
    return { kind: d.code, skipped: false, text: d.message };
  }
  return undefined;
}

function documentProblem(
  input: PreflightInput,
  location: PlannedLocation,
  willStart: boolean,
): PreflightProblem | undefined {
  const { request } = input;
  const { accountId, region } = location;
  const name = request.document.name;
  const ours = name === AUTOMATION_DOCUMENT_NAME;
  const severity: PreflightSeverity = willStart ? 'error' : 'warning';
  const at = { accountId, region, check: 'automation-document' as const };
  const observed = input.documents.get(locationKey(accountId, region));
  if (observed === undefined) return undefined;
  switch (observed.kind) {
    case 'missing':
      return {
        ...at,
        severity,
        found: `Document ${name} does not exist here (${observed.code})`,
        fix: ours
          ? `Deploy the orgpatch Regional member stack to account ${accountId} in ${region} (add ${region} to the StackSet's stack instances).`
          : `Create the automation document ${name} in account ${accountId}, ${region}, or name a document that exists in every target account and Region.`,
      };
    case 'version-missing':
      return {
        ...at,
        severity,
        found: `Document ${name} has no version ${request.document.version ?? '$DEFAULT'} here (${observed.code}: ${observed.message})`,
        fix: 'Set Document.Version to a version that exists in every account and Region, or leave it out to start the default version.',
      };
    case 'error':
      return {
        ...at,
        severity: 'warning',
        found: `Document ${name} could not be read (${observed.code}): ${observed.message}`,
        fix:
          observed.error === 'access-denied' && ours
            ? `Update the orgpatch member StackSets in account ${accountId}: this orgpatch's execution role may read its document (ssm:GetDocument).`
            : 'Run orgpatch doctor again with credentials that may read the document (ssm:GetDocument).',
      };
    case 'found':
      break;
  }
  const version = `version ${observed.version}${observed.versionName ? ` (${observed.versionName})` : ''}`;
  if (observed.status !== 'Active') {
    return {
      ...at,
      severity,
      found: `Document ${name} ${version} is ${observed.status}${observed.statusInformation ? `: ${observed.statusInformation}` : ''}`,
      fix: `Wait until the document is Active, or redeploy the orgpatch Regional member stack in account ${accountId}, ${region}.`,
    };
  }
  const undeclared = input.documentParameters.filter((p) => !observed.parameters.includes(p));
  const stale = ours && observed.contentSha256 !== AUTOMATION_DOCUMENT_SHA256;
  if (undeclared.length === 0 && !stale) return undefined;
  const hash =
    observed.contentSha256 === undefined
      ? 'content that is not JSON'
      : `content SHA-256 ${observed.contentSha256.slice(0, 12)}`;
  const parts = [
    stale
      ? `${version} has ${hash}, not this orgpatch's runbook (${AUTOMATION_DOCUMENT_SHA256.slice(0, 12)})`
      : version,
    undeclared.length > 0
      ? `it does not declare ${undeclared.join(', ')}, which a start passes, so SSM refuses the start`
      : 'it declares every parameter a start passes',
  ];
  return {
    ...at,
    severity: undeclared.length > 0 ? severity : 'warning',
    found: `Document ${name} ${parts.join('; ')}`,
    fix: ours
      ? `Update the orgpatch member StackSets to this orgpatch version so account ${accountId}, ${region} gets its runbook.`
      : `Add the parameters ${undeclared.join(', ')} to ${name}, or use the orgpatch document.`,
  };
}

function roleProblem(
  request: PatchRequest,
  accountId: string,
  role: RoleObservation,
  starts: boolean,
): PreflightProblem | undefined {
  const at = { accountId, check: 'automation-role' as const };
  const memberDefault = request.automationAssumeRole.kind === 'member-default';
  switch (role.kind) {
    case 'found':
      return undefined;
    case 'missing':
      return {
        ...at,
        severity: starts ? 'error' : 'warning',
        found: `The automation role ${role.arn} does not exist (${role.code}): every child automation would fail to assume it`,
        fix: memberDefault
          ? `Redeploy the orgpatch global member stack to account ${accountId}: it creates ${AUTOMATION_ROLE_NAME}.`
          : `Create the role ${role.arn}, or point Document.Parameters.AutomationAssumeRole at a role that exists in every target account.`,
      };
    case 'error':
      return {
        ...at,
        severity: 'warning',
        found: `The automation role ${role.arn} could not be read (${role.code}): ${role.message}`,
        fix:
          role.error === 'access-denied' && memberDefault
            ? `Update the orgpatch member StackSets in account ${accountId}: this orgpatch's execution role may read ${AUTOMATION_ROLE_NAME} (iam:GetRole).`
            : 'Run orgpatch doctor again with credentials that may read the role (iam:GetRole).',
      };
  }
}

/** Missing groups and groups holding other resources besides instances. */
function targetProblems(
  request: PatchRequest,
  location: PlannedLocation,
): { problems: PreflightProblem[]; passed: number } {
  if (tagTargetOf(request) !== undefined) return { problems: [], passed: 0 };
  const { accountId, region } = location;
  const problems: PreflightProblem[] = [];
  const missing = location.groups.filter((g) => !g.exists).map((g) => g.name);
  if (missing.length > 0) {
    const none = missing.length === location.groups.length;
    problems.push({
      accountId,
      region,
      check: 'target-groups',
      severity: 'warning',
      found: `${plural(missing.length, 'Target group')} ${missing.map((n) => `"${n}"`).join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist here${none ? ': a run skips this location' : ''}`,
      fix: `Create ${missing.length === 1 ? 'the group' : 'the groups'} in account ${accountId}, ${region} if it should be patched, or remove ${region} from the payload's Regions.`,
    });
  }
  const mixed = location.groups.filter((g) => g.exists && otherMembers(g) > 0);
  if (mixed.length > 0) {
    const failing = location.decision.action === 'fail' && location.decision.code === 'group-has-non-instances';
    problems.push({
      accountId,
      region,
      check: 'group-members',
      severity: failing ? 'error' : 'warning',
      found: mixed
        .map(
          (g) =>
            `"${g.name}" holds ${plural(g.instanceIds.length, 'instance')} and ${describeOthers(g)}: SSM Automation starts a child for every member and each non-instance child fails`,
        )
        .join('; '),
      fix: `Make ${mixed.length === 1 ? 'the group' : 'each group'} a tag-based query with ResourceTypeFilters ["AWS::EC2::Instance"] (add "AWS::SSM::ManagedInstance" for hybrid nodes), or target a tag instead.`,
    });
  }
  const checks = 2 - problems.length;
  return { problems, passed: checks };
}

/** Target instances that are not managed nodes, or not online, against each group's MaxErrors. */
function nodeProblem(input: PreflightInput, location: PlannedLocation): PreflightProblem | undefined {
  const { request } = input;
  const { accountId, region } = location;
  const observed = input.nodes.get(locationKey(accountId, region));
  const targets = location.groups.filter((g) => g.exists && g.instanceIds.length > 0);
  if (observed === undefined || targets.length === 0) return undefined;
  const at = { accountId, region, check: 'managed-nodes' as const };
  if (observed.kind === 'error') {
    return {
      ...at,
      severity: 'warning',
      found: `The managed nodes could not be listed (${observed.code}): ${observed.message}`,
      fix: 'Run orgpatch doctor again with an execution role that may call ssm:DescribeInstanceInformation.',
    };
  }
  const unmanaged = new Set<string>();
  const offline = new Map<string, string>();
  let exceeded = false;
  for (const group of targets) {
    let failing = 0;
    for (const id of group.instanceIds) {
      const ping = observed.pingStatus.get(id);
      if (ping === undefined) unmanaged.add(id);
      else if (ping !== 'Online') offline.set(id, ping);
      if (ping !== 'Online') failing += 1;
    }
    if (rateExceeded(request.maxErrors, failing, group.instanceIds.length)) exceeded = true;
  }
  if (unmanaged.size === 0 && offline.size === 0) return undefined;
  const found = [
    unmanaged.size > 0 ? `${plural(unmanaged.size, 'instance')} not managed by SSM (${list([...unmanaged])})` : '',
    offline.size > 0
      ? `${plural(offline.size, 'managed node')} not online (${list([...offline].map(([id, ping]) => `${id} ${ping}`))})`
      : '',
  ].filter((s) => s !== '');
  const starts = location.decision.action === 'start';
  return {
    ...at,
    severity: exceeded && starts ? 'error' : 'warning',
    found: `${found.join('; ')}: their child automations fail; ${exceeded ? 'more' : 'no more'} than MaxErrors "${formatRateValue(request.maxErrors)}" allows`,
    fix: 'Install and start the SSM Agent with an instance profile that allows Systems Manager (AmazonSSMManagedInstanceCore) on those instances, or remove them from the target groups.',
  };
}

const INSTANCE_TYPES = new Set(['AWS::EC2::Instance', 'AWS::SSM::ManagedInstance']);

function otherMembers(group: GroupObservation): number {
  return Object.entries(group.otherMembers ?? {})
    .filter(([type]) => !INSTANCE_TYPES.has(type))
    .reduce((sum, [, n]) => sum + n, 0);
}

function describeOthers(group: GroupObservation): string {
  return Object.entries(group.otherMembers ?? {})
    .filter(([type, n]) => n > 0 && !INSTANCE_TYPES.has(type))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Up to five ids, then how many more. */
function list(items: readonly string[]): string {
  return items.length <= 5 ? items.join(', ') : `${items.slice(0, 5).join(', ')} and ${items.length - 5} more`;
}

const CHECK_ORDER: readonly PreflightCheck[] = [
  'account',
  'execution-role',
  'region',
  'inventory',
  'automation-document',
  'automation-role',
  'target-groups',
  'group-members',
  'managed-nodes',
];

function compareProblems(a: PreflightProblem, b: PreflightProblem): number {
  const severity = (p: PreflightProblem) => (p.severity === 'error' ? 0 : 1);
  return (
    severity(a) - severity(b) ||
    compareText(a.accountId, b.accountId) ||
    compareText(a.region ?? '', b.region ?? '') ||
    CHECK_ORDER.indexOf(a.check) - CHECK_ORDER.indexOf(b.check)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The columns of {@link preflightRows}. */
export const PREFLIGHT_COLUMNS = ['Account', 'Region', 'Check', 'Severity', 'Found', 'Fix'] as const;

/** A report's problems as table rows, in {@link PREFLIGHT_COLUMNS} order (an account-wide check's Region is `all`). */
export function preflightRows(report: PreflightReport): string[][] {
  return report.problems.map((p) => [p.accountId, p.region ?? 'all', p.check, p.severity, p.found, p.fix]);
}
