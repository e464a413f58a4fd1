import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  NoSuchKey,
  NoSuchUpload,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { memberCredentials, startTestSandbox } from './helpers.js';

const BUCKET = 'orgpatch-runs';
const MiB = 1024 * 1024;

describe('S3 multipart uploads', () => {
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

  /** Starts an upload of `key` and uploads `bodies` as parts 1..n: its id and the parts as Complete lists them. */
  async function upload(
    key: string,
    bodies: readonly Buffer[],
    extra: { ChecksumAlgorithm?: 'CRC32'; ContentType?: string } = {},
  ): Promise<{ uploadId: string; parts: CompletedPart[] }> {
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ...extra }));
    const uploadId = created.UploadId ?? '';
    expect(uploadId).not.toBe('');
    const parts: CompletedPart[] = [];
    for (const [index, body] of bodies.entries()) {
      const out = await s3.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: index + 1, Body: body }),
      );
      parts.push({
        PartNumber: index + 1,
        ETag: out.ETag,
        ...(extra.ChecksumAlgorithm ? { ChecksumCRC32: out.ChecksumCRC32 } : {}),
      });
    }
    return { uploadId, parts };
  }

  function complete(
    key: string,
    uploadId: string,
    parts: CompletedPart[],
    extra: { IfNoneMatch?: string; IfMatch?: string } = {},
  ) {
    return s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
        ...extra,
      }),
    );
  }

  async function openUploads(prefix: string): Promise<string[]> {
    const out = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }));
    return (out.Uploads ?? []).map((u) => `${u.Key} ${u.UploadId}`);
  }

  const md5 = (b: Buffer) => createHash('md5').update(b).digest();

  it('assembles the listed parts into one object whose ETag is the MD5 of the part MD5s with -<count>', async () => {
    const first = Buffer.alloc(5 * MiB, 'a');
    const last = Buffer.from('the last part may be small');
    const key = 'mpu/whole.txt';
    const { uploadId, parts } = await upload(key, [first, last], { ContentType: 'text/plain' });
    expect(parts[0]?.ETag).toBe(`"${md5(first).toString('hex')}"`);
    expect(await openUploads('mpu/whole')).toEqual([`${key} ${uploadId}`]);
    const done = await complete(key, uploadId, parts);
    const expected = `"${md5(Buffer.concat([md5(first), md5(last)])).toString('hex')}-2"`;
    expect(done.ETag).toBe(expected);
    expect(done.Key).toBe(key);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat([first, last]))).toBe(true);
    expect(got.ETag).toBe(expected);
    expect(got.ContentType).toBe('text/plain');
    expect(await openUploads('mpu/whole')).toEqual([]);
    // A completed upload is gone: completing or aborting it again answers NoSuchUpload.
    await expect(complete(key, uploadId, parts)).rejects.toBeInstanceOf(NoSuchUpload);
  });

  it('refuses a part under 5 MiB that is not the last with EntityTooSmall, and keeps the upload open', async () => {
    const key = 'mpu/small.txt';
    const { uploadId, parts } = await upload(key, [Buffer.alloc(5 * MiB - 1, 'a'), Buffer.from('b')]);
    const attempt = complete(key, uploadId, parts);
    await expect(attempt).rejects.toBeInstanceOf(S3ServiceException);
    await expect(attempt).rejects.toMatchObject({ name: 'EntityTooSmall', $metadata: { httpStatusCode: 400 } });
    await expect(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    expect(await openUploads(key)).toEqual([`${key} ${uploadId}`]);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
    expect(await openUploads(key)).toEqual([]);
  });

  it('answers NoSuchUpload (404) for an unknown upload id, another key, and an aborted upload', async () => {
    const unknown = s3.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: 'mpu/x', UploadId: 'no-such-upload', PartNumber: 1, Body: 'x' }),
    );
    await expect(unknown).rejects.toBeInstanceOf(NoSuchUpload);
    await expect(unknown).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    const { uploadId, parts } = await upload('mpu/aborted', [Buffer.from('x')]);
    await expect(complete('mpu/other-key', uploadId, parts)).rejects.toBeInstanceOf(NoSuchUpload);
    const aborted = await s3.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu/aborted', UploadId: uploadId }),
    );
    expect(aborted.$metadata.httpStatusCode).toBe(204);
    await expect(complete('mpu/aborted', uploadId, parts)).rejects.toBeInstanceOf(NoSuchUpload);
    await expect(
      s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu/aborted', UploadId: uploadId })),
    ).rejects.toBeInstanceOf(NoSuchUpload);
    await expect(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'mpu/aborted' }))).rejects.toBeInstanceOf(
      NoSuchKey,
    );
  });

  it('refuses a part that was not uploaded, or listed with another ETag, with InvalidPart', async () => {
    const key = 'mpu/invalid-part';
    const { uploadId, parts } = await upload(key, [Buffer.alloc(5 * MiB, 'a'), Buffer.from('b')]);
    const wrongEtag = complete(key, uploadId, [parts[0]!, { PartNumber: 2, ETag: `"${'0'.repeat(32)}"` }]);
    await expect(wrongEtag).rejects.toMatchObject({ name: 'InvalidPart', $metadata: { httpStatusCode: 400 } });
    const missing = complete(key, uploadId, [...parts, { PartNumber: 3, ETag: parts[1]!.ETag }]);
    await expect(missing).rejects.toMatchObject({ name: 'InvalidPart' });
    // Listing a subset is allowed: the parts not listed are dropped.
    const done = await complete(key, uploadId, [parts[0]!]);
    expect(done.ETag).toMatch(/-1"$/);
  });

  it('refuses a part list not in ascending order with InvalidPartOrder', async () => {
    const key = 'mpu/order';
    const { uploadId, parts } = await upload(key, [Buffer.alloc(5 * MiB, 'a'), Buffer.alloc(5 * MiB, 'b')]);
    const reversed = complete(key, uploadId, [parts[1]!, parts[0]!]);
    await expect(reversed).rejects.toMatchObject({ name: 'InvalidPartOrder', $metadata: { httpStatusCode: 400 } });
    const repeated = complete(key, uploadId, [parts[0]!, parts[0]!]);
    await expect(repeated).rejects.toMatchObject({ name: 'InvalidPartOrder' });
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
  });

  it('refuses a part number outside 1..10,000 with InvalidArgument', async () => {
    const { uploadId } = await upload('mpu/part-number', []);
    for (const PartNumber of [0, 10_001]) {
      const attempt = s3.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: 'mpu/part-number', UploadId: uploadId, PartNumber, Body: 'x' }),
      );
      await expect(attempt).rejects.toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
    }
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu/part-number', UploadId: uploadId }));
  });

  it('completes with If-None-Match: * only where there is no object, and with If-Match only at its ETag', async () => {
    const key = 'mpu/conditional';
    const existing = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'already here' }));
    const { uploadId, parts } = await upload(key, [Buffer.from('new')]);
    const create = complete(key, uploadId, parts, { IfNoneMatch: '*' });
    await expect(create).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    const stale = complete(key, uploadId, parts, { IfMatch: `"${'0'.repeat(32)}"` });
    await expect(stale).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await got.Body?.transformToString()).toBe('already here');
    // The refused completion left the upload open; at the object's ETag it completes.
    const done = await complete(key, uploadId, parts, { IfMatch: existing.ETag });
    expect(done.ETag).toMatch(/-1"$/);
    const fresh = await upload('mpu/conditional-new', [Buffer.from('new')]);
    await expect(
      complete('mpu/conditional-new', fresh.uploadId, fresh.parts, { IfNoneMatch: '*' }),
    ).resolves.toMatchObject({
      Key: 'mpu/conditional-new',
    });
  });

  it('answers a composite CRC32 for an upload created with ChecksumAlgorithm CRC32, and checks the listed part checksums', async () => {
    const key = 'mpu/crc32';
    const bodies = [Buffer.alloc(5 * MiB, 'c'), Buffer.from('tail')];
    const { uploadId, parts } = await upload(key, bodies, { ChecksumAlgorithm: 'CRC32' });
    expect(parts.every((p) => typeof p.ChecksumCRC32 === 'string')).toBe(true);
    const wrong = complete(key, uploadId, [parts[0]!, { ...parts[1]!, ChecksumCRC32: parts[0]!.ChecksumCRC32 }]);
    await expect(wrong).rejects.toMatchObject({ name: 'InvalidPart' });
    const done = await complete(key, uploadId, parts);
    expect(done.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==-2$/);
    expect(done.ChecksumType).toBe('COMPOSITE');
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(bodies))).toBe(true);
    expect(got.ChecksumCRC32).toBe(done.ChecksumCRC32);
  });

  it('lists open uploads by key and then age, a page at a time', async () => {
    const a1 = await upload('list/a', []);
    const b1 = await upload('list/b', []);
    const a2 = await upload('list/a', []);
    expect(await openUploads('list/')).toEqual([
      `list/a ${a1.uploadId}`,
      `list/a ${a2.uploadId}`,
      `list/b ${b1.uploadId}`,
    ]);
    const page1 = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'list/', MaxUploads: 2 }));
    expect(page1.IsTruncated).toBe(true);
    const page2 = await s3.send(
      new ListMultipartUploadsCommand({
        Bucket: BUCKET,
        Prefix: 'list/',
        KeyMarker: page1.NextKeyMarker,
        UploadIdMarker: page1.NextUploadIdMarker,
      }),
    );
    expect(page2.IsTruncated).toBe(false);
    expect(page2.Uploads?.map((u) => u.UploadId)).toEqual([b1.uploadId]);
    for (const [Key, { uploadId }] of [
      ['list/a', a1],
      ['list/a', a2],
      ['list/b', b1],
    ] as const) {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key, UploadId: uploadId }));
    }
    expect(await openUploads('list/')).toEqual([]);
  });

  it('denies a member account multipart uploads to the management account buckets, as PutObject', async () => {
    const member = new S3Client({
      ...sandbox.clientConfig(),
      credentials: await memberCredentials(sandbox, '222222222222'),
    });
    const attempt = member.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu/member' }));
    await expect(attempt).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    member.destroy();
  });

  it('applies access-denied faults per multipart operation', async () => {
    const { uploadId } = await upload('mpu/fault', []);
    sandbox.faults.set({ accessDenied: [{ accountId: '111111111111', service: 's3', operations: ['UploadPart'] }] });
    try {
      const attempt = s3.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: 'mpu/fault', UploadId: uploadId, PartNumber: 1, Body: 'x' }),
      );
      await expect(attempt).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    } finally {
      sandbox.faults.set({ accessDenied: [] });
    }
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu/fault', UploadId: uploadId }));
    expect(sandbox.calls.count({ operation: 'UploadPart', outcome: 'AccessDenied' })).toBe(1);
  });
});
