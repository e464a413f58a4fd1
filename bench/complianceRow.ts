import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { BrowserCheck } from './complianceBrowserCheck.js';

/** What `complianceMemory.ts` prints: one compliance snapshot of a bench world, measured. */
export interface ComplianceRow {
  readonly accounts: number;
  readonly regions: number;
  readonly nodes: number;
  readonly notSeen: number;
  /** The places not seen, by why (the JSON report's notSeen reasons). */
  readonly notSeenByReason: Readonly<Record<string, number>>;
  readonly wallS: number;
  readonly ssmCallsPerNode: number | null;
  readonly peakRssMb: number;
  readonly heapPeakMb: number;
  /** CPU time of the CLI process (user + system). */
  readonly cpuS: number;
  readonly htmlMb: number;
  readonly browser: BrowserCheck;
  readonly verdict: 'PASS' | 'MISS';
}

/** The issue's bound on `orgpatch compliance`: the process under 256 MB (stated at 5,000 accounts). */
const RSS_TARGET_MB = 256;

let built: Promise<unknown> | undefined;

/**
 * Measures `orgpatch compliance` (the built CLI, every format written) on a bench world of
 * `accounts` x 16 Regions against a sandbox child at `latencyMs` (`complianceMemory.ts`), and
 * returns what it printed. Builds the workspace first (once; turbo's cache makes it quick).
 */
export async function measureCompliance(accounts: number, latencyMs: number, repoRoot: string): Promise<ComplianceRow> {
  built ??= promisify(execFile)('npm', ['run', 'build'], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
  await built;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@orgpatch/source',
      'bench/complianceMemory.ts',
      String(accounts),
      String(latencyMs),
    ],
    { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
  );
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as ComplianceRow;
}

/** The rows as a table, with the target's verdict per size. */
export function renderComplianceRows(rows: readonly ComplianceRow[], latencyMs: number): string {
  const head =
    '| accounts x 16 | nodes | not seen | wall | CPU | SSM calls / node | peak RSS | heap peak | < 256 MB | HTML | browser check |';
  const rule = '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |';
  const body = rows.map(
    (r) =>
      `| ${r.accounts.toLocaleString('en-US')} | ${r.nodes.toLocaleString('en-US')} | ${r.notSeen} (${Object.entries(
        r.notSeenByReason,
      )
        .map(([why, n]) => `${why} ${n}`)
        .join(
          ', ',
        )}) | ${r.wallS.toFixed(1)} s | ${r.cpuS.toFixed(1)} s | ${r.ssmCallsPerNode?.toFixed(2) ?? '-'} | ${r.peakRssMb} MB | ${r.heapPeakMb} MB | ${r.peakRssMb < RSS_TARGET_MB ? 'PASS' : 'MISS'} | ${r.htmlMb} MB | ${r.browser.ok ? `PASS (${r.browser.critical.listed} of ${r.browser.critical.total} critical listed)` : `MISS: ${r.browser.problems.join('; ')}`} |`,
  );
  return [
    `Compliance snapshot (issue 14; \`orgpatch compliance payload --out-dir\`, the built CLI, every format written; sandbox latency ${latencyMs} ms):`,
    '',
    head,
    rule,
    ...body,
  ].join('\n');
}
