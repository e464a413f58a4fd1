import { describe, expect, it } from 'vitest';
import { type CapturedIo, cliRunner } from '../src/cli.js';

/** A stand-in CLI that echoes what it was given. */
async function echo(argv: readonly string[], io: CapturedIo): Promise<number> {
  io.stdout.write(`argv=${argv.join(' ')} tty=${io.stdout.isTTY}\n`);
  io.stdout.write(`cwd=${io.cwd} env=${JSON.stringify(io.env)}\n`);
  io.stderr.write('to stderr\n');
  return argv.includes('--fail') ? 2 : 0;
}

describe('cliRunner', () => {
  it('passes node and the program name before the arguments and captures both streams and the exit code', async () => {
    const run = await cliRunner(echo)(['plan', '--fail'], { cwd: '/tmp/x', env: { AWS_REGION: 'eu-west-1' } });
    expect(run).toEqual({
      code: 2,
      stdout: 'argv=node orgpatch plan --fail tty=false\ncwd=/tmp/x env={"AWS_REGION":"eu-west-1"}\n',
      stderr: 'to stderr\n',
    });
  });

  it('gives an empty environment, not the test process one, and a TTY only when asked', async () => {
    const plain = await cliRunner(echo, 'other')(['x']);
    expect(plain.stdout).toContain('argv=node other x tty=false');
    expect(plain.stdout).toContain('env={}');
    expect((await cliRunner(echo)([], { tty: true })).stdout).toContain('tty=true');
  });
});
