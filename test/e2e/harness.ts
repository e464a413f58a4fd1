import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PatchRequest } from '@orgpatch/core';
import {
  type AwsClientFactory,
  type AwsRunDeps,
  createAwsClientFactory,
  createAwsRunDeps,
  LocalRunStore,
  runIdFor,
} from '@orgpatch/orchestrator';
import { type FaultConfig, type Sandbox, startSandbox, type WorldFile } from '@orgpatch/sandbox';

export const MGMT = '100000000000';
export const DEV1 = '111111111111';
export const DEV2 = '222222222222';
export const PROD1 = '333333333333';
export const NOSTACK = '444444444444';
export const SUSPENDED = '555555555555';
export const DENIED = '666666666666';
const ROOT = 'r-e2e1';
export const DEV_OU = 'ou-e2e1-dev00001';
export const PROD_OU = 'ou-e2e1-prod0001';
export const ORG_REGIONS = ['us-east-1', 'eu-west-1', 'ap-east-1'] as const;

const web = (count: number, extra: Record<string, unknown> = {}) => ({
  instances: [{ count, groups: ['WebServers'], missingPatches: 4, patchMinutes: 10, ...extra }],
});

/**
 * A small Organization that has every case the plan must explain: instances in both waves, an empty
 * group, a missing group, an opt-in Region not enabled, an account without member stacks, a
 * suspended account, an account whose resource groups refuse access (a fault), and the management
 * account (with instances of its own for the blog's single-account payload).
 */
export function e2eWorld(options: { devFails?: boolean } = {}): WorldFile {
  const dev = options.devFails ? { failsPatching: true } : {};
  const account = (id: string, name: string, parentId: string, rest: Record<string, unknown> = {}) => ({
    id,
    name,
    email: `${name}@example.com`,
    parentId,
    ...rest,
  });
  return {
    organization: { id: 'o-e2etest0001', rootId: ROOT, managementAccountId: MGMT },
    startTime: '2026-11-01T03:00:00Z',
    regions: ['us-east-1', 'us-east-2', 'eu-west-1', 'ap-east-1'],
    ous: [
      { id: DEV_OU, name: 'Dev', parentId: ROOT },
      { id: PROD_OU, name: 'Prod', parentId: ROOT },
    ],
    accounts: [
      account(MGMT, 'management', ROOT, { locations: { 'us-east-1': web(2), 'us-east-2': web(1) } }),
      account(DEV1, 'dev-one', DEV_OU, {
        regionsNotEnabled: ['ap-east-1'],
        locations: { 'us-east-1': web(3, dev), 'eu-west-1': { groups: ['WebServers'] } },
      }),
      account(DEV2, 'dev-two', DEV_OU, { locations: { 'us-east-1': web(2, dev) } }),
      account(PROD1, 'prod-one', PROD_OU, { locations: { 'us-east-1': web(2), 'eu-west-1': web(2) } }),
      account(NOSTACK, 'prod-nostack', PROD_OU, { memberStacks: false, locations: { 'us-east-1': web(1) } }),
      account(SUSPENDED, 'prod-suspended', PROD_OU, { status: 'SUSPENDED', locations: { 'us-east-1': web(1) } }),
      account(DENIED, 'prod-denied', PROD_OU, { locations: { 'us-east-1': web(1) } }),
    ],
  } as WorldFile;
}

/** The Organization payload of the tests: two waves, dev before prod. */
export function orgPayload(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    WindowId: '{{WINDOW_ID}}',
    TaskExecutionId: '{{TASK_EXECUTION_ID}}',
    Document: { Parameters: { Operation: ['Install'], RebootOption: ['NoReboot'] } },
    Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
    MaxConcurrency: '50%',
    MaxErrors: '0',
    Regions: [...ORG_REGIONS],
    Organization: {
      Waves: [
        { Name: 'dev', TargetOus: [DEV_OU], ErrorThreshold: '0' },
        { Name: 'prod', TargetOus: [PROD_OU], ErrorThreshold: '0' },
      ],
      // The world holds an account without member stacks and one whose groups refuse access, on
      // purpose; these suites follow the rest of the run. By default such locations fail:
      // test/reliability/unreachable.test.ts holds that.
      SkipUnreachable: ['AccessDenied', 'MemberStackMissing'],
    },
    Concurrency: { Global: 8, PerAccount: 2 },
    ...extra,
  };
}

