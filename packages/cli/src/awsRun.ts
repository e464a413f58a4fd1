import type { PatchRequest, RunStore } from '@orgpatch/core';
import { type AwsClientFactory, type AwsRunDeps, createAwsRunDeps } from '@orgpatch/orchestrator';
import { type AwsCliOptions, clientsFor, storeFor } from './context.js';
import type { CliIo } from './io.js';
import { createProgressRenderer } from './progress.js';

/** How {@link withAwsRun} sets the adapters up. */
interface AwsRunSetup {
  /** Machine-readable output: no progress bar. */
  readonly json: boolean;
  /** The run store, made with the command's clients (default: the local store). */
  readonly store?: (clients: AwsClientFactory) => RunStore;
  /** The run id, for the member sessions' name. */
  readonly runId?: string;
}

/**
 * Runs `use` with the AWS adapters for `request`: the command's clients (profile, Region,
 * endpoint), its store and a progress bar on stderr. The bar is stopped before `use`'s result is
 * returned (so the command prints after it) and the clients are closed, whatever happens.
 */
export async function withAwsRun<T>(
  request: PatchRequest,
  opts: AwsCliOptions,
  io: CliIo,
  setup: AwsRunSetup,
  use: (deps: AwsRunDeps, clients: AwsClientFactory) => Promise<T>,
): Promise<T> {
  const clients = clientsFor(opts, io);
  const progress = createProgressRenderer(io, setup.json);
  try {
    const deps = createAwsRunDeps(request, {
      clients,
      store: setup.store ? setup.store(clients) : storeFor({}, io),
      ...(setup.runId === undefined ? {} : { runId: setup.runId }),
      extra: { onProgress: progress.onProgress },
    });
    return await use(deps, clients);
  } finally {
    progress.stop();
    clients.destroy();
  }
}
