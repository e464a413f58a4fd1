import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The parts of a V8 `.cpuprofile` (as `node --cpu-prof` writes it) the summary reads. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** Self time of a profile, by function and by package. */
export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  /** Self ms outside idle and GC. */
  readonly busyMs: number;
  readonly idleMs: number;
  readonly gcMs: number;
  readonly byPackage: readonly { readonly name: string; readonly ms: number; readonly share: number }[];
  readonly topFunctions: readonly { readonly name: string; readonly ms: number; readonly share: number }[];
}

/** Where code comes from: an npm package, an orgpatch package, or Node's own. */
function packageOf(url: string): string {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm?.[1]) return nm[1];
  const own = /\/(packages\/[^/]+|test\/bench)\//.exec(url);
  if (own?.[1]) return own[1];
  return url.replace(/^file:\/\//, '').slice(-60);
}

/** Reads a `.cpuprofile` and sums self time by package and by function. */
async function summarizeProfile(file: string, top = 12): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  let idle = 0;
  let gc = 0;
  let total = 0;
  for (const [id, ms] of self) {
    total += ms;
    const frame = byId.get(id);
    const name = frame?.functionName ?? '';
    if (name === '(idle)') {
      idle += ms;
      continue;
    }
    if (name === '(garbage collector)') gc += ms;
    const pkg = name.startsWith('(') ? name : packageOf(frame?.url ?? '');
    packages.set(pkg, (packages.get(pkg) ?? 0) + ms);
    const fn = `${name || '(anonymous)'} ${packageOf(frame?.url ?? '')}:${(frame?.lineNumber ?? 0) + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + ms);
  }
  const busy = total - idle;
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), share: busy > 0 ? ms / busy : 0 }));
  return {
    file,
    totalMs: Math.round(total),
    busyMs: Math.round(busy),
    idleMs: Math.round(idle),
    gcMs: Math.round(gc),
    byPackage: rank(packages),
    topFunctions: rank(functions),
  };
}

/** Summarizes the busiest profile in a folder (the main thread's, not a loader thread's). */
export async function summarizeBusiestProfile(dir: string, top = 12): Promise<ProfileSummary> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  const summaries = await Promise.all(files.map((f) => summarizeProfile(join(dir, f), top)));
  const busiest = summaries.sort((a, b) => b.busyMs - a.busyMs)[0];
  if (!busiest) throw new Error(`no .cpuprofile in ${dir}`);
  return busiest;
}

/** The summary as text lines. */
export function renderProfile(label: string, s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    `${label}: ${s.busyMs} ms busy of ${s.totalMs} ms (${s.idleMs} ms idle, ${s.gcMs} ms GC) - ${s.file}`,
    '  by package (self time):',
    ...s.byPackage.map((p) => `    ${pct(p.share).padStart(6)} ${String(p.ms).padStart(7)} ms  ${p.name}`),
    '  top functions (self time):',
    ...s.topFunctions.map((f) => `    ${pct(f.share).padStart(6)} ${String(f.ms).padStart(7)} ms  ${f.name}`),
  ].join('\n');
}
