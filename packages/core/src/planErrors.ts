import { OrgPatchError } from './errors.js';

/** A run-record update named something the record does not hold, or asked for a move it cannot make. */
export class RunRecordError extends OrgPatchError {
  readonly runId: string;
  constructor(runId: string, message: string, options?: ErrorOptions) {
    super(`Run ${runId}: ${message}`, options);
    this.name = 'RunRecordError';
    this.runId = runId;
  }
}

/** An update named an (account, Region) that is not in the run record's plan. */
export class UnknownLocationError extends RunRecordError {
  readonly accountId: string;
  readonly region: string;
  constructor(runId: string, accountId: string, region: string, options?: ErrorOptions) {
    super(
      runId,
      `account ${accountId}, Region ${region} is not in this run's plan: only planned locations can be started or tracked`,
      options,
    );
    this.name = 'UnknownLocationError';
    this.accountId = accountId;
    this.region = region;
  }
}

/** An update named an automation execution the location has not recorded as started. */
export class UnknownExecutionError extends RunRecordError {
  readonly executionId: string;
  constructor(runId: string, accountId: string, region: string, executionId: string, options?: ErrorOptions) {
    super(
      runId,
      `execution ${executionId} was not recorded as started in account ${accountId}, Region ${region}: record it with recordStarted first`,
      options,
    );
    this.name = 'UnknownExecutionError';
    this.executionId = executionId;
  }
}
