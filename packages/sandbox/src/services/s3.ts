import type { CallContext } from '../contract.js';
import { DetailedServiceError } from '../errors.js';
import { type HttpReply, xmlEscape } from '../protocol/wire.js';
import type { ServiceContext } from './context.js';
import { checkPreconditions } from './s3Conditions.js';
import {
  checkKeyLength,
  compareKeys,
  header,
  receiveBody,
  S3_NAMESPACE,
  type S3Request,
  type StoredObject,
  splitPath,
  userMetadata,
} from './s3Model.js';
import { MultipartUploads } from './s3Multipart.js';

/**
 * Amazon S3 (restXml, path-style): PutObject, GetObject, HeadObject, DeleteObject, ListObjectsV2 and
 * the multipart uploads (s3Multipart.ts) on buckets the world or `startSandbox({ buckets })` names,
 * owned by the management account. Objects live in memory. Content-MD5 and CRC32 checksums are
 * verified; other checksum headers are kept and returned as sent.
 *
 * Conditional writes as S3 documents them (User Guide, "How to prevent object overwrites with
 * conditional writes" and "How to perform conditional deletes"): PutObject with `If-None-Match: *`
 * fails with 412 PreconditionFailed when the key exists; PutObject and DeleteObject with `If-Match`
 * fail with 412 PreconditionFailed when the ETag differs and 404 NoSuchKey when there is no object;
 * CompleteMultipartUpload takes both as PutObject does.
 * Requests are handled one at a time, so S3's 409 ConditionalRequestConflict (two conditional writes
 * in flight at once) does not arise here.
 */

/** The operation an S3 request is, by method and path (for routing and the call log). */
export function s3Operation(method: string, path: string, query: URLSearchParams): string {
  const { bucket, key } = splitPath(path);
  if (!bucket) return 'ListBuckets';
  if (key === '') {
    if (method === 'GET' && query.has('uploads')) return 'ListMultipartUploads';
    if (method === 'GET') return query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
    if (method === 'HEAD') return 'HeadBucket';
    return method === 'PUT' ? 'CreateBucket' : 'Unknown';
  }
  if (method === 'POST' && query.has('uploads')) return 'CreateMultipartUpload';
  if (method === 'POST' && query.has('uploadId')) return 'CompleteMultipartUpload';
  if (method === 'PUT' && query.has('uploadId')) return 'UploadPart';
  if (method === 'DELETE' && query.has('uploadId')) return 'AbortMultipartUpload';
  if (method === 'GET' && query.has('uploadId')) return 'ListParts';
  if (method === 'PUT') return 'PutObject';
  if (method === 'GET') return 'GetObject';
  if (method === 'HEAD') return 'HeadObject';
  if (method === 'DELETE') return 'DeleteObject';
  return 'Unknown';
}

/** The in-memory S3 of the sandbox. */
export class S3Service {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  private readonly uploads: MultipartUploads;

  constructor(
    private readonly context: ServiceContext,
    bucketNames: readonly string[],
  ) {
    for (const name of bucketNames) this.buckets.set(name, new Map());
    this.uploads = new MultipartUploads(() => context.clock.now());
  }

  /** Bucket names served. */
  get bucketNames(): readonly string[] {
    return [...this.buckets.keys()];
  }

