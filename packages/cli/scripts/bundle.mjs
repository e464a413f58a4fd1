// Bundles the orgpatch command (bin/orgpatch.js runs it) with esbuild: `node scripts/bundle.mjs
// [--outdir DIR] [--entry NAME=FILE ...]`, part of `npm run build`. Split at its dynamic imports, so
// a run loads only what it uses: EC2, IAM and CloudWatch are imported on first use (snapshots,
// preflight, alarm gates), and a bundle that inlined them held their 2.7 MB of source in every
// isolate. Against the modules that tsc writes (hundreds of files), the split bundle starts a run
// with some 20 MB less RSS in its main thread (bench/README.md, "The command as a split bundle").
// The step thread's entry lands beside the chunks as stepThread.js, where the engine looks for it
// (orchestrator src/steps/threads.ts). The bench bundles its own entries (--entry) with this script,
// so what it measures is built as the command is.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const { values } = parseArgs({
  options: {
    outdir: { type: 'string', default: here('../dist/bundle') },
    entry: { type: 'string', multiple: true, default: [] },
  },
});

const extra = Object.fromEntries(
  values.entry.map((spec) => {
    const at = spec.indexOf('=');
    if (at < 1) throw new Error(`--entry must be NAME=FILE (the output is NAME.js), got "${spec}"`);
    return [spec.slice(0, at), spec.slice(at + 1)];
  }),
);

await esbuild.build({
  entryPoints: {
    main: here('../src/main.ts'),
    heap: here('../src/heap.ts'),
    stepThread: here('../../orchestrator/src/steps/stepThread.ts'),
    ...extra,
  },
  outdir: values.outdir,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // The ESM builds of dependencies where they have one (the SDK's CommonJS builds, imported
  // dynamically from a split ESM bundle, lose their named exports); CommonJS otherwise.
  mainFields: ['module', 'main'],
  // The workspace's packages from their TypeScript sources, the code tsc checked.
  conditions: ['@orgpatch/source'],
  // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __orgpatchCreateRequire } from 'node:module'; const require = __orgpatchCreateRequire(import.meta.url);",
  },
  logLevel: 'error',
});
// ES modules wherever the folder is (the bench's are in a temporary folder).
await mkdir(values.outdir, { recursive: true });
await writeFile(join(values.outdir, 'package.json'), '{ "type": "module" }\n');
