import type { ServiceName } from '../callLog.js';
import { DetailedServiceError } from '../errors.js';

/**
 * The errors every service returns in its own words: authentication, Region not enabled,
 * throttling, access denied and internal errors. IAM speaks awsQuery as STS does and shares its
 * common error codes (IAM model: `ServiceFailure` for its internal error). CloudWatch speaks
 * awsJson1_0 but is `awsQueryCompatible`: its errors carry the awsQuery codes it had as a query
 * service (model: `InternalServiceFault`, awsQuery code `InternalServiceError`). Codes and status
 * codes follow each service's model and the AWS common-errors pages; see README "Errors".
 */

const INVALID_TOKEN = 'The security token included in the request is invalid.';

/** The caller's access key is unknown, or its session token does not match, or the Region is not enabled. */
export function unrecognizedClient(
  service: ServiceName,
  problem: 'unknown-key' | 'bad-session-token' | 'region',
): DetailedServiceError {
  switch (service) {
    case 'sts':
    case 'iam':
    case 'cloudwatch':
      return new DetailedServiceError('InvalidClientTokenId', INVALID_TOKEN, 403);
    case 's3':
      return problem === 'bad-session-token'
        ? new DetailedServiceError('InvalidToken', 'The provided token is malformed or otherwise invalid.', 400)
        : new DetailedServiceError(
            'InvalidAccessKeyId',
            'The AWS Access Key Id you provided does not exist in our records.',
            403,
          );
    case 'resource-groups':
      return new DetailedServiceError('UnrecognizedClientException', INVALID_TOKEN, 403, {}, 'message');
    case 'ec2':
      return new DetailedServiceError(
        'AuthFailure',
        'AWS was not able to validate the provided access credentials',
        401,
      );
    default:
      return new DetailedServiceError('UnrecognizedClientException', INVALID_TOKEN, 400, {}, 'message');
  }
}

/** Temporary credentials past their expiration (on the simulated clock). */
export function expiredToken(service: ServiceName): DetailedServiceError {
  switch (service) {
    case 'sts':
    case 'iam':
    case 'cloudwatch':
      return new DetailedServiceError('ExpiredToken', 'The security token included in the request is expired', 403);
    case 's3':
      return new DetailedServiceError('ExpiredToken', 'The provided token has expired.', 400);
    case 'resource-groups':
      return new DetailedServiceError(
        'ExpiredTokenException',
        'The security token included in the request is expired',
        403,
        {},
        'message',
      );
    default:
      return new DetailedServiceError(
        'ExpiredTokenException',
        'The security token included in the request is expired',
        400,
        {},
        'message',
      );
  }
}

/** No Authorization header (and no presigned query). */
export function missingAuthentication(service: ServiceName): DetailedServiceError {
  switch (service) {
    case 'sts':
    case 'iam':
    case 'cloudwatch':
      return new DetailedServiceError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
    case 's3':
      return new DetailedServiceError('AccessDenied', 'Access Denied', 403);
    default:
      return new DetailedServiceError(
        'MissingAuthenticationTokenException',
        'Missing Authentication Token',
        403,
        {},
        'message',
      );
  }
}

/** An Authorization header that is not SigV4 as AWS expects it. */
export function malformedAuthentication(service: ServiceName): DetailedServiceError {
  switch (service) {
    case 'sts':
    case 'iam':
    case 'cloudwatch':
      return new DetailedServiceError(
        'IncompleteSignature',
        'The request signature does not conform to AWS standards.',
        400,
      );
    case 's3':
      return new DetailedServiceError('AuthorizationHeaderMalformed', 'The authorization header is malformed.', 400);
    default:
      return new DetailedServiceError(
        'IncompleteSignatureException',
        'The request signature does not conform to AWS standards.',
        400,
        {},
        'message',
      );
  }
}

/** The credential scope names another service or an unusable Region. */
export function badScope(service: ServiceName, message: string): DetailedServiceError {
  switch (service) {
    case 'sts':
    case 'iam':
    case 'cloudwatch':
      return new DetailedServiceError('SignatureDoesNotMatch', message, 403);
    case 's3':
      return new DetailedServiceError('AuthorizationHeaderMalformed', message, 400);
    default:
      return new DetailedServiceError('InvalidSignatureException', message, 400, {}, 'message');
  }
}

