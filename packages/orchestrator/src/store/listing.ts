import type { RunListing } from '@orgpatch/core';

/** What a listing needs of a run, or undefined when there is none under the id. */
type ReadListing = (runId: string) => Promise<Exclude<RunListing, { status: 'unreadable' }> | undefined>;

/**
 * Lists runs by reading what a listing shows of each (`read` validates what it reads): a run that
 * cannot be read is listed as `unreadable` with the first line of the problem, never left out.
 */
export async function listRuns(
  runIds: readonly string[],
  read: ReadListing,
  map: <T>(ids: readonly string[], read: (id: string) => Promise<T>) => Promise<T[]> = (ids, each) =>
    Promise.all(ids.map(each)),
): Promise<RunListing[]> {
  const reads = await map([...runIds].sort(), async (runId) => {
    try {
      return { runId, read: await read(runId) };
    } catch (error) {
      return { runId, read: error instanceof Error ? error : new Error(String(error)) };
    }
  });
  return reads.flatMap(({ runId, read: listed }): RunListing[] => {
    if (listed === undefined) return [];
    if (listed instanceof Error) return [{ runId, status: 'unreadable', problem: listed.message.split('\n')[0] ?? '' }];
    return [listed];
  });
}
