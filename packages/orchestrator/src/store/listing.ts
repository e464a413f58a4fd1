import type { RunListing, RunRecord, RunStore } from '@orgpatch/core';

/**
 * Lists runs by reading each record through `get` (which validates it): a record that cannot be
 * read is listed as `unreadable` with the first line of the problem, never left out.
 */
export async function listRuns(
  runIds: readonly string[],
  get: RunStore['get'],
  map: <T>(ids: readonly string[], read: (id: string) => Promise<T>) => Promise<T[]> = (ids, read) =>
    Promise.all(ids.map(read)),
): Promise<RunListing[]> {
  const reads = await map([...runIds].sort(), async (runId) => {
    try {
      return { runId, read: await get(runId) };
    } catch (error) {
      return { runId, read: error instanceof Error ? error : new Error(String(error)) };
    }
  });
  return reads.flatMap(({ runId, read }): RunListing[] => {
    if (read === undefined) return [];
    if (read instanceof Error) return [{ runId, status: 'unreadable', problem: read.message.split('\n')[0] ?? '' }];
    const record: RunRecord = read;
    return [{ runId: record.runId, createdAt: record.createdAt, status: record.status }];
  });
}
