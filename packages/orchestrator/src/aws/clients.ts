import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { ResourceGroupsClient } from '@aws-sdk/client-resource-groups';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { CONCURRENCY_BOUNDS } from '@orgpatch/core';
import { ORGPATCH_VERSION } from '../version.js';

/** AWS credentials as the SDK takes them. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** A function that yields credentials when asked (the SDK calls it and caches the result until near expiry). */
export type CredentialProvider = () => Promise<AwsCredentials>;

/** How every AWS client is configured. Everything is optional: the defaults are the SDK's standard chain. */
export interface AwsClientOptions {
  /**
   * One endpoint for every service (the sandbox). Unset: the SDK resolves it, honouring
   * `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`.
   * @default undefined
   */
  readonly endpoint?: string;
  /**
   * The orchestrator's own credentials. Unset: the SDK's default chain (environment, profile, SSO,
   * container and instance metadata).
   * @default undefined
   */
  readonly credentials?: AwsCredentials | CredentialProvider;
  /** Shared-config profile. @default undefined (AWS_PROFILE or `default`) */
  readonly profile?: string;
  /**
   * The Region the orchestrator works from (STS for its own identity, the run bucket). Unset:
   * `AWS_REGION`, then `AWS_DEFAULT_REGION`.
   * @default from the environment
   */
  readonly homeRegion?: string;
  /** S3 path-style addressing (needed for a local endpoint). @default false */
  readonly forcePathStyle?: boolean;
  /** SDK attempts per call, first try included, with adaptive retry. @default 6 */
  readonly maxAttempts?: number;
  /** Sockets per origin kept by the shared HTTP agents. @default 64 */
  readonly maxSockets?: number;
  /**
   * How long a call's connection may go without a byte either way before the call fails with a
   * TimeoutError, which the SDK retries as it retries any transient error (a start with the same
   * ClientToken). Without it, a call whose answer never comes waits for ever: the SDK's own
   * `requestTimeout` only logs a warning unless told to throw, and it would also count the time
   * an S3 upload spends sending its body. @default 30000
   */
  readonly idleTimeoutMs?: number;
  /**
   * Clients kept for reuse; beyond it the least recently used is dropped, so a run over thousands
   * of accounts keeps a bounded set while each account and Region is being worked on. A client
   * serves a location's few calls in a row (its groups, then its starts), so about as many clients
   * as calls in flight are worth keeping: the default is twice the default global concurrency (32),
   * and a run raises it to twice its own (see {@link AwsClientFactory.keepAtLeast}). Measured at
   * 1,000 accounts x 16 Regions: 512 kept cost 24 MB more peak RSS than 64, for the same CPU time
   * (bench/README.md).
   * @default 64
   */
  readonly maxCachedClients?: number;
}

/**
 * The clients made so far, by service, Region and credential provider (the same provider object for
 * the same credentials: see `accountCall.ts`), least recently used first.
 */
class ClientCache {
  private readonly clients = new Map<string, unknown>();
  private readonly providerIds = new WeakMap<CredentialProvider, number>();
  private nextProviderId = 1;

  constructor(private max: number) {}

  keepAtLeast(max: number): void {
    this.max = Math.max(this.max, max);
  }

  get<T>(service: string, region: string, credentials: CredentialProvider | undefined, make: () => T): T {
    const key = `${service}|${region}|${credentials === undefined ? 0 : this.providerId(credentials)}`;
    const found = this.clients.get(key) as T | undefined;
    if (found !== undefined) {
      // Most recently used goes last.
      this.clients.delete(key);
      this.clients.set(key, found);
      return found;
    }
    const made = make();
    this.clients.set(key, made);
    if (this.clients.size > this.max) {
      const oldest = this.clients.keys().next().value;
      if (oldest !== undefined) this.clients.delete(oldest);
    }
    return made;
  }

  private providerId(provider: CredentialProvider): number {
    let id = this.providerIds.get(provider);
    if (id === undefined) {
      id = this.nextProviderId++;
      this.providerIds.set(provider, id);
    }
    return id;
  }
}

