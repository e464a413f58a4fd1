import type { Location } from '@orgpatch/core';
import { AssumeRoleError, AutomationApiError } from '../errors.js';
import type { AccountCredentials } from './assumedRoleCredentials.js';
import { awsErrorCode, awsErrorMessage, isCredentialError, isExpiredCredentials } from './awsErrors.js';
import type { AwsCredentials, CredentialProvider } from './clients.js';

/**
 * Runs `call` with credentials for the location's account. When AWS refuses the session's
 * credentials (expired because a long run outlived it or the clock drifted; unrecognized after a
 * revocation or an endpoint restart), the cached session is dropped, a fresh one assumed, and the
 * call made once more with a new client; unless the credentials judge a new session useless (a
 * session issued moments ago that a Region refuses: see AssumedRoleCredentials.invalidate). Throws
 * what `call` or the credentials throw.
 */
export async function withAccountCredentials<T>(
  credentials: AccountCredentials,
  location: Location,
  call: (provider: CredentialProvider | undefined) => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    const current = await credentials.get(location.accountId, location.region);
    const provider = current ? providerFor(current) : undefined;
    try {
      return await call(provider);
    } catch (error) {
      if (
        attempt === 0 &&
        current &&
        isCredentialError(error) &&
        credentials.invalidate(location.accountId, location.region, isExpiredCredentials(error) ? 'expired' : 'refused')
      ) {
        continue;
      }
      throw error;
    }
  }
}

// One provider object per credentials object, so the client factory hands out the same client
// (and its adaptive-retry state) for as long as the session lasts, and a new one after a refresh.
const providers = new WeakMap<AwsCredentials, CredentialProvider>();

function providerFor(credentials: AwsCredentials): CredentialProvider {
  let provider = providers.get(credentials);
  if (provider === undefined) {
    provider = async () => credentials;
    providers.set(credentials, provider);
  }
  return provider;
}

/**
 * What a failed call in a location throws: an AssumeRoleError as it is (the account's role, not the
 * call), anything else as an AutomationApiError with the AWS code and the location in its message.
 */
export function locationCallError(error: unknown, location: Location, operation: string): Error {
  if (error instanceof AssumeRoleError) return error;
  const code = awsErrorCode(error);
  return new AutomationApiError(
    code,
    location.accountId,
    location.region,
    `${operation} in account ${location.accountId}, Region ${location.region} failed (${code}): ${awsErrorMessage(error)}`,
    { cause: error },
  );
}
