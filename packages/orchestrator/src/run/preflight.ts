import type {
  DocumentObservation,
  NodesObservation,
  PatchRequest,
  PreflightReader,
  PreflightReport,
  RoleObservation,
} from '@orgpatch/core';
import { evaluatePreflight, locationKey, partitionOf, preflightReached } from '@orgpatch/core';
import { automationParameters, automationRoleArn } from './automationParameters.js';
import type { RunDeps } from './deps.js';
import { createAccountLimiter, mapLimited } from './limiter.js';
import { type PlanResult, planRun } from './planRun.js';

/** What {@link runPreflight} needs: planning's ports, and the preflight's reads. */
export type PreflightDeps = Pick<RunDeps, 'directory' | 'inventory' | 'tagInventory' | 'logger' | 'onProgress'> & {
  readonly preflight: PreflightReader;
};

/** What a preflight found, with the plan it was judged against. */
export interface PreflightResult {
  readonly planned: PlanResult;
  readonly report: PreflightReport;
}

/**
 * `orgpatch doctor`: everything a run would need in every target account and Region, checked before
 * any window and without starting anything. Plans exactly as a run does ({@link planRun}: the same
 * discovery, Region filter, assumed roles, limiter and error classification), then, in each location
 * whose targets were read, reads the automation document, the managed nodes (when the targets hold
 * instances) and, once per account, the automation role when it lives in that account; core's
 * {@link evaluatePreflight} judges the lot.
 */
export async function runPreflight(
  request: PatchRequest,
  deps: PreflightDeps,
  options: { readonly planned?: PlanResult } = {},
): Promise<PreflightResult> {
  const planned = options.planned ?? (await planRun(request, deps));
  const reached = planned.plan.locations.filter(preflightReached);
  const documents = new Map<string, DocumentObservation>();
  const nodes = new Map<string, NodesObservation>();
  const roles = new Map<string, RoleObservation>();
  const limiter = createAccountLimiter(request.concurrency);
  await mapLimited(
    reached,
    limiter,
    (l) => l.accountId,
    async (l) => {
      const location = { accountId: l.accountId, region: l.region };
      const key = locationKey(l.accountId, l.region);
      documents.set(key, await deps.preflight.document(location, request.document.name, request.document.version));
      if (l.groups.some((g) => g.instanceIds.length > 0)) nodes.set(key, await deps.preflight.managedNodes(location));
      const roleArn = automationRoleArn(request.automationAssumeRole, l.accountId, partitionOf(l.region));
      // Only the account's own role can be read with its credentials; one in another account is not checked.
      if (roleArn.split(':')[4] === l.accountId) roles.set(l.accountId, await deps.preflight.role(location, roleArn));
    },
  );
  const someAccount = reached[0]?.accountId ?? '000000000000';
  const documentParameters = [
    ...Object.keys(automationParameters(request, someAccount, partitionOf(request.regions[0] ?? 'us-east-1'), 'x')),
    request.targetParameterName,
  ];
  const report = evaluatePreflight({ request, plan: planned.plan, documents, roles, nodes, documentParameters });
  deps.logger?.info('Preflight', { ...report.counts, ok: report.ok });
  return { planned, report };
}

/** Problems logged one per line, at most this many (the rest are counted). */
const LOGGED_PROBLEMS = 200;

/** A preflight's verdict, then each problem (errors first) as its own log line. */
export function logPreflight(logger: NonNullable<RunDeps['logger']>, report: PreflightReport): void {
  logger.info('Preflight', { ok: report.ok, ...report.counts });
  for (const problem of report.problems.slice(0, LOGGED_PROBLEMS)) {
    logger.warn('Preflight problem', { ...problem });
  }
  if (report.problems.length > LOGGED_PROBLEMS) {
    logger.warn('Preflight problems not logged', { count: report.problems.length - LOGGED_PROBLEMS });
  }
}
