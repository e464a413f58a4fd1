import { createHash, randomBytes } from 'node:crypto';
import { DetailedServiceError } from '../errors.js';
import { type HttpReply, xmlEscape } from '../protocol/wire.js';
import { checkPreconditions } from './s3Conditions.js';
import {
  checkKeyLength,
  compareKeys,
  crc32Base64,
  header,
  receiveBody,
  S3_NAMESPACE,
  type S3Request,
  type StoredObject,
  userMetadata,
} from './s3Model.js';

/**
 * S3 multipart uploads (CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
 * AbortMultipartUpload, ListMultipartUploads) as the S3 API Reference documents them: parts of
 * 1 to 10,000, every part but the last at least 5 MiB, the part list ascending, the object's ETag
 * the MD5 of the parts' MD5s with `-<part count>`. CompleteMultipartUpload takes `If-None-Match: *`
 * and `If-Match` as PutObject does.
 *
 * Parts are held in memory until their upload is completed (then only the listed ones become the
 * object and the rest are dropped) or aborted (all dropped), as S3 keeps, and bills, the parts of
 * an upload until then.
 */

/** S3's smallest part but the last, 5 MiB ("Amazon S3 multipart upload limits"). */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;
const MAX_UPLOADS_LISTED = 1000;

interface Part {
  readonly body: Buffer;
  readonly md5: Buffer;
  readonly etag: string;
  readonly checksums: Readonly<Record<string, string>>;
}

interface OpenUpload {
  readonly uploadId: string;
  readonly bucket: string;
  readonly key: string;
  /** Creation order, for ListMultipartUploads (uploads of one key are listed oldest first). */
  readonly seq: number;
  readonly initiated: number;
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly checksumAlgorithm: string | undefined;
  readonly checksumType: string | undefined;
  readonly parts: Map<number, Part>;
}

/** The open multipart uploads of the sandbox's buckets. */
export class MultipartUploads {
  private readonly open = new Map<string, OpenUpload>();
  private seq = 0;

  constructor(private readonly now: () => number) {}

  /** CreateMultipartUpload (`POST /<bucket>/<key>?uploads`). */
  create(bucket: string, key: string, request: S3Request, base: Record<string, string>): HttpReply {
    checkKeyLength(key);
    const uploadId = randomBytes(32).toString('base64url');
    const checksumAlgorithm = header(request.headers, 'x-amz-checksum-algorithm')?.toUpperCase();
    const checksumType = header(request.headers, 'x-amz-checksum-type')?.toUpperCase();
    this.seq += 1;
    this.open.set(uploadId, {
      uploadId,
      bucket,
      key,
      seq: this.seq,
      initiated: this.now(),
      contentType: header(request.headers, 'content-type') ?? 'binary/octet-stream',
      metadata: userMetadata(request.headers),
      checksumAlgorithm,
      checksumType,
      parts: new Map(),
    });
    const headers: Record<string, string> = { ...base, 'content-type': 'application/xml' };
    if (checksumAlgorithm) headers['x-amz-checksum-algorithm'] = checksumAlgorithm;
    if (checksumType) headers['x-amz-checksum-type'] = checksumType;
    return {
      status: 200,
      headers,
      body:
        `<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult xmlns="${S3_NAMESPACE}">` +
        `<Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId>` +
        '</InitiateMultipartUploadResult>',
    };
  }

  /** UploadPart (`PUT /<bucket>/<key>?partNumber=N&uploadId=U`): a part number uploaded again replaces the part. */
  uploadPart(bucket: string, key: string, request: S3Request, base: Record<string, string>): HttpReply {
    const text = request.query.get('partNumber') ?? '';
    const partNumber = Number(text);
    if (!/^\d+$/.test(text) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
      throw new DetailedServiceError(
        'InvalidArgument',
        `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`,
        400,
        { ArgumentName: 'partNumber', ArgumentValue: text.slice(0, 40) },
      );
    }
    const upload = this.find(bucket, key, request.query);
    const received = receiveBody(request);
    const etag = `"${received.md5.toString('hex')}"`;
    upload.parts.set(partNumber, { body: received.body, md5: received.md5, etag, checksums: received.checksums });
    return { status: 200, headers: { ...base, etag, ...received.checksums }, body: '' };
  }

