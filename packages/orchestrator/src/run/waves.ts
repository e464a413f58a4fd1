import type { LocationEvent, LocationOutcome, PatchRequest, RunRecord } from '@orgpatch/core';
import {
  applyLocationEvents,
  automationTarget,
  clientToken,
  haltWaves,
  markWaveRunning,
  nextWaveDecision,
  partitionOf,
} from '@orgpatch/core';
import { awsErrorCode, awsErrorMessage, isTransient } from '../aws/awsErrors.js';
import { automationParameters } from './automationParameters.js';
import type { RunDeps } from './deps.js';
import { type AccountLimiter, createAccountLimiter } from './limiter.js';

/** A start recorded before it is made (core's StartIntent). */
type StartIntent = NonNullable<LocationOutcome['intents']>[number];

/** What starting a wave needs: a store that keeps the record (a shard step's keeps its shard), and optionally a limiter shared with other steps. */
export type StartDeps = Pick<RunDeps, 'automation' | 'now' | 'logger' | 'onProgress'> & {
  readonly store: Pick<RunDeps['store'], 'put'>;
  readonly limiter?: AccountLimiter;
};

/**
 * Transient start failures (throttling, 5xx, network) are retried on later passes with the same
 * ClientToken; after this many answered attempts the start is failed with the last error.
 */
const MAX_START_ATTEMPTS = 5;

/** The code and message of a failed start, whatever was thrown. */
function failureOf(error: unknown): { code: string; message: string } {
  const code =
    error && typeof error === 'object' && 'code' in error && typeof error.code === 'string'
      ? error.code
      : awsErrorCode(error);
  return { code, message: awsErrorMessage(error) };
}

/** The groups of a location still to start: planned groups with neither an execution nor an intent. */
function groupsToIntend(location: LocationOutcome): string[] {
  if (location.decision.action !== 'start') return [];
  const taken = new Set([...(location.intents ?? []).map((i) => i.group), ...location.executions.map((e) => e.group)]);
  return location.decision.groups.filter((g) => !taken.has(g));
}

/**
 * Starts every location of `wave` that is still to start, in two steps so that no automation is ever
 * started without a trace in the store:
 * 1. every start about to be made is written to the record as an intent (one store write);
 * 2. each intent is answered by StartAutomationExecution with its deterministic ClientToken, so a
 *    call repeated after a crash (an intent without an execution id) returns the execution already
 *    running instead of starting a second one; the answers are applied and stored once.
 * Transient failures keep their intent, to be retried by the next pass (with the same token); after
 * {@link MAX_START_ATTEMPTS} the location fails. A permanent failure fails the location at once.
 * Fans out under the request's global and per-account limits. Returns the stored record.
 */