/** The service's own throttling error, which the SDK retries. */
export function throttling(service: ServiceName): DetailedServiceError {
  switch (service) {
    case 'ssm':
      return new DetailedServiceError('ThrottlingException', 'Rate exceeded', 400);
    case 'organizations':
      return new DetailedServiceError(
        'TooManyRequestsException',
        'You have sent too many requests in too short a period of time. The quota helps protect against denial-of-service attacks. Try again later.',
        400,
        { Type: 'RequestRateLimitExceeded' },
      );
    case 'sts':
    case 'iam':
    case 'cloudwatch':
      return new DetailedServiceError('Throttling', 'Rate exceeded', 400);
    case 'resource-groups':
      return new DetailedServiceError('TooManyRequestsException', 'Rate exceeded', 429);
    case 's3':
      return new DetailedServiceError('SlowDown', 'Please reduce your request rate.', 503);
    case 'ec2':
      return new DetailedServiceError('RequestLimitExceeded', 'Request limit exceeded.', 503);
  }
}

/** An IAM denial of `operation` for the calling principal. */
export function accessDenied(
  service: ServiceName,
  operation: string,
  principalArn: string,
  resource: string,
): DetailedServiceError {
  const action = `${service === 'resource-groups' ? 'resource-groups' : service}:${operation}`;
  const message = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
  switch (service) {
    case 'ssm':
      return new DetailedServiceError('AccessDeniedException', message, 400);
    case 'organizations':
      return new DetailedServiceError(
        'AccessDeniedException',
        "You don't have permissions to access this resource.",
        403,
      );
    case 'resource-groups':
      return new DetailedServiceError('ForbiddenException', message, 403);
    case 'sts':
    case 'iam':
    case 'cloudwatch':
      return new DetailedServiceError('AccessDenied', message, 403);
    case 's3':
      return new DetailedServiceError('AccessDenied', 'Access Denied', 403);
    case 'ec2':
      return new DetailedServiceError(
        'UnauthorizedOperation',
        'You are not authorized to perform this operation.',
        403,
      );
  }
}

/** The service's internal error (a 5xx the SDK retries). */
export function internalError(service: ServiceName): DetailedServiceError {
  switch (service) {
    case 'ssm':
      return new DetailedServiceError('InternalServerError', 'An internal error occurred.', 500);
    case 'organizations':
      return new DetailedServiceError(
        'ServiceException',
        "AWS Organizations can't complete your request because of an internal service error. Try again later.",
        500,
      );
    case 'iam':
      return new DetailedServiceError(
        'ServiceFailure',
        'The request processing has failed because of an unknown error, exception or failure.',
        500,
      );
    case 'cloudwatch':
      return new DetailedServiceError('InternalServiceError', 'Internal service error.', 500);
    case 'sts':
      return new DetailedServiceError(
        'InternalFailure',
        'The request processing has failed because of an unknown error, exception or failure.',
        500,
      );
    case 'resource-groups':
      return new DetailedServiceError(
        'InternalServerErrorException',
        'An internal error occurred while processing the request.',
        500,
      );
    case 's3':
      return new DetailedServiceError('InternalError', 'We encountered an internal error. Please try again.', 500);
    case 'ec2':
      return new DetailedServiceError('InternalError', 'An internal error has occurred', 500);
  }
}

/** An operation the service does not have (or the sandbox does not serve). */
export function unknownOperation(service: ServiceName, operation: string): DetailedServiceError {
  switch (service) {
    case 'iam':
      return new DetailedServiceError(
        'InvalidAction',
        `Could not find operation ${operation} for version 2010-05-08`,
        400,
      );
    case 'cloudwatch':
      return new DetailedServiceError(
        'InvalidAction',
        `Could not find operation ${operation} for version 2010-08-01`,
        400,
      );
    case 'sts':
      return new DetailedServiceError(
        'InvalidAction',
        `Could not find operation ${operation} for version 2011-06-15`,
        400,
      );
    case 'ec2':
      return new DetailedServiceError(
        'InvalidAction',
        `The action ${operation} is not valid for this web service.`,
        400,
      );
    case 's3':
      return new DetailedServiceError(
        'NotImplemented',
        'A header you provided implies functionality that is not implemented',
        501,
      );
    default:
      return new DetailedServiceError(
        'UnknownOperationException',
        `The sandbox does not serve ${service}:${operation}.`,
        400,
        {},
        'message',
      );
  }
}
