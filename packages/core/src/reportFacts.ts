import type { SkipReason } from './planModel.js';
import { type LocationBatch, locationsOf } from './reportPasses.js';
import type { LocationOutcome, LocationStatus, RunRecord } from './runModel.js';
import { isSuccessfulAutomationStatus, isTerminalAutomationStatus } from './runRecord.js';
import { instanceResultsOf, type RunSummary, summaryBuilder } from './runSummary.js';

/**
 * What the Markdown and HTML reports know of a run after one pass over its locations, before they
 * write a line: the summary, the roll-up by OU and account, the Regions seen and a few counts. All of
 * it grows with the accounts (a few numbers and the Region names per account), never with the
 * locations or instances: what is written per location is written by a later pass.
 */

/** What a report reads of a run besides its locations: a record, or a manifest. */
export type ReportHead = Pick<
  RunRecord,
  'runId' | 'status' | 'dryRun' | 'createdAt' | 'updatedAt' | 'waves' | 'request' | 'snapshotId' | 'compliance'
> & {
  readonly plan: { readonly waves: RunRecord['plan']['waves'] };
};

/** How the reports name a location's status. */
export const STATUS_LABEL: Readonly<Record<LocationStatus, string>> = {
  succeeded: 'succeeded',
  failed: 'failed',
  halted: 'halted',
  starting: 'starting',
  started: 'running',
  planned: 'planned',
  skipped: 'skipped',
};

/** The short form of each skip reason (the full sentence is the location's reason). */
export const SKIP_LABEL: Readonly<Record<SkipReason, string>> = {
  'no-instances': 'no instances',
  'groups-missing': 'no such group',
  'account-excluded': 'excluded',
  'account-pending-activation': 'not activated',
  'account-suspended': 'suspended',
  'account-pending-closure': 'closing',
  'account-closed': 'closed',
  'management-account-not-included': 'management',
  'region-not-enabled': 'Region not enabled',
  'access-denied': 'access denied',
  'member-stack-missing': 'no member stack',
};

/** The order the reports list locations in: those needing attention first. */
export const FAILURES_FIRST: readonly LocationStatus[] = [
  'failed',
  'halted',
  'starting',
  'started',
  'planned',
  'succeeded',
  'skipped',
];

/** The instance results of a location that ended without success. */
function failedResults(outcome: LocationOutcome) {
  return instanceResultsOf(outcome).filter(
    (r) => isTerminalAutomationStatus(r.status) && !isSuccessfulAutomationStatus(r.status),
  );
}

/** How many instances of a location failed, and how many it has (its automation's targets once known). */
export function instanceTally(outcome: LocationOutcome): { readonly total: number; readonly failed: number } {
  const results = instanceResultsOf(outcome);
  if (results.length === 0) return { total: outcome.instanceCount, failed: 0 };
  return { total: results.length, failed: failedResults(outcome).length };
}

/** What the page shows of an OU path: its ids from the root down, or that the record has none. */
export function ouLabel(outcome: LocationOutcome): string {
  return outcome.ouPath === undefined || outcome.ouPath.length === 0 ? '(OU not recorded)' : outcome.ouPath.join(' / ');
}

/** Counts of a set of locations: by status, and their instances. */
export interface Tally {
  readonly byStatus: Record<LocationStatus, number>;
  locations: number;
  instances: number;
  failedInstances: number;
}

function emptyTally(): Tally {
  const byStatus = { planned: 0, starting: 0, skipped: 0, started: 0, succeeded: 0, failed: 0, halted: 0 };
  return { byStatus, locations: 0, instances: 0, failedInstances: 0 };
}

function addTo(tally: Tally, outcome: LocationOutcome, instances: { total: number; failed: number }): void {
  tally.byStatus[outcome.status] += 1;
  tally.locations += 1;
  tally.instances += instances.total;
  tally.failedInstances += instances.failed;
}

/** One account's part of the page: its locations' short labels grouped, and its counts. */
export interface AccountRollup {
  readonly accountId: string;
  readonly accountName: string;
  readonly tally: Tally;
  /** Region names by what a heat-map cell would say, in record order: `succeeded`, `skipped (no instances)`, ... */
  readonly regionsByLabel: Map<string, { readonly status: LocationStatus; readonly regions: string[] }>;
}

/** One OU path's accounts and counts. */
export interface OuRollup {
  readonly ou: string;
  readonly tally: Tally;
  readonly accounts: Map<string, AccountRollup>;
}

