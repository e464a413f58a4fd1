import type { ComplianceSnapshot, NodeCompliance } from './complianceModel.js';
import type { StoredComplianceSnapshot } from './ports.js';

/**
 * A snapshot to report on, read in passes: its fields but its nodes (the head, small: accounts and
 * places not seen), and its nodes a batch at a time. A stored snapshot is a source whose batches are
 * its shards, read one at a time, so a report of 5,000 accounts never holds their nodes at once;
 * an in-memory snapshot is a source of one batch. Every pass yields the nodes in the same order.
 */
export interface ComplianceSource {
  readonly head: ComplianceHead;
  /** A pass over the nodes, in snapshot order (shard by shard); may be called again for another pass. */
  batches(): AsyncIterable<readonly NodeCompliance[]>;
}

/** A snapshot's fields but its nodes. */
export type ComplianceHead = Omit<ComplianceSnapshot, 'nodes'>;

/** What the compliance functions take: a whole snapshot, or a source read in passes. */
export type ComplianceInput = ComplianceSnapshot | ComplianceSource;

/** The input as a source (a whole snapshot is one batch). */
export function complianceSource(input: ComplianceInput): ComplianceSource {
  if ('batches' in input) return input;
  const { nodes, ...head } = input;
  return {
    head,
    async *batches() {
      yield nodes;
    },
  };
}

/** A stored snapshot as a source: its manifest's fields as the head, its shards as the batches. */
export function storedComplianceSource(stored: StoredComplianceSnapshot): ComplianceSource {
  const { shards: _entries, ...head } = stored.manifest;
  return {
    head,
    async *batches() {
      for await (const shard of stored.shards()) yield shard.nodes;
    },
  };
}

/** One pass over the source's nodes, in order. */
export async function forEachNode(source: ComplianceSource, visit: (node: NodeCompliance) => void): Promise<void> {
  for await (const batch of source.batches()) for (const node of batch) visit(node);
}

/** Joins a chunked rendering into one text (for tests and small snapshots). */
export async function joinChunks(chunks: AsyncIterable<string>): Promise<string> {
  const parts: string[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return parts.join('');
}
