import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RunRecord } from '@orgpatch/core';
import { summarizeRun } from '@orgpatch/core';
import { type AwsClientFactory, createAwsClientFactory } from '../aws/clients.js';
import { S3RunStore } from '../store/s3RunStore.js';

/**
 * What the Lambda entry points share, made once per execution environment (module scope), so warm
 * invocations reuse the clients and their connections.
 */
export interface LambdaRuntime {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clients: AwsClientFactory;
  /** The invocation's clock (the Patch Tuesday gate reads the day from it). */
  now(): Date;
  /** The S3 run store (bucket from ORGPATCH_RUN_BUCKET), made on first use so a missing variable fails the invocation with a clear error. */
  store(): S3RunStore;
}

/** Options of {@link createLambdaRuntime}; the Lambda uses the defaults, tests point them at the sandbox. */
export interface LambdaRuntimeOptions {
  /** @default the standard credential chain and the Lambda's Region */
  readonly clients?: AwsClientFactory;
  /** @default process.env.ORGPATCH_RUN_BUCKET */
  readonly bucket?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default POWERTOOLS_LOG_LEVEL, else INFO */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
}

/** Creates the shared runtime. */
export function createLambdaRuntime(options: LambdaRuntimeOptions = {}): LambdaRuntime {
  const clients = options.clients ?? createAwsClientFactory();
  let store: S3RunStore | undefined;
  return {
    logger: new Logger({ serviceName: 'orgpatch', ...(options.logLevel ? { logLevel: options.logLevel } : {}) }),
    metrics: new Metrics({ namespace: 'OrgPatch', serviceName: 'orgpatch' }),
    clients,
    now: options.now ?? (() => new Date()),
    store: () => {
      store ??= new S3RunStore({
        client: clients.s3(clients.homeRegion ?? 'us-east-1'),
        ...(options.bucket ? { bucket: options.bucket } : {}),
      });
      return store;
    },
  };
}

/** Adds a run's location and instance counts as metrics (published by the caller). */
export function addRunMetrics(metrics: Metrics, record: RunRecord): void {
  const summary = summarizeRun(record);
  const started = record.locations.filter((l) => l.executions.length > 0).length;
  metrics.addMetric('LocationsStarted', MetricUnit.Count, started);
  metrics.addMetric('LocationsSkipped', MetricUnit.Count, summary.locations.skipped);
  metrics.addMetric('LocationsFailed', MetricUnit.Count, summary.locations.failed);
  metrics.addMetric('InstancesPatched', MetricUnit.Count, summary.instances.succeeded);
  metrics.addMetric('InstancesFailed', MetricUnit.Count, summary.instances.failed);
}