/** What one pass over a run's locations gives the reports (see the file's comment). */
export interface ReportFacts {
  readonly summary: RunSummary;
  /** Sorted by OU path. */
  readonly ous: readonly OuRollup[];
  /** Distinct accounts. */
  readonly accounts: number;
  /** The Regions the locations are in, in the request's order (then any other, in order of appearance). */
  readonly regions: readonly string[];
  /** Rows of an instance table: one per instance result of each execution. */
  readonly instanceRows: number;
  /** Distinct instances (per location) whose execution ended without success. */
  readonly failedInstances: number;
  /** Locations by status that need a person's attention, in {@link FAILURES_FIRST} order, and how many. */
  readonly attention: readonly { readonly status: LocationStatus; readonly count: number }[];
}

/**
 * The statuses of locations that need attention: failed, halted, still starting or running, and,
 * once the run is over (and was not a dry run, whose starts all stay planned), never started.
 */
function attentionStatuses(head: ReportHead): readonly LocationStatus[] {
  const over = head.status === 'succeeded' || head.status === 'failed' || head.status === 'halted';
  return over && !head.dryRun
    ? ['failed', 'halted', 'starting', 'started', 'planned']
    : ['failed', 'halted', 'starting', 'started'];
}

/** Collects {@link ReportFacts} a location at a time. */
function factsBuilder(head: ReportHead) {
  const summary = summaryBuilder(head);
  const ous = new Map<string, OuRollup>();
  // One copy of each Region name and label, however many accounts repeat it.
  const strings = new Map<string, string>();
  const intern = (s: string): string => {
    const seen = strings.get(s);
    if (seen !== undefined) return seen;
    strings.set(s, s);
    return s;
  };
  let accounts = 0;
  let instanceRows = 0;
  let failedInstances = 0;
  const regions = new Set<string>();
  return {
    add(l: LocationOutcome): void {
      summary.add(l);
      const ou = ouLabel(l);
      let byOu = ous.get(ou);
      if (byOu === undefined) {
        byOu = { ou, tally: emptyTally(), accounts: new Map() };
        ous.set(ou, byOu);
      }
      let account = byOu.accounts.get(l.accountId);
      if (account === undefined) {
        account = {
          accountId: l.accountId,
          accountName: l.accountName,
          tally: emptyTally(),
          regionsByLabel: new Map(),
        };
        byOu.accounts.set(l.accountId, account);
        accounts += 1;
      }
      const instances = instanceTally(l);
      addTo(byOu.tally, l, instances);
      addTo(account.tally, l, instances);
      const note =
        l.decision.action === 'skip'
          ? ` (${SKIP_LABEL[l.decision.reason]})`
          : instances.failed > 0
            ? ` (${instances.failed} of ${instances.total} instances failed)`
            : '';
      const label = intern(`${STATUS_LABEL[l.status]}${note}`);
      const group = account.regionsByLabel.get(label) ?? { status: l.status, regions: [] };
      group.regions.push(intern(l.region));
      account.regionsByLabel.set(label, group);
      regions.add(intern(l.region));
      for (const e of l.executions) instanceRows += e.instances.length;
      failedInstances += instances.failed;
    },
    facts(): ReportFacts {
      const order = new Map(head.request.regions.map((r, i) => [r, i]));
      const statuses = new Set(attentionStatuses(head));
      const built = summary.summary();
      return {
        summary: built,
        ous: [...ous.values()].sort((a, b) => (a.ou < b.ou ? -1 : a.ou > b.ou ? 1 : 0)),
        accounts,
        regions: [...regions].sort(
          (a, b) => (order.get(a) ?? Number.MAX_SAFE_INTEGER) - (order.get(b) ?? Number.MAX_SAFE_INTEGER),
        ),
        instanceRows,
        failedInstances,
        attention: FAILURES_FIRST.filter((s) => statuses.has(s))
          .map((status) => ({ status, count: built.locations[status] }))
          .filter((a) => a.count > 0),
      };
    },
  };
}

/** The facts of a whole record's locations. */
export function reportFactsOf(head: ReportHead, locations: readonly LocationOutcome[]): ReportFacts {
  const builder = factsBuilder(head);
  for (const l of locations) builder.add(l);
  return builder.facts();
}

/** The facts of a run, from one pass over its batches of locations. */
export async function collectReportFacts(
  head: ReportHead,
  batches: Iterable<LocationBatch> | AsyncIterable<LocationBatch>,
): Promise<ReportFacts> {
  const builder = factsBuilder(head);
  for await (const l of locationsOf(batches)) builder.add(l);
  return builder.facts();
}
