import { DetailedServiceError } from '../errors.js';
import { header, type S3Request, type StoredObject } from './s3Model.js';

/** An ETag as compared: without the quotes (clients send it either way) or a weak `W/` prefix. */
function bareEtag(value: string): string {
  return value
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
}

/**
 * Evaluates `If-Match` and `If-None-Match` of a write (PutObject, CompleteMultipartUpload) or a
 * DeleteObject (`delete`) against the object now under the key. A write takes `If-None-Match` only
 * as `*`; DeleteObject takes `If-Match` only.
 */
export function checkPreconditions(
  current: StoredObject | undefined,
  bucketName: string,
  key: string,
  headers: S3Request['headers'],
  kind: 'write' | 'delete',
): void {
  const ifMatch = header(headers, 'if-match');
  const ifNoneMatch = header(headers, 'if-none-match');
  if (ifNoneMatch !== undefined && (kind === 'delete' || ifNoneMatch.trim() !== '*')) {
    throw new DetailedServiceError(
      'NotImplemented',
      'A header you provided implies functionality that is not implemented',
      501,
      {
        Header: 'If-None-Match',
      },
    );
  }
  if (ifMatch !== undefined) {
    if (!current) {
      throw new DetailedServiceError('NoSuchKey', 'The specified key does not exist.', 404, {
        Key: key,
        BucketName: bucketName,
      });
    }
    if (ifMatch.trim() !== '*' && bareEtag(ifMatch) !== bareEtag(current.etag)) throw preconditionFailed('If-Match');
  }
  if (ifNoneMatch !== undefined && current) throw preconditionFailed('If-None-Match');
}

function preconditionFailed(condition: string): DetailedServiceError {
  return new DetailedServiceError(
    'PreconditionFailed',
    'At least one of the pre-conditions you specified did not hold',
    412,
    {
      Condition: condition,
    },
  );
}
