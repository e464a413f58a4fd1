import { OrgPatchError, truncateForMessage, type ValidationIssue } from '@orgpatch/core';

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

/**
 * A conditional write to the run store was refused: the run's record was created or changed by
 * another writer since this store last read or wrote it. Nothing was overwritten.
 */
export class RunStoreConflictError extends RunStoreError {
  readonly runId: string;
  constructor(runId: string, where: string, options?: ErrorOptions) {
    super(
      `Run ${runId} was not written to ${where}: another orgpatch process is writing it (the record was created or changed since this process last read it). ` +
        `Nothing was overwritten. Let the other process finish, or read the run again (orgpatch status ${runId}) before continuing it.`,
      options,
    );
    this.name = 'RunStoreConflictError';
    this.runId = runId;
  }
}

/**
 * A stored run record is corrupt or not this run's: not JSON, not the shape of a run record, a
 * request that is not what its own payload means, or a record claiming another run id. `issues`
 * holds every problem with its JSON path; `cause` is core's StoredDocumentError (or the SyntaxError).
 */
export class RunRecordInvalidError extends RunStoreError {
  readonly runId: string;
  readonly source: string;
  readonly issues: readonly ValidationIssue[];
  constructor(runId: string, source: string, issues: readonly ValidationIssue[], options?: ErrorOptions) {
    super(
      `Run record ${source} cannot be used (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${issues
        .map((i) => `- ${i.path || '(root)'}: ${i.message}${i.hint ? ` (${i.hint})` : ''}`)
        .join('\n')}\n` +
        `It was changed outside orgpatch, damaged, or written by an incompatible version. Restore it from a backup, or remove run ${runId} from the store if it is not needed.`,
      options,
    );
    this.name = 'RunRecordInvalidError';
    this.runId = runId;
    this.source = source;
    this.issues = issues;
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

/**
 * A run id that is already stored was asked to resume with a different request (a dry run, another
 * operation, other parameters or targets). Nothing was started.
 */
export class RunRequestMismatchError extends OrgPatchError {
  readonly runId: string;
  readonly fields: readonly string[];
  constructor(runId: string, fields: readonly string[], options?: ErrorOptions) {
    super(
      `Run ${runId} already exists with a different request (${fields.join(', ')} differ), so it was not resumed and nothing was started. ` +
        'A resumed run must be the same request: to run this one, start a new run (a new maintenance-window task execution, or leave out --run-id and TaskExecutionId); to see where the stored run stands, use `orgpatch status`.',
      options,
    );
    this.name = 'RunRequestMismatchError';
    this.runId = runId;
    this.fields = fields;
  }
}

/** Another run holds the scope (the Organization): this one was refused and started nothing. */
export class RunOverlapError extends OrgPatchError {
  readonly holderRunId: string;
  readonly expiresAt: string;
  constructor(scope: string, holderRunId: string, expiresAt: string, options?: ErrorOptions) {
    super(
      `Run ${holderRunId} is in progress on ${scope} (its lease lasts until ${expiresAt} unless it is tracked further), so this run was refused and nothing was started. ` +
        `Wait for ${holderRunId} to end (orgpatch status ${holderRunId}), or resume it; two runs must never patch one Organization at once.`,
      options,
    );
    this.name = 'RunOverlapError';
    this.holderRunId = holderRunId;
    this.expiresAt = expiresAt;
  }
}

/** Something tried to start an automation for a dry run: refused at the last door, before any AWS call. */
export class DryRunViolationError extends OrgPatchError {
  constructor(accountId: string, region: string, options?: ErrorOptions) {
    super(
      `A start in account ${accountId}, Region ${region} was refused: the request is a dry run, and a dry run never calls StartAutomationExecution. This is a bug in orgpatch; please report it.`,
      options,
    );
    this.name = 'DryRunViolationError';
  }
}

/** A run id that cannot name a run (it would not be a safe file or key segment): invalid input, nothing read. */
export class InvalidRunIdError extends OrgPatchError {
  constructor(runId: string, options?: ErrorOptions) {
    super(
      `Run id ${JSON.stringify(truncateForMessage(runId))} is not valid: use the id orgpatch printed (letters, digits, ".", "_" and "-", at most 128).`,
      options,
    );
    this.name = 'InvalidRunIdError';
  }
}

/**
 * A wave names a CloudWatch alarm that cannot gate it: it does not exist (in the orchestrator's
 * account and Region), or the run has no way to read alarms. A plan error: nothing was started.
 */
export class HealthGateError extends OrgPatchError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HealthGateError';
  }
}

/** No compliance snapshot (and no run with one) is stored under the id. */
export class ComplianceSnapshotNotFoundError extends OrgPatchError {
  readonly snapshotId: string;
  constructor(snapshotId: string, where: string, detail = '', options?: ErrorOptions) {
    super(
      `Compliance snapshot ${truncateForMessage(snapshotId)} was not found in ${where}${detail}. List the snapshots with "orgpatch compliance --list", or point --store at the store that holds it.`,
      options,
    );
    this.name = 'ComplianceSnapshotNotFoundError';
    this.snapshotId = snapshotId;
  }
}

/**
 * A step of a run failed for a reason worth trying again: AWS throttled, answered 5xx, or the network
 * dropped the call, after the SDK's own retries. Thrown by the Step Functions step Lambda under this
 * stable name, so the state machine's Retry can match it; the AWS error is the `cause`. Every step is
 * idempotent, so repeating it starts nothing twice.
 */
export class TransientStepError extends OrgPatchError {
  /** The AWS error code (e.g. ThrottlingException, ECONNRESET). */
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(`${message} (${code}; transient: the step is safe to run again, and the state machine retries it)`, options);
    this.name = 'TransientStepError';
    this.code = code;
  }
}

/**
 * The step Lambda was invoked with something that is not a step's input (`step` missing or unknown,
 * a field of the wrong type): the state machine definition and the handler disagree. Nothing was run.
 */
export class StepInputError extends OrgPatchError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StepInputError';
  }
}

/**
 * A stored compliance snapshot failed validation when read back (not JSON, a wrong shape, a shard
 * changed since it was written): bad input, never used.
 */
export class ComplianceSnapshotInvalidError extends RunStoreError {
  readonly snapshotId: string;
  readonly source: string;
  readonly issues: readonly ValidationIssue[];
  constructor(snapshotId: string, source: string, issues: readonly ValidationIssue[], options?: ErrorOptions) {
    super(
      `Compliance snapshot ${truncateForMessage(snapshotId)} cannot be used: ${source} is not valid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${issues
        .map((i) => `- ${i.path || '(root)'}: ${i.message}${i.hint ? ` (${i.hint})` : ''}`)
        .join('\n')}\nIt was changed outside orgpatch or damaged; take a new snapshot, or compare with another one.`,
      options,
    );
    this.name = 'ComplianceSnapshotInvalidError';
    this.snapshotId = snapshotId;
    this.source = source;
    this.issues = issues;
  }
}

/** A snapshot to compare with was taken of another Organization than the one being read. */
export class ComplianceOrganizationMismatchError extends OrgPatchError {
  constructor(snapshotId: string, theirs: string, ours: string, options?: ErrorOptions) {
    super(
      `Compliance snapshot ${truncateForMessage(snapshotId)} was taken of Organization ${theirs}, not ${ours}: compare with a snapshot of the same Organization (a store shared by several Organizations keeps each one's snapshots apart by their Organization).`,
      options,
    );
    this.name = 'ComplianceOrganizationMismatchError';
  }
}
