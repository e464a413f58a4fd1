import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** What `complianceMemory.ts` prints: one compliance snapshot of a bench world, measured. */
export interface ComplianceRow {
  readonly accounts: number;
  readonly regions: number;
  readonly nodes: number;
  readonly notSeen: number;
  readonly wallS: number;
  readonly ssmCallsPerNode: number | null;
  readonly peakRssMb: number;
  readonly verdict: 'PASS' | 'MISS';
}

/** The bound on `orgpatch compliance`: the process under 256 MB (stated at 5,000 accounts). */
const RSS_TARGET_MB = 256;

/**
 * Measures one compliance snapshot of a bench world of `accounts` x 16 Regions in a fresh process
 * (`complianceMemory.ts`, the collector `orgpatch compliance` and a finished run use, against a
 * sandbox child at `latencyMs`), and returns what it printed.
 */
export async function measureCompliance(accounts: number, latencyMs: number, repoRoot: string): Promise<ComplianceRow> {
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
  const head = '| accounts x 16 | nodes | not seen | wall | SSM calls / node | peak RSS | < 256 MB |';
  const rule = '| --- | --- | --- | --- | --- | --- | --- |';
  const body = rows.map(
    (r) =>
      `| ${r.accounts.toLocaleString('en-US')} | ${r.nodes.toLocaleString('en-US')} | ${r.notSeen} | ${r.wallS.toFixed(1)} s | ${r.ssmCallsPerNode?.toFixed(2) ?? '-'} | ${r.peakRssMb} MB | ${r.peakRssMb < RSS_TARGET_MB ? 'PASS' : 'MISS'} |`,
  );
  return [
    `Compliance snapshot (issue 14; orgpatch compliance's collector, sandbox latency ${latencyMs} ms, tsx loaded in the measured process):`,
    '',
    head,
    rule,
    ...body,
  ].join('\n');
}
