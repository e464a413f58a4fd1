import type { STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { withAccountCredentials } from '../src/aws/accountCall.js';
import { AssumedRoleCredentials, needsRefresh, roleSessionName } from '../src/aws/assumedRoleCredentials.js';
import type { AwsClientFactory } from '../src/aws/clients.js';
import { AssumeRoleError } from '../src/errors.js';

interface AssumeCall {
  region: string;
  input: { RoleArn?: string; RoleSessionName?: string; DurationSeconds?: number };
}

/** An STS stand-in: answers AssumeRole with sessions that last `lifetimeMs` on the test clock, or with an error. */
function fakeSts(
  clock: { now: number },
  options: { lifetimeMs?: number; fail?: (roleArn: string) => Error | undefined; homeRegion?: string } = {},
) {
  const calls: AssumeCall[] = [];
  let n = 0;
  const clients = {
    homeRegion: options.homeRegion,
    sts: (region: string) =>
      ({
        send: async (command: { input: AssumeCall['input'] }) => {
          calls.push({ region, input: command.input });
          await new Promise((r) => setImmediate(r));
          const error = options.fail?.(command.input.RoleArn ?? '');
          if (error) throw error;
          n += 1;
          return {
            Credentials: {
              AccessKeyId: `ASIA${n}`,
              SecretAccessKey: 'secret',
              SessionToken: `token-${n}`,
              Expiration: new Date(clock.now + (options.lifetimeMs ?? 3_600_000)),
            },
          };
        },
      }) as unknown as STSClient,
  } as unknown as AwsClientFactory;
  return { clients, calls };
}

describe('needsRefresh', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  it('keeps credentials that expire after the margin', () => {
    expect(needsRefresh(new Date(now + 11 * 60_000), now, 10 * 60_000)).toBe(false);
  });
  it('renews credentials within the margin of their expiry, and expired ones', () => {
    expect(needsRefresh(new Date(now + 10 * 60_000), now, 10 * 60_000)).toBe(true);
    expect(needsRefresh(new Date(now - 1), now, 10 * 60_000)).toBe(true);
  });
  it('never renews credentials that do not expire', () => {
    expect(needsRefresh(undefined, now, 10 * 60_000)).toBe(false);
  });
});

describe('roleSessionName', () => {
  it('is orgpatch- and the run id, within 64 characters of the allowed set', () => {
    expect(roleSessionName('20261128-120000-abcdef')).toBe('orgpatch-20261128-120000-abcdef');
    const long = roleSessionName(`mw-${'x'.repeat(100)}/y`);
    expect(long.length).toBe(64);
    expect(long).toMatch(/^[\w+=,.@-]+$/);
    expect(roleSessionName(undefined)).toBe('orgpatch');
  });
});

describe('AssumedRoleCredentials', () => {
  it('assumes the execution role once per account, with the partition of the Region', async () => {
    const clock = { now: 0 };
    const { clients, calls } = fakeSts(clock, { homeRegion: 'us-east-1' });
    const creds = new AssumedRoleCredentials({
      clients,
      roleName: 'OrgPatchExecutionRole',
      sessionName: 'orgpatch-run1',
      now: () => clock.now,
    });
    const results = await Promise.all([
      creds.get('111111111111', 'us-east-1'),
      creds.get('111111111111', 'eu-west-1'),
      creds.get('111111111111', 'ap-southeast-2'),
    ]);
    expect(calls).toHaveLength(1);
    expect(new Set(results.map((r) => r.accessKeyId)).size).toBe(1);
    expect(calls[0]?.input).toEqual({
      RoleArn: 'arn:aws:iam::111111111111:role/OrgPatchExecutionRole',
      RoleSessionName: 'orgpatch-run1',
      DurationSeconds: 3600,
    });
    expect(calls[0]?.region).toBe('us-east-1');
    await creds.get('111111111111', 'cn-north-1');
    expect(calls[1]?.input.RoleArn).toBe('arn:aws-cn:iam::111111111111:role/OrgPatchExecutionRole');
    // The home Region is in another partition: STS is asked in the target Region.
    expect(calls[1]?.region).toBe('cn-north-1');
  });

  it('renews a session before it expires, judged by the injected clock', async () => {
    const clock = { now: 0 };
    const { clients, calls } = fakeSts(clock, { lifetimeMs: 60 * 60_000 });
    const creds = new AssumedRoleCredentials({
      clients,
      roleName: 'R',
      now: () => clock.now,
      refreshMarginMs: 10 * 60_000,
    });
    const first = await creds.get('111111111111', 'us-east-1');
    clock.now = 49 * 60_000;
    expect((await creds.get('111111111111', 'us-east-1')).accessKeyId).toBe(first.accessKeyId);
    clock.now = 51 * 60_000;
    const renewed = await creds.get('111111111111', 'us-east-1');
    expect(renewed.accessKeyId).not.toBe(first.accessKeyId);
    expect(calls).toHaveLength(2);
  });

  it('reads AccessDenied as missing member stacks, and asks only once for that account', async () => {
    const clock = { now: 0 };
    const denied = Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' });
    const { clients, calls } = fakeSts(clock, { fail: (arn) => (arn.includes('222222222222') ? denied : undefined) });
    const creds = new AssumedRoleCredentials({ clients, roleName: 'R', now: () => clock.now });
    for (const region of ['us-east-1', 'eu-west-1']) {
      const error = await creds.get('222222222222', region).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AssumeRoleError);
      expect((error as AssumeRoleError).failure).toBe('member-stack-missing');
      expect((error as AssumeRoleError).message).toMatch(/account 222222222222.*Deploy the orgpatch member StackSet/);
    }
    expect(calls).toHaveLength(1);
  });

  it('does not remember throttling: the next call tries again', async () => {
    const clock = { now: 0 };
    let throttle = true;
    const { clients, calls } = fakeSts(clock, {
      fail: () => (throttle ? Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }) : undefined),
    });
    const creds = new AssumedRoleCredentials({ clients, roleName: 'R', now: () => clock.now });
    const error = await creds.get('111111111111', 'us-east-1').catch((e: unknown) => e);
    expect((error as AssumeRoleError).failure).toBe('throttled');
    throttle = false;
    await expect(creds.get('111111111111', 'us-east-1')).resolves.toMatchObject({ sessionToken: 'token-1' });
    expect(calls).toHaveLength(2);
  });
});

