// `node --import tsx --conditions=@orgpatch/source bench/complianceMemory.ts [accounts] [latency ms]`:
// what `orgpatch compliance` takes on a bench world of `accounts` x 16 Regions served by the sandbox
// in its own process. The measured process is the CLI itself, built (`npm run build`) and run as a
// user runs it (`orgpatch compliance payload.json --out-dir DIR`, every format written), with
// nothing but a small probe loaded into it (rssProbe.mjs: its peak RSS from getrusage). Then the
// HTML it wrote is opened in Debian's chromium and checked (complianceBrowserCheck.ts). Prints one
// JSON line; `npm run bench` makes it a row.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_NODE_FLAGS } from '@orgpatch/cli/heap';
import { checkComplianceHtml, reportHead } from './complianceBrowserCheck.js';
import { SandboxProcess } from './processes.js';
import { benchPayload, benchWorld } from './scenarios.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = dirname(here);
const accounts = Number(process.argv[2] ?? 1000);
const latencyMs = Number(process.argv[3] ?? 25);
/** Node flags for the measured CLI process (say `--max-old-space-size=128`), space-separated. */
const nodeFlags = (process.argv[4] ?? '').split(' ').filter((f) => f !== '');
const sandbox = await SandboxProcess.start(benchWorld(accounts, { latencyMs }));
const dir = await mkdtemp(join(tmpdir(), 'orgpatch-compliance-memory-'));
try {
  const payload = join(dir, 'payload.json');
  await writeFile(payload, JSON.stringify(benchPayload(sandbox.ready)));
  const probe = join(dir, 'probe.json');
  const out = join(dir, 'reports');
  await sandbox.reset();
  const began = Date.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        // The Node flags of the orgpatch command's shebang (a path to bin/orgpatch.js bypasses it).
        ...CLI_NODE_FLAGS,
        ...nodeFlags,
        '--import',
        join(here, 'rssProbe.mjs'),
        join(repo, 'packages/cli/bin/orgpatch.js'),
        'compliance',
        payload,
        '--out-dir',
        out,
        '--store',
        join(dir, 'store'),
      ],
      {
        cwd: dir,
        env: {
          ...process.env,
          ...sandbox.ready.env,
          ORGPATCH_RSS_PROBE: probe,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err = (err + d).slice(-20_000);
    });
    child.on('error', reject);
    child.on('exit', (c) => resolve({ code: c, stderr: err }));
  });
  const wallS = (Date.now() - began) / 1000;
  const stats = await sandbox.stats();
  // "Snapshot c-… stored at …: N nodes, … ; K places not seen."
  const said = /: (\d+) nodes, .*; (\d+) places not seen\./.exec(stderr);
  if (code !== 0 || said === null) {
    throw new Error(`orgpatch compliance exited ${code}:\n${stderr.slice(-4_000)}`);
  }
  const nodes = Number(said[1]);
  const notSeen = Number(said[2]);
  const measured = JSON.parse(await readFile(probe, 'utf8')) as {
    maxRssKb: number;
    heapPeakBytes: number;
    cpuS: number;
  };
  const html = join(out, 'compliance.html');
  const browser = await checkComplianceHtml(html, join(out, 'compliance.json'));
  const notSeenByReason: Record<string, number> = {};
  for (const gap of (await reportHead(join(out, 'compliance.json'))).notSeen) {
    notSeenByReason[gap.reason] = (notSeenByReason[gap.reason] ?? 0) + 1;
  }
  const ssm = stats.calls.filter((c) => c.service === 'ssm').reduce((n, c) => n + c.count, 0);
  const peakMb = measured.maxRssKb / 1024;
  console.log(
    JSON.stringify({
      accounts,
      regions: 16,
      nodes,
      notSeen,
      notSeenByReason,
      wallS,
      ssmCallsPerNode: nodes === 0 ? null : ssm / nodes,
      peakRssMb: Math.round(peakMb),
      heapPeakMb: Math.round(measured.heapPeakBytes / 1024 / 1024),
      cpuS: Number(measured.cpuS.toFixed(1)),
      htmlMb: Number(((await stat(html)).size / 1024 / 1024).toFixed(2)),
      browser,
      verdict: peakMb < 256 && browser.ok ? 'PASS' : 'MISS',
    }),
  );
} finally {
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
}
