import type { InventoryObservation, Location } from '@orgpatch/core';
import { AssumeRoleError } from '../errors.js';
import { awsErrorCode, awsErrorMessage, inventoryErrorKind } from './awsErrors.js';

/**
 * What an inventory read that failed observed, for the plan to explain: an account that could not
 * be entered keeps AssumeRole's own kind (member stack missing, access denied, ...); an AWS error of
 * the read itself is classified by {@link inventoryErrorKind}, named by `operation` and the location.
 */
export function inventoryFailure(error: unknown, operation: string, location: Location): InventoryObservation {
  if (error instanceof AssumeRoleError) {
    return { kind: 'error', error: error.failure, code: error.code, message: error.message };
  }
  const code = awsErrorCode(error);
  return {
    kind: 'error',
    error: inventoryErrorKind(error),
    code,
    message: `${operation} in account ${location.accountId}, Region ${location.region} failed (${code}): ${awsErrorMessage(error)}`,
  };
}