export async function startWave(
  record: RunRecord,
  wave: string,
  deps: StartDeps,
  options: {
    readonly unsaved?: boolean;
    /** Only answer the intents already recorded (a wave halted while they were in flight): intend nothing new. */
    readonly onlyIntended?: boolean;
  } = {},
): Promise<RunRecord> {
  const request: PatchRequest = record.request;
  if (request.dryRun || record.dryRun) return record;
  const now = deps.now ?? (() => new Date());
  const inWave = record.locations.filter(
    (l) => l.wave === wave && l.decision.action === 'start' && (l.status === 'planned' || l.status === 'starting'),
  );
  const intended: LocationEvent[] = [];
  for (const l of options.onlyIntended ? [] : inWave) {
    const groups = groupsToIntend(l);
    if (groups.length === 0) continue;
    const recordedAt = now().toISOString();
    intended.push({
      kind: 'start-intended',
      location: { accountId: l.accountId, region: l.region },
      intents: groups.map((group) => ({
        group,
        clientToken: clientToken(record.idempotencyKey, l.accountId, l.region, group),
        recordedAt,
        attempts: 0,
      })),
    });
  }
  let current = record;
  if (intended.length > 0) current = applyLocationEvents(current, intended, now());
  // One write carries the wave's new status (when the caller just changed it) and its intents.
  if (intended.length > 0 || options.unsaved === true) await deps.store.put(current);
  const todo = current.locations.filter((l) => l.wave === wave && (l.intents?.length ?? 0) > 0);
  if (todo.length === 0) return current;

  const limiter = deps.limiter ?? createAccountLimiter(request.concurrency);
  // Outcomes are collected and applied to the record once: one update per start would cost
  // O(locations) each and make a large run quadratic.
  const events: LocationEvent[] = [];
  let done = 0;
  deps.onProgress?.({ phase: 'start', wave, done, total: todo.length });
  /** Starts one intent of `location`: whether its next group may be started. */
  const startIntent = async (location: LocationOutcome, intent: StartIntent): Promise<boolean> => {
    const where = { accountId: location.accountId, region: location.region };
    try {
      const { executionId } = await deps.automation.start({
        location: where,
        documentName: request.document.name,
        ...(request.document.version ? { documentVersion: request.document.version } : {}),
        parameters: automationParameters(
          request,
          location.accountId,
          partitionOf(location.region),
          current.snapshotId,
          current.runId,
        ),
        targetParameterName: request.targetParameterName,
        group: intent.group,
        target: automationTarget(request, intent.group),
        maxConcurrency: request.maxConcurrency,
        maxErrors: request.maxErrors,
        clientToken: intent.clientToken,
      });
      events.push({
        kind: 'started',
        location: where,
        execution: {
          executionId,
          clientToken: intent.clientToken,
          group: intent.group,
          status: 'Pending',
          startedAt: now().toISOString(),
          instances: [],
        },
      });
      return true;
    } catch (error) {
      const failure = failureOf(error);
      const retry = isTransient(error) && intent.attempts + 1 < MAX_START_ATTEMPTS;
      deps.logger?.warn(retry ? 'Start failed, will retry' : 'Start failed', {
        ...where,
        group: intent.group,
        attempt: intent.attempts + 1,
        ...failure,
      });
      if (retry) {
        events.push({ kind: 'start-failed', location: where, error: failure, transient: { group: intent.group } });
        return true;
      }
      const attempts = intent.attempts + 1;
      events.push({
        kind: 'start-failed',
        location: where,
        error:
          isTransient(error) && attempts > 1
            ? {
                code: failure.code,
                // The last calls may have reached SSM without an answer: the token finds the execution.
                message: `${failure.message} (after ${attempts} attempts; if one reached SSM, its execution carries ClientToken ${intent.clientToken})`,
              }
            : failure,
      });
      return false;
    }
  };
  // Each start takes a slot of its own, and a location's next group asks for one only once its
  // previous group is answered: by then every location's first group is queued before it, so a
  // location's starts are never back to back against SSM's per-account, per-Region start rate (the
  // second used to be throttled, and the SDK's backoff held the slot), and a permanent failure of
  // one group still stops the location's next ones.
  await Promise.all(
    todo.map(async (location) => {
      for (const intent of location.intents ?? []) {
        if (!(await limiter(location.accountId, () => startIntent(location, intent)))) break;
      }
      done += 1;
      deps.onProgress?.({ phase: 'start', wave, done, total: todo.length });
    }),
  );
  current = applyLocationEvents(current, events, now());
  await deps.store.put(current);
  return current;
}

/**
 * Moves a run's waves forward as far as they can go now: starts the next wave when the one before is
 * over and within its threshold and the budget; halts the rest (recording why) when not; stops at a
 * running wave. Also finishes starting a running wave whose starts were cut short (a crashed
 * invocation resumed). Stores the record after each wave it starts or halts.
 */
export async function advanceWaves(record: RunRecord, deps: StartDeps): Promise<RunRecord> {
  // A dry run plans and records; it never starts a wave, whatever the record says of its waves.
  if (record.dryRun || record.request.dryRun) return record;
  let current = record;
  for (const wave of current.waves) {
    if (wave.status !== 'running') continue;
    const unstarted = current.locations.some(
      (l) =>
        l.wave === wave.name && l.decision.action === 'start' && (l.status === 'planned' || l.status === 'starting'),
    );
    // Starts cut short by a crash, or transient failures to retry: same intents, same ClientTokens.
    if (unstarted) current = await startWave(current, wave.name, deps);
  }
  for (let guard = 0; guard <= current.waves.length; guard += 1) {
    const decision = nextWaveDecision(current);
    if (decision.action === 'start') {
      deps.logger?.info('Starting wave', { wave: decision.wave });
      current = markWaveRunning(current, decision.wave, (deps.now ?? (() => new Date()))());
      // The wave is stored as running, with its intents, before its first start.
      current = await startWave(current, decision.wave, deps, { unsaved: true });
      continue;
    }
    if (decision.action === 'halt') {
      const from = current.waves.find((w) => w.status === 'pending');
      if (from) {
        deps.logger?.warn('Halting waves', { fromWave: from.name, reason: decision.reason });
        current = haltWaves(current, from.name, decision.reason, (deps.now ?? (() => new Date()))());
        await deps.store.put(current);
      }
    }
    break;
  }
  return current;
}
