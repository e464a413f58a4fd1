import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
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

  it('creates an object with If-None-Match: * only once, with 412 PreconditionFailed after', async () => {
    const key = 'conditional/create.json';
    const created = await s3.send(
      new PutObjectCommand({ Bucket: 'orgpatch-runs', Key: key, Body: 'first', IfNoneMatch: '*' }),
    );
    expect(created.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = s3.send(
      new PutObjectCommand({ Bucket: 'orgpatch-runs', Key: key, Body: 'second', IfNoneMatch: '*' }),
    );
    await expect(again).rejects.toBeInstanceOf(S3ServiceException);
    await expect(again).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    const got = await s3.send(new GetObjectCommand({ Bucket: 'orgpatch-runs', Key: key }));
    expect(await got.Body?.transformToString()).toBe('first');
    expect(sandbox.calls.count({ operation: 'PutObject', outcome: 'PreconditionFailed' })).toBeGreaterThanOrEqual(1);
  });

  it('replaces an object with If-Match only at the ETag it has, and answers NoSuchKey when there is none', async () => {
    const key = 'conditional/replace.json';
    const v1 = await s3.send(new PutObjectCommand({ Bucket: 'orgpatch-runs', Key: key, Body: 'v1' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'orgpatch-runs', Key: key }));
    expect(head.ETag).toBe(v1.ETag);
    const v2 = await s3.send(new PutObjectCommand({ Bucket: 'orgpatch-runs', Key: key, Body: 'v2', IfMatch: v1.ETag }));
    expect(v2.ETag).not.toBe(v1.ETag);
    const stale = s3.send(new PutObjectCommand({ Bucket: 'orgpatch-runs', Key: key, Body: 'v3', IfMatch: v1.ETag }));
    await expect(stale).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    const got = await s3.send(new GetObjectCommand({ Bucket: 'orgpatch-runs', Key: key }));
    expect(await got.Body?.transformToString()).toBe('v2');
    expect(got.ETag).toBe(v2.ETag);
    const missing = s3.send(
      new PutObjectCommand({ Bucket: 'orgpatch-runs', Key: 'conditional/none.json', Body: 'x', IfMatch: v2.ETag }),
    );
    await expect(missing).rejects.toBeInstanceOf(NoSuchKey);
  });

  it('refuses If-None-Match with an ETag on PutObject as S3 does (only * is implemented)', async () => {
    const attempt = s3.send(
      new PutObjectCommand({ Bucket: 'orgpatch-runs', Key: 'conditional/etag.json', Body: 'x', IfNoneMatch: '"abc"' }),
    );
    await expect(attempt).rejects.toMatchObject({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
  });

  it('deletes an object, with If-Match only at its ETag', async () => {
    const key = 'conditional/delete.json';
    const v1 = await s3.send(new PutObjectCommand({ Bucket: 'orgpatch-runs', Key: key, Body: 'v1' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: 'orgpatch-runs', Key: key, Body: 'v2' }));
    const stale = s3.send(new DeleteObjectCommand({ Bucket: 'orgpatch-runs', Key: key, IfMatch: v1.ETag }));
    await expect(stale).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: 'orgpatch-runs', Key: key, IfMatch: v2.ETag }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    await expect(s3.send(new GetObjectCommand({ Bucket: 'orgpatch-runs', Key: key }))).rejects.toBeInstanceOf(
      NoSuchKey,
    );
    // Without a condition, deleting what is not there succeeds; with If-Match, there is nothing to match.
    const again = await s3.send(new DeleteObjectCommand({ Bucket: 'orgpatch-runs', Key: key }));
    expect(again.$metadata.httpStatusCode).toBe(204);
    await expect(
      s3.send(new DeleteObjectCommand({ Bucket: 'orgpatch-runs', Key: key, IfMatch: '*' })),
    ).rejects.toBeInstanceOf(NoSuchKey);
    expect(sandbox.calls.count({ operation: 'DeleteObject', ok: true })).toBe(2);
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
