import { AwsServiceError } from './contract.js';

/** Base class of the errors the sandbox raises to its own callers (not to SDK clients). */
class SandboxError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SandboxError';
  }
}

/** One problem in a world file: where (JSON path) and what. */
export interface WorldIssue {
  readonly path: string;
  readonly message: string;
}

/** A world file or world option is invalid; `issues` lists every problem found. */
export class WorldValidationError extends SandboxError {
  readonly issues: readonly WorldIssue[];
  constructor(source: string, issues: readonly WorldIssue[], options?: ErrorOptions) {
    super(
      `The world ${source} is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${issues
        .map((i) => `- ${i.path || '(root)'}: ${i.message}`)
        .join('\n')}`,
      options,
    );
    this.name = 'WorldValidationError';
    this.issues = issues;
  }
}

/** A sandbox option (faults, port, time scale, ...) is invalid. */
export class SandboxOptionsError extends SandboxError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SandboxOptionsError';
  }
}

/** The sandbox could not start (e.g. the port is taken). */
export class SandboxStartError extends SandboxError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SandboxStartError';
  }
}

/**
 * An {@link AwsServiceError} with extra members for the error body (`Reason` of Organizations'
 * InvalidInputException, `Type` of TooManyRequestsException, S3's `Key`/`BucketName`, ...) and the
 * name of the message member the service uses (`Message` for most modeled errors, `message` for the
 * common JSON errors).
 */
export class DetailedServiceError extends AwsServiceError {
  readonly fields: Readonly<Record<string, string>>;
  readonly messageKey: 'Message' | 'message';
  constructor(
    code: string,
    message: string,
    statusCode = 400,
    fields: Readonly<Record<string, string>> = {},
    messageKey: 'Message' | 'message' = 'Message',
  ) {
    super(code, message, statusCode);
    this.name = 'DetailedServiceError';
    this.fields = fields;
    this.messageKey = messageKey;
  }
}
