// One variant of the SDK floor (sdkFloor.ts), in a process of its own, bundled by esbuild and run
// as plain Node: sends ListGroupResources to the sandbox through the real SDK v3 client, `inFlight`
// at a time, and reports the process's CPU time (process.cpuUsage, every thread) for the calls of
// the measured window only. Setup (listing accounts, AssumeRole, a warm-up client) is outside it.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { PerformanceObserver } from 'node:perf_hooks';
import { OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { ListGroupResourcesCommand, ResourceGroupsClient } from '@aws-sdk/client-resource-groups';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { createAwsClientFactory } from '@orgpatch/orchestrator';
import type { FloorResult, FloorTask } from './protocol.js';

const ROLE_NAME = 'OrgPatchExecutionRole';

interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}
type CredentialProvider = () => Promise<AwsCredentials>;

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });

/**
 * The settings clients.ts resolves once with a probe client and hands to every client (FIPS,
 * dual-stack, app id, defaults mode), resolved here the same way.
 */
async function settledSettings(region: string): Promise<Record<string, unknown>> {
  const c = new STSClient({ region }).config;
  const [useFipsEndpoint, useDualstackEndpoint, userAgentAppId, defaultsMode] = await Promise.all([
    c.useFipsEndpoint(),
    c.useDualstackEndpoint(),
    c.userAgentAppId(),
    typeof c.defaultsMode === 'function' ? c.defaultsMode() : c.defaultsMode,
  ]);
  return { useFipsEndpoint, useDualstackEndpoint, userAgentAppId: async () => userAgentAppId, defaultsMode };
}

/** A client configured as clients.ts's `common()` does, with the variant's switches. */
function makeClient(
  task: FloorTask,
  settled: Record<string, unknown>,
  region: string,
  credentials: CredentialProvider,
): ResourceGroupsClient {
  const endpoint = process.env.AWS_ENDPOINT_URL ?? '';
  return new ResourceGroupsClient({
    ...settled,
    region,
    credentials,
    retryMode: 'adaptive',
    maxAttempts: 6,
    customUserAgent: 'orgpatch/bench',
    requestHandler: { httpAgent, httpsAgent, connectionTimeout: 5_000, socketTimeout: 30_000 },
    ...(task.variant.cacheMiddleware ? { cacheMiddleware: true } : {}),
    ...(task.variant.endpoint === 'config' ? { endpoint } : {}),
    // The endpoint as the rule set would resolve it for a custom endpoint, handed over ready-made:
    // what "an endpoint resolved once per client" would save (measured only; see the README).
    ...(task.variant.endpoint === 'resolved' ? { endpointProvider: () => ({ url: new URL(endpoint) }) } : {}),
  });
}

/** Runs `count` jobs, `inFlight` at a time. */
async function pool(count: number, inFlight: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

async function memberAccounts(): Promise<string[]> {
  const organizations = new OrganizationsClient({ region: 'us-east-1' });
  const ids: string[] = [];
  for await (const page of paginateListAccounts({ client: organizations }, {})) {
    for (const a of page.Accounts ?? []) if (a.Id) ids.push(a.Id);
  }
  organizations.destroy();
  return ids;
}

/** One provider object per account, as accountCall.ts hands the factory (so its cache finds the client). */
async function assumeAll(accounts: readonly string[], homeRegion: string): Promise<Map<string, CredentialProvider>> {
  const sts = new STSClient({ region: homeRegion });
  const providers = new Map<string, CredentialProvider>();
  await pool(accounts.length, 32, async (i) => {
    const accountId = accounts[i] as string;
    try {
      const out = await sts.send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/${ROLE_NAME}`, RoleSessionName: 'floor' }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) return;
      const credentials: AwsCredentials = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      };
      providers.set(accountId, async () => credentials);
    } catch {
      // An account without the member stack: orgpatch skips it too.
    }
  });
  sts.destroy();
  return providers;
}

async function measure(task: FloorTask): Promise<FloorResult> {
  const homeRegion = process.env.AWS_REGION ?? 'us-east-1';
  const { variant } = task;
  const group = task.groupNames[0] as string;
  const settled = await settledSettings(homeRegion);

  // Locations in the order orgpatch works them: account after account, each of its Regions. The
  // per-location variants warm up on locations of their own, each with a new client, so that the
  // code that makes clients and resolves their middleware is as warm as the code that sends.
  const perLocation = (calls: number) => Math.ceil(calls / task.groupNames.length);
  const warmupLocations = variant.clients === 'one' ? 0 : perLocation(task.warmupCalls);
  const locationsNeeded = variant.clients === 'one' ? 1 : perLocation(variant.calls) + warmupLocations;
  const accountsNeeded = Math.ceil(locationsNeeded / task.regionNames.length) + 40;
  const all = await memberAccounts();
  const providers = await assumeAll(all.slice(0, accountsNeeded), homeRegion);
  const locations: { accountId: string; region: string; credentials: CredentialProvider }[] = [];
  for (const [accountId, credentials] of providers) {
    for (const region of task.regionNames) locations.push({ accountId, region, credentials });
  }

  // The one-client variant needs a location where the group exists: the floor is the SDK's, not
  // its error path.
  let one: ResourceGroupsClient | undefined;
  if (variant.clients === 'one') {
    for (const l of locations) {
      const client = makeClient(task, settled, l.region, l.credentials);
      try {
        await client.send(new ListGroupResourcesCommand({ Group: group, MaxResults: 50 }));
        one = client;
        break;
      } catch {
        client.destroy();
      }
    }
    if (!one) throw new Error('No location of the world answered ListGroupResources.');
  } else if (locations.length < locationsNeeded) {
    throw new Error(`Only ${locations.length} locations; ${locationsNeeded} needed.`);
  }

  const factory = variant.clients === 'factory' ? createAwsClientFactory() : undefined;
  let ok = 0;
  let failed = 0;
  const send = async (client: ResourceGroupsClient, name: string) => {
    try {
      await client.send(new ListGroupResourcesCommand({ Group: name, MaxResults: 50 }));
      ok += 1;
    } catch {
      failed += 1;
    }
  };
  // One client per location (per account, Region and service), each location's groups one after
  // the other, `inFlight` locations at a time: as orgpatch's plan step reads inventory.
  const visit = async (i: number) => {
    const l = locations[i] as (typeof locations)[number];
    const client = factory
      ? factory.resourceGroups(l.region, l.credentials)
      : makeClient(task, settled, l.region, l.credentials);
    for (const name of task.groupNames) await send(client, name);
  };

  // Warm-up, outside the window: loads the SDK's lazy modules and lets V8 compile the hot path.
  if (one) {
    const client = one;
    await pool(task.warmupCalls, variant.inFlight, () => send(client, group));
  } else {
    await pool(warmupLocations, variant.inFlight, visit);
  }
  ok = 0;
  failed = 0;

  let gcMs = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  if (one) {
    const client = one;
    await pool(variant.calls, variant.inFlight, () => send(client, group));
  } else {
    await pool(perLocation(variant.calls), variant.inFlight, (i) => visit(warmupLocations + i));
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  gcObserver.disconnect();
  const calls = ok + failed;
  factory?.destroy();
  return {
    type: 'result',
    name: variant.name,
    calls,
    ok,
    failed,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    cpuPerCallMs: (cpu.user + cpu.system) / 1000 / calls,
    gcMs,
  };
}

process.once('message', (task: FloorTask) => {
  measure(task).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) =>
      process.send?.({ type: 'error', message: error instanceof Error ? error.message : String(error) }, () =>
        process.exit(1),
      ),
  );
});
