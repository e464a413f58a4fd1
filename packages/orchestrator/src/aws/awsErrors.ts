import type { InventoryErrorKind } from '@orgpatch/core';

/**
 * The AWS error code of an SDK error: the exception's `name` (the SDK names modeled and
 * unmodeled exceptions after the service's code), or `Code`/`code` for older shapes.
 */
export function awsErrorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { name?: unknown; Code?: unknown; code?: unknown };
    for (const candidate of [e.Code, e.code, e.name]) {
      if (typeof candidate === 'string' && candidate !== '' && candidate !== 'Error') return candidate;
    }
  }
  return 'UnknownError';
}

/** The error's message, or its string form. */
export function awsErrorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** HTTP status the service answered with, when there was an answer. */
export function awsHttpStatus(error: unknown): number | undefined {
  if (error && typeof error === 'object' && '$metadata' in error) {
    const meta = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
    if (typeof meta?.httpStatusCode === 'number') return meta.httpStatusCode;
  }
  return undefined;
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'ForbiddenException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'AuthorizationError',
]);

// Calls signed for a Region the account has not enabled are rejected as if the key did not exist there.
const REGION_NOT_ENABLED = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'RegionDisabledException',
  'OptInRequired',
]);

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);

const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
  // SSM's automation queue is full: it drains as executions end ("Service quotas for Automation").
  'AutomationExecutionLimitExceededException',
]);

/** Access was refused by IAM or by the service. */
export function isAccessDenied(error: unknown): boolean {
  return ACCESS_DENIED.has(awsErrorCode(error));
}

/** The credentials were refused because the Region is not enabled for the account. */
export function isRegionNotEnabled(error: unknown): boolean {
  return REGION_NOT_ENABLED.has(awsErrorCode(error));
}

/** The session credentials have expired; fresh ones may succeed. */
export function isExpiredCredentials(error: unknown): boolean {
  return EXPIRED.has(awsErrorCode(error));
}

/** The call was throttled (and the SDK's retries, if any, ran out). */
export function isThrottled(error: unknown): boolean {
  return THROTTLED.has(awsErrorCode(error)) || awsHttpStatus(error) === 429;
}

// Errors AWS answers when it does not accept the request's credentials (besides expiry): a cached
// session that was revoked, or an endpoint that restarted and forgot it. A fresh session may work.
const CREDENTIALS_REFUSED = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'IncompleteSignature',
  'InvalidToken',
]);

/** AWS refused the credentials themselves (expired, revoked, unknown): fresh credentials may succeed. */
export function isCredentialError(error: unknown): boolean {
  return isExpiredCredentials(error) || CREDENTIALS_REFUSED.has(awsErrorCode(error));
}

// Node's network errors: the request may not have reached AWS, or its answer was lost.
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'TimeoutError']);

/**
 * A failure worth trying again later with the same ClientToken: throttling, a 5xx answer, or a
 * network error (the SDK's own retries having run out). Anything else is AWS's permanent answer.
 */
export function isTransient(error: unknown): boolean {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : undefined;
  for (const e of cause === undefined ? [error] : [error, cause]) {
    if (isThrottled(e)) return true;
    const status = awsHttpStatus(e);
    if (status !== undefined && status >= 500) return true;
    const code = awsErrorCode(e);
    if (
      NETWORK.has(code) ||
      code === 'InternalServerError' ||
      code === 'InternalFailure' ||
      code === 'ServiceUnavailable'
    )
      return true;
    if (e && typeof e === 'object' && 'code' in e && typeof e.code === 'string' && NETWORK.has(e.code)) return true;
  }
  return false;
}

/** No credentials could be found at all (the SDK's provider chain came up empty). */
export function isMissingCredentials(error: unknown): boolean {
  const name = awsErrorCode(error);
  return (
    name === 'CredentialsProviderError' || /Could not load credentials|Region is missing/i.test(awsErrorMessage(error))
  );
}

/**
 * Reads an AWS error as an inventory problem for the plan. Never returns "fine": a caller that
 * classifies an error always records it.
 */
export function inventoryErrorKind(error: unknown): InventoryErrorKind {
  if (isAccessDenied(error)) return 'access-denied';
  if (isRegionNotEnabled(error)) return 'region-not-enabled';
  if (isExpiredCredentials(error)) return 'credentials-expired';
  if (isThrottled(error)) return 'throttled';
  return 'service-error';
}
