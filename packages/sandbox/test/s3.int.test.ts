import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { memberCredentials, startTestSandbox } from './helpers.js';

describe('S3', () => {
  let sandbox: Sandbox;
  let s3: S3Client;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ buckets: ['extra-bucket'] });
    s3 = new S3Client(sandbox.clientConfig());
  });
  afterAll(async () => {
    s3.destroy();
    await sandbox.stop();
  });

  it('round-trips an object with its content type, metadata and ETag', async () => {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'orgpatch-runs',
        Key: 'runs/2025/run-1/record.json',
        Body: '{"runId":"run-1"}',
        ContentType: 'application/json',
        Metadata: { run: 'run-1' },
      }),
    );
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'orgpatch-runs', Key: 'runs/2025/run-1/record.json' }));
    expect(await got.Body?.transformToString()).toBe('{"runId":"run-1"}');
    expect(got.ContentType).toBe('application/json');
    expect(got.Metadata).toEqual({ run: 'run-1' });
    expect(got.ETag).toBe(put.ETag);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'orgpatch-runs', Key: 'runs/2025/run-1/record.json' }));
    expect(head.ContentLength).toBe(17);
    expect(head.LastModified).toBeInstanceOf(Date);
  });

  it('accepts a streamed body (aws-chunked with a trailing checksum)', async () => {
    const body = Buffer.alloc(300_000, 'x');
    await s3.send(
      new PutObjectCommand({
        Bucket: 'extra-bucket',
        Key: 'big.bin',
        Body: Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]),
        ContentLength: body.length,
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'extra-bucket', Key: 'big.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it('lists with prefix, delimiter and continuation tokens', async () => {
    for (const key of ['logs/a.txt', 'logs/b.txt', 'logs/sub/c.txt', 'logs/sub/d.txt', 'other.txt']) {
      await s3.send(new PutObjectCommand({ Bucket: 'extra-bucket', Key: key, Body: key }));
    }
    const keys: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2(
      { client: s3, pageSize: 2 },
      { Bucket: 'extra-bucket', Prefix: 'logs/' },
    )) {
      pages++;
      keys.push(...(page.Contents ?? []).map((c) => c.Key ?? ''));
    }
    expect(keys).toEqual(['logs/a.txt', 'logs/b.txt', 'logs/sub/c.txt', 'logs/sub/d.txt']);
    expect(pages).toBe(2);
    const grouped = await s3.send(
      new ListObjectsV2Command({ Bucket: 'extra-bucket', Prefix: 'logs/', Delimiter: '/' }),
    );
    expect(grouped.Contents?.map((c) => c.Key)).toEqual(['logs/a.txt', 'logs/b.txt']);
    expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['logs/sub/']);
    expect(grouped.KeyCount).toBe(3);
    expect(grouped.IsTruncated).toBe(false);
  });

  it('raises NoSuchKey, NoSuchBucket and (for HEAD) NotFound as the SDK classes', async () => {
    await expect(s3.send(new GetObjectCommand({ Bucket: 'orgpatch-runs', Key: 'missing' }))).rejects.toBeInstanceOf(
      NoSuchKey,
    );
    await expect(s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' }))).rejects.toBeInstanceOf(NoSuchBucket);
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'orgpatch-runs', Key: 'missing' }))).rejects.toBeInstanceOf(
      NotFound,
    );
  });

  it('denies a member account access to the management account buckets', async () => {
    const member = new S3Client({
      ...sandbox.clientConfig(),
      credentials: await memberCredentials(sandbox, '222222222222'),
    });
    const attempt = member.send(new GetObjectCommand({ Bucket: 'orgpatch-runs', Key: 'runs/2025/run-1/record.json' }));
    await expect(attempt).rejects.toBeInstanceOf(S3ServiceException);
    await expect(attempt).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    member.destroy();
  });

  it('rejects an unknown access key with InvalidAccessKeyId', async () => {
    const stranger = new S3Client({
      ...sandbox.clientConfig(),
      credentials: { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) },
    });
    await expect(stranger.send(new ListObjectsV2Command({ Bucket: 'orgpatch-runs' }))).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
    });
    stranger.destroy();
  });
});
