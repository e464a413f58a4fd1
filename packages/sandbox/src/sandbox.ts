import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallLog } from './callLog.js';
import { ScaledClock } from './clock.js';
import { Ec2Snapshots, ec2Call } from './ec2/snapshots.js';
import { SandboxOptionsError, SandboxStartError } from './errors.js';
import { type FaultConfig, FaultController } from './faults.js';
import { IdentityStore } from './identity.js';
import { Pager } from './paging.js';
import { createRequestHandler } from './server.js';
import { AlarmStore } from './services/alarms.js';
import { createCloudWatchService } from './services/cloudwatch.js';
import type { ServiceContext } from './services/context.js';
import { createEc2Service } from './services/ec2.js';
import { createIamService } from './services/iam.js';
import { createOrganizationsService } from './services/organizations.js';
import { createResourceGroupsService } from './services/resourceGroups.js';
import { S3Service } from './services/s3.js';
import { createStsService } from './services/sts.js';
import { createSsmService } from './ssm/index.js';
import { type GenerateWorldOptions, generateWorld } from './world/generate.js';
import { buildWorld, loadWorldFile } from './world/load.js';
import type { AlarmState, SandboxWorld } from './world/model.js';
import type { WorldFile } from './world/schema.js';

/** Static credentials, as SDK v3 clients take them. */
export interface SandboxCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** What to give an SDK v3 client so that it talks to the sandbox. */
export interface SandboxClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: SandboxCredentials;
  /** S3 needs path-style addressing against a local endpoint. */
  readonly forcePathStyle: true;
}

/** Where the world comes from: a built world, a world file path, a world file's JSON, or generator options. */
export type WorldInput = SandboxWorld | string | WorldFile | { readonly generate: GenerateWorldOptions };

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** @default a generated world of 12 accounts and 4 Regions (seed 1) */
  readonly world?: WorldInput;
  /**
   * Faults at start; change them later with `sandbox.faults.set`. Throttling defaults to AWS's
   * published quotas (SSM's Automation API rates); `throttle: []` turns it off.
   */
  readonly faults?: FaultConfig;
  /** Simulated ms per real ms (60: a real second is a simulated minute; 0: only `advance` moves time). @default 1 */
  readonly timeScale?: number;
  /** Simulated epoch ms at start. @default the world's startTime, else the real time now */
  readonly start?: number;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** S3 buckets (owned by the management account), in addition to the world's. */
  readonly buckets?: readonly string[];
  /** Chance of an empty page with a NextToken while items remain (also `faults.emptyPageRate`). @default 0.05 */
  readonly emptyPageRate?: number;
  /** Default Region of {@link Sandbox.clientConfig}. @default the world's first Region */
  readonly region?: string;
  /** Salt of the paging tokens and empty-page choices. @default 0 */
  readonly pagingSeed?: number;
  /**
   * Automations (parents and children) that may run at once per account and Region before the rest
   * queue; rate control automations are further held to 25 (and to one less than this). @default 100
   */
  readonly maxConcurrentAutomationsPerAccount?: number;
  /** Receives errors a service threw by mistake (the caller got a 500). */
  readonly logger?: { error(message: string, ...details: unknown[]): void };
}

/** A running sandbox. */
export interface Sandbox {
  /** `http://host:port`: set it as `AWS_ENDPOINT_URL` or a client's `endpoint`. */
  readonly endpoint: string;
  /** Default Region for clients. */
  readonly region: string;
  /** The orchestrator principal's long-term keys. */
  readonly credentials: SandboxCredentials;
  readonly world: SandboxWorld;
  readonly clock: ScaledClock;
  readonly faults: FaultController;
  readonly calls: CallLog;
  /** Config for an SDK v3 client of any of the services. Organizations needs the partition's global Region (us-east-1). */
  clientConfig(region?: string): SandboxClientConfig;
  /** The environment a process needs to use the sandbox (AWS_ENDPOINT_URL, keys, Region). */
  env(region?: string): Readonly<Record<string, string>>;
  /** Moves the simulated clock forward (fires due timers). */
  advance(ms: number): void;
  /**
   * Sets a CloudWatch alarm's state now (simulated time), as CloudWatch would on a breach or
   * recovery: StateValue, StateReason and StateUpdatedTimestamp (StateTransitionedTimestamp too when
   * the value changes). Throws a SandboxOptionsError if the world has no such alarm.
   */
  setAlarm(change: {
    readonly name: string;
    readonly state: AlarmState;
    /** @default the sandbox's default Region */
    readonly region?: string;
    /** @default the management account (where the orchestrator runs) */
    readonly accountId?: string;
    /** @default a sentence naming the state */
    readonly reason?: string;
  }): void;
  /** Stops listening and closes connections. */
  stop(): Promise<void>;
}

