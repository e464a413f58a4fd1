import { type PatchRequest, patchTuesdayDecision, type RunSkipNote, type RunStore } from '@orgpatch/core';

/** Options of {@link skipUnlessPatchDay}. */
export interface PatchDayGateOptions {
  /** The run id the invocation would use (derived from the task execution id). */
  readonly runId: string;
  /** The invocation's instant. */
  readonly now: Date;
}

/**
 * The Patch Tuesday gate of a maintenance-window invocation. A request with `patchTuesday` goes
 * ahead only on its go-day (core's {@link patchTuesdayDecision}); on any other day nothing is read
 * from the Organization or started, and a skip note under the run id says why (`orgpatch status`
 * lists it). A run already recorded under the id (begun on its go-day, retried after midnight) is
 * never skipped: it is resumed as usual.
 *
 * @returns the note written, or undefined when the run goes ahead.
 */
export async function skipUnlessPatchDay(
  request: PatchRequest,
  store: Pick<RunStore, 'get' | 'putSkipNote'>,
  options: PatchDayGateOptions,
): Promise<RunSkipNote | undefined> {
  if (request.patchTuesday === undefined) return undefined;
  const decision = patchTuesdayDecision(options.now, request.patchTuesday);
  if (decision.go) return undefined;
  if ((await store.get(options.runId)) !== undefined) return undefined;
  const note: RunSkipNote = {
    schemaVersion: 1,
    runId: options.runId,
    createdAt: options.now.toISOString(),
    status: 'skipped-not-patch-day',
    reason: decision.reason,
    ...(request.windowId === undefined ? {} : { windowId: request.windowId }),
    ...(request.taskExecutionId === undefined ? {} : { taskExecutionId: request.taskExecutionId }),
  };
  await store.putSkipNote(note);
  return note;
}