  /**
   * CompleteMultipartUpload (`POST /<bucket>/<key>?uploadId=U` with the part list): the listed
   * parts, in order, become the object under the key, if its `If-Match` / `If-None-Match` hold.
   * A refused completion leaves the upload open (it can be completed again or aborted).
   */
  complete(
    bucket: string,
    key: string,
    objects: Map<string, StoredObject>,
    request: S3Request,
    base: Record<string, string>,
  ): HttpReply {
    const upload = this.find(bucket, key, request.query);
    const listed = parsePartList(request.body.toString('utf8'));
    let previous = 0;
    for (const entry of listed) {
      const consecutive = upload.checksumAlgorithm === undefined || entry.partNumber === previous + 1;
      if (entry.partNumber <= previous || !consecutive) {
        throw new DetailedServiceError(
          'InvalidPartOrder',
          'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
          400,
          { UploadId: upload.uploadId },
        );
      }
      previous = entry.partNumber;
    }
    const parts = listed.map((entry) => {
      const part = upload.parts.get(entry.partNumber);
      const crc = entry.checksumCrc32;
      if (!part || bare(entry.etag) !== bare(part.etag) || (crc && crc !== part.checksums['x-amz-checksum-crc32'])) {
        throw new DetailedServiceError(
          'InvalidPart',
          "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
          400,
          { UploadId: upload.uploadId, PartNumber: String(entry.partNumber), ETag: entry.etag.slice(0, 80) },
        );
      }
      return { ...entry, part };
    });
    for (const [index, { part, partNumber }] of parts.entries()) {
      if (index < parts.length - 1 && part.body.length < MIN_PART_BYTES) {
        throw new DetailedServiceError(
          'EntityTooSmall',
          'Your proposed upload is smaller than the minimum allowed size',
          400,
          {
            ProposedSize: String(part.body.length),
            MinSizeAllowed: String(MIN_PART_BYTES),
            PartNumber: String(partNumber),
            ETag: part.etag,
          },
        );
      }
    }
    checkPreconditions(objects.get(key), bucket, key, request.headers, 'write');
    const body = Buffer.concat(parts.map((p) => p.part.body));
    const digest = createHash('md5');
    for (const { part } of parts) digest.update(part.md5);
    const etag = `"${digest.digest('hex')}-${parts.length}"`;
    const checksums = objectChecksums(
      upload,
      body,
      parts.map((p) => p.part),
    );
    objects.set(key, {
      body,
      etag,
      lastModified: this.now(),
      contentType: upload.contentType,
      metadata: upload.metadata,
      checksums,
    });
    this.open.delete(upload.uploadId);
    const host = header(request.headers, 'host') ?? 'localhost';
    const location = `http://${host}/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
    const crc = checksums['x-amz-checksum-crc32'];
    return {
      status: 200,
      headers: { ...base, 'content-type': 'application/xml' },
      body:
        `<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult xmlns="${S3_NAMESPACE}">` +
        `<Location>${xmlEscape(location)}</Location><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key>` +
        `<ETag>${xmlEscape(etag)}</ETag>` +
        (crc
          ? `<ChecksumCRC32>${crc}</ChecksumCRC32><ChecksumType>${checksums['x-amz-checksum-type']}</ChecksumType>`
          : '') +
        '</CompleteMultipartUploadResult>',
    };
  }

  /** AbortMultipartUpload (`DELETE /<bucket>/<key>?uploadId=U`): the upload and its parts are gone. */
  abort(bucket: string, key: string, request: S3Request, base: Record<string, string>): HttpReply {
    const upload = this.find(bucket, key, request.query);
    this.open.delete(upload.uploadId);
    return { status: 204, headers: base, body: '' };
  }

  /** ListMultipartUploads (`GET /<bucket>?uploads`): by key, then oldest first; `prefix`, `max-uploads`, markers. */
  list(bucket: string, query: URLSearchParams, base: Record<string, string>): HttpReply {
    if (query.get('delimiter')) {
      throw new DetailedServiceError(
        'NotImplemented',
        'The sandbox does not implement delimiter for ListMultipartUploads.',
        501,
      );
    }
    const prefix = query.get('prefix') ?? '';
    const keyMarker = query.get('key-marker') ?? '';
    const idMarker = query.get('upload-id-marker') ?? '';
    const maxText = query.get('max-uploads');
    const max = maxText === null ? MAX_UPLOADS_LISTED : Number(maxText);
    if (!Number.isInteger(max) || max < 0) {
      throw new DetailedServiceError(
        'InvalidArgument',
        'Provided max-uploads not an integer or within integer range',
        400,
        {
          ArgumentName: 'max-uploads',
          ArgumentValue: String(maxText).slice(0, 40),
        },
      );
    }
    const markerSeq = idMarker ? this.open.get(idMarker)?.seq : undefined;
    const all = [...this.open.values()]
      .filter((u) => u.bucket === bucket && u.key.startsWith(prefix))
      .filter((u) =>
        keyMarker === ''
          ? true
          : compareKeys(u.key, keyMarker) > 0 || (u.key === keyMarker && markerSeq !== undefined && u.seq > markerSeq),
      )
      .sort((a, b) => compareKeys(a.key, b.key) || a.seq - b.seq);
    const page = all.slice(0, Math.min(max, MAX_UPLOADS_LISTED));
    const truncated = page.length < all.length;
    const last = page.at(-1);
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult xmlns="${S3_NAMESPACE}">` +
      `<Bucket>${xmlEscape(bucket)}</Bucket><KeyMarker>${xmlEscape(keyMarker)}</KeyMarker>` +
      `<UploadIdMarker>${xmlEscape(idMarker)}</UploadIdMarker>` +
      (truncated && last
        ? `<NextKeyMarker>${xmlEscape(last.key)}</NextKeyMarker><NextUploadIdMarker>${last.uploadId}</NextUploadIdMarker>`
        : '') +
      `<Prefix>${xmlEscape(prefix)}</Prefix><MaxUploads>${max}</MaxUploads><IsTruncated>${truncated}</IsTruncated>` +
      page
        .map(
          (u) =>
            `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${u.uploadId}</UploadId><StorageClass>STANDARD</StorageClass>` +
            `<Initiated>${new Date(u.initiated).toISOString()}</Initiated>` +
            `${u.checksumAlgorithm ? `<ChecksumAlgorithm>${xmlEscape(u.checksumAlgorithm)}</ChecksumAlgorithm>` : ''}</Upload>`,
        )
        .join('') +
      '</ListMultipartUploadsResult>';
    return { status: 200, headers: { ...base, 'content-type': 'application/xml' }, body };
  }

