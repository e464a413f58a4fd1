import { z } from 'zod';
import { StoredDocumentError, type ValidationIssue } from './errors.js';
import { formatPath } from './payloadIssues.js';
import type { RunSkipNote } from './ports.js';
import type { Mirrors } from './schemaMirrors.js';

/**
 * A skip note as stored: what a maintenance-window invocation leaves when it starts nothing because
 * the day is not its Patch Tuesday go-day. One line for a person (`reason`), under the run id the
 * invocation would have used, so `orgpatch status` lists it beside the runs. It is not a run record:
 * records keep their schema, and a later invocation of the same task on a go-day is unaffected.
 */
const runSkipNoteSchema = z.strictObject({
  schemaVersion: z.literal(1),
  runId: z.string(),
  createdAt: z.iso.datetime(),
  status: z.literal('skipped-not-patch-day'),
  reason: z.string(),
  windowId: z.string().optional(),
  taskExecutionId: z.string().optional(),
});

// Fails to compile when the schema and ports.ts drift apart.
const schemaMirrorsPort: Mirrors<z.output<typeof runSkipNoteSchema>, RunSkipNote> = true;
void schemaMirrorsPort;

/**
 * Validates a stored skip note; it must claim the run id it was read under.
 * @param source where it was read (a file path or an s3:// URL), for the error.
 * @throws StoredDocumentError naming `source` and each problem with its JSON path.
 */
export function parseRunSkipNote(value: unknown, source: string, options: { readonly runId: string }): RunSkipNote {
  const parsed = runSkipNoteSchema.safeParse(value);
  if (!parsed.success) {
    throw new StoredDocumentError(
      'skip note',
      source,
      parsed.error.issues.map((i): ValidationIssue => ({ path: formatPath(i.path), message: i.message })),
    );
  }
  if (parsed.data.runId !== options.runId) {
    throw new StoredDocumentError('skip note', source, [
      {
        path: 'runId',
        message: `is ${JSON.stringify(parsed.data.runId)}, but the note was read as run ${JSON.stringify(options.runId)}`,
      },
    ]);
  }
  return parsed.data;
}
