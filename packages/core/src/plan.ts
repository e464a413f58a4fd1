import type { GroupObservation, InventoryObservation, Location } from './inventory.js';
import type { AccountInfo, AccountStatus, OrganizationSnapshot } from './organization.js';
import type { Plan, PlanDecision, PlannedLocation, PlannedWave, SkipReason } from './planModel.js';
import { formatRateValue, rateExceeded } from './rates.js';
import type { PatchRequest, RateValue } from './request.js';
import type { LocationOutcome, RunRecord } from './runModel.js';
import { decideTargets } from './targetDecision.js';

/**
 * The Region filter and plan: from the Organization snapshot, the request and what inventory saw
 * in each (account, Region), a deterministic plan where every location considered has exactly one
 * decision (start, skip with a reason, or fail) and a wave. Pure: same input, same plan.
 */

/** The name of the wave that takes accounts no requested wave names (and the only wave without waves). */
export const DEFAULT_WAVE_NAME = 'default';

/** The error threshold of the `default` wave: no failures tolerated. */
const DEFAULT_WAVE_THRESHOLD: RateValue = { kind: 'absolute', value: 0, raw: '0' };

/**
 * The key of a location (an account and a Region) in maps and sets: `${accountId}/${region}`.
 * The one spelling of it, so the keys core, the orchestrator and the sandbox make agree.
 */
export function locationKey(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}

/**
 * A sentence saying why a location was skipped and what to do about it.
 *
 * @example
 * describeSkipReason('member-stack-missing');
 * // 'The orgpatch execution role could not be assumed: deploy the member StackSets to this account'
 */
export function describeSkipReason(reason: SkipReason): string {
  switch (reason) {
    case 'no-instances':
      return 'The targets hold no instances here (the target resource groups hold none, or no managed EC2 instance carries the target tag): nothing to patch; add instances to the groups, or tag them, if this location should be patched';
    case 'groups-missing':
      return 'None of the target resource groups exists here: create them in this account and Region, or remove the Region from the payload';
    case 'account-excluded':
      return "The account is in the payload's excluded accounts: remove it from that list to patch it";
    case 'account-pending-activation':
      return 'The account is PENDING_ACTIVATION in Organizations: its sign-up was never completed, so nothing can run in it; complete the sign-up (phone verification, payment information) to activate it';
    case 'account-suspended':
      return 'The account is SUSPENDED in Organizations: AWS has restricted access to it, so nothing can run in it until AWS Support reinstates it';
    case 'account-pending-closure':
      return 'The account is being closed (PENDING_CLOSURE): nothing can run in it';
    case 'account-closed':
      return 'The account is CLOSED in Organizations: nothing can run in it; AWS Support can reopen it within 90 days of its closure, after which it leaves the Organization';
    case 'management-account-not-included':
      return 'This is the management account, patched only when the payload includes it: include the management account (and deploy its member stacks yourself: StackSets skip it) to patch it';
    case 'region-not-enabled':
      return 'The Region is not enabled in this account: enable the opt-in Region for the account, or remove the Region from the payload';
    case 'access-denied':
      return "Access was denied while reading the target groups: check the execution role's permissions and any SCP that denies this Region";
    case 'member-stack-missing':
      return 'The orgpatch execution role could not be assumed: deploy the member StackSets to this account';
  }
}

/** What the plan builder needs. */
export interface BuildPlanInput {
  readonly request: PatchRequest;
  /** Accounts in scope, including excluded ones and those not ACTIVE, so they can be reported. */
  readonly organization: OrganizationSnapshot;
  /** What inventory saw, keyed by {@link locationKey}. */
  readonly observations: ReadonlyMap<string, InventoryObservation>;
  /**
   * Regions each account has enabled. An account in the map is skipped (`region-not-enabled`) in
   * the requested Regions its set lacks, without inventory; an account not in the map is inspected
   * in every requested Region.
   */
  readonly regionsEnabled?: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * Plan only these accounts (one plan group of a sharded run, see {@link planGroups}); the waves
   * are still assigned from the whole Organization. @default every account in scope
   */
  readonly onlyAccounts?: ReadonlySet<string>;
}

/** What the plan makes of an account before looking at any Region. */
type AccountVerdict =
  | { readonly kind: 'inspect' }
  | { readonly kind: 'skip'; readonly reason: SkipReason; readonly detail: string }
  | { readonly kind: 'fail'; readonly code: string; readonly message: string };

interface ScopedAccount {
  readonly account: AccountInfo;
  readonly verdict: AccountVerdict;
}

