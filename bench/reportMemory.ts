// `node --import tsx --conditions=@orgpatch/source bench/reportMemory.ts [accounts] [heap MB]`: the memory the
// four reports of a finished run take to write, from its shards (what the `finish` step does) and
// from the whole record (a run recorded before manifests), each in a fresh process, on a local run
// store. Prints peak RSS (process.resourceUsage().maxRSS), the sampled heap peak, wall time and the
// reports' sizes; then both again within a heap of `heap MB` (default 128). Not part of `npm run bench` (no sandbox is needed); see bench/README.md.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type LocationOutcome,
  type PlannedLocation,
  parsePayload,
  REGIONS as REGION_TABLE,
  type RunRecord,
} from '@orgpatch/core';
import {
  LocalRunStore,
  REPORT_FORMATS,
  renderReport,
  storedReportChunks,
  writeStoredReports,
} from '@orgpatch/orchestrator';

/** The 16 first Regions enabled by default in the aws partition (core's Region table). */
const REGIONS = REGION_TABLE.filter((r) => r.partition === 'aws' && !r.optIn)
  .slice(0, 16)
  .map((r) => r.code);
const RUN_ID = 'run-report-memory';
const WAVE = 'default';

/**
 * A finished run of `accounts` x 16 Regions, as packages/core/test/largeRecord.ts makes it: 20 OUs,
 * 3 instances a location, every 5th location skipped, every 100th failed (one instance failed) and
 * the next halted.
 */
function finishedRun(accounts: number): RunRecord {
  const request = parsePayload({
    Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
    Regions: REGIONS,
    Organization: { TargetOus: ['r-ab12'] },
  });
  const planned: PlannedLocation[] = [];
  const locations: LocationOutcome[] = [];
  const accountIds: string[] = [];
  for (let a = 0; a < accounts; a += 1) {
    const accountId = String(100_000_000_000 + a * 7);
    accountIds.push(accountId);
    const ouPath = ['r-ab12', `ou-ab12-team${String(a % 20).padStart(4, '0')}`];
    for (const region of REGIONS) {
      const i = planned.length;
      const base = { accountId, accountName: `workload-${a}`, region, wave: WAVE };
      if (i % 5 === 4) {
        const decision = { action: 'skip' as const, reason: 'no-instances' as const, detail: 'WebServers is empty' };
        planned.push({
          ...base,
          groups: [{ name: 'WebServers', exists: true, instanceIds: [] }],
          instanceCount: 0,
          decision,
        });
        locations.push({ ...base, ouPath, instanceCount: 0, decision, status: 'skipped', executions: [] });
        continue;
      }
      const instanceIds = [0, 1, 2].map((k) => `i-${accountId.slice(-6)}${String(i).padStart(6, '0')}${k}`);
      const decision = { action: 'start' as const, groups: ['WebServers'] };
      planned.push({
        ...base,
        groups: [{ name: 'WebServers', exists: true, instanceIds }],
        instanceCount: 3,
        decision,
      });
      const failed = i % 100 === 0;
      if (i % 100 === 1) {
        const reason = `Wave "${WAVE}" exceeded its error threshold.`;
        locations.push({ ...base, ouPath, instanceCount: 3, decision, status: 'halted', reason, executions: [] });
        continue;
      }
      const executionId = `0a1b2c3d-0000-4000-8000-${String(i).padStart(12, '0')}`;
      locations.push({
        ...base,
        ouPath,
        instanceCount: 3,
        decision,
        status: failed ? 'failed' : 'succeeded',
        ...(failed ? { reason: 'The automation execution failed: step PatchLinux failed on 1 instance.' } : {}),
        executions: [
          {
            executionId,
            clientToken: `1a1b2c3d-0000-5000-8000-${String(i).padStart(12, '0')}`,
            group: 'WebServers',
            status: failed ? 'Failed' : 'Success',
            startedAt: '2026-03-01T00:01:00.000Z',
            endedAt: '2026-03-01T00:09:00.000Z',
            instances: instanceIds.map((instanceId, k) => ({
              instanceId,
              executionId: `${executionId.slice(0, -2)}${k}0`,
              status: failed && k === 0 ? 'Failed' : 'Success',
              ...(failed && k === 0 ? { failureMessage: 'exit code 1: yum could not reach its repository' } : {}),
              patch: {
                operation: 'Install',
                installedCount: 40,
                missingCount: 0,
                failedCount: 0,
                installedPendingRebootCount: 0,
              },
            })),
          },
        ],
      });
    }
  }
  const start = planned.filter((l) => l.decision.action === 'start').length;
  return {
    schemaVersion: 1,
    runId: RUN_ID,
    createdAt: '2026-03-01T00:00:00.000Z',
    updatedAt: '2026-03-01T00:10:00.000Z',
    status: 'halted',
    dryRun: false,
    snapshotId: '6a1e0b5d-2d35-4c8b-9a52-4a5c6b7d8e9f',
    idempotencyKey: RUN_ID,
    request,
    organization: { organizationId: 'o-example', managementAccountId: '111111111111', partition: 'aws' },
    plan: {
      waves: [{ name: WAVE, errorThreshold: request.maxErrors, accountIds }],
      locations: planned,
      counts: { locations: planned.length, start, skip: planned.length - start, fail: 0, instances: 3 * start },
    },
    waves: [{ name: WAVE, status: 'halted' }],
    locations,
  };
}

