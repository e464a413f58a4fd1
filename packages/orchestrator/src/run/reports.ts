import type { RunRecord, RunStore } from '@orgpatch/core';
import { renderReportCsv, renderReportHtml, renderReportJson, renderReportMarkdown } from '@orgpatch/core';

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

/** Writes every report format beside the record; returns where each went, by format. */
export async function writeReports(record: RunRecord, store: RunStore): Promise<Record<ReportFormat, string>> {
  const written = {} as Record<ReportFormat, string>;
  for (const format of Object.keys(REPORT_FORMATS) as ReportFormat[]) {
    const { name, contentType } = REPORT_FORMATS[format];
    written[format] = await store.putArtifact(record.runId, name, renderReport(record, format), contentType);
  }
  return written;
}
