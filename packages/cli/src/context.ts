import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PatchRequest, RunStore, ValidationIssue } from '@orgpatch/core';
import { PayloadValidationError, safeParsePayloadJson } from '@orgpatch/core';
import {
  type AwsClientFactory,
  type AwsClientOptions,
  createAwsClientFactory,
  DEFAULT_LOCAL_RUNS_DIR,
  LocalRunStore,
  S3RunStore,
} from '@orgpatch/orchestrator';
import { CliUsageError } from './exitCodes.js';
import type { CliIo } from './io.js';

/** Options every AWS-facing command takes. */
export interface AwsCliOptions {
  readonly profile?: string;
  readonly region?: string;
  readonly store?: string;
}

/** Reads a file named on the command line; one that cannot be read is a usage error (exit 2). */
export async function readInputFile(path: string, io: CliIo, what: string): Promise<string> {
  const full = resolve(io.cwd, path);
  try {
    return await readFile(full, 'utf8');
  } catch (error) {
    throw new CliUsageError(
      `Cannot read the ${what} ${full}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Check the path.`,
      {
        cause: error,
      },
    );
  }
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
export function awsClientOptions(options: AwsCliOptions, io: CliIo): AwsClientOptions {
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
 * The run store a command reads and writes: `--store s3://BUCKET[/PREFIX]` (records, the
 * in-progress index and leases all under PREFIX), `--store s3` for ORGPATCH_RUN_BUCKET, else a
 * local folder (`--store DIR`, default `.orgpatch/runs`).
 */
export function storeFor(options: AwsCliOptions, io: CliIo, clients?: () => AwsClientFactory): RunStore {
  const spec = options.store;
  if (spec?.startsWith('s3://') || spec === 's3') {
    const [bucket, root] =
      spec === 's3' ? [io.env.ORGPATCH_RUN_BUCKET, ''] : splitOnce(spec.slice('s3://'.length), '/');
    if (!bucket) throw new CliUsageError('--store s3 needs ORGPATCH_RUN_BUCKET, or write --store s3://BUCKET.');
    const factory = clients ? clients() : clientsFor(options, io);
    return new S3RunStore({ client: factory.s3(factory.homeRegion ?? 'us-east-1'), bucket, root });
  }
  return new LocalRunStore(resolve(io.cwd, spec ?? DEFAULT_LOCAL_RUNS_DIR));
}

/** `text` split at the first `separator`: `['bucket', 'team-a/']` from `bucket/team-a/`. */
function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + separator.length)];
}