  /** The open upload `uploadId` names, for this bucket and key; else NoSuchUpload (404). */
  private find(bucket: string, key: string, query: URLSearchParams): OpenUpload {
    const uploadId = query.get('uploadId') ?? '';
    const upload = this.open.get(uploadId);
    if (!upload || upload.bucket !== bucket || upload.key !== key) {
      throw new DetailedServiceError(
        'NoSuchUpload',
        'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
        404,
        { UploadId: uploadId.slice(0, 120) },
      );
    }
    return upload;
  }
}

interface ListedPart {
  readonly partNumber: number;
  readonly etag: string;
  readonly checksumCrc32: string | undefined;
}

/** The `<Part>` entries of a CompleteMultipartUpload body, in the order sent; MalformedXML when there are none. */
function parsePartList(xml: string): ListedPart[] {
  const parts: ListedPart[] = [];
  for (const match of xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
    const inner = match[1] ?? '';
    const field = (name: string) => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(inner)?.[1];
    const number = field('PartNumber');
    const etag = field('ETag');
    if (number === undefined || etag === undefined || !/^\d+$/.test(number.trim())) throw malformedXml();
    const crc = field('ChecksumCRC32');
    parts.push({ partNumber: Number(number.trim()), etag: unescapeXml(etag), checksumCrc32: crc && unescapeXml(crc) });
  }
  if (parts.length === 0 || !/<CompleteMultipartUpload[\s>]/.test(xml)) throw malformedXml();
  return parts;
}

function malformedXml(): DetailedServiceError {
  return new DetailedServiceError(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
    400,
  );
}

function unescapeXml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

function bare(etag: string): string {
  return etag.trim().replace(/^"(.*)"$/, '$1');
}

/**
 * The object-level CRC32 of a completed upload created with `x-amz-checksum-algorithm: CRC32`:
 * FULL_OBJECT (the CRC32 of the whole body) when the upload asked for it, else COMPOSITE (the CRC32
 * of the parts' CRC32s, `-<part count>`). Other algorithms' object checksums are not computed.
 */
function objectChecksums(upload: OpenUpload, body: Buffer, parts: readonly Part[]): Record<string, string> {
  if (upload.checksumAlgorithm !== 'CRC32') return {};
  if (upload.checksumType === 'FULL_OBJECT') {
    return { 'x-amz-checksum-crc32': crc32Base64(body), 'x-amz-checksum-type': 'FULL_OBJECT' };
  }
  const partCrcs = parts.map((p) => Buffer.from(p.checksums['x-amz-checksum-crc32'] ?? crc32Base64(p.body), 'base64'));
  return {
    'x-amz-checksum-crc32': `${crc32Base64(Buffer.concat(partCrcs))}-${parts.length}`,
    'x-amz-checksum-type': 'COMPOSITE',
  };
}
