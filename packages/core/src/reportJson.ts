import { displayText } from './displayText.js';
import type { PlannedLocation } from './planModel.js';
import type { LocationOutcome, RunRecord } from './runModel.js';
import { type RunManifest, type RunShard, recordHeadOf } from './runShards.js';
import { type RunSummary, summarizeRun } from './runSummary.js';

/**
 * The JSON report, `{ summary, record }` pretty-printed, written in parts: the two long arrays
 * (`record.plan.locations` and `record.locations`) an element at a time, everything else from the
 * run's head. {@link renderReportJson} is the whole text for a record; {@link renderReportJsonChunks}
 * the same text from a manifest and its shards, a shard at a time.
 */

/** Stands for an array in the skeleton; found only where JSON.stringify puts the key, after a line break. */
const MARK = '\u0000orgpatch-report-array';

/** The text around the two arrays, and their indentation. */
interface JsonParts {
  readonly beforePlanLocations: string;
  readonly beforeLocations: string;
  readonly after: string;
}

/** `"locations": "<MARK>"` at the indent JSON.stringify gives a key `depth` objects deep. */
function markedKey(depth: number): string {
  return `\n${' '.repeat(2 * depth)}"locations": ${JSON.stringify(MARK)}`;
}

const PLAN_LOCATIONS_DEPTH = 3; // { record: { plan: { locations
const LOCATIONS_DEPTH = 2; // { record: { locations

function splitAt(text: string, key: string): [string, string] {
  const at = text.indexOf(key);
  if (at < 0) throw new Error('the JSON report skeleton lost an array: this is a bug in orgpatch');
  return [text.slice(0, at + key.length - JSON.stringify(MARK).length), text.slice(at + key.length)];
}

/** The record's fields but its arrays, in its own key order (the arrays' keys keep their places). */
type RecordHead = Omit<RunRecord, 'plan' | 'locations'> & {
  readonly plan: Omit<RunRecord['plan'], 'locations'>;
};

/** The report's text around its two arrays, from the summary and the record (its arrays are not read). */
function jsonParts(summary: RunSummary, record: RecordHead): JsonParts {
  // Spread, so the arrays' keys stay where the record has them: the text is the record's, key for key.
  const skeleton = { summary, record: { ...record, plan: { ...record.plan, locations: MARK }, locations: MARK } };
  const text = JSON.stringify(skeleton, null, 2);
  const [beforePlanLocations, rest] = splitAt(text, markedKey(PLAN_LOCATIONS_DEPTH));
  const [between, after] = splitAt(rest, markedKey(LOCATIONS_DEPTH));
  return { beforePlanLocations, beforeLocations: between, after };
}

/**
 * The record's keys in the order stored records have them, without the arrays: the order
 * `assembleRunRecord` gives a record read from a manifest and its shards.
 */
function headOf(manifest: RunManifest): RecordHead {
  return recordHeadOf(manifest, undefined);
}

/** An element of an array `depth` objects deep: indented as JSON.stringify(..., null, 2) would. */
function element(value: unknown, depth: number): string {
  const indent = ' '.repeat(2 * (depth + 1));
  // JSON.stringify escapes line breaks inside strings, so every line break here is between tokens.
  return `${indent}${(JSON.stringify(value, null, 2) ?? 'null').replaceAll('\n', `\n${indent}`)}`;
}

/** The array's text after its key, from its elements: `[]`, or one element a line as JSON.stringify lays them out. */
function* arrayChunks<T>(items: Iterable<T>, depth: number): Generator<string> {
  let first = true;
  for (const item of items) {
    yield `${first ? '[\n' : ',\n'}${element(item, depth)}`;
    first = false;
  }
  yield first ? '[]' : `\n${' '.repeat(2 * depth)}]`;
}

async function* asyncArrayChunks<T>(items: Iterable<T> | AsyncIterable<T>, depth: number): AsyncGenerator<string> {
  let first = true;
  for await (const item of items) {
    yield `${first ? '[\n' : ',\n'}${element(item, depth)}`;
    first = false;
  }
  yield first ? '[]' : `\n${' '.repeat(2 * depth)}]`;
}

/**
 * The JSON report: `{ summary, record }`, pretty-printed, ending with a newline.
 * `summary` is {@link summarizeRun}'s result, `record` the run record as stored. Parsing it gives the
 * record back unchanged, yet the file holds no raw control or bidirectional character: JSON.stringify
 * escapes C0 controls and {@link displayText} the rest, as the `\uXXXX` escapes JSON reads back.
 */
export function renderReportJson(record: RunRecord): string {
  const parts = jsonParts(summarizeRun(record), record);
  let out = parts.beforePlanLocations;
  for (const chunk of arrayChunks(record.plan.locations, PLAN_LOCATIONS_DEPTH)) out += chunk;
  out += parts.beforeLocations;
  for (const chunk of arrayChunks(record.locations, LOCATIONS_DEPTH)) out += chunk;
  return `${displayText(out + parts.after)}\n`;
}

/** What a pass over a run's shards gives: each shard's plan locations and location outcomes. */
export type ShardLocations = Pick<RunShard, 'plannedLocations' | 'locations'>;

async function* plannedOf(
  shards: Iterable<ShardLocations> | AsyncIterable<ShardLocations>,
): AsyncGenerator<PlannedLocation> {
  for await (const shard of shards) yield* shard.plannedLocations;
}

async function* outcomesOf(
  shards: Iterable<ShardLocations> | AsyncIterable<ShardLocations>,
): AsyncGenerator<LocationOutcome> {
  for await (const shard of shards) yield* shard.locations;
}

/**
 * The JSON report of {@link renderReportJson}, as chunks, from a run kept as a manifest and shards:
 * the shards are read twice (the plan's locations come before the outcomes), one shard at a time,
 * and no chunk holds more than one location. Joined, the chunks are exactly `renderReportJson` of
 * `assembleRunRecord(manifest, shards)`.
 *
 * @param header the run's manifest and its summary ({@link summarizeRun}'s result for the run).
 * @param shards starts a pass over the run's shards, in order; called twice.
 * @example
 * for await (const chunk of renderReportJsonChunks({ manifest, summary }, () => readShards(manifest))) await write(chunk);
 */
export async function* renderReportJsonChunks(
  header: { readonly manifest: RunManifest; readonly summary: RunSummary },
  shards: () => Iterable<ShardLocations> | AsyncIterable<ShardLocations>,
): AsyncGenerator<string> {
  const parts = jsonParts(header.summary, headOf(header.manifest));
  yield displayText(parts.beforePlanLocations);
  for await (const chunk of asyncArrayChunks(plannedOf(shards()), PLAN_LOCATIONS_DEPTH)) yield displayText(chunk);
  yield displayText(parts.beforeLocations);
  for await (const chunk of asyncArrayChunks(outcomesOf(shards()), LOCATIONS_DEPTH)) yield displayText(chunk);
  yield `${displayText(parts.after)}\n`;
}
