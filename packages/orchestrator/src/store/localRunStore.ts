import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunListing, RunRecord, RunStore } from '@orgpatch/core';
import { RunStoreError } from '../errors.js';
import { assertArtifactName, assertRunId } from './runId.js';

/** The CLI's default run folder, relative to the working directory. */
export const DEFAULT_LOCAL_RUNS_DIR = join('.orgpatch', 'runs');

/**
 * Keeps run records in a local folder: `<root>/<run-id>/record.json` and the rendered reports
 * beside it. Every write goes to a temporary file first and is renamed into place, so a reader (or a
 * crash) never sees half a record.
 */
export class LocalRunStore implements RunStore {
  /** Absolute path of the runs folder. */
  readonly root: string;

  constructor(root: string = DEFAULT_LOCAL_RUNS_DIR) {
    this.root = resolve(root);
  }

  /** The folder of one run. */
  runDir(runId: string): string {
    assertRunId(runId);
    return join(this.root, runId);
  }

  async put(record: RunRecord): Promise<void> {
    await this.writeAtomic(record.runId, 'record.json', `${JSON.stringify(record)}\n`);
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const file = join(this.runDir(runId), 'record.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new RunStoreError(`Cannot read run record ${file}: ${(error as Error).message}`, { cause: error });
    }
    try {
      return JSON.parse(text) as RunRecord;
    } catch (error) {
      throw new RunStoreError(
        `Run record ${file} is not valid JSON: ${(error as Error).message}. Delete the folder or restore the file.`,
        {
          cause: error,
        },
      );
    }
  }

  async list(): Promise<readonly RunListing[]> {
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new RunStoreError(`Cannot list ${this.root}: ${(error as Error).message}`, { cause: error });
    }
    const listings: RunListing[] = [];
    for (const runId of entries.sort()) {
      try {
        assertRunId(runId);
      } catch {
        continue;
      }
      const record = await this.get(runId).catch(() => undefined);
      if (record) listings.push({ runId: record.runId, createdAt: record.createdAt, status: record.status });
    }
    return listings;
  }

  async putArtifact(runId: string, name: string, body: string, _contentType: string): Promise<string> {
    assertArtifactName(name);
    return this.writeAtomic(runId, name, body);
  }

  private async writeAtomic(runId: string, name: string, body: string): Promise<string> {
    const dir = this.runDir(runId);
    const target = join(dir, name);
    const temp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(temp, body, 'utf8');
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw new RunStoreError(
        `Cannot write ${target}: ${(error as Error).message}. Check that the folder is writable.`,
        { cause: error },
      );
    }
    return target;
  }
}