/** Runs `task`, sampling the heap every 5 ms (and when asked); returns the peaks and the time. */
async function measured(task: (sample: () => void) => Promise<void>) {
  let heapPeak = 0;
  const sample = (): void => {
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  };
  const timer = setInterval(sample, 5);
  const started = performance.now();
  await task(sample);
  sample();
  clearInterval(timer);
  return {
    wallS: (performance.now() - started) / 1000,
    heapPeakMB: heapPeak / 1e6,
    rssPeakMB: (process.resourceUsage().maxRSS * 1024) / 1e6,
  };
}

async function child(mode: string, dir: string, accounts: number): Promise<void> {
  const store = new LocalRunStore(dir);
  if (mode === 'setup') {
    await store.put(finishedRun(accounts));
    return;
  }
  const result = await measured(async (sample) => {
    // The process with the modules loaded and nothing rendered: what the other rows start from.
    if (mode === 'idle') return;
    if (mode === 'shards') {
      await writeStoredReports(RUN_ID, store);
      return;
    }
    if (mode.startsWith('shards:')) {
      // One format alone, as `writeStoredReports` writes it: which report the peak belongs to.
      const format = mode.slice('shards:'.length) as keyof typeof REPORT_FORMATS;
      const { name, contentType } = REPORT_FORMATS[format];
      const chunks = await storedReportChunks(store, RUN_ID, format);
      if (chunks === undefined) throw new Error(`no run ${RUN_ID} in ${dir}`);
      await store.putArtifactChunks(RUN_ID, name, chunks, contentType);
      return;
    }
    const record = await store.get(RUN_ID);
    if (record === undefined) throw new Error(`no run ${RUN_ID} in ${dir}`);
    sample();
    for (const format of Object.keys(REPORT_FORMATS) as (keyof typeof REPORT_FORMATS)[]) {
      const { name, contentType } = REPORT_FORMATS[format];
      const body = renderReport(record, format);
      sample();
      await store.putArtifact(RUN_ID, name, body, contentType);
    }
  });
  const sizes: Record<string, number> = {};
  if (mode !== 'idle') {
    for (const { name } of Object.values(REPORT_FORMATS))
      sizes[name] = (await stat(join(dir, RUN_ID, name)).catch(() => ({ size: 0 }))).size / 1e6;
  }
  process.stdout.write(`${JSON.stringify({ ...result, sizesMB: sizes })}\n`);
}

async function main(): Promise<void> {
  const [first, mode, dir, size] = process.argv.slice(2);
  if (first === '--child' && mode !== undefined && dir !== undefined) return child(mode, dir, Number(size));
  const accounts = Number(first ?? 5000);
  const limitMB = Number(process.argv[3] ?? 128);
  const root = await mkdtemp(join(tmpdir(), 'orgpatch-report-memory-'));
  const run = (m: string, heapMB?: number) => {
    const limit = heapMB === undefined ? [] : [`--max-old-space-size=${heapMB}`];
    const script = fileURLToPath(import.meta.url);
    const out = spawnSync(
      process.execPath,
      [...process.execArgv, ...limit, script, '--child', m, root, String(accounts)],
      {
        encoding: 'utf8',
        maxBuffer: 1024 ** 2,
      },
    );
    if (out.status === 0) return out.stdout.trim();
    if (/heap out of memory/i.test(out.stderr)) return `out of memory within a ${heapMB} MB heap`;
    throw new Error(`${m} failed: ${out.stderr}`);
  };
  try {
    run('setup');
    process.stdout.write(`${accounts} accounts x 16 Regions, the four reports written to a local run store:\n`);
    process.stdout.write(`idle    ${run('idle')}\n`);
    for (const m of ['shards', 'whole']) process.stdout.write(`${m.padEnd(7)} ${run(m)}\n`);
    for (const format of Object.keys(REPORT_FORMATS)) {
      process.stdout.write(`${`shards, ${format} alone`.padEnd(7)} ${run(`shards:${format}`)}\n`);
    }
    for (const m of ['shards', 'whole'])
      process.stdout.write(`${m.padEnd(7)} heap <= ${limitMB} MB: ${run(m, limitMB)}\n`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
