import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliRunner } from '@orgpatch/test-support/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INPUT_FILE_BYTES } from '../src/context.js';
import { main } from '../src/main.js';

const runCli = cliRunner(main);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orgpatch-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('input files', () => {
  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    const fifo = join(dir, 'payload.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await runCli(['validate', fifo], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/payload\.fifo: it is a FIFO \(named pipe\), not a regular file/);
  });

  it('refuses a device and a folder, naming what they are', async () => {
    const device = await runCli(['validate', '/dev/zero'], { cwd: dir });
    expect(device.code).toBe(2);
    expect(device.stderr).toMatch(/it is a device, not a regular file/);
    const folder = await runCli(['plan', dir], { cwd: dir });
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/it is a folder, not a regular file/);
  });

  it('refuses a payload file over the limit without reading or echoing it', async () => {
    const big = join(dir, 'big.json');
    await writeFile(big, `{"Regions":["${'x'.repeat(MAX_INPUT_FILE_BYTES + 10)}"]}`);
    const r = await runCli(['validate', big], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/more than the 1,048,576 bytes an input file may be/);
    expect(r.stdout.length + r.stderr.length).toBeLessThan(2_000);
  });
});

describe('run ids and stored records', () => {
  it('exits 1 for a run id that cannot name a run, as the help says, and reads nothing', async () => {
    for (const id of ['../../etc', '.hidden', 'a/b']) {
      const r = await runCli(['status', id], { cwd: dir });
      expect(r.code, id).toBe(1);
      expect(r.stderr).toMatch(/Run id ".*" is not valid/);
    }
  });

  it.each([
    ['an empty object', '{}'],
    ['a list', '[]'],
    ['null locations', '{"schemaVersion":1,"runId":"corrupt-1","locations":null}'],
    ['not JSON', '{"schemaVersion":'],
  ])('says which record is corrupt and what is wrong, for %s, never a TypeError', async (_what, text) => {
    const runDir = join(dir, '.orgpatch', 'runs', 'corrupt-1');
    await mkdir(runDir, { recursive: true });
    await writeFile(join(runDir, 'record.json'), text);
    for (const command of [
      ['status', 'corrupt-1'],
      ['report', 'corrupt-1', '--format', 'csv'],
    ]) {
      const r = await runCli(command, { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(join(runDir, 'record.json'));
      expect(r.stderr).not.toMatch(/TypeError|Cannot read properties/);
    }
    // Listed, not left out of the list.
    const list = await runCli(['status'], { cwd: dir });
    expect(list.stdout).toMatch(/corrupt-1 {2}unreadable: /);
  });

  it('refuses a record that claims another run id than the one it is stored under', async () => {
    const runDir = join(dir, '.orgpatch', 'runs', 'innocent');
    await mkdir(runDir, { recursive: true });
    await writeFile(join(runDir, 'record.json'), JSON.stringify({ runId: '../../etc' }));
    const r = await runCli(['status', 'innocent'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('../../etc');
    expect(r.stderr).toContain(join(runDir, 'record.json'));
  });
});