/** The accounts a request considers, each with its account-level verdict, in account id order. */
function scopedAccounts(request: PatchRequest, organization: OrganizationSnapshot): ScopedAccount[] {
  const scope = request.organization;
  const byId = new Map<string, AccountInfo>();
  for (const account of organization.accounts) {
    if (!byId.has(account.id)) byId.set(account.id, account);
  }
  const ids: string[] = [];
  if (scope === undefined) {
    // The blog's meaning: the account the orchestrator runs in.
    ids.push(organization.callerAccountId);
  } else {
    ids.push(...byId.keys());
    for (const id of scope.accounts) if (!byId.has(id)) ids.push(id);
  }
  const unique = [...new Set(ids)].sort();
  return unique.map((id) => {
    const found = byId.get(id);
    const account: AccountInfo = found ?? { id, name: id, status: 'ACTIVE', ouPath: [] };
    return { account, verdict: accountVerdict(account, found !== undefined, request, organization) };
  });
}

/** Why an account that is not ACTIVE is skipped: each Organizations state has its own reason. */
const INACTIVE_REASON: Readonly<Record<Exclude<AccountStatus, 'ACTIVE'>, SkipReason>> = {
  PENDING_ACTIVATION: 'account-pending-activation',
  SUSPENDED: 'account-suspended',
  PENDING_CLOSURE: 'account-pending-closure',
  CLOSED: 'account-closed',
};

function accountVerdict(
  account: AccountInfo,
  found: boolean,
  request: PatchRequest,
  organization: OrganizationSnapshot,
): AccountVerdict {
  if (account.status !== 'ACTIVE') {
    return {
      kind: 'skip',
      reason: INACTIVE_REASON[account.status],
      detail: `account ${account.id} is ${account.status}`,
    };
  }
  const scope = request.organization;
  if (scope === undefined) return { kind: 'inspect' };
  if (scope.excludeAccounts.includes(account.id)) {
    return { kind: 'skip', reason: 'account-excluded', detail: `account ${account.id} is excluded by the payload` };
  }
  if (account.id === organization.managementAccountId && !scope.includeManagementAccount) {
    return {
      kind: 'skip',
      reason: 'management-account-not-included',
      detail: `account ${account.id} is the management account and the payload does not include it`,
    };
  }
  if (!found) {
    return {
      kind: 'fail',
      code: 'account-not-found',
      message: `Account ${account.id} is named in the payload but discovery did not find it in the Organization: check the account id`,
    };
  }
  return { kind: 'inspect' };
}

interface WaveAssignment {
  readonly waves: readonly PlannedWave[];
  readonly waveOf: ReadonlyMap<string, string>;
}

/**
 * Each account goes to the first wave (in order) that names it or one of the OUs on its path;
 * the rest go to a last wave `default` (error threshold "0"). Without waves: one wave `default`.
 */
function assignWaves(request: PatchRequest, accounts: readonly AccountInfo[]): WaveAssignment {
  const specs = request.organization?.waves ?? [];
  const members = new Map<string, string[]>(specs.map((w) => [w.name, []]));
  const waveOf = new Map<string, string>();
  const leftOver: string[] = [];
  for (const account of accounts) {
    const wave = specs.find(
      (w) => w.accounts.includes(account.id) || w.targetOus.some((ou) => account.ouPath.includes(ou)),
    );
    if (wave === undefined) {
      leftOver.push(account.id);
      waveOf.set(account.id, DEFAULT_WAVE_NAME);
    } else {
      members.get(wave.name)?.push(account.id);
      waveOf.set(account.id, wave.name);
    }
  }
  const waves: PlannedWave[] = specs.map((w) => ({
    name: w.name,
    errorThreshold: w.errorThreshold,
    accountIds:
      w.name === DEFAULT_WAVE_NAME ? [...(members.get(w.name) ?? []), ...leftOver].sort() : (members.get(w.name) ?? []),
  }));
  const hasDefault = specs.some((w) => w.name === DEFAULT_WAVE_NAME);
  if (!hasDefault && (leftOver.length > 0 || specs.length === 0)) {
    waves.push({ name: DEFAULT_WAVE_NAME, errorThreshold: DEFAULT_WAVE_THRESHOLD, accountIds: leftOver });
  }
  return { waves, waveOf };
}