  /** Handles one request (errors are thrown as DetailedServiceError). */
  handle(operation: string, request: S3Request, ctx: CallContext, requestId: string): HttpReply {
    if (operation === 'ListBuckets') {
      throw new DetailedServiceError('NotImplemented', 'The sandbox does not implement S3 ListBuckets.', 501);
    }
    const { bucket, key } = splitPath(request.path);
    const objects = this.buckets.get(bucket);
    if (!objects) {
      throw new DetailedServiceError('NoSuchBucket', 'The specified bucket does not exist', 404, {
        BucketName: bucket,
      });
    }
    if (ctx.accountId !== this.context.world.managementAccountId) {
      throw new DetailedServiceError('AccessDenied', 'Access Denied', 403);
    }
    const base = { 'x-amz-request-id': requestId, 'x-amz-id-2': Buffer.from(requestId).toString('base64') };
    switch (operation) {
      case 'PutObject':
        return this.put(objects, bucket, key, request, base);
      case 'GetObject':
      case 'HeadObject':
        return this.get(objects, bucket, key, request, base, operation === 'HeadObject');
      case 'DeleteObject':
        return this.delete(objects, bucket, key, request, base);
      case 'ListObjectsV2':
        return this.list(objects, bucket, request.query, base);
      case 'CreateMultipartUpload':
        return this.uploads.create(bucket, key, request, base);
      case 'UploadPart':
        return this.uploads.uploadPart(bucket, key, request, base);
      case 'CompleteMultipartUpload':
        return this.uploads.complete(bucket, key, objects, request, base);
      case 'AbortMultipartUpload':
        return this.uploads.abort(bucket, key, request, base);
      case 'ListMultipartUploads':
        return this.uploads.list(bucket, request.query, base);
      default:
        throw new DetailedServiceError('NotImplemented', `The sandbox does not implement S3 ${operation}.`, 501);
    }
  }

  private put(
    objects: Map<string, StoredObject>,
    bucket: string,
    key: string,
    request: S3Request,
    base: Record<string, string>,
  ): HttpReply {
    checkKeyLength(key);
    const { body, md5, checksums } = receiveBody(request);
    const metadata = userMetadata(request.headers);
    checkPreconditions(objects.get(key), bucket, key, request.headers, 'write');
    const etag = `"${md5.toString('hex')}"`;
    objects.set(key, {
      body,
      etag,
      lastModified: this.context.clock.now(),
      contentType: header(request.headers, 'content-type') ?? 'binary/octet-stream',
      metadata,
      checksums,
    });
    return { status: 200, headers: { ...base, etag, ...checksums }, body: '' };
  }

  private delete(
    objects: Map<string, StoredObject>,
    bucket: string,
    key: string,
    request: S3Request,
    base: Record<string, string>,
  ): HttpReply {
    checkPreconditions(objects.get(key), bucket, key, request.headers, 'delete');
    objects.delete(key);
    return { status: 204, headers: base, body: '' };
  }

  private get(
    objects: Map<string, StoredObject>,
    bucket: string,
    key: string,
    request: S3Request,
    base: Record<string, string>,
    head: boolean,
  ): HttpReply {
    const object = objects.get(key);
    if (!object) {
      throw new DetailedServiceError('NoSuchKey', 'The specified key does not exist.', 404, {
        Key: key,
        BucketName: bucket,
      });
    }
    const withChecksums = header(request.headers, 'x-amz-checksum-mode') === 'ENABLED';
    return {
      status: 200,
      headers: {
        ...base,
        etag: object.etag,
        'content-type': object.contentType,
        'content-length': String(object.body.length),
        'last-modified': new Date(object.lastModified).toUTCString(),
        'accept-ranges': 'bytes',
        ...object.metadata,
        ...(withChecksums ? object.checksums : {}),
      },
      body: head ? '' : object.body,
    };
  }

