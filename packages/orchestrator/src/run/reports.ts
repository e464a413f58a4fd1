import type { RunRecord, RunStore, ShardedRun } from '@orgpatch/core';
import {
  renderReportCsv,
  renderReportCsvChunks,
  renderReportHtml,
  renderReportJson,
  renderReportJsonChunks,
  renderReportMarkdown,
  summarizeRun,
} from '@orgpatch/core';

/** The report formats, their artifact names and content types. */
export const REPORT_FORMATS = {
  json: { name: 'report.json', contentType: 'application/json', render: renderReportJson },
  csv: { name: 'report.csv', contentType: 'text/csv; charset=utf-8', render: renderReportCsv },
  md: { name: 'report.md', contentType: 'text/markdown; charset=utf-8', render: renderReportMarkdown },
  html: { name: 'report.html', contentType: 'text/html; charset=utf-8', render: renderReportHtml },
} as const;

/** A report format: json, csv, md or html. */
export type ReportFormat = keyof typeof REPORT_FORMATS;

/** Renders a run's report in one format. */
export function renderReport(record: RunRecord, format: ReportFormat): string {
  return REPORT_FORMATS[format].render(record);
}

/** The formats whose text is rendered a shard at a time from a store that reads shards. */
type ChunkedFormat = 'json' | 'csv';

async function* locationsOf(run: ShardedRun) {
  for await (const shard of run.shards()) yield* shard.locations;
}

/** The report in a chunked format, from the run's stored shards, one shard in memory at a time. */
function renderChunks(record: RunRecord, run: ShardedRun, format: ChunkedFormat): AsyncIterable<string> {
  if (format === 'csv') return renderReportCsvChunks(run.manifest, locationsOf(run));
  return renderReportJsonChunks({ manifest: run.manifest, summary: summarizeRun(record) }, () => run.shards());
}

/**
 * Writes every report format beside the record; returns where each went, by format. JSON and CSV
 * are written from the stored shards, a shard at a time, when the store reads shards and writes
 * artifacts from chunks (and has the run, at this record's update, as shards); otherwise, and for
 * Markdown and HTML, from the whole record.
 */
export async function writeReports(record: RunRecord, store: RunStore): Promise<Record<ReportFormat, string>> {
  const run = store.readShards && store.putArtifactChunks ? await store.readShards(record.runId) : undefined;
  // A manifest of another update than `record` (a later write) would not give `record`'s report.
  const shards = run?.manifest.updatedAt === record.updatedAt ? run : undefined;
  const written = {} as Record<ReportFormat, string>;
  for (const format of Object.keys(REPORT_FORMATS) as ReportFormat[]) {
    const { name, contentType } = REPORT_FORMATS[format];
    if (shards !== undefined && store.putArtifactChunks && (format === 'json' || format === 'csv')) {
      written[format] = await store.putArtifactChunks(
        record.runId,
        name,
        renderChunks(record, shards, format),
        contentType,
      );
    } else {
      written[format] = await store.putArtifact(record.runId, name, renderReport(record, format), contentType);
    }
  }
  return written;
}
