import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { DetailedServiceError } from '../errors.js';

/** An object as the sandbox's S3 keeps it. */
export interface StoredObject {
  readonly body: Buffer;
  readonly etag: string;
  readonly lastModified: number;
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly checksums: Readonly<Record<string, string>>;
}

/** A decoded S3 request. */
export interface S3Request {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** A request body as received: its payload, MD5 and the checksums it came with (verified where S3 verifies them). */
export interface ReceivedBody {
  readonly body: Buffer;
  readonly md5: Buffer;
  readonly checksums: Readonly<Record<string, string>>;
}

/** The namespace of S3's XML documents. */
export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

const CHECKSUM_HEADERS = [
  'x-amz-checksum-crc32',
  'x-amz-checksum-crc32c',
  'x-amz-checksum-crc64nvme',
  'x-amz-checksum-sha1',
  'x-amz-checksum-sha256',
];

/** The bucket and the key of a path-style request path (the key '' for the bucket itself). */
export function splitPath(path: string): { bucket: string; key: string } {
  const trimmed = path.replace(/^\/+/, '');
  const slash = trimmed.indexOf('/');
  if (slash < 0) return { bucket: decodeURIComponent(trimmed), key: '' };
  return { bucket: decodeURIComponent(trimmed.slice(0, slash)), key: decodeURIComponent(trimmed.slice(slash + 1)) };
}

/** The first value of a request header. */
export function header(headers: S3Request['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The `x-amz-meta-*` headers of a request, as stored and returned. */
export function userMetadata(headers: S3Request['headers']): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name] = value;
  }
  return metadata;
}

/** S3's key order: by the keys' UTF-8 bytes. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Refuses a key longer than S3's 1,024 bytes. */
export function checkKeyLength(key: string): void {
  if (Buffer.byteLength(key) > 1024) throw new DetailedServiceError('KeyTooLongError', 'Your key is too long', 400);
}

/**
 * The payload of a PutObject or UploadPart: an `aws-chunked` body decoded, Content-MD5 and CRC32
 * verified (`BadDigest`), the other checksum headers (or trailers) kept as sent.
 */
export function receiveBody(request: S3Request): ReceivedBody {
  const streaming =
    (header(request.headers, 'content-encoding') ?? '').includes('aws-chunked') ||
    (header(request.headers, 'x-amz-content-sha256') ?? '').startsWith('STREAMING-');
  const decoded = streaming ? decodeAwsChunked(request.body) : { body: request.body, trailers: {} };
  const body = decoded.body;
  const md5 = createHash('md5').update(body).digest();
  const contentMd5 = header(request.headers, 'content-md5');
  if (contentMd5 !== undefined && contentMd5 !== md5.toString('base64')) {
    throw new DetailedServiceError('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);
  }
  const checksums: Record<string, string> = {};
  for (const name of CHECKSUM_HEADERS) {
    const value = header(request.headers, name) ?? decoded.trailers[name];
    if (value !== undefined) checksums[name] = value;
  }
  const crc = checksums['x-amz-checksum-crc32'];
  if (crc !== undefined && crc !== crc32Base64(body)) {
    throw new DetailedServiceError('BadDigest', 'The CRC32 you specified did not match the calculated checksum.', 400);
  }
  return { body, md5, checksums };
}

/** CRC32 of `data`, big-endian, base64 (the `x-amz-checksum-crc32` form). */
export function crc32Base64(data: Buffer): string {
  const value = zlib.crc32(data);
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out.toString('base64');
}

/**
 * Decodes an `aws-chunked` body (`<hex size>[;chunk-signature=..]\r\n<data>\r\n ... 0\r\n<trailers>\r\n\r\n`)
 * into its payload and trailing headers (e.g. `x-amz-checksum-crc32`).
 */
function decodeAwsChunked(raw: Buffer): { body: Buffer; trailers: Record<string, string> } {
  const parts: Buffer[] = [];
  const trailers: Record<string, string> = {};
  let pos = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', pos);
    if (eol < 0) break;
    const size = Number.parseInt(raw.subarray(pos, eol).toString('latin1').split(';')[0] ?? '', 16);
    pos = eol + 2;
    if (!Number.isFinite(size)) break;
    if (size === 0) {
      for (const line of raw.subarray(pos).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      break;
    }
    parts.push(raw.subarray(pos, pos + size));
    pos += size + 2;
  }
  return { body: Buffer.concat(parts), trailers };
}
