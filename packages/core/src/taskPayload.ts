import type { ValidationIssue } from './errors.js';

/** The maintenance-window task payload's size limit, and the check against it. */

/** Characters (UTF-8 bytes) a maintenance-window Lambda task payload may hold: SSM's MaintenanceWindowLambdaPayload, a blob of at most 4096. */
export const MAINTENANCE_WINDOW_TASK_PAYLOAD_LIMIT = 4096;

/** UTF-8 length of a string: what SSM counts for a blob such as MaintenanceWindowLambdaPayload. */
function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * Checks a payload string against the maintenance-window Lambda task limit.
 *
 * SSM's MaintenanceWindowLambdaParameters.Payload is a blob of at most 4096 (SSM API reference
 * and the service model: `MaintenanceWindowLambdaPayload`, max 4096). A blob's length is its bytes,
 * so this counts the UTF-8 bytes of the text, which equal its characters for ASCII payloads.
 *
 * @returns an issue when the payload is too long, undefined when it fits.
 */
export function checkTaskPayloadSize(payloadText: string): ValidationIssue | undefined {
  const size = utf8Length(payloadText);
  if (size <= MAINTENANCE_WINDOW_TASK_PAYLOAD_LIMIT) return undefined;
  const chars = [...payloadText].length;
  return {
    path: '',
    message: `The payload is ${size} bytes${chars !== size ? ` (${chars} characters)` : ''}; a maintenance-window Lambda task payload holds at most ${MAINTENANCE_WINDOW_TASK_PAYLOAD_LIMIT}`,
    hint: 'shorten it: name OUs rather than long account lists, leave out keys that hold their defaults, drop whitespace',
  };
}
