import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { RunStoreError } from '../errors.js';

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** A lock file older than this was left by a process that died holding it, and is broken. @default 10_000 */
  readonly staleMs?: number;
  /** How long to wait for a live holder before giving up. @default twice `staleMs` */
  readonly timeoutMs?: number;
}

const DEFAULT_STALE_MS = 10_000;

/**
 * Runs `task` while holding the lock file `path`, so that read-compare-write sequences of several
 * processes on one folder do not interleave. The lock is created with `wx` (exclusive create: only
 * one process can create it); waiters poll. A lock left by a crashed process is broken once it is
 * older than `staleMs`: the breaker renames it away (only one rename of a given file succeeds), and
 * puts it back if what it moved turns out to be a fresh lock taken in the meantime.
 *
 * @throws RunStoreError when the lock stays held by a live process for `timeoutMs`.
 */
export async function withFileLock<T>(path: string, task: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const timeoutMs = options.timeoutMs ?? 2 * staleMs;
  const token = `${process.pid} ${randomBytes(8).toString('hex')} ${new Date().toISOString()}\n`;
  const deadline = Date.now() + timeoutMs;
  for (let wait = 2; ; wait = Math.min(wait * 2, 100)) {
    if (await tryCreate(path, token)) break;
    if (await breakIfStale(path, staleMs)) continue;
    if (Date.now() > deadline) {
      const holder = (await readFile(path, 'utf8').catch(() => '')).trim();
      throw new RunStoreError(
        `Lock ${path} has been held for over ${timeoutMs} ms${holder ? ` (by ${holder})` : ''}. ` +
          'Another orgpatch process is writing here; if none is running, delete the lock file.',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, wait + Math.floor(Math.random() * wait)));
  }
  try {
    return await task();
  } finally {
    // Only our own lock is removed: a lock broken as stale and taken by another process is theirs.
    if ((await readFile(path, 'utf8').catch(() => undefined)) === token) await rm(path, { force: true });
  }
}

async function tryCreate(path: string, token: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(token, 'utf8');
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new RunStoreError(
      `Cannot create lock ${path}: ${(error as Error).message}. Check that the folder is writable.`,
      {
        cause: error,
      },
    );
  }
}

async function breakIfStale(path: string, staleMs: number): Promise<boolean> {
  const seen = await readFile(path, 'utf8').catch(() => undefined);
  const info = await stat(path).catch(() => undefined);
  if (seen === undefined || info === undefined) return true; // released meanwhile: try again at once
  if (Date.now() - info.mtimeMs < staleMs) return false;
  const moved = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, moved);
  } catch {
    return true; // another process broke it first
  }
  const taken = await readFile(moved, 'utf8').catch(() => seen);
  if (taken !== seen) {
    // A live lock was created between the look and the rename: hand it back (unless yet another exists).
    await link(moved, path).catch(() => undefined);
  }
  await rm(moved, { force: true });
  return true;
}
