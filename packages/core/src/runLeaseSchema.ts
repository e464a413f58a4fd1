import { z } from 'zod';
import { StoredDocumentError, type ValidationIssue } from './errors.js';
import { formatPath } from './payloadIssues.js';
import type { RunLease } from './ports.js';
import type { Mirrors } from './schemaMirrors.js';

/**
 * A scope lease as stored (see {@link RunLease}): validated when read back, like the run record, so
 * a damaged lease object is reported instead of being taken for a free or a held scope.
 */
const runLeaseSchema = z.strictObject({
  scope: z.strictObject({ key: z.string(), description: z.string() }),
  runId: z.string(),
  acquiredAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});

// Fails to compile when the schema and ports.ts drift apart.
const schemaMirrorsPort: Mirrors<z.output<typeof runLeaseSchema>, RunLease> = true;
void schemaMirrorsPort;

/**
 * Validates a stored lease; when `key` is given, the lease must be for that scope key (the one it
 * was read under).
 * @param source where the lease was read (a file path or an s3:// URL), for the error.
 * @throws StoredDocumentError naming `source` and each problem with its JSON path.
 */
export function parseRunLease(value: unknown, source: string, options: { readonly key?: string } = {}): RunLease {
  const parsed = runLeaseSchema.safeParse(value);
  if (!parsed.success) {
    throw new StoredDocumentError(
      'run lease',
      source,
      parsed.error.issues.map((i): ValidationIssue => ({ path: formatPath(i.path), message: i.message })),
    );
  }
  if (options.key !== undefined && parsed.data.scope.key !== options.key) {
    throw new StoredDocumentError('run lease', source, [
      {
        path: 'scope.key',
        message: `is ${JSON.stringify(parsed.data.scope.key)}, but the lease was read as scope ${JSON.stringify(options.key)}`,
      },
    ]);
  }
  return parsed.data;
}