/** The decision for an account the plan inspects, in one Region. */
function regionDecision(
  request: PatchRequest,
  location: Location,
  observation: InventoryObservation | undefined,
  regionsEnabled: ReadonlyMap<string, ReadonlySet<string>> | undefined,
): { decision: PlanDecision; groups: readonly GroupObservation[]; instanceCount: number } {
  const { accountId, region } = location;
  const enabled = regionsEnabled?.get(accountId);
  if (enabled !== undefined && !enabled.has(region)) {
    return {
      decision: {
        action: 'skip',
        reason: 'region-not-enabled',
        detail: `${region} is not enabled in account ${accountId}`,
      },
      groups: [],
      instanceCount: 0,
    };
  }
  if (observation === undefined) {
    return {
      decision: {
        action: 'fail',
        code: 'not-inspected',
        message: `No inventory was taken in account ${accountId}, ${region}: the location could not be checked; run the plan again`,
      },
      groups: [],
      instanceCount: 0,
    };
  }
  if (observation.kind === 'error') {
    const seen = `${observation.code}: ${observation.message}`;
    switch (observation.error) {
      case 'region-not-enabled':
        return {
          decision: { action: 'skip', reason: observation.error, detail: seen },
          groups: [],
          instanceCount: 0,
        };
      case 'access-denied':
      case 'member-stack-missing':
        // Unreachable is not empty: it fails (and counts against the wave's threshold and the
        // budget) unless the payload says to skip it.
        if (request.organization?.skipUnreachable?.includes(observation.error)) {
          return {
            decision: { action: 'skip', reason: observation.error, detail: seen },
            groups: [],
            instanceCount: 0,
          };
        }
        return failure(
          observation.error,
          `${describeSkipReason(observation.error)} (account ${accountId}, ${region}: ${seen})`,
        );
      case 'throttled':
        return failure(
          'throttled',
          `Reading the target groups in account ${accountId}, ${region} was throttled after retries (${seen}): run again later or lower the concurrency`,
        );
      case 'credentials-expired':
        return failure(
          'credentials-expired',
          `The credentials for account ${accountId} expired while reading ${region} (${seen}): run again`,
        );
      case 'service-error':
        return failure(
          'service-error',
          `AWS returned an error while reading the target groups in account ${accountId}, ${region} (${seen}): run again; if it persists, check the AWS Health Dashboard`,
        );
    }
  }
  return decideTargets(request, location, observation.groups);
}

/** A location that could not be checked: a failure, not a skip. */
function failure(
  code: string,
  message: string,
): { decision: PlanDecision; groups: readonly GroupObservation[]; instanceCount: number } {
  return { decision: { action: 'fail', code, message }, groups: [], instanceCount: 0 };
}

/**
 * Builds the plan: every (account, Region) considered, exactly once, with its decision and wave.
 *
 * - Suspended and closing accounts, excluded accounts and the management account (unless
 *   included) are skipped in every Region, without inventory.
 * - Inventory errors: a Region not enabled skips the location; access denied and a missing member
 *   stack or role fail it (unreachable is not empty), unless the payload's `SkipUnreachable` names
 *   the reason; throttling, expired credentials and service errors fail it (it could not be checked).
 * - No observation at all fails the location (`not-inspected`): nothing is silently dropped.
 * - All target groups missing: skip `groups-missing`; groups without instances: skip
 *   `no-instances`; a group that holds other resources besides instances: fail
 *   `group-has-non-instances`; otherwise start with the groups that have instances. A tag target:
 *   skip `no-instances` when no managed EC2 instance carries the tag, else start (see decideTargets).
 * - Without an Organization part (the blog payload): the caller's account in the listed Regions.
 *
 * Locations are sorted by wave order, then account id, then the request's Region order.
 */
