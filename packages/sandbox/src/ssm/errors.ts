/**
 * Errors of the SSM service setup (not AWS errors returned to callers, which are
 * `AwsServiceError`s): they mean the sandbox was configured or fed wrongly.
 */

/** The SSM service was created with options it cannot honour. */
export class SsmServiceConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SsmServiceConfigError';
  }
}

/** The member automation document handed to `installMemberDocument` is not a valid schema 0.3 document. */
export class MemberDocumentInvalidError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MemberDocumentInvalidError';
  }
}
