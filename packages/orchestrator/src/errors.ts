import { OrgPatchError } from '@orgpatch/core';

/**
 * The AWS side or the environment is not usable as configured: no credentials, no Region, the
 * caller cannot list the Organization, a bucket is missing. The CLI exits with code 3 for these.
 */
export class AwsEnvironmentError extends OrgPatchError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AwsEnvironmentError';
  }
}

/** Organizations refused to list accounts: the caller is neither the management account nor a delegated administrator. */
export class OrganizationAccessError extends AwsEnvironmentError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OrganizationAccessError';
  }
}

/** What went wrong assuming a member account's execution role, in the plan's words. */
export type AssumeRoleFailure =
  | 'member-stack-missing'
  | 'region-not-enabled'
  | 'throttled'
  | 'credentials-expired'
  | 'service-error';

/** sts:AssumeRole of a member account's execution role failed. `failure` says how the plan should read it. */
export class AssumeRoleError extends OrgPatchError {
  readonly accountId: string;
  readonly roleArn: string;
  readonly failure: AssumeRoleFailure;
  readonly code: string;
  constructor(
    accountId: string,
    roleArn: string,
    failure: AssumeRoleFailure,
    code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AssumeRoleError';
    this.accountId = accountId;
    this.roleArn = roleArn;
    this.failure = failure;
    this.code = code;
  }
}

/**
 * StartAutomationExecution was called again with a ClientToken already used for different
 * parameters. orgpatch derives tokens from the task execution id, so this means the same task
 * execution was re-run with a changed payload.
 */
export class IdempotentParameterMismatchError extends OrgPatchError {
  readonly accountId: string;
  readonly region: string;
  readonly clientToken: string;
  constructor(accountId: string, region: string, clientToken: string, options?: ErrorOptions) {
    super(
      `StartAutomationExecution in account ${accountId}, Region ${region} was refused: ClientToken ${clientToken} was already used with different parameters. ` +
        'The same task execution was started again with a changed payload; run it under a new task execution (or without TaskExecutionId) instead.',
      options,
    );
    this.name = 'IdempotentParameterMismatchError';
    this.accountId = accountId;
    this.region = region;
    this.clientToken = clientToken;
  }
}

/** A run id was asked for that the run store does not hold. */
export class RunNotFoundError extends OrgPatchError {
  readonly runId: string;
  constructor(runId: string, where: string, options?: ErrorOptions) {
    super(
      `Run ${runId} was not found in ${where}. List the runs there, or point --store at the store that holds it.`,
      options,
    );
    this.name = 'RunNotFoundError';
    this.runId = runId;
  }
}

/** The run store could not be read or written. */
export class RunStoreError extends OrgPatchError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RunStoreError';
  }
}

/** The payload names an OU or account the Organization does not hold, or asks for an Organization where there is none. */
export class OrganizationScopeError extends OrgPatchError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OrganizationScopeError';
  }
}

/** An SSM Automation call failed in a location. `code` is the AWS error code (e.g. AutomationDefinitionNotFoundException). */
export class AutomationApiError extends OrgPatchError {
  readonly code: string;
  readonly accountId: string;
  readonly region: string;
  constructor(code: string, accountId: string, region: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AutomationApiError';
    this.code = code;
    this.accountId = accountId;
    this.region = region;
  }
}