/**
 * Makes the SDK v3 clients the adapters use: one per service, Region and credentials, kept and
 * handed out again for the same three (adaptive retry keeps its rate per client, so a client made
 * per call would never learn a quota such as StartAutomationExecution's). All of them share two
 * keep-alive HTTP agents, so connections are reused across accounts instead of opened per client.
 */
export interface AwsClientFactory {
  /** The Region the orchestrator works from, when known. */
  readonly homeRegion: string | undefined;
  organizations(region: string): OrganizationsClient;
  sts(region: string, credentials?: CredentialProvider): STSClient;
  resourceGroups(region: string, credentials?: CredentialProvider): ResourceGroupsClient;
  ssm(region: string, credentials?: CredentialProvider): SSMClient;
  /** IAM is global: pass the partition's global Region (`globalRegionOf`). Loaded when first asked for (the doctor's role checks). */
  iam(region: string, credentials?: CredentialProvider): Promise<IAMClient>;
  /** CloudWatch in the orchestrator's own account (the waves' health gates). Loaded when first asked for. */
  cloudwatch(region: string): Promise<CloudWatchClient>;
  /**
   * EC2, for the cleanup of orgpatch's expired pre-patch snapshots. Loaded when first asked for, as
   * IAM and CloudWatch are: the EC2 client's module alone costs some 70 MB of memory (IAM and
   * CloudWatch 7 MB), which a run that does not use them should not pay.
   */
  ec2(region: string, credentials?: CredentialProvider): Promise<EC2Client>;
  s3(region: string): S3Client;
  /**
   * Keeps at least `clients` clients for reuse from now on (never fewer than before): a run with
   * more calls in flight than the default allows for raises it, so that no client in use is
   * dropped and made again between two calls of its location (its adaptive retry would forget the
   * quota it learnt).
   */
  keepAtLeast(clients: number): void;
  /** Closes the shared connections. */
  destroy(): void;
}

/** Reads the home Region from the environment the way the SDK does for its own Region setting. */
export function homeRegionFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}

/**
 * Creates the client factory.
 *
 * @example
 * ```ts
 * const aws = createAwsClientFactory(); // standard chain, AWS_ENDPOINT_URL honoured
 * const sandboxAws = createAwsClientFactory({ ...sandbox.clientConfig('us-east-1') });
 * ```
 */