/** A sandbox with a manual clock (only `advance` moves it), a client factory pointed at it, and a run folder. */
export interface E2e {
  readonly sandbox: Sandbox;
  readonly clients: AwsClientFactory;
  readonly store: LocalRunStore;
  /** The AWS deps for a request; each poll round advances the simulated clock by `pollMs` instead of sleeping. */
  deps(
    request: PatchRequest,
    options?: { pollMs?: number; credentialClock?: () => number; runId?: string },
  ): AwsRunDeps;
  stop(): Promise<void>;
}

export async function startE2e(world: WorldFile, faults?: FaultConfig): Promise<E2e> {
  const sandbox = await startSandbox({ world, timeScale: 0, emptyPageRate: 0.2, ...(faults ? { faults } : {}) });
  const clients = createAwsClientFactory({ ...sandbox.clientConfig('us-east-1'), homeRegion: 'us-east-1' });
  const dir = await mkdtemp(join(tmpdir(), 'orgpatch-e2e-'));
  const store = new LocalRunStore(join(dir, 'runs'));
  return {
    sandbox,
    clients,
    store,
    deps: (request, options = {}) =>
      createAwsRunDeps(request, {
        clients,
        store,
        runId: options.runId ?? runIdFor(request.taskExecutionId, new Date()),
        credentialClock: options.credentialClock ?? (() => sandbox.clock.now()),
        extra: {
          sleep: async () => {
            sandbox.advance(options.pollMs ?? 60_000);
          },
        },
      }),
    stop: async () => {
      clients.destroy();
      await sandbox.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Checks that an HTML page's tags nest and close (void elements aside) and returns its heat-map cells. */
export function parseReportHtml(html: string): { cells: { account: string; region: string; status: string }[] } {
  const voids = new Set([
    'area',
    'base',
    'br',
    'col',
    'embed',
    'hr',
    'img',
    'input',
    'link',
    'meta',
    'source',
    'track',
    'wbr',
  ]);
  const body = html
    .replace(/<!doctype[^>]*>/i, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<style[^>]*>[\s\S]*?<\/style>/gi, '<style></style>');
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)>/g)) {
    const [, closing, rawName, selfClosing] = m;
    const name = (rawName ?? '').toLowerCase();
    if (voids.has(name) || selfClosing) continue;
    if (closing) {
      const open = stack.pop();
      if (open !== name) throw new Error(`HTML does not parse: </${name}> closes <${open ?? 'nothing'}>`);
    } else stack.push(name);
  }
  if (stack.length > 0) throw new Error(`HTML does not parse: <${stack.join('>, <')}> never closed`);
  const heatmap = /<table class="heatmap">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  const cells = [
    ...heatmap.matchAll(/<td data-account="(\d{12})" data-region="([a-z0-9-]+)" data-status="([a-z]+)"/g),
  ].map((m) => ({
    account: m[1] ?? '',
    region: m[2] ?? '',
    status: m[3] ?? '',
  }));
  return { cells };
}

/** A payload for the whole of a generated Organization (its root), us-east-1 only, the generator's target group. */
export function generatedOrgPayload(world: Sandbox): string {
  return JSON.stringify({
    Targets: [{ Key: 'ResourceGroup', Values: ['orgpatch-targets'] }],
    Regions: ['us-east-1'],
    Organization: { TargetOus: [world.world.rootId], SkipUnreachable: ['MemberStackMissing'] },
  });
}
