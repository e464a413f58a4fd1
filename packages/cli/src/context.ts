import { constants, type Stats } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ComplianceStore, PatchRequest, RunStore, ValidationIssue } from '@orgpatch/core';
import { PayloadValidationError, safeParsePayloadJson } from '@orgpatch/core';
import {
  type AwsClientFactory,
  type AwsClientOptions,
  createAwsClientFactory,
  DEFAULT_LOCAL_RUNS_DIR,
  LocalRunStore,
  S3RunStore,
  type StepThreadSetup,
  type ThreadStoreSpec,
} from '@orgpatch/orchestrator';
import { CliUsageError } from './exitCodes.js';
import type { CliIo } from './io.js';

/** Options every AWS-facing command takes. */
export interface AwsCliOptions {
  readonly profile?: string;
  readonly region?: string;
  readonly store?: string;
}

/**
 * The largest input file the CLI reads (payloads, worlds): 1 MiB. A maintenance-window payload is at
 * most 3,072 bytes of JSON (4,096 Base64-encoded); a file far larger is a mistake (or an attack), not a payload.
 */
export const MAX_INPUT_FILE_BYTES = 1024 * 1024;

/**
 * Reads a file named on the command line. A path that cannot be read, is not a regular file (a
 * FIFO, a device or a folder, which could block forever or never end) or is larger than
 * {@link MAX_INPUT_FILE_BYTES} is a usage error (exit 2) that says which.
 */
export async function readInputFile(path: string, io: CliIo, what: string): Promise<string> {
  const full = resolve(io.cwd, path);
  const refuse = (why: string, cause?: unknown): never => {
    throw new CliUsageError(`Cannot read the ${what} ${full}: ${why}`, cause === undefined ? undefined : { cause });
  };
  let handle: FileHandle | undefined;
  try {
    // Checked before opening: opening a FIFO for reading blocks until something writes to it.
    const before = await stat(full).catch((error: NodeJS.ErrnoException) =>
      refuse(`${error.code ?? error.message}. Check the path.`, error),
    );
    if (!before.isFile()) refuse(`it is ${kindOf(before)}, not a regular file. Pass the path of a JSON file.`);
    handle = await open(full, constants.O_RDONLY | constants.O_NONBLOCK).catch((error: NodeJS.ErrnoException) =>
      refuse(`${error.code ?? error.message}. Check the path.`, error),
    );
    const opened = await handle.stat();
    if (!opened.isFile()) refuse(`it is ${kindOf(opened)}, not a regular file. Pass the path of a JSON file.`);
    if (opened.size > MAX_INPUT_FILE_BYTES) {
      refuse(
        `it is ${opened.size.toLocaleString('en-US')} bytes, more than the ${MAX_INPUT_FILE_BYTES.toLocaleString('en-US')} bytes an input file may be (a maintenance-window payload is at most 3,072 bytes of JSON).`,
      );
    }
    const buffer = Buffer.alloc(MAX_INPUT_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_INPUT_FILE_BYTES) refuse(`it grew past ${MAX_INPUT_FILE_BYTES} bytes while being read.`);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle?.close();
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Parses a payload text, or says everything wrong with it. */
export function parseRequestText(
  text: string,
): { ok: true; request: PatchRequest } | { ok: false; issues: readonly ValidationIssue[] } {
  return safeParsePayloadJson(text);
}

/** Reads and parses a payload file. @throws PayloadValidationError, CliUsageError */
export async function loadRequest(path: string, io: CliIo): Promise<PatchRequest> {
  const parsed = parseRequestText(await readInputFile(path, io, 'payload'));
  if (!parsed.ok) throw new PayloadValidationError(parsed.issues);
  return parsed.request;
}

/**
 * The client options for the CLI, from its flags and environment. The SDK reads the process
 * environment itself; the endpoint, static keys and Region are also passed explicitly, so the CLI
 * honours the environment it was given (the tests run it in-process with their own).
 */
function awsClientOptions(options: AwsCliOptions, io: CliIo): AwsClientOptions {
  const env = io.env;
  const endpoint = env.AWS_ENDPOINT_URL || undefined;
  const homeRegion = options.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
  const keys =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && !options.profile
      ? {
          credentials: {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          },
        }
      : {};
  return {
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(homeRegion ? { homeRegion } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...keys,
  };
}

/** The client factory for a command. */
export function clientsFor(options: AwsCliOptions, io: CliIo): AwsClientFactory {
  return createAwsClientFactory(awsClientOptions(options, io));
}

/**
 * Where the run store of a command is: `--store s3://BUCKET[/PREFIX]` (records, the in-progress
 * index and leases all under PREFIX), `--store s3` for ORGPATCH_RUN_BUCKET, else a local folder
 * (`--store DIR`, default `.orgpatch/runs`).
 */
function storeSpecFor(options: AwsCliOptions, io: CliIo): ThreadStoreSpec {
  const spec = options.store;
  if (spec?.startsWith('s3://') || spec === 's3') {
    const [bucket, root] =
      spec === 's3' ? [io.env.ORGPATCH_RUN_BUCKET, ''] : splitOnce(spec.slice('s3://'.length), '/');
    if (!bucket) throw new CliUsageError('--store s3 needs ORGPATCH_RUN_BUCKET, or write --store s3://BUCKET.');
    return { kind: 's3', bucket, root };
  }
  return { kind: 'local', root: resolve(io.cwd, spec ?? DEFAULT_LOCAL_RUNS_DIR) };
}

/** The run store a command reads and writes (see {@link storeSpecFor}). */
export function storeFor(
  options: AwsCliOptions,
  io: CliIo,
  clients?: () => AwsClientFactory,
): RunStore & ComplianceStore {
  const spec = storeSpecFor(options, io);
  if (spec.kind === 's3') {
    const factory = clients ? clients() : clientsFor(options, io);
    return new S3RunStore({
      client: factory.s3(factory.homeRegion ?? 'us-east-1'),
      bucket: spec.bucket,
      root: spec.root,
    });
  }
  return new LocalRunStore(spec.root);
}

/**
 * What a step thread of `orgpatch run` needs to make the command's clients and open its store again:
 * the same endpoint, Region, profile and keys, the same store.
 */
export function threadSetupFor(options: AwsCliOptions, io: CliIo): StepThreadSetup {
  const { endpoint, homeRegion, profile, credentials, forcePathStyle } = awsClientOptions(options, io);
  return {
    aws: {
      ...(endpoint ? { endpoint } : {}),
      ...(homeRegion ? { homeRegion } : {}),
      ...(profile ? { profile } : {}),
      ...(credentials && typeof credentials !== 'function' ? { credentials } : {}),
      ...(forcePathStyle ? { forcePathStyle } : {}),
    },
    store: storeSpecFor(options, io),
  };
}

/** `text` split at the first `separator`: `['bucket', 'team-a/']` from `bucket/team-a/`. */
function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + separator.length)];
}