describe('withAccountCredentials', () => {
  it('assumes again and retries once when AWS says the session expired', async () => {
    const clock = { now: 0 };
    const { clients, calls } = fakeSts(clock);
    const creds = new AssumedRoleCredentials({ clients, roleName: 'R', now: () => clock.now });
    const seen: string[] = [];
    const result = await withAccountCredentials(
      creds,
      { accountId: '111111111111', region: 'us-east-1' },
      async (provider) => {
        const c = await provider?.();
        seen.push(c?.sessionToken ?? '');
        if (seen.length === 1)
          throw Object.assign(new Error('The security token included in the request is expired'), {
            name: 'ExpiredTokenException',
          });
        return 'ok';
      },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual(['token-1', 'token-2']);
    expect(calls).toHaveLength(2);
  });

  it('does not assume again when a Region refuses a session issued moments ago, but does for an older one', async () => {
    const clock = { now: 0 };
    const { clients, calls } = fakeSts(clock);
    const creds = new AssumedRoleCredentials({ clients, roleName: 'R', now: () => clock.now });
    // An opt-in Region the account has not enabled refuses every session alike.
    const refused = Object.assign(new Error('The security token included in the request is invalid.'), {
      name: 'UnrecognizedClientException',
    });
    const optIn = { accountId: '111111111111', region: 'ap-east-1' };
    const seen: string[] = [];
    const refuse = async (provider: (() => Promise<{ sessionToken?: string }>) | undefined) => {
      seen.push((await provider?.())?.sessionToken ?? '');
      throw refused;
    };
    await expect(withAccountCredentials(creds, optIn, refuse)).rejects.toBe(refused);
    expect(seen).toEqual(['token-1']);
    expect(calls).toHaveLength(1);
    // Ten minutes on, the session may have been forgotten or revoked: one new session is tried.
    clock.now += 10 * 60_000;
    await expect(withAccountCredentials(creds, optIn, refuse)).rejects.toBe(refused);
    expect(seen).toEqual(['token-1', 'token-1', 'token-2']);
    expect(calls).toHaveLength(2);
    // An expired session is renewed whatever its age.
    const expired = Object.assign(new Error('expired'), { name: 'ExpiredTokenException' });
    let first = true;
    const result = await withAccountCredentials(creds, optIn, async () => {
      if (!first) return 'ok';
      first = false;
      throw expired;
    });
    expect(result).toBe('ok');
    expect(calls).toHaveLength(3);
  });

  it('gives up after one retry and lets the error through', async () => {
    const clock = { now: 0 };
    const { clients } = fakeSts(clock);
    const creds = new AssumedRoleCredentials({ clients, roleName: 'R', now: () => clock.now });
    const expired = Object.assign(new Error('expired'), { name: 'ExpiredTokenException' });
    await expect(
      withAccountCredentials(creds, { accountId: '111111111111', region: 'us-east-1' }, async () => {
        throw expired;
      }),
    ).rejects.toBe(expired);
  });
});