  private list(
    objects: Map<string, StoredObject>,
    bucket: string,
    query: URLSearchParams,
    base: Record<string, string>,
  ): HttpReply {
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') ?? '';
    const startAfter = query.get('start-after') ?? '';
    const token = query.get('continuation-token');
    const encode = query.get('encoding-type') === 'url';
    const maxKeysText = query.get('max-keys');
    const maxKeys = maxKeysText === null ? 1000 : Number(maxKeysText);
    if (!Number.isInteger(maxKeys) || maxKeys < 0) {
      throw new DetailedServiceError(
        'InvalidArgument',
        'Provided max-keys not an integer or within integer range',
        400,
        {
          ArgumentName: 'max-keys',
          ArgumentValue: String(maxKeysText),
        },
      );
    }
    let after = startAfter;
    let skipPrefix = '';
    if (token !== null) {
      const decoded = decodeContinuation(token, bucket);
      if (decoded === undefined) {
        throw new DetailedServiceError('InvalidArgument', 'The continuation token provided is incorrect', 400, {
          ArgumentName: 'continuation-token',
          ArgumentValue: token,
        });
      }
      if (compareKeys(decoded.key, after) > 0) after = decoded.key;
      if (decoded.commonPrefix) skipPrefix = decoded.key;
    }
    const limit = Math.min(maxKeys, 1000);
    const keys = [...objects.keys()]
      .filter((k) => k.startsWith(prefix) && compareKeys(k, after) > 0 && !(skipPrefix && k.startsWith(skipPrefix)))
      .sort(compareKeys);
    const contents: string[] = [];
    const prefixes: string[] = [];
    let last: { key: string; commonPrefix: boolean } | undefined;
    let truncated = false;
    for (const key of keys) {
      if (last?.commonPrefix && key.startsWith(last.key)) continue;
      const rest = key.slice(prefix.length);
      const cut = delimiter ? rest.indexOf(delimiter) : -1;
      if (contents.length + prefixes.length >= limit) {
        truncated = true;
        break;
      }
      if (cut >= 0) {
        const common = prefix + rest.slice(0, cut + delimiter.length);
        prefixes.push(common);
        last = { key: common, commonPrefix: true };
        continue;
      }
      const o = objects.get(key)!;
      contents.push(
        `<Contents><Key>${xmlEscape(encode ? encodeURIComponent(key) : key)}</Key><LastModified>${new Date(o.lastModified).toISOString()}</LastModified>` +
          `<ETag>${xmlEscape(o.etag)}</ETag>${o.checksums['x-amz-checksum-crc32'] ? '<ChecksumAlgorithm>CRC32</ChecksumAlgorithm>' : ''}` +
          `<Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      );
      last = { key, commonPrefix: false };
    }
    const next = truncated && last ? encodeContinuation(last.key, last.commonPrefix, bucket) : undefined;
    const opt = (name: string, value: string) =>
      value ? `<${name}>${xmlEscape(encode ? encodeURIComponent(value) : value)}</${name}>` : '';
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="${S3_NAMESPACE}"><Name>${xmlEscape(bucket)}</Name>` +
      `<Prefix>${xmlEscape(encode ? encodeURIComponent(prefix) : prefix)}</Prefix>${opt('StartAfter', startAfter)}` +
      `${token !== null ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : ''}` +
      `${next ? `<NextContinuationToken>${xmlEscape(next)}</NextContinuationToken>` : ''}` +
      `<KeyCount>${contents.length + prefixes.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>${opt('Delimiter', delimiter)}` +
      `<IsTruncated>${truncated}</IsTruncated>${contents.join('')}` +
      prefixes
        .map(
          (p) => `<CommonPrefixes><Prefix>${xmlEscape(encode ? encodeURIComponent(p) : p)}</Prefix></CommonPrefixes>`,
        )
        .join('') +
      `${encode ? '<EncodingType>url</EncodingType>' : ''}</ListBucketResult>`;
    return { status: 200, headers: { ...base, 'content-type': 'application/xml' }, body };
  }
}

function encodeContinuation(key: string, commonPrefix: boolean, bucket: string): string {
  return Buffer.from(JSON.stringify({ b: bucket, k: key, p: commonPrefix })).toString('base64');
}

function decodeContinuation(token: string, bucket: string): { key: string; commonPrefix: boolean } | undefined {
  try {
    const body = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { b?: unknown; k?: unknown; p?: unknown };
    return body.b === bucket && typeof body.k === 'string' ? { key: body.k, commonPrefix: body.p === true } : undefined;
  } catch {
    return undefined;
  }
}
