import { OrgPatchError } from '@orgpatch/core';
import {
  AwsEnvironmentError,
  awsErrorCode,
  ComplianceSnapshotInvalidError,
  isExpiredCredentials,
  isMissingCredentials,
  RunRecordInvalidError,
  RunStoreError,
} from '@orgpatch/orchestrator';

/** The CLI's exit codes. */
export const EXIT = {
  /** Done, and (for a run that was waited on) it succeeded. */
  ok: 0,
  /** Invalid input (a payload, a schedule, a run id), or a run that failed or was halted. */
  failed: 1,
  /** The command line itself is wrong: unknown command or option, missing argument, unreadable file. */
  usage: 2,
  /** AWS or the environment: no credentials, no Region, access to the Organization refused, a store that cannot be written. */
  environment: 3,
} as const;

/** A command line that cannot be acted on (exit code 2). */
export class CliUsageError extends OrgPatchError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliUsageError';
  }
}

/** The exit code for an error that ended a command. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CliUsageError) return EXIT.usage;
  // The sandbox's errors (loaded only by the sandbox and demo commands), by name.
  if (error instanceof Error && error.name === 'SandboxStartError') return EXIT.environment;
  if (error instanceof Error && error.name === 'SandboxOptionsError') return EXIT.usage;
  // A corrupt or tampered record is bad input (exit 1), not a store that cannot be reached.
  if (error instanceof RunRecordInvalidError || error instanceof ComplianceSnapshotInvalidError) return EXIT.failed;
  if (error instanceof AwsEnvironmentError || error instanceof RunStoreError) return EXIT.environment;
  if (error instanceof OrgPatchError) return EXIT.failed;
  if (isMissingCredentials(error) || isExpiredCredentials(error)) return EXIT.environment;
  // An AWS SDK error that reached the top (a service answered): the environment, not the input.
  if (error && typeof error === 'object' && '$metadata' in error) return EXIT.environment;
  if (awsErrorCode(error).startsWith('ECONN') || awsErrorCode(error) === 'ENOTFOUND') return EXIT.environment;
  return EXIT.failed;
}