export function buildPlan(input: BuildPlanInput): Plan {
  const { request, organization, observations, regionsEnabled, onlyAccounts } = input;
  const accounts = scopedAccounts(request, organization);
  const { waves, waveOf } = assignWaves(
    request,
    accounts.map((a) => a.account),
  );
  const waveIndex = new Map(waves.map((w, i) => [w.name, i]));
  const locations: PlannedLocation[] = [];
  for (const { account, verdict } of accounts) {
    if (onlyAccounts !== undefined && !onlyAccounts.has(account.id)) continue;
    const wave = waveOf.get(account.id) ?? DEFAULT_WAVE_NAME;
    for (const region of request.regions) {
      const base = { accountId: account.id, accountName: account.name, region, wave };
      if (verdict.kind === 'skip') {
        const decision: PlanDecision = { action: 'skip', reason: verdict.reason, detail: verdict.detail };
        locations.push({ ...base, groups: [], instanceCount: 0, decision });
      } else if (verdict.kind === 'fail') {
        const decision: PlanDecision = { action: 'fail', code: verdict.code, message: verdict.message };
        locations.push({ ...base, groups: [], instanceCount: 0, decision });
      } else {
        const observed = observations.get(locationKey(account.id, region));
        locations.push({
          ...base,
          ...regionDecision(request, { accountId: account.id, region }, observed, regionsEnabled),
        });
      }
    }
  }
  const regionIndex = new Map(request.regions.map((r, i) => [r, i]));
  locations.sort(
    (a, b) =>
      (waveIndex.get(a.wave) ?? 0) - (waveIndex.get(b.wave) ?? 0) ||
      compareText(a.accountId, b.accountId) ||
      (regionIndex.get(a.region) ?? 0) - (regionIndex.get(b.region) ?? 0),
  );
  const count = (action: PlanDecision['action']): number =>
    locations.filter((l) => l.decision.action === action).length;
  return {
    waves,
    locations,
    counts: {
      locations: locations.length,
      start: count('start'),
      skip: count('skip'),
      fail: count('fail'),
      instances: locations.reduce((sum, l) => sum + (l.decision.action === 'start' ? l.instanceCount : 0), 0),
    },
  };
}

/** Code-unit order, independent of the runtime's locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The ids of the accounts whose locations {@link requiredInventory} lists (in scope, to inspect,
 * and in `onlyAccounts` when given), in discovery order: so that a caller can list their locations
 * a batch of accounts at a time instead of holding every location of the Organization.
 */
export function inventoryAccountIds(input: {
  readonly request: PatchRequest;
  readonly organization: OrganizationSnapshot;
  readonly onlyAccounts?: ReadonlySet<string>;
}): string[] {
  const out: string[] = [];
  for (const { account, verdict } of scopedAccounts(input.request, input.organization)) {
    if (verdict.kind !== 'inspect') continue;
    if (input.onlyAccounts !== undefined && !input.onlyAccounts.has(account.id)) continue;
    out.push(account.id);
  }
  return out;
}

/**
 * The locations the orchestrator must inspect before {@link buildPlan}: accounts in scope that are
 * ACTIVE, not excluded, not the management account unless included, in each requested Region
 * (minus Regions `regionsEnabled` says are off), in plan order within each account.
 */
export function requiredInventory(input: {
  readonly request: PatchRequest;
  readonly organization: OrganizationSnapshot;
  readonly regionsEnabled?: ReadonlyMap<string, ReadonlySet<string>>;
  /** Only these accounts (one plan group). @default every account in scope */
  readonly onlyAccounts?: ReadonlySet<string>;
}): Location[] {
  const out: Location[] = [];
  for (const accountId of inventoryAccountIds(input)) {
    const enabled = input.regionsEnabled?.get(accountId);
    for (const region of input.request.regions) {
      if (enabled === undefined || enabled.has(region)) out.push({ accountId, region });
    }
  }
  return out;
}

/**
 * The accounts of a run cut into plan groups of at most `accountsPerGroup`, in plan order (by wave,
 * then account id), with the waves assigned from the whole Organization: a sharded run plans one
 * group at a time ({@link buildPlan} with `onlyAccounts`), and the plans of its groups, concatenated
 * in group order, are the plan of the whole run.
 */
export function planGroups(
  request: PatchRequest,
  organization: OrganizationSnapshot,
  accountsPerGroup: number,
): { readonly waves: readonly PlannedWave[]; readonly groups: readonly (readonly string[])[] } {
  if (!(Number.isInteger(accountsPerGroup) && accountsPerGroup >= 1)) {
    throw new RangeError(`accountsPerGroup must be a whole number of at least 1, not ${accountsPerGroup}`);
  }
  const accounts = scopedAccounts(request, organization).map((a) => a.account);
  const { waves, waveOf } = assignWaves(request, accounts);
  const waveIndex = new Map(waves.map((w, i) => [w.name, i]));
  const ids = accounts
    .map((a) => a.id)
    .sort(
      (a, b) =>
        (waveIndex.get(waveOf.get(a) ?? DEFAULT_WAVE_NAME) ?? 0) -
          (waveIndex.get(waveOf.get(b) ?? DEFAULT_WAVE_NAME) ?? 0) || compareText(a, b),
    );
  const groups: string[][] = [];
  for (let i = 0; i < ids.length; i += accountsPerGroup) groups.push(ids.slice(i, i + accountsPerGroup));
  return { waves, groups };
}

