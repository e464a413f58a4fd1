// `node --import tsx --conditions=@orgpatch/source bench/sdkFloor.ts [calls] [variant,...|all] [rounds] [profile folder]`: what the
// bare AWS SDK v3 costs per call on this machine, the floor under issue 13's "orchestrator CPU per
// AWS call" target. Starts the bench's sandbox (1,000 accounts x 16 Regions, 25 ms +/- 10 ms), then
// runs each variant in a fresh process bundled by esbuild (plain Node, as the bench's worker):
// ListGroupResources `calls` times (default 20,000), 32 in flight, through one client or one client
// per (account, Region), and prints the process's CPU per call. Not part of `npm run bench`; see
// bench/README.md, "CPU per call".
import { fork } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { bundleEntry, childEnv, exited, nextMessage, SandboxProcess } from './processes.js';
import { renderProfile, summarizeBusiestProfile } from './profileSummary.js';
import type { FloorMessage, FloorResult, FloorTask, FloorVariant } from './protocol.js';
import { benchWorld } from './scenarios.js';

const calls = Number(process.argv[2] ?? 20_000);
const only = process.argv[3] && process.argv[3] !== 'all' ? process.argv[3].split(',') : undefined;
/** Rounds over the variants, interleaved so that a change in the machine's load hits each alike. */
const rounds = Number(process.argv[4] ?? 1);
/** A folder for a `--cpu-prof` of each variant's process (summarized by function). */
const profileDir = process.argv[5];
const IN_FLIGHT = 32;

const VARIANTS: readonly FloorVariant[] = (
  [
    { name: 'one client', clients: 'one', cacheMiddleware: false, endpoint: 'env' },
    { name: 'one client, cacheMiddleware', clients: 'one', cacheMiddleware: true, endpoint: 'env' },
    { name: 'one client, endpoint in config', clients: 'one', cacheMiddleware: false, endpoint: 'config' },
    { name: 'one client, resolved endpoint', clients: 'one', cacheMiddleware: false, endpoint: 'resolved' },
    {
      name: 'one client, cacheMiddleware + resolved endpoint',
      clients: 'one',
      cacheMiddleware: true,
      endpoint: 'resolved',
    },
    { name: 'client per location', clients: 'perLocation', cacheMiddleware: false, endpoint: 'env' },
    { name: 'client per location, cacheMiddleware', clients: 'perLocation', cacheMiddleware: true, endpoint: 'env' },
    {
      name: 'client per location, cacheMiddleware, endpoint in config',
      clients: 'perLocation',
      cacheMiddleware: true,
      endpoint: 'config',
    },
    { name: "clients.ts's factory", clients: 'factory', cacheMiddleware: false, endpoint: 'env' },
  ] as const
).map((v) => ({ ...v, calls, inFlight: IN_FLIGHT }));

async function runVariant(
  bundle: string,
  task: FloorTask,
  env: Readonly<Record<string, string>>,
): Promise<FloorResult> {
  const dir = profileDir ? await mkdtemp(join(profileDir, 'floor-')) : undefined;
  const child = fork(bundle, [], {
    env: childEnv(env),
    execArgv: dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const answer = nextMessage<FloorMessage>(child, 'sdk floor');
  child.send(task);
  try {
    const message = await answer;
    if (message.type !== 'result') throw new Error(`${task.variant.name}: ${message.message}`);
    return message;
  } finally {
    await exited(child, 30_000);
    if (dir) process.stdout.write(`${renderProfile(task.variant.name, await summarizeBusiestProfile(dir, 25))}\n`);
  }
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const bundle = await bundleEntry('./sdkFloorChild.ts');
const sandbox = await SandboxProcess.start(benchWorld(1000));
const loadAtStart = load();
const results: FloorResult[] = [];
try {
  for (let round = 0; round < rounds; round += 1) {
    for (const variant of VARIANTS) {
      if (only && !only.some((o) => variant.name.includes(o))) continue;
      const result = await runVariant(
        bundle,
        {
          variant,
          groupNames: sandbox.ready.groupNames,
          regionNames: sandbox.ready.regionNames,
          warmupCalls: 2_000,
        },
        sandbox.ready.env,
      );
      results.push(result);
      process.stdout.write(
        `${result.name}: ${result.cpuPerCallMs.toFixed(3)} ms CPU per call (${(result.cpuMs / 1000).toFixed(1)} s / ` +
          `${result.calls} calls, ${result.failed} errors), wall ${(result.wallMs / 1000).toFixed(1)} s, ` +
          `GC ${(result.gcMs / 1000).toFixed(2)} s; load ${load()}\n`,
      );
    }
  }
} finally {
  await sandbox.stop();
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const names = [...new Set(results.map((r) => r.name))];
process.stdout.write(
  `\nSDK floor, ListGroupResources x ${calls}, ${IN_FLIGHT} in flight, 25 ms +/- 10 ms, ${rounds} round(s), ` +
    `Node ${process.version}; load average ${loadAtStart} at start, ${load()} at end\n\n` +
    '| variant | CPU per call (median) | each round | errors | wall (median) |\n| --- | --- | --- | --- | --- |\n' +
    names
      .map((name) => {
        const mine = results.filter((r) => r.name === name);
        return (
          `| ${name} | ${median(mine.map((r) => r.cpuPerCallMs)).toFixed(3)} ms | ` +
          `${mine.map((r) => r.cpuPerCallMs.toFixed(3)).join(', ')} | ${mine[0]?.failed ?? 0} of ${mine[0]?.calls ?? 0} | ` +
          `${(median(mine.map((r) => r.wallMs)) / 1000).toFixed(1)} s |`
        );
      })
      .join('\n') +
    '\n',
);
