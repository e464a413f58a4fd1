import type { LocationOutcome, LocationStatus } from './runModel.js';

/**
 * How the Markdown and HTML reports are written from a run of any size: a page is a sequence of
 * {@link ReportPart}s, text and passes over the run's locations, and a driver joins them, either over
 * a whole record's locations ({@link joinReportParts}) or over a run's shards, one shard in memory at a
 * time ({@link streamReportParts}). The page is written once, for both.
 */

/** Some of a run's locations, in record order: a shard, or a whole record's. */
export interface LocationBatch {
  readonly locations: readonly LocationOutcome[];
}

/**
 * Starts a pass over a run's locations, batch by batch, in record order; called once per pass (a
 * report takes a few), and every pass must give the same locations.
 */
export type LocationPasses = () => Iterable<LocationBatch> | AsyncIterable<LocationBatch>;

/** A pass over the run's locations: what it writes for each, and at the end. */
export interface LocationPass {
  each(location: LocationOutcome): string | undefined;
  end?(): string | undefined;
}

/** A piece of a page: text, or a pass over the locations whose text goes in its place. */
export type ReportPart = string | LocationPass;

/** A pass that writes `render(location)` for each location in `status`. */
export function passOver(status: LocationStatus, render: (location: LocationOutcome) => string): LocationPass {
  return { each: (l) => (l.status === status ? render(l) : undefined) };
}

/** The page's text over a whole record's locations. */
export function joinReportParts(parts: Iterable<ReportPart>, locations: readonly LocationOutcome[]): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    for (const l of locations) out += part.each(l) ?? '';
    out += part.end?.() ?? '';
  }
  return out;
}

/** Chunks are gathered to about this many characters, so a writer makes a few hundred writes, not one per location. */
const CHUNK_CHARS = 64 * 1024;

/** The page's text, as chunks of about {@link CHUNK_CHARS}, from passes over a run's batches of locations. */
export async function* streamReportParts(parts: Iterable<ReportPart>, passes: LocationPasses): AsyncGenerator<string> {
  let buffer = '';
  for (const part of parts) {
    if (typeof part === 'string') buffer += part;
    else {
      for await (const batch of passes()) {
        for (const l of batch.locations) {
          buffer += part.each(l) ?? '';
          if (buffer.length >= CHUNK_CHARS) {
            yield buffer;
            buffer = '';
          }
        }
      }
      buffer += part.end?.() ?? '';
    }
    if (buffer.length >= CHUNK_CHARS) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer.length > 0) yield buffer;
}

/** Every location of every batch of one pass, in order. */
export async function* locationsOf(batches: Iterable<LocationBatch> | AsyncIterable<LocationBatch>) {
  for await (const batch of batches) yield* batch.locations;
}
