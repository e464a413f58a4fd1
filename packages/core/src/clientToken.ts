import { v5 as uuidv5 } from 'uuid';
import { OrgPatchError } from './errors.js';

/**
 * The UUID v5 namespace of orgpatch's ClientTokens: `uuidv5('orgpatch/client-token/v1', NIL_UUID)`,
 * written out so it can never drift. Changing it (or the name layout in {@link clientToken}) changes
 * every token, so a retried invocation after an upgrade would start automations a second time.
 */
export const CLIENT_TOKEN_NAMESPACE = '0d0198b2-6d4a-5b7f-8ac7-5a9fa36e04bd';

/**
 * The ClientToken for one StartAutomationExecution: a UUID v5 of (key, account, Region, group).
 *
 * SSM takes ClientToken as an idempotency token (UUID format, case-insensitive): a retry with the
 * same token and the same parameters does not start a second automation, while the same token with
 * different parameters fails with IdempotentParameterMismatch. Deriving it from the maintenance
 * window's task execution id (or the run id outside a window) makes a retried Lambda invocation
 * harmless.
 *
 * The name hashed is `JSON.stringify([key, accountId, region, group ?? null])`, so no choice of
 * separators can make two different inputs collide.
 *
 * @param key the task execution id, or the run id when there is none.
 * @param group the resource group, when a location starts one execution per group.
 * @throws OrgPatchError when `key` or `region` is empty or `accountId` is not 12 digits.
 * @example clientToken('3f2c...-task-execution-id', '111122223333', 'us-east-1', 'WebServers')
 */
export function clientToken(key: string, accountId: string, region: string, group?: string): string {
  if (key === '') throw new OrgPatchError('clientToken: the key (task execution id or run id) is empty; pass one');
  if (!/^\d{12}$/.test(accountId)) {
    throw new OrgPatchError(`clientToken: account id ${JSON.stringify(accountId)} is not 12 digits`);
  }
  if (region === '') throw new OrgPatchError(`clientToken: the Region for account ${accountId} is empty; pass one`);
  return uuidv5(JSON.stringify([key, accountId, region, group ?? null]), CLIENT_TOKEN_NAMESPACE);
}
