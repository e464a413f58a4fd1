import type { CliIo } from './cli/io.js';

/**
 * Runs the `orgpatch` CLI in-process (what `bin/orgpatch.js` does), for tools and tests. The CLI
 * and its dependencies (commander, cli-table3, cli-progress, picocolors) are loaded on first use
 * only, so importing the library does not pull them in.
 *
 * @param argv as `process.argv`: node, script, then the arguments.
 * @returns the exit code: 0 ok, 1 invalid input or a failed run, 2 usage error, 3 AWS or environment error.
 * @example
 * const code = await runCli(['node', 'orgpatch', 'validate', 'examples/payload.json']);
 */
export async function runCli(argv: readonly string[], io?: CliIo): Promise<number> {
  const { main } = await import('./cli/main.js');
  return main(argv, io);
}
