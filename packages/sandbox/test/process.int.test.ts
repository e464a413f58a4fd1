import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { SandboxOptionsError } from '../src/errors.js';
import { runSandboxProcess, type Sandbox } from '../src/index.js';
import './helpers.js';

describe('runSandboxProcess', () => {
  it('prints the endpoint and the env to export, serves, and stops on abort', async () => {
    const lines: string[] = [];
    const abort = new AbortController();
    let ready: (s: Sandbox) => void = () => {};
    const started = new Promise<Sandbox>((resolve) => {
      ready = resolve;
    });
    const done = runSandboxProcess(
      ['node', 'orgpatch-sandbox', '--accounts', '20', '--regions', '3', '--seed', '4', '--port', '0'],
      {
        out: (line) => lines.push(line),
        signal: abort.signal,
        onReady: (s) => ready(s),
      },
    );
    const sandbox = await started;
    const env = Object.fromEntries(
      lines.filter((l) => l.startsWith('export ')).map((l) => l.slice('export '.length).split('=') as [string, string]),
    );
    expect(lines[0]).toMatch(/^orgpatch sandbox listening on http:\/\/127\.0\.0\.1:\d+ .*20 accounts, 3 Regions/);
    expect(env.AWS_ENDPOINT_URL).toBe(sandbox.endpoint);
    const sts = new STSClient({
      endpoint: env.AWS_ENDPOINT_URL,
      region: env.AWS_REGION,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' },
    });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe(sandbox.world.managementAccountId);
    sts.destroy();
    abort.abort();
    await done;
    expect(lines.at(-1)).toBe('orgpatch sandbox stopped after 1 calls.');
  });

  it('refuses --world together with --accounts', async () => {
    await expect(
      runSandboxProcess(['node', 'x', '--world', 'w.json', '--accounts', '5'], { out: () => {} }),
    ).rejects.toBeInstanceOf(SandboxOptionsError);
  });
});
