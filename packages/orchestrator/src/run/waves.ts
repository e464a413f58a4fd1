import type { LocationEvent, LocationOutcome, PatchRequest, RunRecord } from '@orgpatch/core';
import {
  applyLocationEvents,
  clientToken,
  haltWaves,
  markWaveRunning,
  nextWaveDecision,
  partitionOf,
} from '@orgpatch/core';
import { awsErrorCode, awsErrorMessage } from '../aws/awsErrors.js';
import { automationParameters } from './automationParameters.js';
import type { RunDeps } from './deps.js';
import { createAccountLimiter, mapLimited } from './limiter.js';

type StartDeps = Pick<RunDeps, 'automation' | 'store' | 'now' | 'logger' | 'onProgress'>;

/** The code and message of a failed start, whatever was thrown. */
function failureOf(error: unknown): { code: string; message: string } {
  const code =
    error && typeof error === 'object' && 'code' in error && typeof error.code === 'string'
      ? error.code
      : awsErrorCode(error);
  return { code, message: awsErrorMessage(error) };
}

/**
 * Starts every location of `wave` that is still `planned` with a start decision: one
 * StartAutomationExecution per target group that holds instances there, with the deterministic
 * ClientToken, so starting a location again (a resumed run) returns the execution already running.
 * Fans out under the request's global and per-account limits. Returns the updated record (not yet
 * stored).
 */
export async function startWave(record: RunRecord, wave: string, deps: StartDeps): Promise<RunRecord> {
  const request: PatchRequest = record.request;
  const todo = record.locations.filter(
    (l) => l.wave === wave && l.status === 'planned' && l.decision.action === 'start',
  );
  const limiter = createAccountLimiter(request.concurrency);
  const now = deps.now ?? (() => new Date());
  // Outcomes are collected and applied to the record once: one update per start would cost
  // O(locations) each and make a large run quadratic.
  const events: LocationEvent[] = [];
  let done = 0;
  deps.onProgress?.({ phase: 'start', wave, done, total: todo.length });
  await mapLimited(
    todo,
    limiter,
    (l) => l.accountId,
    async (location: LocationOutcome) => {
      const where = { accountId: location.accountId, region: location.region };
      const groups = location.decision.action === 'start' ? location.decision.groups : [];
      for (const group of groups) {
        const token = clientToken(record.idempotencyKey, location.accountId, location.region, group);
        try {
          const { executionId } = await deps.automation.start({
            location: where,
            documentName: request.document.name,
            ...(request.document.version ? { documentVersion: request.document.version } : {}),
            parameters: automationParameters(
              request,
              location.accountId,
              partitionOf(location.region),
              record.snapshotId,
            ),
            targetParameterName: request.targetParameterName,
            group,
            maxConcurrency: request.maxConcurrency,
            maxErrors: request.maxErrors,
            clientToken: token,
          });
          events.push({
            kind: 'started',
            location: where,
            execution: {
              executionId,
              clientToken: token,
              group,
              status: 'Pending',
              startedAt: now().toISOString(),
              instances: [],
            },
          });
        } catch (error) {
          const failure = failureOf(error);
          deps.logger?.warn('Start failed', {
            accountId: location.accountId,
            region: location.region,
            group,
            ...failure,
          });
          events.push({ kind: 'start-failed', location: where, error: failure });
          break;
        }
      }
      done += 1;
      deps.onProgress?.({ phase: 'start', wave, done, total: todo.length });
    },
  );
  return applyLocationEvents(record, events, now());
}

/**
 * Moves a run's waves forward as far as they can go now: starts the next wave when the one before is
 * over and within its threshold and the budget; halts the rest (recording why) when not; stops at a
 * running wave. Also finishes starting a running wave whose starts were cut short (a crashed
 * invocation resumed). Stores the record after each wave it starts or halts.
 */
export async function advanceWaves(record: RunRecord, deps: StartDeps): Promise<RunRecord> {
  let current = record;
  for (const wave of current.waves) {
    if (wave.status !== 'running') continue;
    const unstarted = current.locations.some(
      (l) => l.wave === wave.name && l.status === 'planned' && l.decision.action === 'start',
    );
    if (unstarted) {
      current = await startWave(current, wave.name, deps);
      await deps.store.put(current);
    }
  }
  for (let guard = 0; guard <= current.waves.length; guard += 1) {
    const decision = nextWaveDecision(current);
    if (decision.action === 'start') {
      deps.logger?.info('Starting wave', { wave: decision.wave });
      current = markWaveRunning(current, decision.wave, (deps.now ?? (() => new Date()))());
      current = await startWave(current, decision.wave, deps);
      await deps.store.put(current);
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
