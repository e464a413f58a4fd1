// `node bench/run.js [options]`: runs the TypeScript bench (run.ts) through tsx with the
// workspace's source condition, so no build is needed. Equivalent to
// `tsx --conditions=@orgpatch/source bench/run.ts [options]`.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('./run.ts', import.meta.url));
const child = spawn(
  process.execPath,
  ['--import', import.meta.resolve('tsx'), '--conditions=@orgpatch/source', entry, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
