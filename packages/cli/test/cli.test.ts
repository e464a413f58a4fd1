import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePayload } from '@orgpatch/core';
import { LocalRunStore, startRun, trackRun } from '@orgpatch/orchestrator';
import { account, FakeDirectory, FakeInventory, fakeDeps, groups } from '@orgpatch/orchestrator/testing';
import { cliRunner } from '@orgpatch/test-support/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

/** An ANSI escape sequence (colour). */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[`);
const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const runCli = cliRunner(main);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orgpatch-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('orgpatch validate', () => {
  it('accepts the blog payload and prints the normalized request', async () => {
    const r = await runCli(['validate', join(examples, 'payload.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('is valid');
    expect(r.stdout).toContain('CustomAutomationDocument');
    expect(r.stdout).toContain('us-east-2, us-east-1');
    // Not a TTY: no colour codes.
    expect(r.stdout).not.toMatch(ANSI);
  });

  it('accepts the Organization example with its two waves', async () => {
    const r = await runCli(['validate', join(examples, 'payload.org.json'), '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { valid: boolean; request: { organization: { waves: { name: string }[] } } };
    expect(out.valid).toBe(true);
    expect(out.request.organization.waves.map((w) => w.name)).toEqual(['non-prod', 'prod']);
  });

  it('prints every problem with its path and exits 1', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        Targets: [{ Key: 'ResourceGroup', Values: ['W'] }],
        Regions: ['us-east-9'],
        MaxConcurrency: '0',
        Document: { Name: 'D', Parameters: { Operation: ['install'] } },
      }),
    );
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Regions[0]');
    expect(r.stderr).toContain('MaxConcurrency');
    expect(r.stderr).toMatch(/Operation.*Install/);
    const j = await runCli(['validate', file, '--json']);
    expect(j.code).toBe(1);
    const out = JSON.parse(j.stdout) as { valid: boolean; issues: { path: string }[] };
    expect(out.valid).toBe(false);
    expect(out.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['Regions[0]', 'MaxConcurrency']));
  });

  it('exits 2 for a file it cannot read and for an unknown option', async () => {
    const missing = await runCli(['validate', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read the payload .*nope\.json/);
    const unknown = await runCli(['validate', '--frobnicate', 'x.json']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--frobnicate'");
  });

  it('colours output on a TTY, but not when NO_COLOR is set', async () => {
    const coloured = await runCli(['validate', join(examples, 'payload.json')], { tty: true });
    expect(coloured.stdout).toMatch(ANSI);
    const plain = await runCli(['validate', join(examples, 'payload.json')], { tty: true, env: { NO_COLOR: '1' } });
    expect(plain.stdout).not.toMatch(ANSI);
  });
});

describe('orgpatch (program)', () => {
  it('prints help for every command with exit code 0', async () => {
    for (const command of ['validate', 'plan', 'run', 'status', 'report', 'schedule', 'sandbox', 'demo']) {
      const r = await runCli([command, '--help']);
      expect(r.code, command).toBe(0);
      expect(r.stdout, command).toContain(`Usage: orgpatch ${command}`);
      expect(r.stdout, command).toContain('Exit codes');
    }
  });

  it('exits 2 for an unknown command or none', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli([])).code).toBe(2);
  });

  it('prints its version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('0.1.0');
  });
});

describe('orgpatch schedule', () => {
  it('lists the blog schedule in US/Eastern across the end of daylight saving time', async () => {
    const r = await runCli([
      'schedule',
      'cron(0 4 ? * SUN *)',
      '--tz',
      'US/Eastern',
      '--count',
      '2',
      '--from',
      '2026-10-27T00:00:00Z',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { runs: { utc: string; local: string }[] };
    expect(out.runs.map((x) => x.utc)).toEqual(['2026-11-01T09:00:00.000Z', '2026-11-08T09:00:00.000Z']);
    expect(out.runs[0]?.local).toBe('Sun 2026-11-01 04:00 EST');
  });

  it('suggests US/Eastern for the blog\'s "S/EasternU" and exits 1', async () => {
    const r = await runCli(['schedule', 'cron(0 4 ? * SUN *)', '--tz', 'S/EasternU']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('US/Eastern');
  });

  it('rejects a cron more often than every 5 minutes with exit 1, and a bad --count with exit 2', async () => {
    expect((await runCli(['schedule', 'cron(0/1 * * * ? *)'])).code).toBe(1);
    expect((await runCli(['schedule', 'rate(1 day)', '--count', 'many'])).code).toBe(2);
  });
});

describe('orgpatch status and report', () => {
  let runId: string;
  beforeAll(async () => {
    const snapshot = {
      organizationId: 'o-abcdefghij',
      managementAccountId: '999999999999',
      callerAccountId: '999999999999',
      partition: 'aws',
      accounts: [account('111111111111', ['r-ab12']), account('222222222222', ['r-ab12'])],
    };
    const deps = fakeDeps({
      directory: new FakeDirectory(snapshot),
      inventory: new FakeInventory(() => groups('WebServers', 'i-0123456789abcdef0')),
    });
    const request = parsePayload({
      Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
      Regions: ['us-east-1', 'eu-west-1'],
      Organization: { TargetOus: ['r-ab12'] },
    });
    const { record } = await startRun(request, deps);
    const tracked = await trackRun(record, deps);
    runId = tracked.record.runId;
    await new LocalRunStore(join(dir, '.orgpatch', 'runs')).put(tracked.record);
  });

  it('shows a stored run, for a person and as JSON', async () => {
    const r = await runCli(['status', runId], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Run ${runId}: succeeded`);
    const j = await runCli(['status', runId, '--json'], { cwd: dir });
    expect(JSON.parse(j.stdout)).toMatchObject({ runId, status: 'succeeded', instances: { succeeded: 4 } });
    const list = await runCli(['status'], { cwd: dir });
    expect(list.stdout).toContain(runId);
  });

  it('exits 1 with a clear message for a run it does not hold', async () => {
    const r = await runCli(['status', '20990101-000000-ffffff'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Run 20990101-000000-ffffff was not found/);
  });

  it('renders the report in each format, to stdout or a file', async () => {
    const csv = await runCli(['report', runId, '--format', 'csv'], { cwd: dir });
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')[0]).toContain('account');
    const out = join(dir, 'r.html');
    const html = await runCli(['report', runId, '--format', 'html', '--out', out], { cwd: dir });
    expect(html.code).toBe(0);
    expect(await readFile(out, 'utf8')).toMatch(/^<!doctype html>/i);
    expect((await runCli(['report', runId, '--format', 'pdf'], { cwd: dir })).code).toBe(2);
  });
});

describe('orgpatch plan without AWS', () => {
  it('exits 3 with advice when AWS cannot be reached', async () => {
    const r = await runCli(['plan', join(examples, 'payload.org.json')], {
      cwd: dir,
      env: {
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'x',
        AWS_REGION: 'us-east-1',
      },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/GetCallerIdentity/);
  });
});