/** How a wave stands against its error threshold. */
export interface WaveEvaluation {
  /** Locations of the wave that failed (at plan time, at start or in execution). */
  readonly failed: number;
  /** Locations of the wave that were to run: every decision but skip. */
  readonly total: number;
  /** true when `failed` is more than the threshold allows for `total`. */
  readonly exceeded: boolean;
}

/**
 * Counts a wave's failures against its error threshold (SSM MaxErrors semantics, see
 * {@link rateExceeded}).
 */
export function evaluateWave(input: {
  readonly wave: PlannedWave;
  readonly outcomes: readonly LocationOutcome[];
}): WaveEvaluation {
  const inWave = input.outcomes.filter((o) => o.wave === input.wave.name && o.decision.action !== 'skip');
  const failed = inWave.filter((o) => o.status === 'failed').length;
  return { failed, total: inWave.length, exceeded: rateExceeded(input.wave.errorThreshold, failed, inWave.length) };
}

/** What the orchestrator should do next with a run's waves. */
export type WaveDecision =
  | { readonly action: 'start'; readonly wave: string }
  | { readonly action: 'halt'; readonly reason: string }
  | { readonly action: 'wait' }
  | { readonly action: 'done' };

const quote = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(', ');

/**
 * The next step for a run: start the first pending wave when every earlier wave is terminal and
 * neither an earlier wave's error threshold nor the Organization error budget is exceeded; halt
 * (naming the wave, the counts and the threshold) when one is; wait while a wave runs; done when no
 * wave is left (or the rest were halted).
 *
 * The error budget counts failed locations in the waves run so far against all locations of the
 * run that were to run (every decision but skip), with MaxErrors semantics.
 */
export function nextWaveDecision(record: RunRecord): WaveDecision {
  const tallies = new Map<string, { failed: number; total: number }>();
  for (const l of record.locations) {
    if (l.decision.action === 'skip') continue;
    let tally = tallies.get(l.wave);
    if (tally === undefined) {
      tally = { failed: 0, total: 0 };
      tallies.set(l.wave, tally);
    }
    tally.total += 1;
    if (l.status === 'failed') tally.failed += 1;
  }
  return decideNextWave(record, (wave) => tallies.get(wave) ?? { failed: 0, total: 0 });
}

/** How many of a wave's locations were to run (every decision but skip), and how many of them failed. */
export interface WaveTally {
  readonly failed: number;
  readonly total: number;
}

/**
 * {@link nextWaveDecision} from the waves and a tally per wave, without the locations: a sharded run
 * decides from its manifest's counts.
 */
export function decideNextWave(
  run: Pick<RunRecord, 'waves' | 'request'> & { readonly plan: { readonly waves: readonly PlannedWave[] } },
  tally: (wave: string) => WaveTally,
): WaveDecision {
  const planned = new Map(run.plan.waves.map((w) => [w.name, w]));
  for (let i = 0; i < run.waves.length; i += 1) {
    const wave = run.waves[i];
    if (wave === undefined) continue;
    if (wave.status === 'running') return { action: 'wait' };
    if (wave.status === 'halted') return { action: 'done' };
    if (wave.status !== 'pending') continue;

    const earlier = run.waves.slice(0, i);
    const later = run.waves.slice(i).map((w) => w.name);
    for (const done of earlier) {
      const plannedWave = planned.get(done.name);
      if (plannedWave === undefined) continue;
      const { failed, total } = tally(done.name);
      if (rateExceeded(plannedWave.errorThreshold, failed, total)) {
        return {
          action: 'halt',
          reason: `Wave "${done.name}" had ${failed} failed location${failed === 1 ? '' : 's'} of ${total}, more than its error threshold "${formatRateValue(plannedWave.errorThreshold)}" allows: ${later.length === 1 ? 'wave' : 'waves'} ${quote(later)} not started`,
        };
      }
    }
    const budget = run.request.organization?.errorBudget;
    if (budget !== undefined) {
      let failed = 0;
      let toRun = 0;
      for (const w of run.waves) toRun += tally(w.name).total;
      for (const w of earlier) failed += tally(w.name).failed;
      if (rateExceeded(budget, failed, toRun)) {
        return {
          action: 'halt',
          reason: `${failed} failed location${failed === 1 ? '' : 's'} of ${toRun} in the run exceed the Organization error budget "${formatRateValue(budget)}": ${later.length === 1 ? 'wave' : 'waves'} ${quote(later)} not started`,
        };
      }
    }
    return { action: 'start', wave: wave.name };
  }
  return { action: 'done' };
}
