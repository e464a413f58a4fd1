// `node --import tsx --conditions=@orgpatch/source bench/complianceMemory.ts [accounts] [latency ms]`: what
// `collectComplianceInto` (the streaming collector a finished run and the demo use) takes on a bench
// world of `accounts` x 16 Regions served by the sandbox in its own process: wall time, SSM calls
// per node, peak RSS of this process (process.resourceUsage().maxRSS, tsx loaded). Not part of
// `npm run bench`; see bench/README.md.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePayload } from '@orgpatch/core';
import { collectComplianceInto, createAwsClientFactory, createAwsRunDeps, LocalRunStore } from '@orgpatch/orchestrator';
import { SandboxProcess } from './processes.js';
import { benchPayload, benchWorld } from './scenarios.js';

const accounts = Number(process.argv[2] ?? 1000);
const latencyMs = Number(process.argv[3] ?? 25);
const sandbox = await SandboxProcess.start(benchWorld(accounts, { latencyMs }));
const dir = await mkdtemp(join(tmpdir(), 'orgpatch-compliance-memory-'));
try {
  Object.assign(process.env, sandbox.ready.env);
  const request = parsePayload(benchPayload(sandbox.ready));
  const clients = createAwsClientFactory();
  const store = new LocalRunStore(dir);
  const deps = createAwsRunDeps(request, { clients, store });
  await sandbox.reset();
  const began = Date.now();
  const { totals } = await collectComplianceInto(
    request,
    { ...deps, store },
    { snapshotId: 'c-bench', takenAt: new Date(), maxAgeDays: 7 },
  );
  const wallS = (Date.now() - began) / 1000;
  const stats = await sandbox.stats();
  clients.destroy();
  const ssm = stats.calls.filter((c) => c.service === 'ssm').reduce((n, c) => n + c.count, 0);
  const peakMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({
      accounts,
      regions: 16,
      nodes: totals.nodes,
      notSeen: totals.notSeen,
      wallS,
      ssmCallsPerNode: totals.nodes === 0 ? null : ssm / totals.nodes,
      peakRssMb: Math.round(peakMb),
      verdict: peakMb < 256 ? 'PASS' : 'MISS',
    }),
  );
} finally {
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
}
