import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListGroupResourcesCommand } from '@aws-sdk/client-resource-groups';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { type Location, parsePayload } from '@orgpatch/core';
import { describe, expect, it, vi } from 'vitest';
import { withAccountCredentials } from '../src/aws/accountCall.js';
import type { AccountCredentials } from '../src/aws/assumedRoleCredentials.js';
import { isTransient } from '../src/aws/awsErrors.js';
import { type AwsCredentials, type CredentialProvider, createAwsClientFactory } from '../src/aws/clients.js';
import { createAwsRunDeps } from '../src/awsRunDeps.js';
import { MemoryRunStore } from '../src/testing.js';

const creds = (key: string): AwsCredentials => ({ accessKeyId: key, secretAccessKey: 'secret', sessionToken: 't' });

describe('the client factory', () => {
  it('fails a call whose answer never comes, after the SDK retried it, instead of waiting for ever', async () => {
    // An endpoint that takes every request and never answers (a connection AWS or a proxy left hanging).
    let received = 0;
    const server = createServer(() => {
      received += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const aws = createAwsClientFactory({
      endpoint: `http://127.0.0.1:${port}`,
      homeRegion: 'us-east-1',
      credentials: creds('A'),
      maxAttempts: 2,
      idleTimeoutMs: 200,
    });
    try {
      const error = await aws
        .ssm('us-east-1')
        .send(new GetAutomationExecutionCommand({ AutomationExecutionId: 'e' }))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'TimeoutError' });
      // The timeout is transient to the SDK, which asked again before giving up, and to orgpatch,
      // which tries a start that ended so again later, with its ClientToken.
      expect(received).toBe(2);
      expect(isTransient(error)).toBe(true);
    } finally {
      aws.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 15_000);

  it('hands out one client per service, Region and credentials, so adaptive retry learns each quota', () => {
    const aws = createAwsClientFactory({ endpoint: 'http://127.0.0.1:9', homeRegion: 'us-east-1' });
    const a: CredentialProvider = async () => creds('A');
    const b: CredentialProvider = async () => creds('B');
    expect(aws.ssm('us-east-1', a)).toBe(aws.ssm('us-east-1', a));
    expect(aws.ssm('us-east-1', a)).not.toBe(aws.ssm('us-east-1', b));
    expect(aws.ssm('us-east-1', a)).not.toBe(aws.ssm('eu-west-1', a));
    expect(aws.resourceGroups('us-east-1', a)).not.toBe(aws.ssm('us-east-1', a));
    expect(aws.organizations('us-east-1')).toBe(aws.organizations('us-east-1'));
    aws.destroy();
  });

  it('keeps a bounded number of clients, dropping the least recently used', () => {
    const aws = createAwsClientFactory({
      endpoint: 'http://127.0.0.1:9',
      homeRegion: 'us-east-1',
      maxCachedClients: 2,
    });
    const p: CredentialProvider = async () => creds('A');
    const east = aws.ssm('us-east-1', p);
    const west = aws.ssm('us-west-2', p);
    expect(aws.ssm('us-east-1', p)).toBe(east); // now the most recent
    aws.ssm('eu-west-1', p); // evicts us-west-2, the least recent
    expect(aws.ssm('us-east-1', p)).toBe(east);
    expect(aws.ssm('us-west-2', p)).not.toBe(west);
    aws.destroy();
  });

  it('keeps twice the default global concurrency by default, and as many as a run asks for (never fewer)', () => {
    const aws = createAwsClientFactory({ endpoint: 'http://127.0.0.1:9', homeRegion: 'us-east-1' });
    const providers: CredentialProvider[] = Array.from({ length: 300 }, (_, i) => async () => creds(`K${i}`));
    const kept = (n: number) => {
      const first = providers.slice(0, n).map((p) => aws.ssm('us-east-1', p));
      // Asked again in the same order: each is still there only when all n were kept.
      return providers.slice(0, n).every((p, i) => aws.ssm('us-east-1', p) === first[i]);
    };
    expect(kept(64)).toBe(true);
    expect(kept(65)).toBe(false);
    aws.keepAtLeast(160);
    expect(kept(160)).toBe(true);
    expect(kept(161)).toBe(false);
    aws.keepAtLeast(10);
    expect(kept(160)).toBe(true);
    // A run's deps keep twice its global concurrency.
    createAwsRunDeps(
      parsePayload({
        Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
        Regions: ['us-east-1'],
        Organization: { TargetOus: ['r-ab12'] },
        Concurrency: { Global: 100 },
      }),
      {
        clients: aws,
        store: new MemoryRunStore(),
      },
    );
    expect(kept(200)).toBe(true);
    expect(kept(201)).toBe(false);
    aws.destroy();
  });

  it('gets the same client for every call with the same session, and a new one after a refresh', async () => {
    const aws = createAwsClientFactory({ endpoint: 'http://127.0.0.1:9', homeRegion: 'us-east-1' });
    let session = creds('first');
    const accountCredentials: AccountCredentials = {
      get: async () => session,
      invalidate: () => {
        session = creds('second');
        return true;
      },
    };
    const where: Location = { accountId: '111111111111', region: 'us-east-1' };
    const seen: unknown[] = [];
    for (let i = 0; i < 3; i += 1) {
      await withAccountCredentials(accountCredentials, where, async (provider) => {
        seen.push(aws.ssm(where.region, provider));
      });
    }
    expect(new Set(seen).size).toBe(1);
    accountCredentials.invalidate(where.accountId, where.region, 'expired');
    await withAccountCredentials(accountCredentials, where, async (provider) => {
      seen.push(aws.ssm(where.region, provider));
    });
    expect(new Set(seen).size).toBe(2);
    aws.destroy();
  });

  it('resolves the middleware of the per-account clients once per command class, and S3 on every send', async () => {
    // Nothing listens on port 9: each send fails at once, after its middleware was resolved.
    const aws = createAwsClientFactory({ endpoint: 'http://127.0.0.1:9', homeRegion: 'us-east-1', maxAttempts: 1 });
    const p: CredentialProvider = async () => creds('A');
    const resolutions = async (send: () => Promise<unknown>, command: { prototype: object }) => {
      const spy = vi.spyOn(command.prototype as { resolveMiddleware: () => unknown }, 'resolveMiddleware');
      for (let i = 0; i < 3; i += 1) await send().catch(() => undefined);
      const count = spy.mock.calls.length;
      spy.mockRestore();
      return count;
    };
    const ssm = aws.ssm('us-east-1', p);
    const rg = aws.resourceGroups('us-east-1', p);
    const sts = aws.sts('us-east-1', p);
    const s3 = aws.s3('us-east-1');
    expect(
      await resolutions(
        () => ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: 'e' })),
        GetAutomationExecutionCommand,
      ),
    ).toBe(1);
    expect(
      await resolutions(() => rg.send(new ListGroupResourcesCommand({ Group: 'g' })), ListGroupResourcesCommand),
    ).toBe(1);
    expect(await resolutions(() => sts.send(new GetCallerIdentityCommand({})), GetCallerIdentityCommand)).toBe(1);
    expect(await resolutions(() => s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' })), GetObjectCommand)).toBe(3);
    aws.destroy();
  });

  it('hands the endpoint a first client found configured for its service to the clients made after it', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', '');
    vi.stubEnv('AWS_ENDPOINT_URL_SSM', 'http://127.0.0.1:9/ssm');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
    try {
      const aws = createAwsClientFactory({ homeRegion: 'us-east-1', credentials: creds('A') });
      const p: CredentialProvider = async () => creds('A');
      const firstSsm = aws.ssm('us-east-1', p);
      const firstRg = aws.resourceGroups('us-east-1', p);
      // What the SDK finds for each service; the factory's own look-up resolves in the same turn.
      expect(await firstSsm.config.serviceConfiguredEndpoint?.()).toBe('http://127.0.0.1:9/ssm');
      expect(await firstRg.config.serviceConfiguredEndpoint?.()).toBeUndefined();
      await new Promise((resolve) => setImmediate(resolve));

      const ssm = aws.ssm('eu-west-1', p);
      expect(ssm.config.isCustomEndpoint).toBe(true);
      const endpoint = await ssm.config.endpoint?.();
      expect([endpoint?.hostname, endpoint?.port, endpoint?.path]).toEqual(['127.0.0.1', 9, '/ssm']);
      const rg = aws.resourceGroups('eu-west-1', p);
      expect(rg.config.isCustomEndpoint).toBe(false);
      expect(rg.config.ignoreConfiguredEndpointUrls).toBe(true);
      aws.destroy();
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