/**
 * Starts the sandbox: an HTTP endpoint on 127.0.0.1 that serves STS, IAM, Organizations, Resource
 * Groups, SSM, S3 and CloudWatch for a simulated Organization.
 *
 * @example
 * const sandbox = await startSandbox({ world: { generate: { accounts: 50, regions: 4 } }, timeScale: 0 });
 * const org = new OrganizationsClient(sandbox.clientConfig('us-east-1'));
 * ...
 * await sandbox.stop();
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const world = await resolveWorld(options.world);
  const region = options.region ?? world.regionNames[0] ?? 'us-east-1';
  const clock = new ScaledClock({
    start: options.start ?? world.startTime ?? Date.now(),
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
  });
  const faults = new FaultController(
    options.faults,
    options.emptyPageRate === undefined ? {} : { emptyPageRate: options.emptyPageRate },
    {
      simNow: () => clock.now(),
      alarmExists: (rule) =>
        world.alarms.some(
          (a) =>
            a.name === rule.name &&
            (rule.accountId === undefined || a.accountId === rule.accountId) &&
            (rule.region === undefined || a.region === rule.region),
        ),
    },
  );
  const alarms = new AlarmStore(world, clock, faults);
  const calls = new CallLog();
  const identities = new IdentityStore(world);
  const context: ServiceContext = {
    world,
    clock,
    identities,
    faults,
    pager: new Pager(`${world.organizationId}:${options.pagingSeed ?? 0}`),
  };
  const ec2 = new Ec2Snapshots({ world, clock, snapshotFailure: (id) => faults.snapshotFailure(id) });
  const s3 = new S3Service(context, [...new Set([...world.buckets, ...(options.buckets ?? [])])]);
  const handler = createRequestHandler({
    world,
    clock,
    identities,
    faults,
    calls,
    handlers: {
      sts: createStsService(context),
      iam: createIamService(context),
      organizations: createOrganizationsService(context),
      'resource-groups': createResourceGroupsService(context),
      cloudwatch: createCloudWatchService(context, alarms),
      ec2: createEc2Service(ec2),
      ssm: createSsmService({
        world,
        clock,
        delivery: faults,
        awsApi: (service, api, input, at) => ec2Call(ec2, service, api, input, at),
        ...(options.maxConcurrentAutomationsPerAccount === undefined
          ? {}
          : { maxConcurrentAutomationsPerAccount: options.maxConcurrentAutomationsPerAccount }),
      }),
    },
    s3,
    ...(options.logger
      ? {
          onInternalError: (error: unknown, call: { service: string; operation: string }) =>
            options.logger?.error(`orgpatch sandbox: ${call.service}:${call.operation} failed unexpectedly`, error),
        }
      : {}),
  });
  const server = createServer({ keepAlive: true }, handler);
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 61_000;
  const host = options.host ?? '127.0.0.1';
  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const credentials = {
    accessKeyId: world.orchestrator.accessKeyId,
    secretAccessKey: world.orchestrator.secretAccessKey,
  };
  let stopped = false;
  return {
    endpoint,
    region,
    credentials,
    world,
    clock,
    faults,
    calls,
    clientConfig: (r = region) => ({ endpoint, region: r, credentials, forcePathStyle: true }),
    env: (r = region) => ({
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: r,
    }),
    advance: (ms) => clock.advance(ms),
    setAlarm: (change) => {
      const accountId = change.accountId ?? world.managementAccountId;
      const where = { name: change.name, accountId, region: change.region ?? region };
      if (
        alarms.set({
          ...where,
          state: change.state,
          reason: change.reason ?? `Set to ${change.state} by the test.`,
        }) === 0
      ) {
        throw new SandboxOptionsError(
          `setAlarm: the world has no alarm ${where.name} in ${accountId} ${where.region}.`,
        );
      }
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clock.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function resolveWorld(input: WorldInput | undefined): Promise<SandboxWorld> {
  if (input === undefined) return generateWorld({ seed: 1, accounts: 12, regions: 4 });
  if (typeof input === 'string') return loadWorldFile(input);
  if (isSandboxWorld(input)) return input;
  if ('generate' in input && input.generate !== undefined) return generateWorld(input.generate);
  return buildWorld(input);
}

function isSandboxWorld(value: object): value is SandboxWorld {
  return (value as { accounts?: unknown }).accounts instanceof Map;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return Promise.reject(new SandboxOptionsError(`port must be an integer from 0 to 65535, got ${port}.`));
  }
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      reject(
        new SandboxStartError(
          `The sandbox cannot listen on ${host}:${port}: ${error.message}. Pick another --port (0 picks a free one).`,
          {
            cause: error,
          },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
