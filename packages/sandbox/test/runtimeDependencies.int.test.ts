import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const packageDir = join(import.meta.dirname, '..');

/**
 * Starts a sandbox in a fresh Node process (sources through tsx, as the tests resolve them) and
 * prints the CDK modules that process loaded. A fresh process, because vitest's own has loaded
 * whatever other test files needed.
 */
const script = `
import { createRequire } from 'node:module';
const { startSandbox } = await import('./src/index.ts');
const sandbox = await startSandbox({ world: { generate: { accounts: 3, regions: 2 } }, timeScale: 0 });
await sandbox.stop();
const cdk = Object.keys(createRequire(import.meta.url).cache).filter((m) =>
  /[\\\\/]node_modules[\\\\/](aws-cdk-lib|constructs)[\\\\/]/.test(m),
);
process.stdout.write(JSON.stringify(cdk));
`;

describe('the sandbox at run time', () => {
  it('starts and serves without loading aws-cdk-lib or constructs (member stacks come as plain values)', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--conditions=@orgpatch/source', '--input-type=module', '-e', script],
      { cwd: packageDir, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
    );
    expect(JSON.parse(stdout)).toEqual([]);
  }, 60_000);
});
