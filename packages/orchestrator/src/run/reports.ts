import type { RunRecord, RunStore, ShardedRun } from '@orgpatch/core';
import {
  renderReportCsv,
  renderReportCsvChunks,
  renderReportHtml,
  renderReportHtmlChunks,
  renderReportJson,
  renderReportJsonChunks,
  renderReportMarkdown,
  renderReportMarkdownChunks,
  summaryBuilder,
} from '@orgpatch/core';
import { RunNotFoundError } from '../errors.js';

/** The report formats, their artifact names and content types. */
export const REPORT_FORMATS = {
  json: { name: 'report.json', contentType: 'application/json', render: renderReportJson },
  csv: { name: 'report.csv', contentType: 'text/csv; charset=utf-8', render: renderReportCsv },
  md: { name: 'report.md', contentType: 'text/markdown; charset=utf-8', render: renderReportMarkdown },
  html: { name: 'report.html', contentType: 'text/html; charset=utf-8', render: renderReportHtml },
} as const;

/** A report format: json, csv, md or html. */
export type ReportFormat = keyof typeof REPORT_FORMATS;

const FORMATS = Object.keys(REPORT_FORMATS) as ReportFormat[];

/** Renders a run's report in one format. */
export function renderReport(record: RunRecord, format: ReportFormat): string {
  return REPORT_FORMATS[format].render(record);
}

/**
 * A stored run's report in one format, as chunks: from its shards, one in memory at a time, when
 * the store keeps the run as shards (see {@link writeStoredReports}); else from its whole record.
 *
 * @returns undefined when the store holds no run under the id.
 */
export async function storedReportChunks(
  store: RunStore,
  runId: string,
  format: ReportFormat,
): Promise<AsyncIterable<string> | undefined> {
  const sharded = await shardsOf(store, runId);
  if (sharded !== undefined) return renderChunks(sharded.run, format);
  const record = await store.get(runId);
  if (record === undefined) return undefined;
  return (async function* () {
    yield renderReport(record, format);
  })();
}

async function* locationsOf(run: ShardedRun) {
  for await (const shard of run.shards()) yield* shard.locations;
}

/** The run's summary, from a pass over its shards (for the JSON report, whose summary comes first). */
async function summaryOf(run: ShardedRun) {
  const builder = summaryBuilder(run.manifest);
  for await (const l of locationsOf(run)) builder.add(l);
  return builder.summary();
}

/** The report in one format, as chunks, from the run's stored shards: one shard in memory at a time. */
async function* renderChunks(run: ShardedRun, format: ReportFormat): AsyncGenerator<string> {
  const shards = () => run.shards();
  switch (format) {
    case 'json':
      yield* renderReportJsonChunks({ manifest: run.manifest, summary: await summaryOf(run) }, shards);
      return;
    case 'csv':
      yield* renderReportCsvChunks(run.manifest, locationsOf(run));
      return;
    case 'md':
      yield* renderReportMarkdownChunks(run.manifest, shards);
      return;
    case 'html':
      yield* renderReportHtmlChunks(run.manifest, shards);
      return;
  }
}

type Written = Record<ReportFormat, string>;

/** Every format from the run's shards, each written as it is rendered (see {@link writeStoredReports}). */
async function writeFromShards(
  run: ShardedRun,
  store: RunStore & Required<Pick<RunStore, 'putArtifactChunks'>>,
): Promise<Written> {
  const written = {} as Written;
  for (const format of FORMATS) {
    const { name, contentType } = REPORT_FORMATS[format];
    written[format] = await store.putArtifactChunks(run.manifest.runId, name, renderChunks(run, format), contentType);
  }
  return written;
}

async function writeFromRecord(record: RunRecord, store: RunStore): Promise<Written> {
  const written = {} as Written;
  for (const format of FORMATS) {
    const { name, contentType } = REPORT_FORMATS[format];
    written[format] = await store.putArtifact(record.runId, name, renderReport(record, format), contentType);
  }
  return written;
}

/** The run as shards, when the store reads shards and writes artifacts from chunks and keeps the run so. */
async function shardsOf(
  store: RunStore,
  runId: string,
): Promise<{ run: ShardedRun; store: RunStore & Required<Pick<RunStore, 'putArtifactChunks'>> } | undefined> {
  const { readShards, putArtifactChunks } = store;
  if (readShards === undefined || putArtifactChunks === undefined) return undefined;
  const run = await readShards.call(store, runId);
  return run === undefined
    ? undefined
    : { run, store: store as RunStore & Required<Pick<RunStore, 'putArtifactChunks'>> };
}

/**
 * Writes every report format of a stored run beside it; returns where each went, by format. A run
 * kept as a manifest and shards is rendered from its shards, a pass at a time, each artifact
 * written as it is rendered: what is held grows with the accounts (summary and roll-ups), never with
 * the locations or instances. A run recorded whole (before manifests), or a store that cannot read
 * shards, is rendered from its record.
 *
 * @throws RunNotFoundError when the store holds no run under the id.
 */
export async function writeStoredReports(runId: string, store: RunStore): Promise<Written> {
  const sharded = await shardsOf(store, runId);
  if (sharded !== undefined) return writeFromShards(sharded.run, sharded.store);
  const record = await store.get(runId);
  if (record === undefined) throw new RunNotFoundError(runId, 'the run store');
  return writeFromRecord(record, store);
}

/**
 * Writes every report format of `record` beside it; returns where each went, by format. From the
 * stored shards (as {@link writeStoredReports}) when the store keeps the run as shards at this
 * record's update; otherwise from the record.
 */
export async function writeReports(record: RunRecord, store: RunStore): Promise<Written> {
  const sharded = await shardsOf(store, record.runId);
  // A manifest of another update than `record` (a later write) would not give `record`'s report.
  if (sharded !== undefined && sharded.run.manifest.updatedAt === record.updatedAt) {
    return writeFromShards(sharded.run, sharded.store);
  }
  return writeFromRecord(record, store);
}