export function createAwsClientFactory(options: AwsClientOptions = {}): AwsClientFactory {
  const maxSockets = options.maxSockets ?? 64;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets });
  const homeRegion = options.homeRegion ?? homeRegionFromEnv();

  // Settings the SDK reads from the environment and the shared config files (FIPS, dual-stack, app
  // id, auth scheme preference, defaults mode) are resolved once, by a first client, and handed to
  // the rest: the SDK would otherwise resolve them again for each of the thousands of per-account
  // clients of a large run (about a fifth of the orchestrator's CPU per call).
  let settled: Record<string, unknown> = {};
  const common = (region: string, credentials?: CredentialProvider) => ({
    ...settled,
    region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...((credentials ?? options.credentials) ? { credentials: credentials ?? options.credentials } : {}),
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 6,
    customUserAgent: `orgpatch/${ORGPATCH_VERSION}`,
    requestHandler: { httpAgent, httpsAgent, connectionTimeout: 5_000, socketTimeout: idleTimeoutMs },
  });

  const probe = new STSClient(common(homeRegion ?? 'us-east-1'));
  void (async () => {
    const c = probe.config;
    const [useFipsEndpoint, useDualstackEndpoint, userAgentAppId, authSchemePreference, defaultsMode] =
      await Promise.all([
        c.useFipsEndpoint(),
        c.useDualstackEndpoint(),
        c.userAgentAppId(),
        c.authSchemePreference?.(),
        typeof c.defaultsMode === 'function' ? c.defaultsMode() : c.defaultsMode,
      ]);
    settled = {
      useFipsEndpoint,
      useDualstackEndpoint,
      // A provider even when there is no app id: a plain undefined would send each client to look again.
      userAgentAppId: async () => userAgentAppId,
      ...(authSchemePreference ? { authSchemePreference } : {}),
      defaultsMode,
    };
  })().catch(() => {
    // Leave each client to resolve its own settings (and report any problem on its first call).
  });

  // The clients of the calls a run makes by the ten thousand (AssumeRole, ListGroupResources, SSM
  // Automation) resolve their middleware stack once per command class instead of on every send (the
  // SDK's `cacheMiddleware`). That holds because orgpatch never adds middleware to a client it got
  // from here and never passes per-call options to `send` (either would be ignored, or turn the cache
  // off). Their endpoints depend on the client's settings only (Region, FIPS, dual-stack, endpoint),
  // never on a command's input, so the handler context the cache shares among concurrent calls holds
  // the same values for all of them. Not S3: its endpoint and signing Region follow each request's
  // bucket and key, and its middleware writes them into that shared context.
  const perCall = (region: string, credentials?: CredentialProvider) => ({
    ...common(region, credentials),
    cacheMiddleware: true,
  });

  // The endpoint configured for a service outside the code (AWS_ENDPOINT_URL_<SERVICE>,
  // AWS_ENDPOINT_URL, `endpoint_url` in the shared config file) is looked up by each client on its
  // first call, through a chain of config providers that throw when a source has nothing (1.2 s, 3%
  // of the CPU of a profiled run at 1,000 accounts, which makes some 22,000 clients). The first
  // client of a service looks it up as usual; the clients made after it are handed the answer, as
  // the SDK would have found it: the URL as their `endpoint` (the same endpoint parameter for the
  // rule set), or, when nothing is configured, `ignoreConfiguredEndpointUrls` (nothing to ignore).
  // Like the settings above, this takes the environment and config files as fixed for the factory's
  // life. Unused when `options.endpoint` is set: an explicit endpoint is never looked up.
  const configured = new Map<string, { endpoint: string } | { ignoreConfiguredEndpointUrls: true }>();
  const probing = new Set<string>();
  const perAccount = <C extends { config: { serviceConfiguredEndpoint?: () => Promise<string | undefined> } }>(
    service: string,
    make: (found: object) => C,
  ): C => {
    const found = configured.get(service);
    const client = make(found ?? {});
    if (found === undefined && !options.endpoint && !probing.has(service)) {
      probing.add(service);
      client.config
        .serviceConfiguredEndpoint?.()
        .then((url) => configured.set(service, url ? { endpoint: url } : { ignoreConfiguredEndpointUrls: true }))
        .catch(() => {
          // Leave each client to look for itself (and report any problem on its first call).
        });
    }
    return client;
  };

  const cache = new ClientCache(options.maxCachedClients ?? 2 * CONCURRENCY_BOUNDS.global.default);
  return {
    homeRegion,
    organizations: (region) =>
      cache.get('organizations', region, undefined, () => new OrganizationsClient(common(region))),
    sts: (region, credentials) =>
      cache.get('sts', region, credentials, () =>
        perAccount('sts', (found) => new STSClient({ ...perCall(region, credentials), ...found })),
      ),
    resourceGroups: (region, credentials) =>
      cache.get('resource-groups', region, credentials, () =>
        perAccount(
          'resource-groups',
          (found) => new ResourceGroupsClient({ ...perCall(region, credentials), ...found }),
        ),
      ),
    ssm: (region, credentials) =>
      cache.get('ssm', region, credentials, () =>
        perAccount('ssm', (found) => new SSMClient({ ...perCall(region, credentials), ...found })),
      ),
    iam: async (region, credentials) => {
      const { IAMClient } = await import('@aws-sdk/client-iam');
      return cache.get('iam', region, credentials, () => new IAMClient(common(region, credentials)));
    },
    cloudwatch: async (region) => {
      const { CloudWatchClient } = await import('@aws-sdk/client-cloudwatch');
      return cache.get('cloudwatch', region, undefined, () => new CloudWatchClient(common(region)));
    },
    ec2: async (region, credentials) => {
      const { EC2Client } = await import('@aws-sdk/client-ec2');
      return cache.get('ec2', region, credentials, () => new EC2Client(common(region, credentials)));
    },
    s3: (region) =>
      cache.get(
        's3',
        region,
        undefined,
        () => new S3Client({ ...common(region), forcePathStyle: options.forcePathStyle ?? false }),
      ),
    keepAtLeast: (clients) => cache.keepAtLeast(clients),
    destroy: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
