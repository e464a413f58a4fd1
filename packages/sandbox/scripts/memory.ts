/**
 * Prints the sandbox's heap and RSS for generated worlds of 1,000 and 10,000 accounts x 16 Regions:
 * after start (Regions not built yet), and after touching every location (every Region built).
 *
 * Run from the repository root:
 *   node --expose-gc --conditions=@orgpatch/source --import tsx packages/sandbox/scripts/memory.ts
 */
import { startSandbox } from '../src/index.js';

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const gc = (globalThis as { gc?: () => void }).gc;

function measure(): { heap: number; rss: number } {
  gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  return { heap: heapUsed, rss };
}

if (!gc) process.stdout.write('(run node with --expose-gc for steadier numbers)\n');
const baseline = measure();
process.stdout.write(`baseline: heap ${mb(baseline.heap)}, rss ${mb(baseline.rss)}\n`);
for (const accounts of [1_000, 10_000]) {
  const t0 = performance.now();
  const sandbox = await startSandbox({ world: { generate: { seed: 1, accounts, regions: 16 } }, timeScale: 0 });
  const startMs = performance.now() - t0;
  const started = measure();
  let instances = 0;
  for (const account of sandbox.world.accounts.values()) {
    for (const region of sandbox.world.regionNames) instances += account.regions.get(region)?.instances.size ?? 0;
  }
  const built = measure();
  process.stdout.write(
    `${accounts} accounts x 16 Regions: started in ${startMs.toFixed(0)} ms, heap ${mb(started.heap - baseline.heap)} ` +
      `(rss ${mb(started.rss)}); every Region built (${instances} instances): heap ${mb(built.heap - baseline.heap)} ` +
      `(rss ${mb(built.rss)})\n`,
  );
  await sandbox.stop();
}
