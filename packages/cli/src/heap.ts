import { setFlagsFromString } from 'node:v8';

/**
 * How much V8 lets the heap grow past what survived its last full collection before it collects
 * again, in percent (`--heap-growing-percent`): 50 lets a heap with 60 MB live reach about 90 MB.
 */
const HEAP_GROWING_PERCENT = 50;

/**
 * The Node flags the `orgpatch` command starts with (its shebang, `#!/usr/bin/env -S node ...`):
 * what V8 reads only when the process starts. A young generation of at most 8 MB a semi-space
 * (Node 20's default is 16): a run allocates mostly SDK request garbage and large parsed shards, and
 * the young generation grown to its default size held some 40 MB of RSS while the reports of a
 * 10,000-account run were written, for no CPU saved (bench/README.md, "Young generation").
 * `node bin/orgpatch.js` bypasses the shebang: add them yourself, or set NODE_OPTIONS.
 */
export const CLI_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/**
 * Bounds the heap's growth between full collections, for a long run's process (see the README,
 * "Memory"). orgpatch's heap is mostly short-lived garbage: each account and Region gets its own SDK
 * clients (credentials and adaptive retry are per client), used for a few calls and dropped. With
 * V8's own growth factor (up to 4x on a large machine) the heap of `orgpatch compliance` at 1,000
 * accounts reached 197 MB and the process 381 MB, with 40 MB live; with 50% it stays near 200 MB
 * for some 15% more CPU. Unlike a `--max-old-space-size` cap it is not a limit: a run that needs
 * more memory gets it, it never runs out. A `--heap-growing-percent` given by the user
 * (NODE_OPTIONS or a node flag) is kept.
 */
export function boundHeapGrowth(
  env: NodeJS.ProcessEnv = process.env,
  execArgv: readonly string[] = process.execArgv,
): boolean {
  const given = [env.NODE_OPTIONS ?? '', ...execArgv].some((a) => /--heap[-_]growing[-_]percent/.test(a));
  if (given) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
